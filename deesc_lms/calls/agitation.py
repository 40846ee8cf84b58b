"""Semantic agitation: how escalated a customer turn sounds, beyond the words the lexicon lists.

The lexical score in analysis.py only sees cues it names ("supervisor", "third time", profanity), so
plain-worded anger ("I'm not accepting that", "then what exactly is the point of you?") scores near
zero. This module adds a small logistic regression over all-MiniLM-L6-v2 sentence embeddings,
trained at first use from labelled escalated and calm customer utterances (fixtures/agitation.yaml).

It is applied only to a handful of pre-selected customer turns per call (see `analysis`), so the
encoder cost stays a few sentences per call, and its probability is combined with the lexical score
conservatively there: it can lift a turn, never lower one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml

logger = logging.getLogger(__name__)

DEFAULT_EXAMPLES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "agitation.yaml"

Encoder = Callable[[Sequence[str]], np.ndarray]


class AgitationModel:
    """P(escalated) for customer utterances; trained lazily from labelled examples."""

    def __init__(
        self,
        escalated: Sequence[str],
        calm: Sequence[str],
        encoder: Encoder | None = None,
    ) -> None:
        self.escalated = list(escalated)
        self.calm = list(calm)
        self._encoder = encoder
        self._weights: tuple[np.ndarray, float] | None = None

    @classmethod
    def from_yaml(cls, path: Path = DEFAULT_EXAMPLES, encoder: Encoder | None = None) -> AgitationModel:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(data.get("escalated") or [], data.get("calm") or [], encoder)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from deesc_lms.calls.embeddings import encode

            self._encoder = encode
        return self._encoder

    def _fit(self) -> tuple[np.ndarray, float] | None:
        """L2-regularised logistic regression by gradient descent (120 x 384: well under a second)."""
        if self._weights is not None or not (self.escalated and self.calm):
            return self._weights
        x = self.encoder(self.escalated + self.calm).astype(np.float32)
        y = np.array([1.0] * len(self.escalated) + [0.0] * len(self.calm), dtype=np.float32)
        w = np.zeros(x.shape[1], dtype=np.float32)
        b = 0.0
        lr, l2 = 4.0, 1e-3
        for _ in range(500):
            p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
            grad = p - y
            w -= lr * (x.T @ grad / len(y) + l2 * w)
            b -= lr * float(grad.mean())
        self._weights = (w, b)
        logger.info("agitation model trained on %d escalated and %d calm examples", len(self.escalated), len(self.calm))
        return self._weights

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """One probability in 0..1 per text (0.0 for every text when there are no examples)."""
        if not texts:
            return []
        weights = self._fit()
        if weights is None:
            return [0.0] * len(texts)
        w, b = weights
        vectors = self.encoder(list(texts))
        return [float(v) for v in 1.0 / (1.0 + np.exp(-(vectors @ w + b)))]
