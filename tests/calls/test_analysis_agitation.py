"""The in-context agitation model: plain-worded anger the lexicon misses, without inventing escalations.

The stage is tested on its own (flag_check=None): the flag check would read a stub model's lifts as it
reads any run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from deesc_lms.calls.agitation import (
    STRUCTURAL,
    AgitationModel,
    TurnContext,
    default_model,
    structural,
)
from deesc_lms.calls.analysis import HIGH, WARN, Turn, TurnScore, agitation_contexts, analyse_turns, place_in_time
from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml
from deesc_lms.logistic import Linear, fit_logistic
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

PLAIN_ANGER = [
    ("agent", 0.0, 4.0, "Thanks for calling, how can I help?", "A"),
    ("customer", 5.0, 9.0, "My phone stopped charging on Monday and I bought it three weeks ago.", "C"),
    ("agent", 10.0, 20.0, "Unfortunately our policy is that repairs take four weeks and I can't swap it here.", "A"),
    ("customer", 21.0, 25.0, "Four weeks. So what do I use for work until then, a tin can and string?", "C"),
    ("agent", 26.0, 30.0, "I can only log it for the repair team.", "A"),
    ("customer", 31.0, 36.0, "So I pay for a phone and get a brick and a reference number. Right.", "C"),
    ("agent", 37.0, 40.0, "I'll put a note on it.", "A"),
    ("customer", 41.0, 44.0, "Whatever. Bye.", "C"),
]


def _fake_encoder(texts: Sequence[str]) -> np.ndarray:
    rows = np.zeros((len(texts), 384), dtype=np.float32)
    for i, text in enumerate(texts):
        rows[i, hash(text) % 384] = 1.0
    return rows


class _Sure:
    """Stage two always certain; stage one lets everything through."""

    def __init__(self, p: float) -> None:
        self.p = p

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), self.p)


def _stub_model(p: float) -> AgitationModel:
    model = AgitationModel(
        gate=Linear(np.zeros(1), np.ones(1), np.zeros(1), 0.0),
        full=Linear(np.zeros(1), np.ones(1), np.zeros(1), 0.0),
        gate_p=0.0,
        warn_p=0.6,
        high_p=0.8,
        trained_on=["test"],
    )
    model.gate = _Sure(1.0)  # type: ignore[assignment]
    model.full = _Sure(p)  # type: ignore[assignment]
    return model


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml(), encoder=_fake_encoder)


def test_logistic_fit_separates_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float64)
    model = fit_logistic(x, y, l2=1.0)
    assert ((model(x) >= 0.5) == (y > 0.5)).mean() > 0.95
    again = Linear.from_dict(model.as_dict())
    assert np.allclose(again(x), model(x), atol=1e-5)


def test_structural_features_read_curt_replies_accusation_and_repetition() -> None:
    turn = TurnContext(
        "Right.",
        "Unfortunately our policy is that repairs take four weeks from the day the unit reaches the centre and there is nothing I can do.",
        (),
        0.0,
        0.0,
    )
    features = dict(zip(STRUCTURAL, structural(turn), strict=True))
    assert features["curt_after_long_agent_turn"] == 1.0
    assert features["agent_pushback_before"] == 1.0
    repeat = TurnContext(
        "You people said the engineer would come on Monday.",
        "",
        ("The engineer was meant to come on Monday morning.",),
        0.0,
        0.0,
    )
    features = dict(zip(STRUCTURAL, structural(repeat), strict=True))
    assert features["second_person_accusation"] == 1.0
    assert features["overlap_with_earlier_turns"] > 0.3


def test_candidates_are_capped_and_gated() -> None:
    model = _stub_model(0.9)
    turns = [TurnContext(f"turn {i}", "", (), 0.0, 0.0) for i in range(10)]
    assert len(model.candidates(turns, limit=3)) == 3
    model.gate_p = 1.1
    assert model.candidates(turns) == []


def test_plain_worded_anger_is_flagged_only_with_the_model(classifier: TriggerClassifier) -> None:
    turns, timed = place_in_time(PLAIN_ANGER)
    without = analyse_turns(turns, classifier=classifier, timed=timed, agitation=None, flag_check=None)
    with_model = analyse_turns(turns, classifier=classifier, timed=timed, agitation=_stub_model(0.95), flag_check=None)
    assert not without.escalations
    assert with_model.escalations
    lifted = [s for s in with_model.scores if "agitation" in s.markers]
    assert lifted and all(s.raw >= WARN for s in lifted)
    # The first agitated turn is an early sign; escalated speech needs the caller still agitated after it.
    assert lifted[0].raw < HIGH
    assert any(s.raw >= HIGH for s in lifted[1:])


def test_the_moment_is_where_the_model_first_heard_the_anger(classifier: TriggerClassifier) -> None:
    """The turn that crosses HIGH is the second agitated one (the model's reading needs it sustained);
    the escalation began at the first, and a reviewer marks that one."""
    rows = [*PLAIN_ANGER]
    rows[1] = (
        "customer",
        5.0,
        9.0,
        "Thanks. My phone stopped charging on Monday and I bought it three weeks ago.",
        "C",
    )
    turns, timed = place_in_time(rows)
    result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=_stub_model(0.95), flag_check=None)
    assert [s.raw >= HIGH for s in result.scores[:3]] == [False, False, True]
    flag = result.escalations[0]
    assert flag.time_s == 21.0
    assert flag.excerpt.startswith("Four weeks.")
    assert flag.agent_turn_before.startswith("Unfortunately our policy")
    assert flag.review["moment"]["time_s"] == 21.0


class _ByText(AgitationModel):
    """Stage one lets every turn through in call order; stage two reads each turn's agitation from a table."""

    table: dict[str, float]

    def score(self, turns: Sequence[TurnContext], encoder: object) -> np.ndarray:
        return np.array([self.table.get(t.text, 0.1) for t in turns])


def _by_text(table: dict[str, float]) -> _ByText:
    stub = _stub_model(0.1)
    model = _ByText(stub.gate, stub.full, stub.gate_p, stub.warn_p, stub.high_p, stub.trained_on)
    model.table = table
    return model


def test_the_turn_after_an_agitated_one_is_read_even_when_stage_one_ranked_it_low(
    classifier: TriggerClassifier,
) -> None:
    """Stage one embeds only the top few turns; whether the anger went on is in the caller's next turn,
    so the model reads that one too, and the run becomes an escalation from its first agitated turn."""
    rows = [
        ("agent", 0.0, 4.0, "Thanks for calling, how can I help?", "A"),
        ("customer", 5.0, 9.0, "Hi, it's about my last bill.", "C"),
        ("agent", 10.0, 16.0, "I can see a fifty pound early exit fee on it, that's in the terms.", "A"),
        ("customer", 17.0, 22.0, "Fifty pounds. Nobody mentioned any fee when I signed.", "C"),
        ("agent", 23.0, 30.0, "It's on page four of the agreement, I'm afraid.", "A"),
        ("customer", 31.0, 34.0, "Page four. Of course it is.", "C"),
        ("agent", 35.0, 40.0, "I can send you a copy.", "A"),
    ]
    turns, timed = place_in_time(rows)
    model = _by_text({"Fifty pounds. Nobody mentioned any fee when I signed.": 0.9, "Page four. Of course it is.": 0.9})
    assert model.candidates(agitation_contexts_for(turns)) == [0, 1]  # the last turn is not among them
    result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=model, flag_check=None)
    assert [round(s.raw, 2) >= HIGH for s in result.scores] == [False, False, True]
    assert [(f.kind, f.time_s) for f in result.escalations] == [("escalation", 17.0)]


