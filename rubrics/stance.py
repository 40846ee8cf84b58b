"""Defensive stance: how likely a coach is to read an answer as defensive, from its meaning.

The phrase list in `detectors.DEFENSIVE` knows the wordings it lists, and every new writer brings new
ones: "the tracking shows it was delivered, there's even a photo", "the screws are packed by the
manufacturer, not us", "it's in the account agreement". This model is a logistic regression over the
all-MiniLM-L6-v2 embeddings of the answer, trained on the coaches' no-defensive-language labels of
the calibration sets (fixtures/calibration and its held-out sets, each written by a different
coach). Features: the element-wise maximum and mean of the sentence vectors, and the vector of the
whole answer.

It is a third reader, consulted by the `forbidden` detector only when the phrase list and the
anchors found nothing, and only where a criterion's detector sets `stance_threshold`. The evidence it
gives is the sentence that reads most defensive on its own.

The weights live in fixtures/defensive_stance.json, written by `python -m rubrics.stance_train --write`;
a running process keeps the weights it loaded, so restart workers after retraining. A missing file is
reported by `manage.py check` at startup; while it is missing, grading falls back to the rules.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from deesc_lms.logistic import Linear

if TYPE_CHECKING:
    from rubrics.detectors import Context

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "fixtures" / "defensive_stance.json"
FEATURES = 3 * 384  # max, mean and whole-answer all-MiniLM-L6-v2 vectors
logger = logging.getLogger(__name__)


def features(sentence_vectors: np.ndarray, answer_vector: np.ndarray) -> np.ndarray:
    """One answer's feature row: max and mean over its sentence vectors, then the whole answer's."""
    return np.concatenate([sentence_vectors.max(axis=0), sentence_vectors.mean(axis=0), answer_vector])


def answer_vectors(ctx: Context) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray] | None:
    """The sentence spans, their vectors and the whole answer's vector, through the answer's vector
    cache (grading has usually embedded the sentences already); None without a model or text."""
    spans = list(ctx.sentences) or [(0, len(ctx.norm))]
    whole = ctx.norm.strip()
    if not whole:
        return None
    vectors = ctx.vectors([*(ctx.norm[a:b] for a, b in spans), whole])
    if vectors is None:
        return None
    return spans, vectors[:-1], vectors[-1]


@dataclass
class StanceModel:
    linear: Linear
    threshold: float  # the cut the training run recommends; a criterion's `stance_threshold` decides
    trained_on: list[str]

    def read(self, ctx: Context) -> tuple[float, tuple[int, int], float] | None:
        """(probability the answer reads as defensive, span of its most defensive sentence, that
        sentence's own probability), or None when there is no embedding model or no text."""
        read = answer_vectors(ctx)
        if read is None:
            return None
        spans, sentence_vectors, answer_vector = read
        p = float(self.linear(features(sentence_vectors, answer_vector)[None, :])[0])
        alone = self.linear(np.stack([features(v[None, :], v) for v in sentence_vectors]))
        best = int(np.argmax(alone))
        return p, spans[best], float(alone[best])

    def as_dict(self) -> dict[str, Any]:
        return {"linear": self.linear.as_dict(), "threshold": self.threshold, "trained_on": self.trained_on}


def load(path: Path = DEFAULT_WEIGHTS) -> StanceModel:
    """The model in `path`; FileNotFoundError or ValueError, naming what to do, when it is unusable."""
    if not path.exists():
        raise FileNotFoundError(
            f"Defensive-stance weights not found at {path}: run `python -m rubrics.stance_train --write`, "
            "or remove `stance_threshold` from the no-defensive-language detector's config in admin."
        )
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
        model = StanceModel(Linear.from_dict(row["linear"]), float(row["threshold"]), list(row["trained_on"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"Defensive-stance weights at {path} are unreadable ({exc!r}): retrain them with "
            "`python -m rubrics.stance_train --write`."
        ) from exc
    if model.linear.w.shape != (FEATURES,):
        raise ValueError(
            f"Defensive-stance weights at {path} expect {model.linear.w.shape[0]} features, not {FEATURES}: "
            "they were trained with another embedding model; retrain them with `python -m rubrics.stance_train --write`."
        )
    return model


@lru_cache(maxsize=1)
def default() -> StanceModel | None:
    """The shipped model, loaded once per process; None (logged) when it cannot be used."""
    try:
        return load()
    except (FileNotFoundError, ValueError) as exc:
        logger.warning("defensive-stance model unavailable, grading defensive language by the rules alone: %s", exc)
        return None
