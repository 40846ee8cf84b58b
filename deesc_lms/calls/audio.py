"""Reading call audio of any format: probe, check limits, decode each channel to 16 kHz float.

Decoding goes through pydub, which hands everything that is not plain PCM WAV to ffmpeg: MP3,
M4A/AAC, FLAC, OGG/Opus, 8 kHz µ-law/A-law WAV and any sample rate. Resampling to the 16 kHz the
ASR models expect is a polyphase filter (scipy), so narrowband audio is not aliased.
Every problem with a file is a DeescError whose message a user can act on.
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
from django.conf import settings
from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from scipy.signal import resample_poly

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import fmt_mss

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".wave", ".mp3", ".m4a", ".mp4", ".aac", ".flac", ".ogg", ".oga", ".opus", ".webm", ".wma", ".amr", ".au"}
)
# A channel whose loudest 50 ms frame stays below this holds no speech worth transcribing.
SILENCE_DBFS = -50.0
# Two channels this correlated are one mono recording saved as stereo.
SAME_CHANNEL_CORRELATION = 0.98


@dataclass(frozen=True)
class AudioInfo:
    duration_s: float
    channels: int
    sample_rate: int
    codec: str
    container: str


def probe(path: Path) -> AudioInfo:
    """What ffprobe says about the file. Raises DeescError for an empty or unreadable file."""
    if not path.exists():
        raise DeescError(f"File not found: {path.name}", code="not_found", status_code=404)
    size = path.stat().st_size
    if size == 0:
        raise DeescError(f"{path.name} is empty (0 bytes).", code="empty_file")
    limit = settings.DEESC_MAX_UPLOAD_BYTES
    if size > limit:
        raise DeescError(
            f"{path.name} is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit.",
            code="too_large",
            status_code=413,
        )
    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    result = subprocess.run(command, capture_output=True, check=False, timeout=120)
    try:
        report = json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        report = {}
    streams = [s for s in report.get("streams", []) if s.get("codec_type") == "audio"]
    if result.returncode != 0 or not streams:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no audio stream"]
        raise DeescError(
            f"{path.name} is not audio that can be decoded ({reason[0].split(': ')[-1]}).", code="not_audio"
        )
    stream = streams[0]
    duration = _float(stream.get("duration")) or _float(report.get("format", {}).get("duration"))
    return AudioInfo(
        duration_s=duration,
        channels=int(stream.get("channels") or 1),
        sample_rate=int(stream.get("sample_rate") or 0),
        codec=str(stream.get("codec_name", "")),
        container=str(report.get("format", {}).get("format_name", "")).split(",")[0],
    )


def check_limits(info: AudioInfo, *, name: str) -> None:
    """Raises DeescError when the recording is longer than DEESC_MAX_AUDIO_SECONDS."""
    limit = settings.DEESC_MAX_AUDIO_SECONDS
    if info.duration_s > limit:
        raise DeescError(
            f"{name} lasts {fmt_mss(info.duration_s)}, over the {fmt_mss(limit)} limit (DEESC_MAX_AUDIO_SECONDS).",
            code="too_long",
        )


def decode(path: Path) -> AudioSegment:
    """The whole file as a pydub segment. Raises DeescError for corrupt or truncated audio."""
    try:
        # ffmpeg resamples while decoding compressed input; PCM WAV is read directly and resampled later.
        segment = AudioSegment.from_file(str(path), parameters=["-ar", str(SAMPLE_RATE)])
    except (CouldntDecodeError, IndexError, ValueError, EOFError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DeescError(
            f"{path.name} could not be decoded: it is corrupt or not audio ({first_line[:120]}).", code="corrupt_audio"
        ) from exc
    if len(segment) == 0:
        raise DeescError(f"{path.name} holds no audio samples.", code="corrupt_audio")
    return segment


def channel_arrays(segment: AudioSegment, *, sample_rate: int = SAMPLE_RATE) -> list[np.ndarray]:
    """One float32 array in [-1, 1] per channel, at `sample_rate`."""
    scale = float(1 << (8 * segment.sample_width - 1))
    raw = segment.raw_data
    usable = len(raw) - len(raw) % segment.frame_width  # a cut-off last frame is dropped
    interleaved = np.frombuffer(raw[:usable], dtype=f"<i{segment.sample_width}").astype(np.float32) / scale
    frames = interleaved.reshape(-1, segment.channels)
    arrays = [np.ascontiguousarray(frames[:, i]) for i in range(segment.channels)]
    if segment.frame_rate != sample_rate:
        common = gcd(segment.frame_rate, sample_rate)
        up, down = sample_rate // common, segment.frame_rate // common
        arrays = [resample_poly(a, up, down).astype(np.float32) for a in arrays]
    return arrays


def load_channels(path: Path, *, sample_rate: int = SAMPLE_RATE) -> list[np.ndarray]:
    """Decode `path` and return each channel as 16 kHz float32. Raises DeescError."""
    info = probe(path)
    check_limits(info, name=path.name)
    segment = decode(path)
    decoded_s = len(segment) / 1000
    declared_s = max(info.duration_s, wav_declared_seconds(path))
    # Truncated files decode without error but shorter than their header promises.
    if declared_s > 2 and decoded_s < 0.9 * declared_s - 1:
        raise DeescError(
            f"{path.name} is truncated: its header says {fmt_mss(declared_s)} but only "
            f"{fmt_mss(decoded_s)} could be decoded.",
            code="truncated_audio",
        )
    return channel_arrays(segment, sample_rate=sample_rate)


def wav_declared_seconds(path: Path) -> float:
    """Length a RIFF/WAVE header promises (0 when not a WAV or a streaming header): WAV sizes
    are otherwise measured from the file, so a cut-off WAV would look whole."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0.0
    position, byte_rate = 12, 0
    while position + 8 <= len(head):
        chunk, size = head[position : position + 4], int.from_bytes(head[position + 4 : position + 8], "little")
        if chunk == b"fmt " and position + 16 <= len(head):
            byte_rate = int.from_bytes(head[position + 16 : position + 20], "little")
        if chunk == b"data":
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return 0.0
            return size / byte_rate
        position += 8 + size + size % 2
    return 0.0


