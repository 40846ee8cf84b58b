"""Escalation analysis on the ways real callers differ from the labelled examples.

Each test is a behaviour a QA reviewer relies on, written with wording that is not in fixtures/eval*.
"""

from __future__ import annotations

import pytest

from deesc_lms.calls import analysis
from deesc_lms.calls.analysis import (
    HIGH,
    WARN,
    Turn,
    TurnScore,
    score_customer_turn,
)
from deesc_lms.calls.triggers import ContextTurn, TriggerClassifier, specs_from_yaml
from tests.calls.analysis_helpers import analyse_text


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml())


@pytest.mark.parametrize(
    "text",
    [
        "Honestly I'm getting a bit cross with it now, this is the second week.",
        "i'm starting to lose patience a bit if i'm honest",
        "It's starting to really grate on me, the whole thing.",
    ],
)
def test_callers_describing_rising_frustration_are_early_signs_not_escalated(text: str) -> None:
    raw, _, markers = score_customer_turn(text)
    assert "rising" in markers
    assert WARN <= raw < HIGH


@pytest.mark.parametrize(
    "text",
    [
        "I'm absolutely raging, that's a complete con and you know it.",
        "i've had a gutful of this mate i'm going to the ombudsman",
        "Don't tell me to hurry up, that's so rude.",
        "So I've been taken for a mug for two years, brilliant.",
    ],
)
def test_regional_and_idiomatic_anger_is_escalated_speech(text: str) -> None:
    raw, _, _ = score_customer_turn(text)
    assert raw >= HIGH


@pytest.mark.parametrize(
    "text",
    [
        "Can you send it today so I can tell everyone at the meeting?",
        "I need the PAC code for my old number, I'm moving it to my work phone.",
        "Please cancel the June dates and move it to September.",
        "I think that's the third time I've rung you this year and it's always been quick.",
        # Reassurance and a calm request for the complaints process are not threats.
        "That'll be the third time I've phoned you lot this month, but don't worry, it's only the move.",
        "The leak is fixed now, everything is fine, but I'd like to make a formal complaint about the wait.",
    ],
)
def test_neutral_mentions_of_escalation_words_stay_calm(text: str) -> None:
    raw, _, _ = score_customer_turn(text)
    assert raw < HIGH


def test_a_complaint_still_threatens_when_the_caller_threatens_more() -> None:
    raw, _, markers = score_customer_turn("I'd like to make a formal complaint, and I'm going to the ombudsman too.")
    assert "threat" in markers and raw >= HIGH


