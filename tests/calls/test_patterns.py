"""The pattern map: log-odds with an informative prior, crosstabs and trends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from deesc_lms.calls import patterns


def test_prior_keeps_rare_phrases_from_dominating() -> None:
    target = Counter({"that's our policy": 40, "zebra": 2, "let me check": 10})
    calm = Counter({"that's our policy": 10, "let me check": 300, "thank you": 400})
    z = patterns.log_odds(target, calm)
    # Seen twice and never in calm turns, but far less evidence than a phrase seen 40 times.
    assert z["that's our policy"] > z["zebra"]
    assert z["let me check"] < 0


def test_preceding_phrases_rank_defensive_language_with_examples() -> None:
    before = [
        (
            "I'm afraid that's our policy, there's nothing I can do.",
            {"call_id": i, "time": "1:00", "excerpt": "This is ridiculous"},
        )
        for i in range(6)
    ] + [("Let me check that for you.", {"call_id": 99, "time": "0:30", "excerpt": "Fine"})]
    calm = ["Let me check that for you."] * 50 + ["Thank you for calling, how can I help?"] * 50
    ranked = patterns.preceding_phrases(before, calm)
    top = ranked[0]
    assert top.phrase.count(" ") == 2  # ties go to the longer, more telling phrase
    assert any("policy" in p.phrase for p in ranked[:5])
    assert top.before_escalation == 6 and top.in_calm == 0
    assert 1 <= len(top.examples) <= 3 and top.examples[0]["excerpt"] == "This is ridiculous"
    assert all("let me check" != p.phrase for p in ranked)


def _row(
    trigger: str, stage: str, day: int, team: str = "Billing", agent: str = "Ann", call: int = 1
) -> patterns.FlagRow:
    return patterns.FlagRow(
        trigger, stage, "middle", "recovered", datetime(2026, 3, day, tzinfo=UTC), team, agent, call
    )


def test_crosstab_weekly_and_groups() -> None:
    rows = [
        _row("wait_time", "opening", 2),
        _row("wait_time", "opening", 3, call=2),
        _row("billing_dispute", "explanation", 10, team="Tech", agent="Bo", call=3),
    ]
    table = patterns.crosstab(rows)
    assert table["triggers"][0] == "wait_time"
    assert {"trigger": "wait_time", "stage": "opening", "count": 2} in table["cells"]
    weeks = patterns.weekly(rows)
    assert [w["week"] for w in weeks] == ["2026-03-02", "2026-03-09"]
    assert weeks[0]["total"] == 2
    teams = patterns.by_group(rows, {"Billing": 4, "Tech": 1}, "team")
    billing = next(t for t in teams if t["team"] == "Billing")
    assert billing["flags"] == 2 and billing["escalation_rate"] == 0.5