def test_a_supervisor_demand_starts_where_the_anger_it_caps_began(classifier: TriggerClassifier) -> None:
    """A demand for a manager is escalated by its own words; the agitated turn just before it is where the
    reviewer puts the moment, and nothing earlier."""
    rows = [
        ("agent", 0.0, 4.0, "Passport office, how can I help?", "A"),
        ("customer", 5.0, 9.0, "I'm checking on my application, it's been fourteen weeks.", "C"),
        ("agent", 10.0, 16.0, "It's with the production team, it can take six to eight more weeks.", "A"),
        ("customer", 17.0, 22.0, "Six to eight more. On top of fourteen. Are you hearing what I'm telling you?", "C"),
        ("agent", 23.0, 30.0, "I can't change the production queue from here.", "A"),
        ("customer", 31.0, 34.0, "Then put me through to your supervisor.", "C"),
        ("agent", 35.0, 40.0, "I'll ask them to call you back.", "A"),
    ]
    turns, timed = place_in_time(rows)
    model = _by_text({"Six to eight more. On top of fourteen. Are you hearing what I'm telling you?": 0.9})
    result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=model, flag_check=None)
    assert "supervisor" in result.scores[2].markers and "agitation" not in result.scores[2].markers
    assert [(f.kind, f.time_s) for f in result.escalations] == [("escalation", 17.0)]