def test_a_hold_in_the_middle_of_an_escalation_does_not_split_it(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Claims desk, Sam speaking.
[0:04] Customer: Hi, my claim number is 5521, it's about the courtesy car.
[0:10] Agent: That's handled by our partner desk, I'll need to transfer you.
[0:15] Customer: No, don't transfer me again, that's the fourth department today. This is a joke.
[0:24] Agent: I'm sorry, I can't book it from here. Please hold.
[0:27] Customer: Don't you dare put me on...
[3:40] Agent: Thanks for holding, roadside assistance, how can I help?
[3:44] Customer: Unbelievable. I'm done, I'm switching to another insurer tomorrow. Goodbye.
"""
    result = analyse_text(text, classifier)
    assert len(result.escalations) == 1
    flag = result.escalations[0]
    assert flag.time_s == 15
    assert flag.trigger == "transfer_handoff"
    assert flag.outcome == "deteriorated"


def test_two_quick_flat_questions_between_angry_turns_are_one_escalation(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Accounts, Mia speaking.
[0:03] Customer: There's a fee of ninety pounds on my bill I never agreed to.
[0:10] Agent: That's the admin fee, it's applied automatically.
[0:15] Customer: That's outrageous, nobody mentioned any admin fee, take it off.
[0:22] Agent: I can't remove it.
[0:25] Customer: Then who can?
[0:28] Agent: You could raise a dispute.
[0:31] Customer: And how long does that take?
[0:34] Agent: Twenty eight days.
[0:37] Customer: Twenty eight days? Put me through to your manager right now.
"""
    result = analyse_text(text, classifier)
    assert len(result.escalations) == 1
    assert result.escalations[0].time_s == 15
    assert result.escalations[0].trigger == "billing_dispute"
    assert result.escalations[0].outcome == "deteriorated"


def test_after_a_threat_a_curt_goodbye_is_not_recovery(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Streamline TV, Jo speaking.
[0:03] Customer: I want to cancel my package please.
[0:06] Agent: Can I offer you six months at half price?
[0:10] Customer: No. I've said no twice. Cancel it now or I'm stopping the payments with my bank and reporting you.
[0:20] Agent: Okay, I'll process that. It ends on the ninth.
[0:24] Customer: Fine. Email me the confirmation.
[0:27] Agent: Will do. Anything else?
[0:29] Customer: No. Bye.
"""
    result = analyse_text(text, classifier)
    assert [e.outcome for e in result.escalations] == ["deteriorated"]
    assert result.escalations[0].trigger == "cancellation_threat"


def test_an_escalation_the_caller_never_settles_from_ends_deteriorated_even_when_quiet(
    classifier: TriggerClassifier,
) -> None:
    # No threat and no supervisor: the caller just stops arguing and goes. Quiet is not recovered.
    curt = """[0:00] Agent: Harbour Water, Sam speaking.
[0:04] Customer: Hi, I've got a bill here for six hundred dollars. We normally pay about ninety.
[0:11] Agent: The meter reading shows that usage, so the bill is correct I'm afraid.
[0:17] Customer: That is absolute rubbish. Nobody uses that much water, it's ridiculous, you people never check anything!
[0:25] Agent: The reading is the reading. You can pay it in instalments.
[0:30] Customer: Right.
[0:33] Agent: Is there anything else?
[0:36] Customer: No. Bye.
"""
    settled = curt.replace("[0:30] Customer: Right.", "[0:30] Customer: Okay, instalments would help, thanks.")
    ends = {name: analyse_text(text, classifier).escalations for name, text in (("curt", curt), ("settled", settled))}
    assert [e.outcome for e in ends["curt"]] == ["deteriorated"]
    assert "never settled" in ends["curt"][0].review["outcome_reason"]
    assert [e.outcome for e in ends["settled"]] == ["recovered"]


def test_agitation_defused_before_it_escalates_is_prevented(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Parcel line, Ana speaking.
[0:04] Customer: Hi, it's about tracking number 8812.
[0:08] Agent: Thanks, one second.
[0:15] Customer: It's said out for delivery three days running and then goes back to the depot. I'm getting a bit fed up now, it's a birthday present.
[0:27] Agent: I'm sorry, that's really stressful with a birthday coming up. Let me ring the depot myself now and find it rather than rely on the tracking.
[0:38] Customer: Okay, thank you.
[1:50] Agent: Found it, it was on the wrong van. It'll be with you before noon tomorrow and I've refunded the delivery charge.
[1:59] Customer: Oh brilliant, thanks so much.
"""
    result = analyse_text(text, classifier)
    assert [(e.kind, e.outcome, e.trigger) for e in result.escalations] == [("prevented", "prevented", "wait_time")]


def test_trigger_follows_the_agent_turn_the_customer_reacts_to(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Bookings, Lee speaking.
[0:03] Customer: I typed my son's surname wrong on his ticket, it cost me three hundred dollars, can you fix it?
[0:12] Agent: I'm afraid our policy is that names can't be changed on saver fares, you'd have to buy a new ticket.
[0:20] Customer: That's ridiculous, it's the same person, that rule is a rip off and you know it!
"""
    result = analyse_text(text, classifier)
    assert [e.trigger for e in result.escalations] == ["policy_explanation"]


def test_money_transfers_are_not_call_transfers(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Digital banking, Kim speaking.
[0:04] Customer: The app closes by itself every time I press confirm on a transfer, I've tried ten times and I'm so frustrated, the builder needs paying tonight!
"""
    result = analyse_text(text, classifier)
    assert [e.trigger for e in result.escalations] == ["product_failure"]


@pytest.mark.parametrize(
    "apology",
    [
        "Sorry for being short with you, it's been a long week.",
        "Well, I'm sorry I hollered at you. I been stewing on it since last night.",
        "Sorry for getting upset on you. It's been a rough week.",
        "Sorry ah, I was a bit stressed just now.",
    ],
)
def test_a_caller_who_later_apologises_for_their_tone_had_escalated(
    classifier: TriggerClassifier, apology: str
) -> None:
    text = """[0:00] Agent: Repairs line, Ola speaking.
[0:04] Customer: Hi, the boiler's off again, it's the second visit this month and I've got two little ones in the house.
[0:13] Agent: Okay. Has the engineer been already?
[0:16] Customer: Yes, twice, I told you. It's freezing in here and every time I ring I get the same questions, I'm really not in the mood for this today.
[0:27] Agent: You're right, I'm sorry, you shouldn't have to repeat it. I'm booking an engineer for this afternoon and sending two heaters now.
[0:38] Customer: Okay. Thank you. APOLOGY
""".replace("APOLOGY", apology)
    result = analyse_text(text, classifier)
    assert [(e.kind, e.outcome) for e in result.escalations] == [("escalation", "recovered")]


def test_agitation_that_never_settles_before_the_line_drops_is_an_escalation(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Licensing office, Ray speaking.
[0:04] Customer: Hi, I posted my renewal a month ago and nothing has come back.
[0:10] Agent: Postal renewals are a different unit, I'll send you over.
[0:14] Customer: Hold on, that's the third department today and every one of you says it's someone else's!
[0:24] Agent: I can't see it from here. Sending you over now.
[0:27] Customer: Are you serious? Do not...
[0:29] Agent: [call disconnected]
"""
    result = analyse_text(text, classifier)
    assert len(result.escalations) == 1
    assert result.escalations[0].outcome == "deteriorated"
    assert result.escalations[0].trigger == "transfer_handoff"


def test_early_signs_that_never_settle_before_an_outburst_are_where_it_began(classifier: TriggerClassifier) -> None:
    text = """[0:04] Agent: Thanks for calling, how can I help?
[0:08] Customer: Hi. My power bill is an estimate again and it's way over what we use.
[0:20] Agent: I'm sorry about that. Have you sent a meter reading recently?
[0:27] Customer: This is the fourth time I've rung about this. Every time someone takes the reading and nothing changes.
[0:40] Agent: I'm so sorry, I understand how frustrating that is. Let me look at the account myself.
[0:50] Customer: Okay.
[0:53] Agent: Can you confirm the postcode?
[0:56] Customer: It's AB1 2CD.
[0:59] Agent: And the first line of the address?
[1:02] Customer: Twelve Mill Lane.
[1:05] Agent: I can raise a review of the estimates, it takes about three weeks.
[1:15] Customer: Three weeks? No. This is ridiculous. I'm done with this, I want a formal complaint lodged today.
[1:30] Agent: I'll log that now and email you the reference.
[1:40] Customer: No. I think you've done enough.
"""
    analysis = analyse_text(text, classifier)
    # Without settling in between, the early signs were not prevented: they are where it began.
    assert [(f.kind, f.time_s, f.outcome) for f in analysis.escalations] == [("escalation", 27.0, "deteriorated")]


def test_sarcastic_praise_is_not_settling_and_a_flare_up_is_not_a_second_flag(classifier: TriggerClassifier) -> None:
    text = """[0:00] Agent: Thanks for calling Northwind Energy, how can I help?
[0:07] Customer: My boiler has been broken since Tuesday and I need an engineer.
[0:20] Agent: The earliest slot is next Thursday, between eight and six.
[0:30] Customer: Next Thursday? That's ridiculous, I've a baby in the house and no hot water. This is unacceptable.
[0:45] Agent: I can put a note on to flag you as a priority.
[0:52] Customer: A note. Brilliant. And who's going to read it?
[1:00] Agent: The scheduling team check them every morning.
[1:08] Customer: This is a joke. I want to speak to a manager, this is absolutely ridiculous.
[1:20] Agent: I'll ask my team leader to call you back today.
[1:30] Customer: Fine. Whatever.
"""
    analysis = analyse_text(text, classifier)
    assert [f.kind for f in analysis.escalations] == ["escalation"]
    assert analysis.escalations[0].time_s == 30.0
    assert analysis.escalations[0].outcome == "deteriorated"


UNSETTLED_THEN_HANGUP = """[0:00] Agent: Thanks for calling Lakeside Credit Union, how can I help?
[0:06] Customer: My card was declined at the supermarket and there's money in the account.
[0:15] Agent: The card has a fraud hold. I'll need to transfer you to the fraud team to release it.
[0:25] Customer: No. Don't transfer me. I've been transferred twice already tonight and the last one hung up on me. I've been on the phone forty minutes.
[0:40] Agent: I'm sorry, I can't release a fraud hold from here. It has to go through that department.
[0:52] Customer: Then why did they send me to you.
[1:00] Agent: I don't have notes on the previous calls. The fraud team is the right team.
[1:12] Customer: That's what the last person said.
[1:20] Agent: I can give you their direct number.
[1:30] Customer: I see.
[1:40] Agent: Before I transfer you, which card is it?
[1:52] Customer: The one ending 4471.
[1:58] Agent: Thank you. The wait for the fraud queue is about twenty-five minutes.
[2:04] Customer: I've got a baby in the car.
[2:12] Agent: Once you're through it should be quick.
[2:30] Customer: No. Forget it. I'll go to the branch in the morning and close the account.
[2:38] Agent: Ma'am, if you'd just let me... Ma'am? Are you there?
"""


def test_a_hang_up_after_an_escalation_the_caller_never_settled_from_is_how_it_ended(
    classifier: TriggerClassifier,
) -> None:
    # Over a minute of flat, unsettled answers between the outburst and the hang-up: one escalation,
    # deteriorated, not a recovered one and a second flag.
    analysis = analyse_text(UNSETTLED_THEN_HANGUP, classifier)
    assert [(f.kind, f.time_s, f.outcome) for f in analysis.escalations] == [("escalation", 25.0, "deteriorated")]


EARLY_SIGNS_THEN_THREAT = """[0:00] Agent: Thanks for calling Northfield Broadband, you're through to Dan.
[0:05] Customer: Internet keeps dropping out. Every night, seven o'clock, same as last time.
[0:15] Agent: Okay, could you switch the router off at the wall for thirty seconds for me?
[0:24] Customer: No. No, I'm not doing that again. This is the third time I've called about this.
[0:34] Agent: I understand, I'm sorry. Let me look at the line history for you.
[0:50] Customer: Fine.
[1:05] Agent: The earliest engineer slot is the twenty-third.
[1:15] Customer: The twenty-third. It's the ninth today.
[1:30] Agent: I can put a note on the account as well.
[1:40] Customer: Right.
[1:55] Agent: Is there anything else?
[2:05] Customer: If it's not sorted by the weekend it's going to Ofcom. I'll sort it myself.
[2:15] Agent: I'm sorry to hear that."""


def test_early_signs_the_caller_never_settled_from_end_in_their_threat(classifier: TriggerClassifier) -> None:
    # Not early signs "prevented" and then a second escalation: one run that ended in a threat.
    analysis = analyse_text(EARLY_SIGNS_THEN_THREAT, classifier)
    assert [(f.time_s, f.outcome) for f in analysis.escalations] == [(24.0, "deteriorated")]


def test_a_caller_who_thanked_the_agent_in_between_escalated_twice(classifier: TriggerClassifier) -> None:
    settled = UNSETTLED_THEN_HANGUP.replace(
        "[2:04] Customer: I've got a baby in the car.", "[2:04] Customer: Okay, thanks for explaining, that's fair."
    )
    analysis = analyse_text(settled, classifier)
    assert [f.time_s for f in analysis.escalations] == [25.0, 150.0]


def test_anger_in_the_register_of_a_complaint_letter_is_escalated_speech() -> None:
    raw, _, markers = score_customer_turn(
        "Madam, I wish to place on record that this response is wholly unsatisfactory. "
        "I did not port this policy to be told that my father is a new customer."
    )
    assert {"formal", "rebuke"} <= markers.keys() and raw >= HIGH


@pytest.mark.parametrize(
    "text",
    [
        "Oh, the twenty-sixth. Lovely. That's date number four now, isn't it?",
        "No. I think you've done enough.",
        "Well thanks for nothing then.",
    ],
)
def test_sarcasm_in_plain_words_is_read_as_sarcasm(text: str) -> None:
    assert "sarcasm" in score_customer_turn(text)[2]


@pytest.mark.parametrize(
    "text",
    [
        "Great. Can I also ask, the pool at Danforth, is it still closed?",
        "Lovely, thank you. Is that the same email as before?",
        "Perfect. Another thing, can you update my address too?",
        "Great. Nobody is home till six, so after that please.",
        "Brilliant. I've never had it sorted this fast, honestly.",
        "No, you've done enough for me today, really.",
    ],
)
def test_a_pleased_great_before_a_question_is_not_sarcasm(text: str) -> None:
    assert "sarcasm" not in score_customer_turn(text)[2]


def test_an_apology_for_earlier_anger_is_not_anger_now() -> None:
    raw, _, markers = score_customer_turn("okay fine thank you suresh sorry i was little angry but three times yaar")
    assert "anger" not in markers and raw < WARN


FORMAL_APOLOGY = """[0:00] Agent: Good morning, Sahyadri Bank, how may I help you?
[0:08] Customer: Yesterday I added a beneficiary and today the transfer to the hospital is blocked.
[0:20] Agent: Sir, for the first twenty-four hours after adding a beneficiary the maximum is fifty thousand.
[0:32] Customer: But it is my own money only. My father is in ICU, they want the deposit before ten. How can I wait twenty-four hours? This is not fair.
[0:48] Agent: Sir, I am very sorry to hear about your father. Let me see how we can get the hospital paid in time.
[1:00] Customer: Okay.
[1:10] Agent: Your brother is a joint holder, he can do the transfer at the branch at ten.
[1:22] Customer: Okay, that is good. He can go.
[1:30] Agent: I've put a note for the branch manager.
[1:38] Customer: Okay madam, thank you.
"""


def test_i_am_very_sorry_is_an_agent_stepping_in(classifier: TriggerClassifier) -> None:
    analysis = analyse_text(FORMAL_APOLOGY, classifier)
    assert [(f.kind, f.time_s, f.outcome) for f in analysis.escalations] == [("prevented", 32.0, "prevented")]


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("Oh. Nobody told me that. So it's the doctor's office that needs to send it?", False),
        ("Aney, that is good. Nobody told me that before.", False),
        ("Nobody told me the flight was cancelled, I found out at the gate.", True),
        ("I was promised a call back on Monday and nobody rang.", True),
    ],
)
def test_nobody_told_me_that_is_news_not_a_broken_promise(text: str, broken: bool) -> None:
    assert ("broken_promise" in score_customer_turn(text)[2]) is broken


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, can I just finish a sentence? That's the third time you've cut across me.",
        "You keep cutting me off and I haven't even said what I need.",
        "Brian. Brian. Can you let me finish? You keep jumping in. I'm not asking about IELTS.",
    ],
)
def test_being_talked_over_is_about_the_agents_conduct(text: str) -> None:
    raw, _, markers = score_customer_turn(text)
    assert "conduct" in markers and raw >= HIGH


