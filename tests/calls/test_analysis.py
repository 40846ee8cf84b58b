"""Escalation analysis of single calls: what a QA manager sees on one call."""

from __future__ import annotations

import pytest

from deesc_lms.calls.analysis import analyse_turns, place_in_time, score_customer_turn
from deesc_lms.calls.models import Call, EscalationFlag, Utterance
from deesc_lms.calls.services import call_analyse
from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml
from deesc_lms.calls.voice_curve import arousal
from tests.calls.analysis_helpers import call_from_eval, call_from_text
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml())


def _analyse(text: str, classifier: TriggerClassifier):
    from deesc_lms.calls.transcripts import parse_transcript

    rows = [(ln.role, ln.start, ln.end, ln.text, ln.speaker) for ln in parse_transcript(text).lines]
    turns, timed = place_in_time(rows)
    return analyse_turns(turns, classifier=classifier, timed=timed)


def test_escalation_is_flagged_at_the_moment_with_trigger_stage_outcome_and_review() -> None:
    call = call_from_eval("10_policy_return_deteriorated.txt")
    flags = call_analyse(call=call)
    call.refresh_from_db()
    assert call.status == Call.Status.ANALYSED and call.analysed_at is not None
    assert len(flags) == 1
    flag = EscalationFlag.objects.get(call=call)
    assert flag.time_mss == "0:35"
    assert flag.trigger == "policy_explanation"
    assert flag.outcome == "deteriorated"
    assert flag.stage == "explanation"
    assert "ridiculous policy" in flag.excerpt
    assert "policy" in flag.agent_turn_before
    assert flag.first_agent_response.startswith("I understand, but there's nothing I can do")
    assert flag.review["trigger_point"]["excerpt"]
    assert flag.prevention_s is not None and flag.prevention_s <= flag.time_s
    assert flag.redirect_language
    phrases = {d["phrase"].lower() for d in flag.review["defensive_language_before"]}
    assert any("policy" in p for p in phrases)
    # The curve rises to the moment.
    assert max(v for _, v in call.frustration_curve) >= 0.5


def test_reanalysis_replaces_flags_instead_of_adding() -> None:
    call = call_from_eval("31_two_escalations_long.txt")
    first = call_analyse(call=call)
    second = call_analyse(call=call)
    assert len(first) == len(second) == 2
    assert EscalationFlag.objects.filter(call=call).count() == 2
    times = sorted(EscalationFlag.objects.filter(call=call).values_list("time_s", flat=True))
    assert times == [39.0, 276.0]


def test_calm_call_gets_no_flag_and_a_reason() -> None:
    call = call_from_eval("25_calm_invoice_supervisor.txt")
    assert call_analyse(call=call) == []
    call.refresh_from_db()
    assert call.analysis_note.startswith("No escalation")
    assert call.status == Call.Status.ANALYSED


@pytest.mark.parametrize(
    "text",
    [
        "Customer: Could I speak to your manager? You've been so helpful and I'd like them to know.",
        "Customer: This is the third time I'm ordering from you this month, love it!",
        "Customer: I'd like to cancel my broadband please, I'm moving abroad.",
        "Customer: My mum passed away last month and I need to close her account.",
        "Customer: it's a bit annoying because the password is long but no worries",
    ],
)
def test_calm_lines_that_look_alarming_score_below_warning(text: str) -> None:
    raw, _, _ = score_customer_turn(text.split(": ", 1)[1])
    assert raw < 0.3


def test_asr_style_lowercase_escalation_is_found(classifier: TriggerClassifier) -> None:
    text = (
        "[0:00] Agent: thanks for calling how can i help\n"
        "[0:04] Customer: my internet has been down since monday\n"
        "[0:10] Agent: have you tried restarting the router\n"
        "[0:15] Customer: yes loads of times this is the fourth time ive called and nobody has fixed it its absolutely ridiculous\n"
        "[0:26] Agent: i can book an engineer for next week\n"
        "[0:31] Customer: next week are you kidding me i want to speak to a manager now\n"
    )
    result = _analyse(text, classifier)
    assert [round(e.time_s) for e in result.escalations] == [15]
    assert result.escalations[0].outcome == "deteriorated"


def test_transcript_without_timestamps_gets_estimated_times() -> None:
    call = call_from_eval("17_product_washer_recovered.txt")
    flags = call_analyse(call=call)
    call.refresh_from_db()
    assert len(flags) == 1 and flags[0].trigger == "product_failure" and flags[0].outcome == "recovered"
    assert flags[0].review["times_estimated"] is True
    assert "estimated" in call.analysis_note


def test_call_with_no_customer_speech_is_analysed_with_a_reason() -> None:
    call = call_from_text(
        "[0:00] Agent: Hello, you've reached the billing team.\n[0:05] Agent: Please call back later."
    )
    assert call_analyse(call=call) == []
    call.refresh_from_db()
    assert call.status == Call.Status.ANALYSED
    assert "no customer speech" in call.analysis_note


def test_call_with_no_utterances_is_analysed_with_a_reason() -> None:
    call = CallFactory()
    assert call_analyse(call=call) == []
    call.refresh_from_db()
    assert "nothing to analyse" in call.analysis_note


def test_one_unlabelled_speaker_is_not_mistaken_for_a_customer() -> None:
    call = CallFactory()
    Utterance.objects.create(
        call=call,
        index=0,
        role="unknown",
        speaker="SPEAKER_0",
        start_s=0,
        end_s=5,
        text="This is ridiculous, I want a manager!",
    )
    assert call_analyse(call=call) == []
    call.refresh_from_db()
    assert "Only one speaker" in call.analysis_note


def test_unlabelled_speakers_are_told_apart() -> None:
    text = (
        "[0:00] A: Thank you for calling, how can I help?\n"
        "[0:04] B: My bill is wrong again. This is the third time I've called and it's absolutely ridiculous!\n"
        "[0:12] A: Let me check that for you, I can see the charge on your account.\n"
        "[0:20] B: Thank you, that's great.\n"
    )
    call = call_from_text(text)
    Utterance.objects.filter(call=call).update(role="unknown")
    flags = call_analyse(call=call)
    assert len(flags) == 1 and round(flags[0].time_s) == 4


def test_two_hour_call_is_analysed(classifier: TriggerClassifier) -> None:
    lines = []
    t = 0
    for i in range(700):
        lines.append(f"[{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}] Agent: Okay, let me look at option {i} for you.")
        t += 5
        lines.append(f"[{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}] Customer: Sure, that sounds fine.")
        t += 5
    lines.append(
        f"[{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}] Customer: Two hours! This is absolutely ridiculous, I want a supervisor now!"
    )
    result = _analyse("\n".join(lines), classifier)
    assert len(result.escalations) == 1
    assert result.escalations[0].position == "late"
    assert result.escalations[0].outcome == "deteriorated"


def test_voice_raises_arousal_only_when_louder_or_faster_than_usual() -> None:
    assert arousal(0.5, 1.0) == 0.0
    assert arousal(12.0, 1.6) == 1.0
    assert arousal(None, None) is None
    assert 0 < arousal(6.0, None) < 1  # type: ignore[operator]
