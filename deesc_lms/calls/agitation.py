"""Agitation in context: how likely a customer turn is escalated speech, read from the turn and the agent
turn it answers rather than from a list of angry words.

The lexicon in `analysis` only sees the words it lists, so plain-worded anger ("there's no need to be
short with me", "this phone is a brick now", a curt "Right." after a long policy speech) scores near
zero. This model is a logistic regression trained on labelled customer turns from real-style
transcripts (fixtures/eval*), in context:
- the all-MiniLM-L6-v2 embedding of the customer turn and of the last words of the agent turn before it;
- cheap structural features: length against the caller's own median, question marks and rhetorical
  questions, second-person accusation ("you people", "you said"), consequence talk, negations, a curt
  reply after a long agent turn, an agent refusal/policy/hold/transfer just before, word overlap with
  the caller's earlier turns (repeating the complaint), exclamation marks;
- the lexicon's own score and VADER negativity.

Embedding every turn would cost ~4 calls/s, so a two-stage read keeps it cheap: a first logistic
regression on the structural and lexical features alone ranks the turns, and only the top few that pass
its gate are embedded (in one encoder call, with their agent turns), and so is the caller's next turn
after one it reads as agitated, since that turn shows whether the anger went on. The weights live in
fixtures/agitation.json, written by `python -m deesc_lms.calls.agitation_train --write`.

In `analysis`, a turn at or above `warn_p` becomes an early sign (WARN); at or above `high_p` it is
escalated speech only when the caller's previous turn was already agitated, so a single agitated turn
that the agent defuses stays a prevented escalation. Thanks, acceptance, praise and apologies for one's
tone are never lifted.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from deesc_lms.logistic import Linear

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "fixtures" / "agitation.json"
MAX_CANDIDATES = 2  # turns embedded per call, with their agent turns: the encoder is most of the cost
AGENT_WORDS = 25  # the end of the agent turn is what the caller answers; a long one costs tokens

_WORD_RE = re.compile(r"[A-Za-z']+")
_RHETORICAL_RE = re.compile(
    r"\b(why (would|should|do|does|is|are|can.?t|won.?t|didn.?t)|how (is|was|am|are|can|could|come|hard)|"
    r"what (is|was) the (point|use)|who (does|would)|is that (it|all|right)|are you (serious|telling)|"
    r"do you (think|expect|even|honestly|really))\b",
    re.IGNORECASE,
)
_ACCUSATION_RE = re.compile(
    r"\b(you people|you lot|you guys|your (company|lot|people|firm|bank|department)|"
    r"you (said|told|promised|keep|never|always|didn.?t|don.?t|can.?t|won.?t|haven.?t|just)|you.?ve (got|had|been))\b",
    re.IGNORECASE,
)
_CONSEQUENCE_RE = re.compile(
    r"\b(i.?ll have to|i had to|means (i|we)|because of (you|this)|my (job|work|kids|children|mother|rent|wages|salary|business)|"
    r"can.?t (work|pay|get|afford|use|sleep)|lost|losing|cost me|out of pocket|no (heating|hot water|power|signal|internet|phone|money))\b",
    re.IGNORECASE,
)
_NEGATION_RE = re.compile(
    r"\b(no|not|never|nothing|nobody|can.?t|won.?t|didn.?t|don.?t|isn.?t|wasn.?t|still)\b", re.IGNORECASE
)
_AGENT_PUSHBACK_RE = re.compile(
    r"\b(policy|unfortunately|i.?m afraid|can.?t|cannot|unable|not able|hold|transfer|another department|"
    r"nothing (i|we) can|have to|need to|as i said|calm down)\b",
    re.IGNORECASE,
)
STRUCTURAL = (
    "length_vs_own_median",
    "question_marks",
    "rhetorical_question",
    "second_person_accusation",
    "consequence",
    "negations",
    "curt_after_long_agent_turn",
    "agent_pushback_before",
    "overlap_with_earlier_turns",
    "exclamations",
    "lexicon_score",
    "vader_negativity",
)


@dataclass(frozen=True)
class TurnContext:
    """One customer turn as the model reads it."""

    text: str
    agent_before: str
    earlier: tuple[str, ...]  # the caller's earlier turns in this call
    lexicon: float
    negativity: float


def _tokens(text: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(text) if len(w) > 3}


def agent_tail(text: str) -> str:
    """The last AGENT_WORDS words of the agent turn (a space for none), as the model embeds it."""
    return " ".join(text.split()[-AGENT_WORDS:]) or " "


def structural(turn: TurnContext) -> np.ndarray:
    """The cheap features, in STRUCTURAL order."""
    text, agent = turn.text, turn.agent_before
    words = len(text.split())
    median = statistics.median(len(h.split()) for h in turn.earlier) if turn.earlier else words
    overlap = 0.0
    mine = _tokens(text)
    for earlier in turn.earlier[-4:]:
        theirs = _tokens(earlier)
        if mine and theirs:
            overlap = max(overlap, len(mine & theirs) / len(mine | theirs))
    return np.array(
        [
            np.log1p(words) - np.log1p(median),
            min(text.count("?"), 3) / 3,
            1.0 if _RHETORICAL_RE.search(text) else 0.0,
            1.0 if _ACCUSATION_RE.search(text) else 0.0,
            1.0 if _CONSEQUENCE_RE.search(text) else 0.0,
            min(len(_NEGATION_RE.findall(text)), 4) / 4,
            1.0 if words <= 4 and len(agent.split()) >= 20 else 0.0,
            1.0 if _AGENT_PUSHBACK_RE.search(agent) else 0.0,
            overlap,
            min(text.count("!"), 3) / 3,
            turn.lexicon,
            turn.negativity,
        ],
        dtype=np.float32,
    )


@dataclass
class AgitationModel:
    """Stage one (structural + lexicon) picks the turns to embed; stage two scores them in context."""

    gate: Linear
    full: Linear
    gate_p: float  # stage one's cut: below it a turn is not embedded
    warn_p: float  # stage two at or above: early signs (WARN)
    high_p: float  # stage two at or above: escalated speech
    trained_on: list[str]

    def candidates(self, turns: Sequence[TurnContext], limit: int = MAX_CANDIDATES) -> list[int]:
        """Indexes of the turns worth embedding: the most likely by stage one, at most `limit`."""
        if not turns:
            return []
        p = self.gate(np.vstack([structural(t) for t in turns]))
        order = [int(i) for i in np.argsort(-p, kind="stable") if p[i] >= self.gate_p]
        return order[:limit]

    def passes_gate(self, turn: TurnContext) -> bool:
        """Whether stage one thinks the turn is worth embedding at all."""
        return bool(self.gate(structural(turn)[None, :])[0] >= self.gate_p)

    def score(self, turns: Sequence[TurnContext], encoder: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
        """P(escalated speech) for each turn (one encoder call for all of them)."""
        if not turns:
            return np.zeros(0)
        vectors = encoder([t.text for t in turns] + [agent_tail(t.agent_before) for t in turns])
        n = len(turns)
        x = np.hstack([vectors[:n], vectors[n:], np.vstack([structural(t) for t in turns])])
        return self.full(x)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate.as_dict(),
            "full": self.full.as_dict(),
            "gate_p": self.gate_p,
            "warn_p": self.warn_p,
            "high_p": self.high_p,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> AgitationModel:
        return cls(
            Linear.from_dict(row["gate"]),
            Linear.from_dict(row["full"]),
            float(row["gate_p"]),
            float(row["warn_p"]),
            float(row["high_p"]),
            list(row.get("trained_on", [])),
        )


@lru_cache(maxsize=1)
def default_model() -> AgitationModel | None:
    """The shipped model, or None when its weights file is absent (the lexicon then works alone)."""
    if not DEFAULT_WEIGHTS.exists():
        return None
    return AgitationModel.from_dict(json.loads(DEFAULT_WEIGHTS.read_text(encoding="utf-8")))