def test_a_chain_of_praise_before_the_complaint_is_sarcasm() -> None:
    assert (
        "sarcasm"
        in score_customer_turn("Tomorrow at ten to five. Great. Outstanding. So I'll just live here, then.")[2]
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm fully able to pay the balance today.",
        "Could you put it on record that I called today?",
        "I'm perfectly able to come in tomorrow morning.",
    ],
)
def test_plain_requests_are_not_complaint_letter_anger(text: str) -> None:
    markers = score_customer_turn(text)[2]
    assert "formal" not in markers and "rebuke" not in markers


def test_a_whole_undiarised_call_in_one_turn_is_scored_without_stalling() -> None:
    # VADER reads the ends of a very long turn; the cue patterns are bounded. No timing assert:
    # this only has to finish, and find the cue at the end.
    text = "Right. Okay. " * 8000 + "This is absolutely ridiculous."
    raw, _, markers = score_customer_turn(text)
    assert "outrage" in markers and raw >= HIGH


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I've got enduring power of attorney for my mum, we did it last year.", "threat"),
        ("I'd like to find out how to make a formal complaint for him, I'm not sure of the process.", "threat"),
        ("The driver left it next door and he said it was ridiculous, bless him.", "outrage"),
        ("My husband said it was ridiculous, but honestly I just want it sorted.", "outrage"),
        ("Last month I phoned because you'd taken two payments, and honestly I was absolutely raging.", "anger"),
        ("Just the refund, please. I'm not angry, I just don't want anyone else caught out.", "anger"),
        ("Yes, I'll send it. Okay. Thank you, Hamza. Sorry, I was very angry.", "anger"),
        ("Sorry I was really rude to you earlier, it's been a long day.", "conduct"),
        ("Good morning. I'm calling to lodge a formal complaint, our president asked me to read the letter.", "threat"),
        (
            "Told him I was taking you all to small claims, told him I'd be calling the papers. I'm not proud of it.",
            "threat",
        ),
        ("That was the flood. I was furious, I'm not going to lie to you. I'm not proud of it.", "anger"),
        ("no seriously your install guy holy shit that oak is good he was on the roof at seven", "profanity"),
        ("please do man that guy deserves a raise a fucking big one sorry for the language", "profanity"),
        ("Oh, hell yes. Row two? That's freaking awesome, you're the best. Holy crap.", "profanity"),
        ("My boss told me on a Friday afternoon. I wanted to strangle him. Joke lang, joke lang.", "outrage"),
        ("The last crowd I had out, back in the autumn, I was absolutely raging with them.", "anger"),
        ("I was absolutely livid, I rang them and gave that poor girl an earful, and then I felt terrible.", "anger"),
        (
            "oh my god holy shit sorry sorry i didn't mean to swear at you that's like the best news all year",
            "profanity",
        ),
        ("Are you kidding me? Front row? Shit, that's amazing, she's gonna lose her mind!", "disbelief"),
        ("I'll try it after. Sorry for going at you at the start there, I'd just had it up to here.", "anger"),
        ("the heating is back on thank you so much i was really angry i am sorry i was shouting at you", "anger"),
        ("Sorry. I'm just so angry with myself, I should have booked him in last month.", "anger"),
        ("Honestly I'm such an idiot, I typed the wrong postcode in.", "insult"),
        ("She's not gone all anxious. Fucking brilliant, sorry, pardon my French, but it was.", "profanity"),
        ("My solicitor in Manchester says the seller wants to exchange by the twentieth.", "threat"),
        ("Last August we sat in the queue for three hours. I was absolutely fuming that day.", "anger"),
        ("He said about forty a month. Fine, whatever, she's a new driver, I get it.", "hangup"),
        (
            "Years back, this is, ooh, twenty fifteen, we put our old dog in a place up Ulverston way. And we come "
            "back and she'd got kennel cough, and they'd lost her lead and her blanket, and I went round there "
            "and I was absolutely fuming.",
            "anger",
        ),
    ],
)
def test_words_that_are_someone_elses_or_from_another_day_are_not_cues(text: str, cue: str) -> None:
    _, _, markers = score_customer_turn(text)
    assert cue not in markers


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I'll be speaking to my attorney about this.", "threat"),
        ("This is ridiculous, he said it would be here Tuesday.", "outrage"),
        ("I was absolutely raging when I opened this bill and I still am.", "anger"),
        ("I want to make a formal complaint and I want it done today!", "threat"),
        ("I'm telling you now, I'm taking you to small claims.", "threat"),
        ("This is fucking ridiculous. Your installer left a hole in my roof.", "profanity"),
        ("I've had it up to here with you lot.", "anger"),
        ("I'm so angry with you people, nobody has rung me back.", "anger"),
        ("I'm not an idiot, I know what I ordered.", "insult"),
    ],
)
def test_the_callers_own_words_today_still_count(text: str, cue: str) -> None:
    _, _, markers = score_customer_turn(text)
    assert cue in markers


