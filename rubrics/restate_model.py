"""A second reading of "restates the customer's issue", learned from coaches' scores.

The rules in `detectors.detect_restatement` find the customer's figures and words in the answer. Where
coaches split is everything around them: the customer's fee named only inside an excuse, a policy
sentence that happens to share their words, a check-back in the agent's own words. Two logistic
regressions, trained on the coaches' restates-issue labels of the calibration sets (each written by a
different coach), read the answer as a coach would: P(level >= 1) and P(level >= 2). Features: the
rules' own level (one-hot, unpenalised, so the model starts from it), the element-wise product of the
all-MiniLM-L6-v2 vectors of the answer and the customer line (what they share), the answer's vector
and their cosine.

A criterion uses it when its restatement detector sets `second_reading: true`; the shipped step-3 and
combined rubrics do. The weights live in fixtures/restate_model.json, written by
`python -m rubrics.restate_train --write`; while the file is missing or unreadable the rules grade alone
and `manage.py check` says so.
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

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "fixtures" / "restate_model.json"
LEVELS = 3
FEATURES = LEVELS + 2 * 384 + 1
logger = logging.getLogger(__name__)


def features(rule_level: int, answer: np.ndarray, customer: np.ndarray) -> np.ndarray:
    """One answer's row: the rules' level one-hot, answer x customer, the answer, their cosine."""
    return np.concatenate([np.eye(LEVELS)[rule_level], answer * customer, answer, [float(answer @ customer)]])


def vectors(ctx: Context) -> tuple[np.ndarray, np.ndarray] | None:
    """The whole answer's and the customer line's vectors (cached per answer); None without a model."""
    answer, customer = ctx.norm.strip(), ctx.customer_norm.strip()
    if not answer or not customer:
        return None
    rows = ctx.vectors([answer, customer])
    return None if rows is None else (rows[0], rows[1])


@dataclass
class RestateModel:
    at_least_general: Linear  # P(level >= 1)
    specific: Linear  # P(level >= 2)
    trained_on: list[str]

    def level(self, ctx: Context, rule_level: int) -> int | None:
        """The level a coach would give (0, 1, 2), or None when there is nothing to embed."""
        read = vectors(ctx)
        if read is None:
            return None
        row = features(rule_level, *read)[None, :]
        if float(self.at_least_general(row)[0]) < 0.5:
            return 0
        return 2 if float(self.specific(row)[0]) >= 0.5 else 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "at_least_general": self.at_least_general.as_dict(),
            "specific": self.specific.as_dict(),
            "trained_on": self.trained_on,
        }


def load(path: Path = DEFAULT_WEIGHTS) -> RestateModel:
    """The model in `path`; FileNotFoundError or ValueError, naming what to do, when it is unusable."""
    retrain = "run `python -m rubrics.restate_train --write`"
    if not path.exists():
        raise FileNotFoundError(
            f"Restatement weights not found at {path}: {retrain}, or remove `second_reading` from the "
            "restates-issue detector's config in admin."
        )
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
        model = RestateModel(
            Linear.from_dict(row["at_least_general"]), Linear.from_dict(row["specific"]), list(row["trained_on"])
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"Restatement weights at {path} are unreadable ({exc!r}): {retrain}.") from exc
    for linear in (model.at_least_general, model.specific):
        if linear.w.shape != (FEATURES,):
            raise ValueError(
                f"Restatement weights at {path} expect {linear.w.shape[0]} features, not {FEATURES}: they were "
                f"trained with another embedding model; {retrain}."
            )
    return model


@lru_cache(maxsize=1)
def default() -> RestateModel | None:
    """The shipped model, loaded once per process; None (logged) when it cannot be used."""
    try:
        return load()
    except (FileNotFoundError, ValueError) as exc:
        logger.warning("restatement model unavailable, grading restatement by the rules alone: %s", exc)
        return None
