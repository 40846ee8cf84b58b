"""The restatement model: the rules' level read again the way coaches score it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rubrics import detectors, restate_model, restate_train, stance_train

# Written for these tests, in no calibration set. The rules give the policy quote partial credit (it
# shares the customer's words); coaches score a rule quoted at the customer 0, and so does the model.
CUSTOMER = "Three weeks waiting for my refund of sixty dollars for the cancelled class!"
POLICY = "Refunds for cancelled classes take up to 30 days, that's our policy."
SAID_BACK = "So you've waited three weeks for the sixty dollars from the cancelled class. I'm refunding it now."
CONFIG = {"threshold": 0.55, "synonym_threshold": 0.7}


def restatement(text: str, embed, **config) -> detectors.Detection:
    ctx = detectors.Context(text, customer_line=CUSTOMER, embed=embed)
    return detectors.detect_restatement(ctx, {**CONFIG, **config}, detectors.Anchors())


def test_a_policy_quoted_at_the_customer_is_read_as_no_restatement(embed):
    assert restatement(POLICY, embed).score == 0.6  # the rules alone: their words, in passing
    read = restatement(POLICY, embed, second_reading=True)
    assert read.score == 0.0
    assert "second reading from coaches' scores: level 0 (rules: 1)" in read.note
    assert read.missing


def test_their_problem_said_back_keeps_full_marks(embed):
    assert restatement(SAID_BACK, embed, second_reading=True).score == 1.0


def test_the_shipped_rubrics_read_restatement_twice():
    from rubrics import yaml_io

    for name in ("step-3-restate", "combined"):
        doc = yaml_io.parse((stance_train.RUBRICS / f"{name}.yaml").read_text(encoding="utf-8"))
        criterion = next(c for c in doc["criteria"] if c["slug"] == "restates-issue")
        assert criterion["detectors"][0]["config"]["second_reading"] is True


def test_shipped_weights_fit_the_features_and_bad_files_are_named(tmp_path):
    model = restate_model.load()
    assert model.specific.w.shape == (restate_model.FEATURES,)
    assert len(model.trained_on) >= 40
    row = model.as_dict()
    row["specific"] = {k: v[:100] if isinstance(v, list) else v for k, v in row["specific"].items()}
    (tmp_path / "other.json").write_text(json.dumps(row), encoding="utf-8")
    with pytest.raises(ValueError, match="100 features, not 772.*restate_train --write"):
        restate_model.load(tmp_path / "other.json")
    (tmp_path / "broken.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable"):
        restate_model.load(tmp_path / "broken.json")


def test_without_weights_the_rules_grade_alone_and_check_says_why(embed, monkeypatch, tmp_path):
    from rubrics.checks import restate_weights

    monkeypatch.setattr(restate_model.load, "__defaults__", (tmp_path / "absent.json",))
    restate_model.default.cache_clear()
    try:
        assert restatement(POLICY, embed, second_reading=True).score == 0.6
        errors = restate_weights()
        assert [e.id for e in errors] == ["rubrics.E002"] and "restate_train --write" in errors[0].msg
    finally:
        monkeypatch.undo()
        restate_model.default.cache_clear()
    assert restate_weights() == []


def test_the_training_path_fits_a_model_that_follows_its_labels():
    rng = np.random.default_rng(0)
    examples = []
    for i in range(90):
        coach = i % 3
        answer = rng.normal(size=384).astype(np.float32) + coach
        customer = rng.normal(size=384).astype(np.float32)
        examples.append(
            restate_train.Example(f"s{i % 5}", str(i), restate_model.features(1, answer, customer), coach, 1)
        )
    model = restate_train.fit(examples)
    predicted = restate_train.predict(model, np.stack([e.features for e in examples]))
    assert sum(p == e.coach for p, e in zip(predicted, examples, strict=True)) >= 80
