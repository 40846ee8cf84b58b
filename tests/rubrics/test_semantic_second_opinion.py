"""The semantic second opinion: nearest anchor classes decide where the word lists are silent."""

from __future__ import annotations

import pytest

from rubrics import detectors, services
from rubrics.models import Grade

pytestmark = pytest.mark.django_db

TRAIN = "My train was cancelled and I missed my sister's wedding. I paid $180 for the ticket and I'm gutted."
COUCH = "The couch I ordered arrived with a ripped arm and nobody has replied to my two emails."


def criterion(grade: Grade, slug: str) -> dict:
    return next(c for c in grade.results if c["slug"] == slug)


def test_an_offer_with_a_verb_outside_the_list_is_concrete(defaults):
    answer = "I'm enrolling you in our delay-repay scheme and lodging the claim for the $180 myself."
    grade = services.answer_grade(rubric_slug="step-4-resolve", text=answer, customer_line=TRAIN)
    result = criterion(grade, "concrete-action")
    assert result["points"] == 2
    assert result["evidence"][0]["text"].startswith("I'm enrolling you")


def test_an_action_offered_only_as_a_possibility_is_hedged(defaults):
    grade = services.answer_grade(
        rubric_slug="step-4-resolve", text="A full refund might be an option.", customer_line=TRAIN
    )
    assert criterion(grade, "concrete-action")["points"] == 1


def test_sympathy_without_an_action_is_still_no_action(defaults):
    grade = services.answer_grade(
        rubric_slug="step-4-resolve", text="Thanks for waiting, I understand.", customer_line=TRAIN
    )
    assert criterion(grade, "concrete-action")["points"] == 0


def test_seeing_what_someone_else_did_is_no_action_of_ours(defaults):
    customer = "You've sent me a bill for a £95 call-out. The fault was the boiler. The boiler's covered."
    answer = "I can see the engineer's put it down as a customer-side fault, so that's outside the plan I'm afraid."
    grade = services.answer_grade(rubric_slug="step-4-resolve", text=answer, customer_line=customer)
    assert criterion(grade, "concrete-action")["points"] == 0


def test_a_next_step_in_unlisted_words_counts(defaults):
    grade = services.answer_grade(
        rubric_slug="step-5-next-steps", text="A supervisor rings you back after lunch.", customer_line=TRAIN
    )
    assert criterion(grade, "states-next-step")["points"] == 1
    grade = services.answer_grade(rubric_slug="step-5-next-steps", text="Thanks for calling.", customer_line=TRAIN)
    assert criterion(grade, "states-next-step")["points"] == 0


def test_the_customers_item_said_back_in_other_words_is_a_restatement(defaults):
    grade = services.answer_grade(rubric_slug="step-3-restate", text="So the sofa came torn?", customer_line=COUCH)
    result = criterion(grade, "restates-issue")
    assert result["points"] >= 1 and "sofa" in result["evidence"][0]["text"]
    grade = services.answer_grade(rubric_slug="step-3-restate", text="So something went wrong?", customer_line=COUCH)
    assert criterion(grade, "restates-issue")["points"] < 2


def test_nearest_class_picks_the_closer_group_with_a_margin(embed):
    ctx = detectors.Context("I'm refunding your fare now.", embed=embed)
    votes = detectors.nearest_class(
        ctx,
        ["I'm refunding your fare now.", "What a lovely sunny day."],
        {"action": ["I'm issuing a refund today.", "I've cancelled the charge."], "weather": ["It's raining hard."]},
        k=2,
    )
    assert [v[0] for v in votes] == ["action", "weather"]
    assert all(margin > 0 for _, margin, _ in votes)
    assert detectors.nearest_class(detectors.Context("x"), ["x"], {"a": ["y"], "b": ["z"]}) == []