def load_samples(path: Path, *, channel: int | None = None, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """One channel (or all channels mixed when `channel` is None) as 16 kHz float32 mono."""
    arrays = load_channels(path, sample_rate=sample_rate)
    if channel is None:
        return mix(arrays)
    if not 0 <= channel < len(arrays):
        raise DeescError(f"{path.name} has {len(arrays)} channel(s); there is no channel {channel}.", code="no_channel")
    return arrays[channel]


def mix(arrays: list[np.ndarray]) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    return np.mean(np.vstack(arrays), axis=0).astype(np.float32)


def peak_dbfs(samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> float:
    """Loudness of the loudest 50 ms frame, in dBFS (-inf for digital silence)."""
    frame = sample_rate // 20
    usable = len(samples) - len(samples) % frame
    if usable == 0:
        return float("-inf")
    rms = np.sqrt(np.mean(np.square(samples[:usable].reshape(-1, frame), dtype=np.float64), axis=1))
    loudest = float(rms.max())
    return 20 * np.log10(loudest) if loudest > 0 else float("-inf")


def is_silent(samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> bool:
    return peak_dbfs(samples, sample_rate=sample_rate) < SILENCE_DBFS


def same_signal(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two channels carry the same signal (a mono call stored as stereo)."""
    n = min(len(a), len(b))
    if n == 0:
        return True
    x, y = a[:n].astype(np.float64), b[:n].astype(np.float64)
    denominator = float(np.sqrt(np.dot(x, x) * np.dot(y, y)))
    if denominator == 0:
        return False
    return float(np.dot(x, y)) / denominator > SAME_CHANNEL_CORRELATION


def is_audio_name(name: str) -> bool:
    return Path(name).suffix.lower() in AUDIO_EXTENSIONS


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