def agitation_contexts_for(turns: Sequence[Turn]) -> list[TurnContext]:
    scores = [TurnScore(t, 0.0, 0.0, {}) for t in turns if t.role == "customer"]
    return agitation_contexts(scores, turns)


def test_early_signs_the_lexicon_found_stay_early_signs(classifier: TriggerClassifier) -> None:
    rows = [
        ("agent", 0.0, 4.0, "Thanks for calling, how can I help?", "A"),
        ("customer", 5.0, 9.0, "It's the third time I've called about the same fault.", "C"),
        ("agent", 10.0, 14.0, "I can book another engineer for next week.", "A"),
        ("customer", 15.0, 19.0, "Next week? This is absolutely ridiculous! Get me your supervisor NOW!", "C"),
        ("agent", 20.0, 24.0, "I'll get my supervisor.", "A"),
    ]
    turns, timed = place_in_time(rows)
    result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=None)
    assert result.scores[0].raw >= WARN and "agitation" not in result.scores[0].markers
    assert [f.time_s for f in result.escalations] == [15.0]


def test_a_sure_model_never_lifts_thanks_or_an_apology(classifier: TriggerClassifier) -> None:
    rows = [
        ("agent", 0.0, 4.0, "I've refunded the fee now.", "A"),
        ("customer", 5.0, 8.0, "Thank you, that's brilliant.", "C"),
        ("agent", 9.0, 12.0, "Anything else?", "A"),
        ("customer", 13.0, 17.0, "No. Sorry for snapping earlier, it's been a long week.", "C"),
    ]
    turns, timed = place_in_time(rows)
    result = analyse_turns(turns, classifier=classifier, timed=timed, agitation=_stub_model(0.99), flag_check=None)
    assert not result.escalations
    assert all("agitation" not in s.markers for s in result.scores)


def test_shipped_weights_load_with_ordered_thresholds() -> None:
    model = default_model()
    assert model is not None
    assert 0.0 < model.gate_p < 1.0
    assert model.warn_p < model.high_p < 1.0
    assert len(model.full.w) == 2 * 384 + len(STRUCTURAL)
    assert len(model.gate.w) == len(STRUCTURAL)


def test_shipped_weights_never_saw_the_sets_kept_for_unseen_measurement() -> None:
    from deesc_lms.calls.agitation_train import SETS

    model = default_model()
    assert model is not None
    assert sorted(model.trained_on) == sorted(SETS)
    assert "eval_holdout23" in model.trained_on
    unseen = {f"eval_holdout{n}" for n in range(24, 34)}
    assert all((FIXTURES / name).is_dir() for name in unseen)
    assert not unseen & set(model.trained_on)
