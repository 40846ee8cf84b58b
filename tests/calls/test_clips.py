"""Cutting clips: the padded range, one channel or mixed, small mono files at speech loudness."""

from __future__ import annotations

import numpy as np
import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import asr, audio, clips
from tests.calls.conftest import ffmpeg


@pytest.mark.parametrize("fmt", ["mp3", "ogg"])
def test_clip_of_one_channel_is_small_mono_and_padded(shared_data, tmp_path, fmt):
    dest = tmp_path / f"clip.{fmt}"

    begin, end = clips.cut_clip(
        shared_data / "audio" / "stereo_diarization.wav", dest, start_s=0.2, end_s=2.2, pad_s=0.3, channel=1, fmt=fmt
    )

    info = audio.probe(dest)
    assert (begin, end) == pytest.approx((0.0, 2.5), abs=0.05)
    assert info.channels == 1 and info.duration_s == pytest.approx(2.5, abs=0.1)
    assert dest.stat().st_size < 30_000
    heard = asr.transcribe_file(dest)
    assert asr.word_error_rate("The horizon seems extremely distant.", heard.text) <= 0.25


def test_quiet_audio_comes_out_at_speech_loudness(shared_data, tmp_path):
    quiet = ffmpeg(shared_data / "audio" / "jfk.flac", tmp_path / "quiet.wav", "-af", "volume=-30dB", "-ac", "1")
    dest = tmp_path / "loud.mp3"

    clips.cut_clip(quiet, dest, start_s=0.0, end_s=5.0, pad_s=0.0)

    before = audio.load_samples(quiet)[: 5 * 16000]
    after = audio.load_samples(dest)
    rms = lambda x: 20 * np.log10(np.sqrt(np.mean(np.square(x))))  # noqa: E731
    assert rms(after) - rms(before) > 15


def test_bad_clip_requests(shared_data, tmp_path):
    source = shared_data / "audio" / "stereo_diarization.wav"
    with pytest.raises(DeescError, match="end after it starts"):
        clips.cut_clip(source, tmp_path / "a.mp3", start_s=3, end_s=2)
    with pytest.raises(DeescError, match="no channel 2"):
        clips.cut_clip(source, tmp_path / "a.mp3", start_s=0, end_s=1, channel=2)
    with pytest.raises(DeescError, match="not one of"):
        clips.cut_clip(source, tmp_path / "a.wma", start_s=0, end_s=1, fmt="wma")
    with pytest.raises(DeescError, match="beyond the end"):
        clips.cut_clip(source, tmp_path / "a.mp3", start_s=60, end_s=61)
