"""The role-play caller talks like the real caller and reacts to how the learner handles them."""

from __future__ import annotations

import pytest

from deesc_lms.calls.models import Utterance
from scenarios.models import Drill, RolePlay
from scenarios.roleplay import Caller, Persona, TurnAssessment
from scenarios.services import module_build, roleplay_start, roleplay_turn
from tests.factories import AgentFactory, EscalationFlagFactory, UtteranceFactory

REAL_CALLER = {
    "trigger": "billing_dispute",
    "opening": "No. This is the third time I'm calling about this exact charge.",
    "lines": [
        "Hi, I'm calling about my bill.",
        "There's a forty dollar charge from the fourteenth and then the same forty dollars again.",
        "No. This is the third time I'm calling about this exact charge.",
        "This is ridiculous! I want a supervisor.",
        "I'm done. Cancel everything, I'm switching providers.",
        "Alright. Thank you, I appreciate you actually fixing it.",
    ],
}
NOTHING = TurnAssessment(score=10, acknowledged=False, restated=False, resolved=False, timeframe=False, defensive=False)
DEFENSIVE = TurnAssessment(score=0, acknowledged=False, restated=False, resolved=False, timeframe=False, defensive=True)
EMPATHY = TurnAssessment(score=50, acknowledged=True, restated=True, resolved=False, timeframe=False, defensive=False)
FIX = TurnAssessment(score=95, acknowledged=True, restated=True, resolved=True, timeframe=True, defensive=False)


def test_persona_keeps_the_callers_words_and_specifics() -> None:
    persona = Persona.from_dict(REAL_CALLER)
    assert "This is ridiculous! I want a supervisor." in persona.hot_lines
    assert "Alright. Thank you, I appreciate you actually fixing it." in persona.calm_lines
    assert any("forty dollar" in s.lower() for s in persona.specifics)
    assert "third time" in [s.lower() for s in persona.specifics]


def test_defensive_answers_escalate_in_the_callers_own_words() -> None:
    caller = Caller(Persona.from_dict(REAL_CALLER))
    first = caller.reply(DEFENSIVE, turn_number=1)
    assert first.text == "This is ridiculous! I want a supervisor." and not first.finished
    last = caller.reply(DEFENSIVE, turn_number=2)
    assert last.finished and last.outcome == "escalated"
    assert "Cancel everything" in last.text


def test_acknowledging_then_resolving_calms_the_caller() -> None:
    caller = Caller(Persona.from_dict(REAL_CALLER))
    asked = caller.reply(EMPATHY, turn_number=1)
    assert not asked.finished and "what are you actually going to do" in asked.text
    assert "forty dollar" in asked.text.lower()  # their own specifics, not a generic script
    done = caller.reply(FIX, turn_number=2)
    assert done.finished and done.outcome == "calmed"
    assert done.text == "Alright. Thank you, I appreciate you actually fixing it."
    assert done.frustration < 0.5


def test_saying_nothing_useful_raises_frustration() -> None:
    caller = Caller(Persona.from_dict(REAL_CALLER), frustration=0.5)
    reply = caller.reply(NOTHING, turn_number=1)
    assert reply.frustration > 0.5


@pytest.mark.django_db
def test_roleplay_through_the_services_with_the_real_judge() -> None:
    from rubrics.services import rubrics_load_defaults

    rubrics_load_defaults()
    flag = EscalationFlagFactory(time_s=70, excerpt="This is the third time I'm calling about this exact charge.")
    for i, (role, text) in enumerate(
        [
            (Utterance.Role.AGENT, "Those are two payments for the add-on, it's billed per line."),
            (
                Utterance.Role.CUSTOMER,
                "No. This is the third time I'm calling about this exact charge of forty dollars.",
            ),
            (Utterance.Role.CUSTOMER, "This is ridiculous! I want a supervisor."),
            (Utterance.Role.CUSTOMER, "Alright. Thank you, I appreciate you actually fixing it."),
        ]
    ):
        UtteranceFactory(call=flag.call, index=i, role=role, start_s=60 + 10 * i, end_s=68 + 10 * i, text=text)
    drill = module_build(flag=flag).drills.get(kind=Drill.Kind.ROLEPLAY)
    agent = AgentFactory()

    bad = roleplay_start(drill=drill, agent=agent)
    bad = roleplay_turn(roleplay_session=bad, text="Calm down. That's our policy, there's nothing I can do.")
    assert bad.turns[-1]["speaker"] == "customer"
    assert bad.frustration > 0.8
    assert bad.turns[1]["score"] < 40

    good = roleplay_start(drill=drill, agent=agent)
    good = roleplay_turn(
        roleplay_session=good,
        text="I can hear how frustrating it is to call three times about the same forty dollar charge. I'm refunding "
        "the duplicate charge right now, and you'll see it back on your card by Friday.",
    )
    assert good.frustration < 0.8
    assert good.turns[1]["score"] > bad.turns[1]["score"]
    assert good.drill.attempts.count() == 2  # every turn is stored and graded


@pytest.mark.django_db
def test_empty_turn_is_refused_and_finished_conversations_take_no_more_turns() -> None:
    from deesc_lms.api_errors import DeescError

    flag = EscalationFlagFactory()
    drill = module_build(flag=flag).drills.get(kind=Drill.Kind.ROLEPLAY)
    session = roleplay_start(drill=drill, agent=None)
    with pytest.raises(DeescError, match="empty"):
        roleplay_turn(roleplay_session=session, text="  ")
    session.status = RolePlay.Status.ESCALATED
    session.save()
    with pytest.raises(DeescError, match="ended"):
        roleplay_turn(roleplay_session=session, text="Hello?")
