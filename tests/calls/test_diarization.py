"""Mono diarization on real speech from two people and on a synthesized call; roles from content."""

from __future__ import annotations

import numpy as np
import pytest

from deesc_lms.calls import asr, audio, diarization

pytestmark = pytest.mark.slow


def test_two_real_speakers_taking_turns(shared_data):
    """JFK and the speaker of the stereo reference's left channel, alternating, each turn labelled."""
    jfk = audio.load_samples(shared_data / "audio" / "jfk.flac")
    other = audio.load_channels(shared_data / "audio" / "stereo_diarization.wav")[0]
    rate = audio.SAMPLE_RATE
    pieces = [
        (0, jfk[: int(7.7 * rate)]),
        (1, other[: int(2.6 * rate)]),
        (0, jfk[int(7.9 * rate) :]),
        (1, other[int(2.6 * rate) :]),
    ]
    gap = np.zeros(int(0.8 * rate), np.float32)
    samples, spans, cursor = [], [], 0.0
    for speaker, piece in pieces:
        samples += [piece, gap]
        spans.append((speaker, cursor, cursor + len(piece) / rate))
        cursor += (len(piece) + len(gap)) / rate
    mixed = np.concatenate(samples)

    turns = diarization.diarize(mixed, asr.transcribe_samples(mixed).segments)

    truth, guess = [], []
    for turn in turns:
        for word in turn.words:
            middle = (word.start + word.end) / 2
            truth.append(
                min(spans, key=lambda s: 0 if s[1] <= middle <= s[2] else min(abs(middle - s[1]), abs(middle - s[2])))[
                    0
                ]
            )
            guess.append(turn.speaker)
    assert len(truth) > 25
    assert diarization.word_speaker_error(truth, guess) <= 0.15


def test_roles_from_content():
    said = [
        ("A", "Hello?"),
        ("B", "Thanks for calling Acme, this is Jo speaking, how can I help?"),
        ("A", "I'm calling about my bill."),
    ]
    assert diarization.roles_from_content(said) == {"A": "customer", "B": "agent"}
    assert diarization.roles_from_content([("x", "hi"), ("y", "hello")]) == {"x": "agent", "y": "customer"}


def test_word_speaker_error_ignores_label_names():
    assert diarization.word_speaker_error([0, 0, 1, 1], [1, 1, 0, 0]) == 0
    assert diarization.word_speaker_error([0, 0, 1, 1], [0, 0, 0, 1]) == 0.25
