"""The simulated caller for role-play drills: plain Python, no Django.

The customer talks like the real caller: it reuses the caller's own lines from the flagged call
(their hot lines when the learner makes things worse, their calm lines when the learner helps) and
their own specifics (amounts, dates, how many times they called) in its follow-up questions. How
the learner's turn lands comes from a judge: the rubrics app registers one that scores the turn
with the combined rubric (scenarios never imports rubrics; see register_judge).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HOT = re.compile(
    r"(!|\b(supervisor|manager|cancel\w*|ridiculous|unbelievable|unacceptable|worst|sick of|fed up|third time|"
    r"again|nobody|kidding|complaint|lawyer|switch\w*|done with|forget it)\b)",
    re.IGNORECASE,
)
SPECIFIC = re.compile(
    r"(\$\s?\d[\d,.]*|\b\d+(?:\.\d+)?\s?(?:dollars?|euros?|pounds?|minutes?|hours?|days?|weeks?)\b|"
    r"\b(?:\w+ty|ten|twenty|forty|fifty)[- ]?\w* dollars?\b|"
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(?:first|second|third|fourth|fifth) time\b|\b(?:twice|three times|four times)\b)",
    re.IGNORECASE,
)
CALM_AT = 0.3  # below this, with a fix and a timeframe, the customer is satisfied
HANG_UP_AT = 1.0


@dataclass(frozen=True)
class TurnAssessment:
    """How a learner's turn landed, from the judge."""

    score: float
    acknowledged: bool
    restated: bool
    resolved: bool
    timeframe: bool
    defensive: bool
    feedback: str = ""


Judge = Callable[..., TurnAssessment]
_judge: Judge | None = None


def register_judge(judge: Judge) -> None:
    """Called once by the app that grades (rubrics.apps.ready)."""
    global _judge
    _judge = judge


def current_judge() -> Judge:
    if _judge is None:
        raise RuntimeError("No role-play judge registered: the rubrics app must be installed.")
    return _judge


@dataclass
class Persona:
    opening: str
    lines: Sequence[str]
    trigger: str = ""
    outcome_on_real_call: str = ""
    hot_lines: list[str] = field(default_factory=list)
    calm_lines: list[str] = field(default_factory=list)
    specifics: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Persona:
        lines = [str(x) for x in data.get("lines", []) or []]  # type: ignore[attr-defined]
        opening = str(data.get("opening") or (lines[0] if lines else ""))
        after = lines[lines.index(opening) + 1 :] if opening in lines else lines
        hot = [line for line in after if HOT.search(line)]
        calm = [line for line in after if not HOT.search(line) and len(line.split()) >= 2]
        specifics: list[str] = []
        for line in lines:
            for match in SPECIFIC.finditer(line):
                value = match.group(0).strip()
                if value.lower() not in (s.lower() for s in specifics):
                    specifics.append(value)
        return cls(
            opening=opening,
            lines=lines,
            trigger=str(data.get("trigger", "")),
            outcome_on_real_call=str(data.get("outcome_on_real_call", "")),
            hot_lines=hot,
            calm_lines=calm,
            specifics=specifics,
        )


@dataclass(frozen=True)
class CustomerReply:
    text: str
    frustration: float
    finished: bool
    outcome: str  # "active", "calmed" or "escalated"


class Caller:
    """The customer's side of the conversation; deterministic, so a retake meets the same caller."""

    def __init__(self, persona: Persona, frustration: float = 0.8, used: Sequence[str] = ()):
        self.persona = persona
        self.frustration = frustration
        self.used = list(used)

    def _fresh(self, candidates: Sequence[str]) -> str | None:
        for line in candidates:
            if line not in self.used:
                self.used.append(line)
                return line
        return None

    def _about(self) -> str:
        return self.persona.specifics[0] if self.persona.specifics else "this"

    def reply(self, turn: TurnAssessment, *, turn_number: int) -> CustomerReply:
        delta = 0.0
        if turn.defensive:
            delta += 0.3
        if turn.acknowledged:
            delta -= 0.15
        if turn.restated:
            delta -= 0.1
        if turn.resolved:
            delta -= 0.2
        if turn.timeframe:
            delta -= 0.1
        if not (turn.acknowledged or turn.restated or turn.resolved or turn.timeframe or turn.defensive):
            delta += 0.1  # an answer that says nothing useful still frustrates
        self.frustration = min(HANG_UP_AT, max(0.0, self.frustration + delta))

        # A caller at the end of their tether gets one more chance before hanging up.
        if self.frustration >= HANG_UP_AT and turn_number >= 2:
            line = self._fresh(
                [
                    x
                    for x in self.persona.hot_lines
                    if re.search(r"cancel|goodbye|forget|done|complaint|switch", x, re.I)
                ]
            )
            return CustomerReply(line or "Forget it. I'm done with this. Goodbye.", self.frustration, True, "escalated")
        if turn.resolved and turn.timeframe and self.frustration <= CALM_AT + 0.2:
            # A closing is thanks or agreement, not another question.
            closings = [x for x in self.persona.calm_lines if re.search(r"thank|appreciate|great|perfect", x, re.I)]
            closings += [x for x in self.persona.calm_lines if re.search(r"\b(okay|alright)\b", x, re.I)]
            closing = self._fresh([x for x in closings if not x.rstrip().endswith("?")])
            return CustomerReply(closing or "Okay. Thank you, that's what I needed.", self.frustration, True, "calmed")
        if turn.defensive or delta > 0:
            hot = self._fresh(self.persona.hot_lines)
            return CustomerReply(
                hot or f"You're not listening. I'm calling about {self._about()} and nobody is fixing it!",
                self.frustration,
                False,
                "active",
            )
        if turn.resolved and not turn.timeframe:
            return CustomerReply("Okay. And when exactly will that happen?", self.frustration, False, "active")
        if turn.acknowledged and not turn.resolved:
            return CustomerReply(
                f"Right. So what are you actually going to do about {self._about()}?", self.frustration, False, "active"
            )
        if turn.restated and not turn.acknowledged:
            return CustomerReply(
                "Yes, that's it. Do you have any idea how annoying this has been?", self.frustration, False, "active"
            )
        return CustomerReply(f"Fine. What happens now with {self._about()}?", self.frustration, False, "active")
