"""Drill attempts and real calls are graded by the same engine, and the grade says when it happened."""

from __future__ import annotations

import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Utterance
from rubrics import services
from rubrics.models import Grade
from rubrics.tasks import attempt_grade_task
from scenarios import services as scenario_services
from scenarios.models import Attempt
from tests.factories import CallFactory, DrillFactory, EscalationFlagFactory, UtteranceFactory
from tests.rubrics.conftest import GOOD

pytestmark = pytest.mark.django_db


def test_a_submitted_attempt_is_graded_after_commit(defaults, django_capture_on_commit_callbacks):
    drill = DrillFactory(rubric_slug="combined")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = scenario_services.attempt_submit(drill=drill, text=GOOD)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    grade = Grade.objects.get(attempt=attempt)
    assert grade.source == Grade.Source.ATTEMPT and grade.customer_line == drill.customer_line
    assert grade.passed
    assert attempt_grade_task(attempt.pk) is None  # idempotent: graded attempts are left alone
    assert Grade.objects.filter(attempt=attempt).count() == 1


def test_a_refused_attempt_is_marked_failed_with_the_reason(defaults):
    attempt = Attempt.objects.create(
        drill=DrillFactory(rubric_slug="step-2-acknowledge"), answer_text="Lo siento mucho por todo esto, de verdad."
    )
    with pytest.raises(DeescError):
        services.attempt_grade(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FAILED and "English" in attempt.failure_reason
    assert attempt_grade_task(attempt.pk) is None


def _call():
    call = CallFactory()
    lines = [
        (0.0, 4.0, "agent", "Thanks for calling, how can I help?"),
        (5.0, 10.0, "customer", "There's a forty dollar charge twice on my bill."),
        (11.0, 15.0, "agent", "As I said, the add-on is billed per line according to our policy."),
        (16.0, 21.0, "customer", "This is ridiculous! Third time I'm calling, I'm sick of it!"),
        (22.5, 28.0, "agent", "I'm sorry. I can hear how frustrating it is to call three times about the same charge."),
        (
            28.5,
            35.0,
            "agent",
            "I'm refunding the duplicate forty dollar charge right now, and you'll see it by Friday.",
        ),
    ]
    for i, (start, end, role, text) in enumerate(lines):
        tokens = text.split()
        step = (end - start) / len(tokens)
        words = [
            {"word": w, "start": start + k * step, "end": start + (k + 1) * step, "probability": 0.9}
            for k, w in enumerate(tokens)
        ]
        UtteranceFactory(call=call, index=i, start_s=start, end_s=end, role=role, text=text, words=words)
    EscalationFlagFactory(call=call, time_s=16.0, excerpt="This is ridiculous!")
    return call


def test_a_real_call_is_scored_from_the_escalation_moment_with_timestamps(defaults):
    grade = services.call_grade(call=_call())
    assert grade.source == Grade.Source.CALL
    criteria = {c["slug"]: c for c in grade.results}
    # After the escalation the agent acknowledged first, restated, fixed and gave a day.
    assert criteria["acknowledge-before-fix"]["points"] == 1
    assert criteria["names-emotion"]["level"] == "Named"
    assert criteria["specific-timeframe"]["level"] == "Specific"
    emotion = criteria["names-emotion"]["evidence"][0]
    assert 22.5 < emotion["start_s"] < 24.0 and emotion["at"] == "0:23"  # the word "I" of "I can hear"
    # Defensive language counts anywhere on the call.
    defensive = criteria["no-defensive-language"]
    assert defensive["points"] == 0 and defensive["evidence"][0]["at"] == "0:11"
    assert criteria["pause-before-speaking"]["level"] == "Paused"  # 1.5 s from the customer's last word to the reply
    assert grade.transcript["voice"]["pause_s"] == 1.5
    assert not grade.passed


def test_a_transcript_without_word_times_is_not_graded_on_pauses(defaults):
    call = _call()
    call.utterances.update(words=[])
    grade = services.call_grade(call=call)
    assert {c["slug"]: c for c in grade.results}["pause-before-speaking"]["assessed"] is False


def test_a_call_without_agent_turns_is_refused(defaults):
    call = CallFactory()
    UtteranceFactory(call=call, index=0, role=Utterance.Role.CUSTOMER)
    with pytest.raises(DeescError) as err:
        services.call_grade(call=call)
    assert err.value.code == "no_agent_speech"
