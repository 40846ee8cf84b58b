"""Voice features from audio samples and word timestamps: the measurable half of "pause and lower
your voice".

- pause before the first word (energy onset in the audio, else the first word's timestamp);
- speech rate in words a minute over the time actually spoken;
- loudness (median dBFS of voiced frames) against the speaker's own baseline, never an absolute
  level, because microphones and telephone lines differ by tens of dB.

Plain Python with numpy; samples are float32 mono in [-1, 1] (16 kHz from calls.audio).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

FRAME_S = 0.03
SILENCE_DB = -120.0
# A frame is voiced when it is this far above the recording's noise floor.
VOICED_ABOVE_FLOOR_DB = 12.0
MIN_VOICED_DB = -55.0


@dataclass(frozen=True)
class VoiceFeatures:
    pause_s: float | None
    speech_rate_wpm: float | None
    loudness_db: float | None
    baseline_db: float | None
    loudness_vs_baseline_db: float | None
    duration_s: float
    words: int

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def frame_db(samples: np.ndarray, sample_rate: int, *, frame_s: float = FRAME_S) -> np.ndarray:
    """RMS level of consecutive frames in dBFS (silence is SILENCE_DB)."""
    n = max(1, int(sample_rate * frame_s))
    usable = len(samples) // n * n
    if usable == 0:
        return np.zeros(0, dtype=np.float32)
    frames = np.asarray(samples[:usable], dtype=np.float64).reshape(-1, n)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(np.maximum(rms, 1e-12))
    return np.maximum(db, SILENCE_DB).astype(np.float32)


def _voiced(db: np.ndarray) -> np.ndarray:
    if len(db) == 0:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(db, 10))
    return (db > max(floor + VOICED_ABOVE_FLOOR_DB, MIN_VOICED_DB)) & (db > SILENCE_DB + 1)


def speech_onset(samples: np.ndarray, sample_rate: int, *, min_speech_s: float = 0.09) -> float | None:
    """Seconds until the first sustained voiced stretch, or None for a silent recording."""
    db = frame_db(samples, sample_rate)
    voiced = _voiced(db)
    need = max(1, int(round(min_speech_s / FRAME_S)))
    run = 0
    for i, v in enumerate(voiced):
        run = run + 1 if v else 0
        if run >= need:
            return (i - need + 1) * FRAME_S
    return None


def pause_before_first_word(
    words: Sequence[tuple[float, float]],
    *,
    samples: np.ndarray | None = None,
    sample_rate: int = 16_000,
    start_s: float = 0.0,
) -> float | None:
    """Silence between `start_s` (the end of the customer's line) and the first word.

    With samples the audio's energy onset decides (ASR word starts drift by a few hundred ms);
    without, the first word's timestamp."""
    if samples is not None and len(samples):
        begin = int(start_s * sample_rate)
        onset = speech_onset(samples[begin:], sample_rate)
        if onset is not None:
            return round(onset, 2)
    if words:
        return round(max(0.0, words[0][0] - start_s), 2)
    return None


def speech_rate(words: Sequence[tuple[float, float]]) -> float | None:
    """Words a minute from the first word's start to the last word's end (None under 3 words or 1 s)."""
    if len(words) < 3:
        return None
    spoken = words[-1][1] - words[0][0]
    if spoken < 1.0:
        return None
    return round(len(words) * 60.0 / spoken, 1)


def loudness_db(
    samples: np.ndarray, sample_rate: int, *, start_s: float = 0.0, end_s: float | None = None
) -> float | None:
    """Median level of the voiced frames between start_s and end_s, in dBFS (None if no speech)."""
    begin = int(start_s * sample_rate)
    end = len(samples) if end_s is None else int(end_s * sample_rate)
    db = frame_db(samples[begin:end], sample_rate)
    voiced = db[_voiced(db)]
    if len(voiced) == 0:
        return None
    return round(float(np.median(voiced)), 2)


def speaker_baseline_db(samples: np.ndarray, sample_rate: int, spans: Sequence[tuple[float, float]]) -> float | None:
    """The speaker's usual loudness: median voiced level over their own turns (start, end seconds)."""
    levels = []
    for start, end in spans:
        begin, stop = int(start * sample_rate), int(end * sample_rate)
        db = frame_db(samples[begin:stop], sample_rate)
        levels.append(db)
    if not levels:
        return None
    db = np.concatenate(levels)
    voiced = db[_voiced(db)]
    return round(float(np.median(voiced)), 2) if len(voiced) else None


def voice_features(
    samples: np.ndarray | None,
    sample_rate: int,
    words: Sequence[tuple[float, float]],
    *,
    baseline_db: float | None = None,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> VoiceFeatures:
    """Pause, rate and loudness of one spoken answer (or one agent turn of a call, between start_s and end_s).

    `baseline_db` is the speaker's usual level (earlier answers, or their other turns on the call);
    without one, loudness against the baseline is not measured."""
    inside = [(s, e) for s, e in words if s >= start_s - 0.05 and (end_s is None or s < end_s)]
    level = None
    duration = 0.0
    if samples is not None and len(samples):
        level = loudness_db(samples, sample_rate, start_s=start_s, end_s=end_s)
        duration = (len(samples) / sample_rate if end_s is None else end_s) - start_s
    elif inside:
        duration = inside[-1][1] - start_s
    relative = None if level is None or baseline_db is None else round(level - baseline_db, 2)
    return VoiceFeatures(
        pause_s=pause_before_first_word(inside, samples=samples, sample_rate=sample_rate, start_s=start_s),
        speech_rate_wpm=speech_rate(inside),
        loudness_db=level,
        baseline_db=baseline_db,
        loudness_vs_baseline_db=relative,
        duration_s=round(max(0.0, duration), 2),
        words=len(inside),
    )