def test_someone_elses_words_in_quotes_are_not_the_callers_heat() -> None:
    quoting = 'My dad spotted it first. He kept saying, "These people are robbing us! Useless, the lot of them!" Anyway, can you send the right one?'
    raw, _, markers = score_customer_turn(quoting)
    assert raw < WARN and not {"outrage", "exclamation"} & markers.keys()
    # The same words said by the caller are.
    raw, _, markers = score_customer_turn("These people are robbing us! Useless, the lot of them!")
    assert raw >= HIGH and "outrage" in markers


def test_asking_whether_the_agent_is_listening_is_about_the_agent(classifier: TriggerClassifier) -> None:
    text = "I asked a very specific question. Are you actually listening, or are you just reading off your script?"
    _, _, markers = score_customer_turn(text)
    assert "conduct" in markers
    rules, _ = classifier.rule_hits([ContextTurn(text, 1.0)], "")
    assert max(rules, key=rules.get) == "agent_conduct"


def test_a_letter_read_out_is_the_writers_heat_not_the_callers() -> None:
    letter = (
        "Right, here it is. Dear Sir or Madam, I am writing to express my absolute fury at your disgraceful "
        "service. It is a shambles! Yours faithfully, Mrs Doreen Pike. That's the letter, she wants it on file."
    )
    raw, _, markers = score_customer_turn(letter)
    assert raw < WARN and not {"outrage", "anger", "exclamation"} & markers.keys()
    # The caller's own words after the letter still count.
    raw, _, markers = score_customer_turn(letter + " And frankly I'm livid too, this is a disgrace.")
    assert raw >= HIGH
    # "My dear sir" opens the caller's own outburst, not a letter.
    raw, _, markers = score_customer_turn("My dear sir, this is an absolute disgrace and I am livid!")
    assert raw >= HIGH and "anger" in markers


