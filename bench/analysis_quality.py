"""How well the escalation analysis agrees with a QA reviewer's labels.

`python -m bench analysis_quality [FOLDER] [--verbose]` reads every transcript in FOLDER (default
fixtures/eval/) with the project's transcript parser, the expected escalations from its
expected.yaml, runs the same analysis the service runs, and prints detection precision / recall /
F1, the median and worst moment error in seconds, trigger accuracy and outcome accuracy.

Matching: a flag matches an expected escalation when it is within MATCH_WINDOW_S of it (untimed
transcripts: within one customer line); each expected escalation matches at most one flag.
Outcome accuracy is per call: the outcome of its first flag, or "none" for a call with no flag.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deesc_lms.calls.analysis import CallAnalysis, analyse_turns, place_in_time
from deesc_lms.calls.transcripts import parse_transcript
from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "fixtures" / "eval"
MATCH_WINDOW_S = 30.0


@dataclass
class Expected:
    at_s: float | None
    line: int | None
    trigger: str
    outcome: str


@dataclass
class EvalCall:
    name: str
    rows: list[tuple[str, float | None, float | None, str, str]]
    expected: list[Expected] = field(default_factory=list)


def _clock(value: str) -> float:
    parts = [float(p) for p in str(value).split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def load_eval(folder: Path = EVAL_DIR) -> list[EvalCall]:
    labels: dict[str, Any] = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    calls = []
    for name, label in sorted(labels.items()):
        parsed = parse_transcript((folder / name).read_text(encoding="utf-8"), name=name)
        rows = [(ln.role, ln.start, ln.end, ln.text, ln.speaker) for ln in parsed.lines]
        expected = [
            Expected(
                _clock(e["at"]) if "at" in e else None,
                int(e["line"]) if "line" in e else None,
                str(e["trigger"]),
                str(e["outcome"]),
            )
            for e in (label or {}).get("escalations", [])
        ]
        calls.append(EvalCall(name, rows, expected))
    return calls


def analyse_rows(
    rows: list[tuple[str, float | None, float | None, str, str]], classifier: TriggerClassifier
) -> CallAnalysis:
    turns, timed = place_in_time(rows)
    return analyse_turns(turns, classifier=classifier, timed=timed)


@dataclass
class Figures:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    moment_errors: list[float] = field(default_factory=list)
    trigger_right: int = 0
    trigger_total: int = 0
    outcome_right: int = 0
    outcome_total: int = 0
    mistakes: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        """Pool another set's counts into these (moment errors and mistakes stay per set)."""
        for name in ("tp", "fp", "fn", "trigger_right", "trigger_total", "outcome_right", "outcome_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self, label: str) -> str:
        """One line of counts, for the training scripts' held-out tables."""
        return (
            f"{label:28s} P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} "
            f"(tp {self.tp} fp {self.fp} fn {self.fn})  trigger {self.trigger_right}/{self.trigger_total}  "
            f"outcome {self.outcome_right}/{self.outcome_total}"
        )

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    calls: list[EvalCall], classifier: TriggerClassifier, agitation: Any = "default", flag_check: Any = "default"
) -> Figures:
    """`agitation`, `flag_check`: the models to use (None: without them), as in analyse_turns."""
    figures = Figures()
    for call in calls:
        turns, timed = place_in_time(call.rows)
        result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=agitation, flag_check=flag_check)
        flags = list(result.escalations)
        unmatched = list(range(len(flags)))
        for exp in call.expected:
            if exp.line is not None:
                target = turns[exp.line - 1].start_s
            else:
                target = exp.at_s or 0.0
            window = MATCH_WINDOW_S if timed else 0.5
            best = min(unmatched, key=lambda i: abs(flags[i].time_s - target), default=None)
            if best is None or abs(flags[best].time_s - target) > window:
                figures.fn += 1
                figures.mistakes.append(f"{call.name}: missed escalation at {target:.0f}s ({exp.trigger})")
                continue
            unmatched.remove(best)
            flag = flags[best]
            figures.tp += 1
            if exp.line is None:
                figures.moment_errors.append(abs(flag.time_s - target))
            figures.trigger_total += 1
            if flag.trigger == exp.trigger:
                figures.trigger_right += 1
            else:
                figures.mistakes.append(
                    f"{call.name}: trigger {flag.trigger} (expected {exp.trigger}) {flag.review['trigger']['scores']}"
                )
        for i in unmatched:
            figures.fp += 1
            figures.mistakes.append(f"{call.name}: extra flag at {flags[i].time_s:.0f}s: {flags[i].excerpt[:70]!r}")
        got = flags[0].outcome if flags else "none"
        want = call.expected[0].outcome if call.expected else "none"
        figures.outcome_total += 1
        if got == want:
            figures.outcome_right += 1
        else:
            why = flags[0].review.get("outcome_reason", "") if flags else result.note
            figures.mistakes.append(f"{call.name}: outcome {got} (expected {want}): {why}")
    return figures


def main(argv: list[str]) -> None:
    verbose = "--verbose" in argv or "-v" in argv
    args = [a for a in argv if not a.startswith("-")]
    folder = Path(args[0]) if args else EVAL_DIR
    calls = load_eval(folder)
    classifier = TriggerClassifier(specs_from_yaml())
    f = evaluate(calls, classifier)
    n_events = sum(len(c.expected) for c in calls)
    calm = sum(1 for c in calls if not c.expected)
    print(f"calls: {len(calls)} ({n_events} labelled escalations, {calm} calm calls) from {folder}")
    print(
        f"detection: precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}  (tp {f.tp}, fp {f.fp}, fn {f.fn})"
    )
    if f.moment_errors:
        within = sum(1 for e in f.moment_errors if e <= 10.0) / len(f.moment_errors)
        print(
            f"moment error: median {statistics.median(f.moment_errors):.1f} s, max {max(f.moment_errors):.1f} s, "
            f"{within:.0%} within 10 s ({len(f.moment_errors)} timed matches)"
        )
    if f.trigger_total:
        print(f"trigger accuracy: {f.trigger_right / f.trigger_total:.3f} ({f.trigger_right}/{f.trigger_total})")
    print(f"outcome accuracy: {f.outcome_right / f.outcome_total:.3f} ({f.outcome_right}/{f.outcome_total} calls)")
    if verbose or f.mistakes:
        for line in f.mistakes:
            print("  -", line)


if __name__ == "__main__":
    main(sys.argv[1:])
