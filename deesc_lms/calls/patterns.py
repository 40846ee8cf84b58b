"""The pattern map over all calls: where escalations concentrate and what agents said just before.

Plain Python over plain rows, so it is testable without a database.

Phrases that precede escalations are ranked by the log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the agent turns just before an
escalation are compared with agent turns in calm stretches, each phrase's counts are smoothed
towards its frequency in all agent speech (the prior), and the difference is divided by its
standard error. A phrase seen twice gets little weight however lopsided its counts; a phrase seen
a hundred times must be clearly more common before escalations to rank high.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

PRIOR_STRENGTH = 500.0  # alpha_0: how many pseudo-counts the background spreads over the vocabulary
MIN_COUNT = 2  # a phrase must precede at least this many escalations to be listed
MAX_N = 3

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with by from is are was were be been being am i you he she it we they
    me my your our their this that these those so do does did have has had just um uh oh okay ok yes yeah no not
    can could would will shall should may might there here what which who whom whose when where why how all any
    some as than then too very s t""".split()
)


@dataclass
class Phrase:
    phrase: str
    z: float
    before_escalation: int
    in_calm: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "z": round(self.z, 2),
            "before_escalation": self.before_escalation,
            "in_calm": self.in_calm,
            "examples": self.examples,
        }


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def phrases(text: str, max_n: int = MAX_N) -> set[str]:
    """The 1..max_n-grams of a turn (each counted once per turn), skipping ones made only of stopwords."""
    words = tokens(text)
    out: set[str] = set()
    for n in range(1, max_n + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if all(w in STOPWORDS for w in gram):
                continue
            if n > 1 and (gram[0] in {"and", "or", "but"} or gram[-1] in {"and", "or", "the", "a", "to"}):
                continue
            out.add(" ".join(gram))
    return out


def log_odds(
    target: Counter[str],
    calm: Counter[str],
    *,
    prior_strength: float = PRIOR_STRENGTH,
    background: Counter[str] | None = None,
) -> dict[str, float]:
    """z-scores of the log-odds ratio (target vs calm) with an informative Dirichlet prior."""
    background = background if background is not None else target + calm
    total_bg = sum(background.values()) or 1
    n_target, n_calm = sum(target.values()), sum(calm.values())
    out: dict[str, float] = {}
    for w in set(target) | set(calm):
        alpha_w = prior_strength * background.get(w, 0) / total_bg
        if alpha_w <= 0:
            continue
        y_t, y_c = target.get(w, 0), calm.get(w, 0)
        delta = math.log((y_t + alpha_w) / (n_target + prior_strength - y_t - alpha_w)) - math.log(
            (y_c + alpha_w) / (n_calm + prior_strength - y_c - alpha_w)
        )
        variance = 1.0 / (y_t + alpha_w) + 1.0 / (y_c + alpha_w)
        out[w] = delta / math.sqrt(variance)
    return out


def preceding_phrases(
    before: Sequence[tuple[str, dict[str, Any]]],
    calm: Iterable[str],
    *,
    top: int = 15,
    examples: int = 3,
) -> list[Phrase]:
    """Agent phrases most typical of the turn before an escalation.

    `before`: (agent turn text, example info such as call id, time and customer excerpt) per flag.
    `calm`: agent turns from calm stretches of calls."""
    target: Counter[str] = Counter()
    seen_in: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for text, info in before:
        grams = phrases(text)
        target.update(grams)
        for g in grams:
            if len(seen_in[g]) < examples:
                seen_in[g].append({**info, "agent_turn": text})
    calm_counts: Counter[str] = Counter()
    for text in calm:
        calm_counts.update(phrases(text))
    scores = log_odds(target, calm_counts)
    ranked = sorted(
        (w for w in target if target[w] >= MIN_COUNT and scores.get(w, 0.0) > 0),
        # Ties (same counts) go to the longer phrase, which says more; then alphabetical, so runs agree.
        key=lambda w: (-round(scores[w], 6), -w.count(" "), w),
    )
    picked: list[Phrase] = []
    for w in ranked:
        # Keep the longer phrase when a shorter one inside it says the same thing.
        if any(w in p.phrase or p.phrase in w for p in picked if target[w] <= p.before_escalation):
            continue
        picked.append(Phrase(w, scores[w], target[w], calm_counts.get(w, 0), seen_in[w]))
        if len(picked) >= top:
            break
    return picked


def week_start(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


@dataclass
class FlagRow:
    trigger: str
    stage: str
    position: str
    outcome: str
    when: datetime | None
    team: str
    agent: str
    call_id: int


def crosstab(rows: Sequence[FlagRow]) -> dict[str, Any]:
    """trigger × stage counts (and × position), with totals, for the heat map."""
    cells: Counter[tuple[str, str]] = Counter((r.trigger, r.stage) for r in rows)
    by_position: Counter[tuple[str, str]] = Counter((r.trigger, r.position) for r in rows)
    triggers = sorted({r.trigger for r in rows}, key=lambda t: -sum(v for (tt, _), v in cells.items() if tt == t))
    return {
        "triggers": triggers,
        "cells": [{"trigger": t, "stage": s, "count": n} for (t, s), n in sorted(cells.items())],
        "by_position": [{"trigger": t, "position": p, "count": n} for (t, p), n in sorted(by_position.items())],
        "totals": {t: sum(v for (tt, _), v in cells.items() if tt == t) for t in triggers},
    }


def weekly(rows: Sequence[FlagRow]) -> list[dict[str, Any]]:
    counts: Counter[tuple[date, str]] = Counter((week_start(r.when), r.trigger) for r in rows if r.when is not None)
    weeks = sorted({w for w, _ in counts})
    return [
        {"week": w.isoformat(), "total": sum(n for (ww, _), n in counts.items() if ww == w),
         "by_trigger": {t: n for (ww, t), n in counts.items() if ww == w}}
        for w in weeks
    ]  # fmt: skip


def by_group(rows: Sequence[FlagRow], calls_per_group: dict[str, int], key: str) -> list[dict[str, Any]]:
    """Flags per team or per agent, with the share of that group's analysed calls that escalated."""
    flags: Counter[str] = Counter()
    calls: dict[str, set[int]] = defaultdict(set)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    top_trigger: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        name = getattr(r, key) or "(none)"
        flags[name] += 1
        calls[name].add(r.call_id)
        outcomes[name][r.outcome] += 1
        top_trigger[name][r.trigger] += 1
    out = []
    for name in sorted(set(flags) | set(calls_per_group), key=lambda n: -flags.get(n, 0)):
        analysed = calls_per_group.get(name, 0)
        out.append(
            {
                key: name,
                "flags": flags.get(name, 0),
                "calls_with_flags": len(calls.get(name, ())),
                "calls_analysed": analysed,
                "escalation_rate": round(len(calls.get(name, ())) / analysed, 3) if analysed else None,
                "outcomes": dict(outcomes.get(name, {})),
                "top_trigger": top_trigger[name].most_common(1)[0][0] if top_trigger.get(name) else None,
            }
        )
    return out