STORY = """\
[0:00] Agent: Morning, Parcel Direct, this is Ama. How can I help?
[0:05] Customer: Hi Ama. Okay, funny story, I'm going to try and tell this without laughing.
[0:12] Agent: Go on, I'm intrigued.
[0:15] Customer: So your driver left my parcel with the neighbour's goat. The goat! I was furious at first, I was ready to write you the angriest email of all time!
[0:30] Agent: Oh no, I'm so sorry.
[0:34] Customer: It ate half the box! My dog food's in a field! Honestly, I'm still laughing about it.
[0:44] Agent: I'll send a replacement out today, it'll be with you tomorrow before noon.
[0:52] Customer: Perfect, thank you, and maybe tell the driver about the goat.
"""


def test_a_mishap_told_as_a_funny_story_is_not_an_escalation(classifier: TriggerClassifier) -> None:
    result = analyse_text(STORY, classifier)
    assert result.escalations == []
    assert "funny story" in result.note


def test_a_funny_story_that_ends_in_a_manager_demand_is_still_flagged(classifier: TriggerClassifier) -> None:
    angry = STORY.replace(
        "Honestly, I'm still laughing about it.",
        "Honestly, I'm still laughing about it. But I want a manager right now, this is ridiculous!",
    )
    # The story rule alone: it must not swallow a run that ends in a demand (the flag check is its own test).
    assert analyse_text(angry, classifier, flag_check=None).escalations


