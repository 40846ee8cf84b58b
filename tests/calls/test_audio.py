"""Reading audio of any format, and the clear errors for files that are not usable audio."""

from __future__ import annotations

import numpy as np
import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import audio
from tests.calls.conftest import ffmpeg


@pytest.mark.parametrize(
    ("suffix", "args"),
    [
        (".mp3", ["-ac", "1", "-b:a", "64k"]),
        (".m4a", ["-ac", "1", "-c:a", "aac", "-b:a", "64k"]),
        (".flac", ["-ac", "1"]),
        (".ogg", ["-ac", "1", "-c:a", "libopus", "-b:a", "24k"]),
        (".wav", ["-ac", "1", "-ar", "8000", "-acodec", "pcm_mulaw"]),
        (".wav", ["-ac", "1", "-ar", "8000", "-acodec", "pcm_alaw"]),
        (".wav", ["-ac", "1", "-ar", "22050"]),
    ],
)
def test_any_format_decodes_to_16k_float(shared_data, tmp_path, suffix, args):
    converted = ffmpeg(shared_data / "audio" / "jfk.flac", tmp_path / f"jfk{suffix}", *args)

    (samples,) = audio.load_channels(converted)

    assert samples.dtype == np.float32
    assert len(samples) / audio.SAMPLE_RATE == pytest.approx(11.0, abs=0.1)
    assert -40 < audio.peak_dbfs(samples) <= 0


def test_stereo_keeps_its_channels_apart(shared_data):
    info = audio.probe(shared_data / "audio" / "stereo_diarization.wav")
    left, right = audio.load_channels(shared_data / "audio" / "stereo_diarization.wav")

    assert (info.channels, info.sample_rate) == (2, 16000)
    assert not audio.same_signal(left, right)
    assert audio.same_signal(left, left * 0.5)
    # The right speaker stops after about 2.5 s; the left one goes on.
    assert audio.is_silent(right[3 * 16000 :]) and not audio.is_silent(left[3 * 16000 :])


def test_silence_is_recognised(tmp_path):
    assert audio.is_silent(np.zeros(16000, np.float32))
    assert audio.is_silent(np.random.default_rng(0).normal(0, 0.0005, 16000).astype(np.float32))
    assert not audio.is_silent(0.3 * np.sin(np.arange(16000) / 10).astype(np.float32))


def test_empty_file(tmp_path):
    empty = tmp_path / "call.wav"
    empty.write_bytes(b"")
    with pytest.raises(DeescError, match="empty"):
        audio.load_channels(empty)


def test_text_named_wav(tmp_path):
    fake = tmp_path / "call.wav"
    fake.write_text("this is not a recording\n" * 20)
    with pytest.raises(DeescError, match="not audio"):
        audio.load_channels(fake)


def test_corrupt_audio(shared_data, tmp_path):
    mp3 = ffmpeg(shared_data / "audio" / "jfk.flac", tmp_path / "jfk.mp3", "-ac", "1")
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(bytes(np.random.default_rng(1).integers(0, 255, 40_000, dtype=np.uint8)))
    with pytest.raises(DeescError, match=r"not audio|corrupt"):
        audio.load_channels(broken)
    assert audio.load_channels(mp3)  # the real one still reads


def test_truncated_wav(shared_data, tmp_path):
    wav = ffmpeg(shared_data / "audio" / "jfk.flac", tmp_path / "jfk.wav", "-ac", "1", "-ar", "16000")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(wav.read_bytes()[: wav.stat().st_size // 3])

    with pytest.raises(DeescError, match="truncated"):
        audio.load_channels(cut)


def test_limits(settings, shared_data):
    settings.DEESC_MAX_AUDIO_SECONDS = 5
    with pytest.raises(DeescError, match=r"0:11, over the 0:05 limit"):
        audio.load_channels(shared_data / "audio" / "jfk.flac")
    settings.DEESC_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(DeescError, match="over the") as caught:
        audio.probe(shared_data / "audio" / "jfk.flac")
    assert caught.value.status_code == 413
