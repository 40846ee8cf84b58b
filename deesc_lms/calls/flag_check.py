"""A second look at each flag before it is reported: does the run read like an escalation a QA reviewer
would flag, or like a calm caller telling an old story, joking, or lodging a complaint politely?

The rules in `analysis` find the runs of agitated turns. On calls by analysts the rules were never tuned
on, about half of the calm calls still got a flag: "I was absolutely livid at the time" told as an old
story, "I'm not ringing to shout at anybody" before a formal complaint, swearing for joy. Each cue on its
own is reasonable; what gives such a run away is the whole of it. This model is a logistic regression
over the run's own evidence (its kind, outcome, severity and trigger confidence; the moment turn's
lexicon score, markers and agitation reading; the caller's next two minutes; past-tense story talk,
laughter, length) and the all-MiniLM-L6-v2 embedding of the moment turn. It is trained on the flags the
rules raise on the labelled call sets: a flag on or just after a labelled escalation (-30 s to +200 s,
where a late moment still marks a real one) is kept, any other flag set aside.

A flag below `threshold` is dropped and the call's note says why. A prevented run (early signs the agent
headed off) is by nature calm-looking and nine in ten of those the rules find are real, so it is set aside
only below the lower `prevented_threshold`: they are the rarest outcome, and a module needs one per
trigger. The weights live in fixtures/flag_check.json, written by
`python -m deesc_lms.calls.flag_check_train --write`; without that file every flag is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from deesc_lms.logistic import Linear

if TYPE_CHECKING:
    from deesc_lms.calls.analysis import Escalation, TurnScore

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "fixtures" / "flag_check.json"
AFTER_S = 120.0  # the caller's turns this long after the moment show whether the run went on
BEFORE_S = 60.0

_PAST_RE = re.compile(
    r"\b(was|were|had|ago|last (year|month|week|season|time)|back (in|then)|at the time|that time|years?)\b",
    re.IGNORECASE,
)
_LAUGH_RE = re.compile(r"\b(ha(ha)+|lol|laughs?|laughing|joking|kidding)\b", re.IGNORECASE)


def moment_index(scores: Sequence[TurnScore], time_s: float) -> int:
    """The customer turn a flag's moment is on."""
    return min(range(len(scores)), key=lambda k: abs(scores[k].turn.start_s - time_s))


def _run(flag: Escalation, scores: Sequence[TurnScore]) -> tuple[TurnScore, list[TurnScore], set[str]]:
    """The moment's turn, the caller's turns over the next AFTER_S, and the marker names at the moment
    ("m_") and over those turns ("a_")."""
    moment = scores[moment_index(scores, flag.time_s)]
    after = [s for s in scores if 0 <= s.turn.start_s - flag.time_s <= AFTER_S]
    names = {f"m_{m}" for m in moment.markers} | {f"a_{m}" for s in after for m in s.markers}
    return moment, after, names


def run_markers(flag: Escalation, scores: Sequence[TurnScore]) -> set[str]:
    """Marker names at the moment ("m_") and over the caller's next AFTER_S ("a_")."""
    return _run(flag, scores)[2]


def run_features(flag: Escalation, scores: Sequence[TurnScore], duration: float, markers: Sequence[str]) -> np.ndarray:
    """The flag's evidence as numbers, in a fixed order (`markers`: the marker names the model knows)."""
    from deesc_lms.calls.analysis import HIGH, WARN  # analysis imports this module

    moment, after, present = _run(flag, scores)
    before = [s for s in scores if 0 < flag.time_s - s.turn.start_s <= BEFORE_S]
    text = moment.turn.text
    words = max(1, len(text.split()))
    values = [
        flag.severity,
        flag.trigger_confidence,
        moment.raw,
        moment.lexical,
        moment.agitation_p or 0.0,
        max(s.raw for s in after),
        sum(s.raw >= HIGH for s in after),
        sum(s.raw >= WARN for s in after),
        max((s.agitation_p or 0.0) for s in after),
        sum(s.raw >= WARN for s in before),
        flag.time_s / duration if duration > 0 else 0.0,
        flag.kind == "prevented",
        flag.outcome == "recovered",
        flag.outcome == "deteriorated",
        len(_PAST_RE.findall(text)) / words * 10,
        bool(_LAUGH_RE.search(text)),
        words / 30,
        *(name in present for name in markers),
    ]
    return np.asarray(values, dtype=np.float32)


@dataclass
class FlagCheck:
    model: Linear
    markers: list[str]
    threshold: float
    prevented_threshold: float
    trained_on: list[str]

    def sets_aside(self, flag: Escalation, p: float) -> bool:
        return p < (self.prevented_threshold if flag.kind == "prevented" else self.threshold)

    def score(
        self,
        flags: Sequence[Escalation],
        scores: Sequence[TurnScore],
        duration: float,
        encoder: Callable[[Sequence[str]], np.ndarray],
    ) -> np.ndarray:
        """P(a reviewer would flag it) for each flag (one encoder call for all of them)."""
        if not flags:
            return np.zeros(0)
        texts = [scores[moment_index(scores, f.time_s)].turn.text for f in flags]
        vectors = encoder(texts)
        x = np.hstack([np.vstack([run_features(f, scores, duration, self.markers) for f in flags]), vectors])
        return self.model(x)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.as_dict(),
            "markers": self.markers,
            "threshold": self.threshold,
            "prevented_threshold": self.prevented_threshold,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> FlagCheck:
        return cls(
            Linear.from_dict(row["model"]),
            list(row["markers"]),
            float(row["threshold"]),
            float(row["prevented_threshold"]),
            list(row.get("trained_on", [])),
        )


@lru_cache(maxsize=1)
def default_check() -> FlagCheck | None:
    """The shipped check, or None when its weights file is absent (every flag is then kept)."""
    if not DEFAULT_WEIGHTS.exists():
        return None
    return FlagCheck.from_dict(json.loads(DEFAULT_WEIGHTS.read_text(encoding="utf-8")))