def test_hilarious_said_in_sarcasm_is_not_a_funny_story(classifier: TriggerClassifier) -> None:
    call = """\
[0:00] Agent: Good morning, Northwind Energy, this is Sam.
[0:04] Customer: Hi. My meter reading was rejected again, so you've estimated me at four hundred pounds.
[0:12] Agent: I'm afraid the system rejects readings that don't match the expected range.
[0:19] Customer: Oh, that's hilarious. Honestly hilarious. Third time I've rung about this, it's a joke.
[0:28] Agent: I understand. I can raise it with the metering team.
[0:33] Customer: You said that last week. This is ridiculous, absolutely ridiculous.
"""
    assert analyse_text(call, classifier).escalations


@pytest.mark.parametrize(
    ("text", "settles"),
    [
        ("I want to cancel. That's all I rang for. Can you do that or not?", False),
        ("That's all I want, my money back.", False),
        ("Okay, that's all I needed, thanks.", True),
        ("Right, that's all I wanted to check.", True),
    ],
)
def test_that_is_all_i_rang_for_is_insisting_not_settling(text: str, settles: bool) -> None:
    turn = Turn(0, "customer", 0.0, 4.0, text)
    assert analysis._settling(TurnScore(turn, 0.3, 0.3, {})) is settles


CURT_GOODBYE = """[0:00] Agent: Thanks for calling Rand Motor Finance, this is Sipho.
[0:06] Customer: I need a settlement letter for my car, I've sold it.
[0:14] Agent: The settlement figure includes three months' interest as an early settlement penalty.
[0:24] Customer: Three months' interest for paying you early? That's daylight robbery. Let me speak to your manager.
[0:36] Agent: My manager would tell you the same, it's in the agreement.
[0:45] Customer: Fine. Send the letter. I'm disputing it.
[0:52] Agent: I'll email it now. Anything else I can help with?
[0:58] Customer: No. Thanks."""


