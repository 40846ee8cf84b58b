"""Cutting a short, loudness-normalised mono clip out of a call recording (for scenarios)."""

from __future__ import annotations

import logging
from pathlib import Path

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError

from deesc_lms.api_errors import DeescError

logger = logging.getLogger(__name__)

FORMATS = {
    # format: (pydub format, codec, bitrate, sample rate)
    "mp3": ("mp3", "libmp3lame", "48k", 24_000),
    "ogg": ("ogg", "libopus", "32k", 24_000),
}
# EBU R128 speech loudness for headphones and laptop speakers.
LOUDNORM = "loudnorm=I=-16:TP=-1.5:LRA=11"
MAX_CLIP_S = 300.0


def cut_clip(
    source: Path,
    dest: Path,
    *,
    start_s: float,
    end_s: float,
    pad_s: float = 0.5,
    channel: int | None = None,
    fmt: str = "mp3",
) -> tuple[float, float]:
    """Write [start - pad, end + pad] of `source` to `dest` as mono `fmt` at speech loudness.

    `channel` picks one channel; None mixes them. Returns the clip's (start, end) in call seconds.
    Raises DeescError for a bad range, channel or format, or unreadable audio."""
    if fmt not in FORMATS:
        raise DeescError(f"Clip format {fmt!r} is not one of {', '.join(FORMATS)}.", code="invalid")
    if end_s <= start_s:
        raise DeescError(f"A clip must end after it starts ({start_s:.2f}s to {end_s:.2f}s).", code="invalid")
    if pad_s < 0:
        raise DeescError("Clip padding cannot be negative.", code="invalid")
    begin = max(0.0, start_s - pad_s)
    length = min(end_s + pad_s - begin, MAX_CLIP_S)
    try:
        segment = AudioSegment.from_file(str(source), start_second=begin, duration=length)
    except (CouldntDecodeError, IndexError, ValueError) as exc:
        raise DeescError(f"The call audio could not be read to cut a clip ({exc}).", code="corrupt_audio") from exc
    if len(segment) == 0:
        raise DeescError(f"The clip from {begin:.2f}s lies beyond the end of the recording.", code="invalid")
    if channel is not None:
        if not 0 <= channel < segment.channels:
            raise DeescError(
                f"The recording has {segment.channels} channel(s); there is no channel {channel}.", code="invalid"
            )
        segment = segment.split_to_mono()[channel]
    else:
        segment = segment.set_channels(1)
    fade = min(20, len(segment) // 4)
    segment = segment.fade_in(fade).fade_out(fade)
    kind, codec, bitrate, rate = FORMATS[fmt]
    dest.parent.mkdir(parents=True, exist_ok=True)
    segment.export(
        str(dest),
        format=kind,
        codec=codec,
        bitrate=bitrate,
        parameters=["-af", LOUDNORM, "-ar", str(rate), "-ac", "1"],
    )
    logger.info("clip %s: %.2fs..%.2fs of %s", dest.name, begin, begin + len(segment) / 1000, source.name)
    return begin, begin + len(segment) / 1000
