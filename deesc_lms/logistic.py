"""A standardised, class-balanced logistic regression: small enough to fit in-process from labelled
examples and to ship as JSON. Used by the agitation model (calls) and the defensive-stance model
(rubrics)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Linear:
    """A standardised logistic regression: p = sigmoid(((x - mean) / scale) . w + b)."""

    mean: np.ndarray
    scale: np.ndarray
    w: np.ndarray
    b: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.w + self.b
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))), dtype=np.float64)

    def as_dict(self) -> dict[str, Any]:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist(), "w": self.w.tolist(), "b": self.b}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Linear:
        return cls(
            np.asarray(row["mean"], dtype=np.float32),
            np.asarray(row["scale"], dtype=np.float32),
            np.asarray(row["w"], dtype=np.float32),
            float(row["b"]),
        )


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, *, balanced: bool = True, unpenalised: int = 0) -> Linear:
    """L2-regularised logistic regression by Newton steps, classes weighted to balance (unless not
    `balanced`: then the probabilities keep the classes' own frequencies). The first `unpenalised`
    features carry no L2 penalty: a few strong features beside hundreds of embedding dimensions."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    n, d = z.shape
    positives = max(1.0, float(y.sum()))
    negatives = max(1.0, float(n - y.sum()))
    weight = np.where(y > 0.5, n / (2 * positives), n / (2 * negatives)) if balanced else np.ones(n)
    design = np.hstack([z, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    penalty[:unpenalised] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -30, 30)))
        grad = design.T @ (weight * (p - y)) + penalty * theta
        hess = (design.T * (weight * p * (1 - p))) @ design + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-6:
            break
    return Linear(mean.astype(np.float32), scale.astype(np.float32), theta[:-1].astype(np.float32), float(theta[-1]))