def test_a_curt_no_thanks_is_not_a_recovery(classifier: TriggerClassifier) -> None:
    analysis = analyse_text(CURT_GOODBYE, classifier)
    assert [f.outcome for f in analysis.escalations] == ["deteriorated"]


@pytest.mark.parametrize(
    ("text", "settles"),
    [
        ("Oh, brilliant. So now it's threats. Lovely.", False),
        ("No. Thanks.", False),
        ("No, thank you, that's everything. You've been brilliant.", True),
        ("Oh brilliant, thank you so much.", True),
    ],
)
def test_sarcastic_praise_and_a_curt_no_thanks_do_not_settle(text: str, settles: bool) -> None:
    turn = Turn(0, "customer", 0.0, 4.0, text)
    assert analysis._settling(TurnScore(turn, 0.0, 0.0, {})) is settles


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("Cable. Same as I told the last two people. It's in your notes. Read the notes.", "repeat_contact"),
        (
            "please check properly miss because every time i am telling the same story from the beginning",
            "repeat_contact",
        ),
        ("No, I won't. I've run it for you twice.", "repeat_contact"),
        ("good morning miss this is about my motor claim i have called already two times", "repeat_contact"),
        ("Forty-two minutes I holding, you know. Forty-two.", "lost_time"),
        ("And last Tuesday wunna say somebody would call me back, and nobody call.", "broken_promise"),
        ("A link about managing my account. You hearing yourself? I asking you a simple question.", "disbelief"),
        ("So why am I standing outside your gym with my bag like a fool for two days?", "outrage"),
        ("two hundred dollars to leave wunna trying to hold me hostage or what", "outrage"),
        ("If that turnstile doesn't open, I am asking for the branch manager.", "supervisor"),
        ("Well I'd appreciate that, because I'm about at the end of me tether.", "anger"),
    ],
)
def test_cold_and_regional_wordings_of_escalation_cues_are_read(text: str, marker: str) -> None:
    assert marker in score_customer_turn(text)[2]


@pytest.mark.parametrize(
    "text",
    [
        "Ah, go on. Can you not make an exception? Don't make me ask for your supervisor, ha.",
        "The whole family was home, nobody could call out, the signal was gone.",
    ],
)
def test_a_joked_supervisor_and_a_bare_nobody_could_are_not_cues(text: str) -> None:
    markers = score_customer_turn(text)[2]
    assert "supervisor" not in markers and "broken_promise" not in markers


def test_a_near_miss_told_with_thanks_is_not_anger() -> None:
    text = (
        "Seven-seven-four-one-two. Got it. Thanks, Sam, that's a relief, honestly, I was about to lose it at my laptop."
    )
    raw, _, markers = score_customer_turn(text)
    assert raw < WARN and "anger" not in markers
    assert "anger" in score_customer_turn("I'm about to lose it with you people.")[2]


