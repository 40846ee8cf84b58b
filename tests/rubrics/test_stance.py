"""The defensive-stance model: a third reader for defensive wordings no phrase list holds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rubrics import detectors, services, stance
from rubrics.models import Grade

# Wordings written for these tests, in no calibration set and matched by no shipped phrase. The
# shipped model reads them at 0.97 and 0.98 (threshold 0.9): a retrained model may need new ones.
RULES_ARGUMENT = "Right, I see. Every customer signs the terms when the contract starts, and those terms cover this."
BLAME_SHIFT = "Our engineers followed the standard procedure, so the outage was caused by the network operator."
OWNED = "I can hear how worried you are about the £60 charge, and I'm refunding it now."
CUSTOMER = "You cut my internet for two days and now you want to charge me £60 for the engineer? Unbelievable."


def criterion(grade: Grade, slug: str) -> dict:
    return next(c for c in grade.results if c["slug"] == slug)


def forbidden(text: str, embed, **config) -> detectors.Detection:
    return detectors.detect_forbidden(
        detectors.Context(text, embed=embed), {"builtin": "defensive", **config}, detectors.Anchors()
    )


@pytest.mark.parametrize("answer", [RULES_ARGUMENT, BLAME_SHIFT])
def test_a_defensive_wording_the_phrase_list_lacks_is_read_as_defensive(embed, answer):
    assert forbidden(answer, embed).score == 1.0  # the rules alone let it through
    result = forbidden(answer, embed, stance_threshold=0.9)
    assert result.score == 0.0
    assert result.found[0].startswith("sounded defensive")
    assert "defensive-stance model" in result.note


def test_the_evidence_is_the_sentence_that_reads_defensive(embed):
    result = forbidden(RULES_ARGUMENT, embed, stance_threshold=0.9)
    assert [span.text for span in result.evidence] == [
        "Every customer signs the terms when the contract starts, and those terms cover this"
    ]
    assert RULES_ARGUMENT[result.evidence[0].start : result.evidence[0].end] == result.evidence[0].text


def test_an_owned_apology_with_an_action_is_not_defensive(embed):
    assert forbidden(OWNED, embed, stance_threshold=0.9).score == 1.0


def test_a_restatement_checked_with_the_customer_is_not_the_agents_stance(embed):
    # The complaint's own words are negative; said back to check them they are not a defence.
    restated = "So your parcel was marked delivered but it never arrived and nobody answered your emails?"
    p, _, _ = stance.default().read(detectors.Context(restated, embed=embed))
    assert p >= 0.6  # the model alone, cut at 0.6, would call it defensive
    result = forbidden(restated, embed, stance_threshold=0.6)
    assert result.score == 1.0
    assert "not the agent's stance" in result.note


def test_the_threshold_is_the_criterions_own(embed):
    assert forbidden(BLAME_SHIFT, embed, stance_threshold=0.999).score == 1.0


@pytest.mark.django_db
def test_the_shipped_rubrics_consult_the_model(defaults):
    grade = services.answer_grade(rubric_slug="step-1-pause", text=BLAME_SHIFT, customer_line=CUSTOMER)
    result = criterion(grade, "no-defensive-language")
    assert result["points"] == 0
    assert result["evidence"][0]["text"] == BLAME_SHIFT.rstrip(".")
    assert "sounded defensive" in result["feedback"]
    grade = services.answer_grade(rubric_slug="step-2-acknowledge", text=OWNED, customer_line=CUSTOMER)
    assert criterion(grade, "no-defensive-language")["points"] == 1


def test_the_shipped_weights_say_what_they_were_trained_on():
    model = stance.load()
    assert "holdout32" in model.trained_on and "holdout33" not in model.trained_on
    assert model.linear.w.shape == (3 * 384,)


def test_missing_weights_are_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="stance_train --write.*stance_threshold"):
        stance.load(tmp_path / "absent.json")


def test_weights_round_trip_through_json(tmp_path: Path):
    model = stance.load()
    path = tmp_path / "stance.json"
    path.write_text(json.dumps(model.as_dict()), encoding="utf-8")
    again = stance.load(path)
    x = np.random.default_rng(0).normal(size=(3, 3 * 384)).astype(np.float32)
    assert np.allclose(again.linear(x), model.linear(x))
    assert (again.threshold, again.trained_on) == (model.threshold, model.trained_on)


def test_weights_for_another_encoder_are_refused(tmp_path: Path):
    row = stance.load().as_dict()
    row["linear"] = {key: value[:768] if isinstance(value, list) else value for key, value in row["linear"].items()}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(row), encoding="utf-8")
    with pytest.raises(ValueError, match="768 features, not 1152.*stance_train --write"):
        stance.load(path)
    (tmp_path / "broken.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable"):
        stance.load(tmp_path / "broken.json")


def test_without_usable_weights_grading_falls_back_to_the_rules_and_check_says_why(embed, monkeypatch, tmp_path):
    from rubrics.checks import stance_weights

    monkeypatch.setattr(stance, "DEFAULT_WEIGHTS", tmp_path / "absent.json")
    monkeypatch.setattr(stance.load, "__defaults__", (tmp_path / "absent.json",))
    stance.default.cache_clear()
    try:
        assert forbidden(BLAME_SHIFT, embed, stance_threshold=0.9).score == 1.0  # the rules alone
        assert forbidden("That's our policy.", embed, stance_threshold=0.9).score == 0.0
        errors = stance_weights()
        assert [e.id for e in errors] == ["rubrics.E001"] and "stance_train --write" in errors[0].msg
    finally:
        monkeypatch.undo()
        stance.default.cache_clear()
    assert stance_weights() == []


def test_an_allowed_phrase_is_not_flagged_by_the_model_either(embed):
    assert forbidden(BLAME_SHIFT, embed, stance_threshold=0.7, allow=[r"network operator"]).score == 1.0
