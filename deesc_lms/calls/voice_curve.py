"""The voice half of the frustration curve: loudness and speech rate against the caller's own baseline.

Uses calls.prosody (levels of voiced frames, words a minute) on the customer's channel of a
dual-channel recording, or on the mix for mono. Returns a 0..1 arousal score per customer turn;
turns it cannot measure are left out, so the words alone score them.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from pathlib import Path

from deesc_lms.calls import audio, prosody
from deesc_lms.calls.analysis import Turn

logger = logging.getLogger(__name__)

LOUDER_FROM_DB = 2.0  # within a couple of dB of their usual level is just conversation
LOUDER_FULL_DB = 10.0
FASTER_FROM = 1.1  # ratio to the caller's median words a minute
FASTER_FULL = 1.5


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def arousal(loudness_over_db: float | None, rate_ratio: float | None) -> float | None:
    """0..1 from how much louder and faster than usual the caller is speaking."""
    parts: list[tuple[float, float]] = []
    if loudness_over_db is not None:
        parts.append((0.65, _clip((loudness_over_db - LOUDER_FROM_DB) / (LOUDER_FULL_DB - LOUDER_FROM_DB))))
    if rate_ratio is not None:
        parts.append((0.35, _clip((rate_ratio - FASTER_FROM) / (FASTER_FULL - FASTER_FROM))))
    if not parts:
        return None
    return sum(w * v for w, v in parts) / sum(w for w, _ in parts)


def customer_voice_scores(
    path: Path, turns: Sequence[Turn], *, channel: int | None, words: dict[int, list[tuple[float, float]]]
) -> dict[int, float]:
    """{turn index: arousal} for customer turns with timestamps. Raises OSError/ValueError on bad audio."""
    customer = [t for t in turns if t.role == "customer" and t.end_s > t.start_s]
    if len(customer) < 3:
        return {}  # no baseline to compare against
    samples = audio.load_samples(path, channel=channel)
    rate = audio.SAMPLE_RATE
    spans = [(t.start_s, t.end_s) for t in customer]
    baseline = prosody.speaker_baseline_db(samples, rate, spans)
    rates: dict[int, float] = {}
    for t in customer:
        wpm = prosody.speech_rate(words.get(t.index, []))
        if wpm is None and t.end_s - t.start_s >= 1.0:
            wpm = len(t.text.split()) * 60.0 / (t.end_s - t.start_s)
        if wpm:
            rates[t.index] = wpm
    median_rate = statistics.median(rates.values()) if rates else None
    out: dict[int, float] = {}
    for t in customer:
        level = prosody.loudness_db(samples, rate, start_s=t.start_s, end_s=t.end_s)
        over = None if level is None or baseline is None else level - baseline
        ratio = rates[t.index] / median_rate if median_rate and t.index in rates else None
        score = arousal(over, ratio)
        if score is not None:
            out[t.index] = round(score, 3)
    return out