@pytest.mark.parametrize(
    "text",
    [
        "Yes, child. Last year somebody get hold of my card and take out near three thousand dollars at a ATM. And I "
        "call, and I call, and one young man tell me is probably my grandson do it! Then they put me on hold an hour "
        "and the line drop. I was real vex then, I tell you. But that done now. I just want my card.",
        "Last year the engineer never came, I waited in all day and took the day off work for nothing. I was fuming "
        "at the time. But that's all behind us now.",
    ],
)
def test_an_old_story_the_caller_closes_as_over_carries_no_cues(text: str) -> None:
    raw, _, markers = score_customer_turn(text)
    assert raw < WARN
    assert not {"lost_time", "broken_promise"} & markers.keys()


@pytest.mark.parametrize(
    "text",
    [
        "Oh you fuckin' beauty. Sorry. Sorry, language. You found me dad's rods.",
        "Fuck me dead. Oh mate. I could kiss ya.",
    ],
)
def test_swearing_for_joy_in_australian_english_is_not_anger(text: str) -> None:
    raw, _, _ = score_customer_turn(text)
    assert raw < WARN


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("I want you to know that I have phoned this line four times about the same claim.", "repeat_contact"),
        ("And every time somebody tells me it is being processed.", "repeat_contact"),
        ("Forty-five minutes I've been sat here listening to that saxophone music.", "lost_time"),
        ("Then write this on your note, since writing notes is what you people do.", "disbelief"),
        ("thursday again i took half day leave today this is the third time you all reschedule", "repeat_contact"),
    ],
)
def test_repeat_calls_to_this_line_and_waits_sat_through_are_read(text: str, marker: str) -> None:
    assert marker in score_customer_turn(text)[2]


@pytest.mark.parametrize(
    "text",
    [
        "yes morning my name is mrs chipo mutasa you people installed my inverter system in march",
        "Three years back, I bought a fridge from you people, the double-door one.",
    ],
)
def test_you_people_naming_the_company_is_not_disbelief(text: str) -> None:
    assert "disbelief" not in score_customer_turn(text)[2]


def test_swearing_then_apologising_for_it_is_joy() -> None:
    raw, _, _ = score_customer_turn("Oh my days. Shut up. That's fucking mad, bruv. Sorry, sorry for swearing.")
    assert raw < WARN


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        (
            "i know la i call last week i call on monday i call on wednesday every time same thing you all say",
            "repeat_contact",
        ),
        (
            "Is this the right number for leaving? Because I've been given three different numbers this morning.",
            "handoff",
        ),
        ("and the last one cut me off when they were putting me through", "handoff"),
    ],
)
def test_calls_in_the_present_tense_and_being_given_numbers_are_read(text: str, marker: str) -> None:
    assert marker in score_customer_turn(text)[2]


def test_leaving_it_is_not_leaving_the_company() -> None:
    assert (
        "cancel" not in score_customer_turn("No, I think I'll leave it, then. I'll listen on the radio as before.")[2]
    )


def test_dropping_a_side_request_is_not_a_hang_up() -> None:
    assert "hangup" not in score_customer_turn("No, forget it. Not important.")[2]
    assert "hangup" in score_customer_turn("Forget it. I'm hanging up.")[2]


CONDUCT_CALL = """\
[0:01] Agent: Sunfold Solar, Kieran speaking.
[0:05] Customer: My battery's been showing an orange light for a week and it's only storing half of what it should.
[0:15] Agent: Every system's different. I can book a technician, but there's a call-out fee of a hundred and forty-nine dollars.
[0:25] Customer: You're gonna charge me to check if your own install is broken? Six weeks in? Are you serious?
[0:33] Agent: Sir, there's no need to get worked up. If you just calm down I can explain.
[0:39] Customer: Don't tell me to calm down, mate. You've talked over me three times and now you're telling me to calm down. Unbelievable.
[0:48] Agent: I'm only trying to help.
[0:51] Customer: No, you're not. I'm putting this on every review site I can find.
[1:01] Agent: That's your choice. Did you want me to book the technician or not?
[1:06] Customer: {last}
"""


def test_a_curt_dismissal_with_a_cheers_is_not_a_recovery(classifier: TriggerClassifier) -> None:
    dismissed = analyse_text(CONDUCT_CALL.format(last="Yeah, nah. Not with you. Cheers."), classifier, flag_check=None)
    assert dismissed.escalations and dismissed.escalations[0].outcome == "deteriorated"


def test_being_put_on_hold_for_a_supervisor_ends_it_deteriorated(classifier: TriggerClassifier) -> None:
    call = CONDUCT_CALL.format(last="Then I want your supervisor.") + (
        "[1:10] Agent: The reference is C-X seven seven one four. Please hold for the next available supervisor.\n"
        "[1:18] Customer: Thank you. I'll wait.\n"
    )
    result = analyse_text(call, classifier, flag_check=None)
    assert result.escalations and result.escalations[0].outcome == "deteriorated"
