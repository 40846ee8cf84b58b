"""Grading answers end to end: stored grades, evidence, feedback and clean refusals."""

from __future__ import annotations

import pytest

from deesc_lms.api_errors import DeescError
from rubrics import services
from rubrics.models import Grade
from rubrics.signals import grade_recorded
from tests.rubrics.conftest import BAD, CUSTOMER, GOOD

pytestmark = pytest.mark.django_db


def by_slug(grade: Grade) -> dict[str, dict]:
    return {c["slug"]: c for c in grade.results}


def test_good_answer_passes_the_combined_rubric(defaults):
    grade = services.answer_grade(rubric_slug="combined", text=GOOD, customer_line=CUSTOMER)
    assert grade.passed and grade.score >= 90
    criteria = by_slug(grade)
    assert criteria["names-emotion"]["level"] == "Named"
    assert "frustrating" in criteria["names-emotion"]["evidence"][0]["text"]
    assert criteria["specific-timeframe"]["evidence"][0]["text"] == "by Friday"
    assert criteria["pause-before-speaking"]["level"] == "Not assessed"
    assert grade.rubric_version.rubric.slug == "combined" and grade.rubric_version.is_published
    assert Grade.objects.filter(pk=grade.pk, source=Grade.Source.TRIAL).exists()
    # Evidence offsets point into the stored answer.
    for c in grade.results:
        for e in c["evidence"]:
            assert grade.answer_text[e["start"] : e["end"]] == e["text"]


def test_defensive_answer_fails_with_the_phrase_as_evidence(defaults):
    grade = services.answer_grade(rubric_slug="combined", text=BAD, customer_line=CUSTOMER)
    assert not grade.passed
    defensive = by_slug(grade)["no-defensive-language"]
    assert defensive["points"] == 0
    quotes = [e["text"] for e in defensive["evidence"]]
    assert "That's our policy" in quotes and "there's nothing I can do" in quotes
    assert "defensive language" in grade.feedback
    assert grade.better_line  # one better line, from the rubric's model answers


def test_feedback_on_a_partial_answer_reads_as_sentences(defaults):
    answer = "We'll look into it and get back to you soon."
    grade = services.answer_grade(rubric_slug="combined", text=answer, customer_line=CUSTOMER)
    feedback = {c["slug"]: c["feedback"] for c in grade.results}
    assert feedback["concrete-action"].startswith("You gave a vague promise.")
    assert feedback["specific-timeframe"].startswith("You gave a vague timeframe: soon.")


def test_fix_before_acknowledging_loses_the_order_criterion(defaults):
    answer = "Let me fix the $40 double charge now. I can hear how frustrating it is to call three times."
    grade = services.answer_grade(rubric_slug="combined", text=answer, customer_line=CUSTOMER)
    criteria = by_slug(grade)
    assert criteria["acknowledge-before-fix"]["points"] == 0
    assert criteria["names-emotion"]["level"] == "Named"
    assert "Let me fix" in criteria["acknowledge-before-fix"]["evidence"][0]["text"]


def test_a_critical_criterion_fails_the_answer_whatever_the_total(defaults):
    answer = "I understand you're frustrated, but as I already said, I'm refunding the $40 by Friday."
    grade = services.answer_grade(rubric_slug="step-4-resolve", text=answer, customer_line=CUSTOMER)
    assert by_slug(grade)["concrete-action"]["level"] == "Concrete"
    assert not grade.passed


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_answer"),
        ("   \n ", "empty_answer"),
        ("x" * 50_000, "answer_too_long"),
        (
            "Entiendo lo frustrante que es llamar tres veces por el mismo cargo de cuarenta dólares.",
            "unsupported_language",
        ),
        ("申し訳ございません。すぐに返金いたします。", "unsupported_language"),
        ("!!! ???", "empty_answer"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(defaults, text, code):
    with pytest.raises(DeescError) as err:
        services.answer_grade(rubric_slug="combined", text=text, customer_line=CUSTOMER)
    assert err.value.code == code
    assert Grade.objects.count() == 0


def test_terse_chat_english_is_graded_not_refused_as_another_language(defaults):
    grade = services.answer_grade(rubric_slug="step-5-next-steps", text="sir pls wait, under process.")
    assert grade.score is not None and not grade.passed


def test_the_length_cap_is_a_setting(defaults, settings):
    settings.DEESC_RUBRIC_MAX_ANSWER_CHARS = 20
    with pytest.raises(DeescError) as err:
        services.answer_grade(rubric_slug="step-2-acknowledge", text="I'm so sorry, that is frustrating.")
    assert err.value.code == "answer_too_long"


def test_html_is_graded_as_plain_text(defaults):
    answer = "<script>alert('x')</script> I'm so sorry, I can hear how frustrating this is."
    grade = services.answer_grade(rubric_slug="step-2-acknowledge", text=answer, customer_line=CUSTOMER)
    assert grade.answer_text == answer
    assert by_slug(grade)["names-emotion"]["level"] == "Named"


def test_unknown_rubric_is_not_found(defaults):
    with pytest.raises(DeescError) as err:
        services.rubric_version_current(slug="no-such-rubric")
    assert err.value.code == "not_found"


def test_grade_recorded_is_sent_once_with_the_grade(defaults):
    seen: list[Grade] = []

    def receiver(sender, grade, **kwargs):
        seen.append(grade)

    grade_recorded.connect(receiver, dispatch_uid="test-grade-recorded")
    try:
        grade = services.answer_grade(rubric_slug="step-5-next-steps", text="You'll get an email by 5 pm today.")
    finally:
        grade_recorded.disconnect(dispatch_uid="test-grade-recorded")
    assert [g.pk for g in seen] == [grade.pk]


def test_spoken_feedback_is_synthesized(defaults):
    grade = services.answer_grade(rubric_slug="step-2-acknowledge", text="I hear you.", spoken_feedback=True)
    grade.refresh_from_db()
    assert grade.feedback_audio.name.endswith(".wav")
    with grade.feedback_audio.open("rb") as f:
        assert f.read(4) == b"RIFF"


@pytest.mark.parametrize(
    "text",
    [
        "We'll arrange something shortly, though engineer availability isn't something I control.",
        "Wouldn't expect that, won't happen again, refund's gone through.",
    ],
)
def test_terse_english_with_contractions_is_graded_not_refused(defaults, text):
    grade = services.answer_grade(rubric_slug="step-4-resolve", text=text, customer_line=CUSTOMER)
    assert grade.pk is not None
