"""Voice features from samples and word times: pause, rate, loudness against the speaker's own level."""

from __future__ import annotations

import numpy as np

from deesc_lms.calls import prosody

SR = 16_000


def voiced(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * rng.random(len(t)))).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return (np.random.default_rng(1).normal(0, 1e-4, int(seconds * SR))).astype(np.float32)


def test_pause_before_the_first_word_comes_from_the_audio():
    samples = np.concatenate([silence(1.5), voiced(2.0, 0.2)])
    pause = prosody.pause_before_first_word([(0.2, 0.6)], samples=samples, sample_rate=SR)
    assert 1.4 <= pause <= 1.6
    assert prosody.pause_before_first_word([(0.8, 1.1)]) == 0.8  # no audio: the first word's time


def test_speech_rate_counts_words_over_the_time_spoken():
    words = [(i * 0.4, i * 0.4 + 0.3) for i in range(10)]  # 10 words in 3.9 s
    assert 150 <= prosody.speech_rate(words) <= 155
    assert prosody.speech_rate(words[:2]) is None


def test_loudness_is_relative_to_the_speakers_baseline():
    usual = np.concatenate([silence(0.5), voiced(2.0, 0.2)])
    quieter = np.concatenate([silence(0.5), voiced(2.0, 0.1)])
    baseline = prosody.speaker_baseline_db(usual, SR, [(0.0, 2.5)])
    features = prosody.voice_features(quieter, SR, [(0.5, 0.9), (1.0, 1.4), (1.5, 2.0)], baseline_db=baseline)
    assert -7.0 <= features.loudness_vs_baseline_db <= -5.0  # half the amplitude is about -6 dB
    assert features.as_dict()["pause_s"] is not None
    assert prosody.voice_features(quieter, SR, []).loudness_vs_baseline_db is None


def test_silence_has_no_speech():
    assert prosody.speech_onset(silence(1.0), SR) is None
    assert prosody.loudness_db(silence(1.0), SR) is None
