"""Detectors read an answer the way a coach would, and point at the words they relied on."""

from __future__ import annotations

from rubrics.detectors import DETECTORS, Anchors, Context, numbers_in

NONE = Anchors()


def run(kind: str, text: str, customer: str = "", config: dict | None = None, embed=None):
    return DETECTORS[kind](Context(text, customer_line=customer, embed=embed), config or {}, NONE)


def test_emotion_named_matches_the_customers_feeling():
    d = run("emotion", "I can hear how worried you are about your pension.", "I'm really worried about my pension.")
    assert d.score == 1.0
    assert "worried" in d.evidence[0].text


def test_feelings_named_in_idioms_are_named():
    customer = "Four calls, a debt collector's letter, and still nobody has closed the account!"
    for text in [
        "I can hear you're at your wits' end, and I'm not surprised.",
        "It sounds like you're at the end of your tether with this.",
        "Yeah, I'd be over it too after four calls.",
        "That must have been a horrible shock, finding the letter.",
    ]:
        assert run("emotion", text, customer).score == 1.0, text
    assert run("emotion", "You need to get over it, the letter is automatic.", customer).score == 0.0


def test_feelings_in_everyday_and_regional_words_are_named():
    customer = "I'm so cross. Third call, and still nobody has rung me back about the £60."
    for text in [
        "I'd be cross too, three calls and no call back.",
        "You must be scunnered with us by now.",
        "It sounds like you feel completely ignored, and I can see why.",
        "You have every right to be vexed, coming in three times with the same papers.",
        "You've every right to be raging after taking the afternoon off.",
        "You have every reason to be disgusted: this is your third message.",
        "Two no-shows, and you're done being patient. That's completely fair.",
        "I'd feel played with too.",
    ]:
        assert run("emotion", text, customer).score == 1.0, text
    shocked = "I opened a bill for £1,260. It's normally £90. I felt sick."
    assert run("emotion", "I can hear it's been a real shock.", shocked).score == 1.0
    assert run("emotion", "That's so embarassing, with everyone watching.", "I'm so embarrassed.").score == 1.0
    assert run("emotion", "Please cross-check the reference for me.", customer).score == 0.0


def test_what_is_at_stake_shows_worry_and_tears_show_sadness():
    customer = "The boiler's been dead since Sunday, no heating for four days, and my mum is on oxygen. Nobody's come."
    assert run("emotion", "I can hear how worried you must be about your mum.", customer).score == 1.0
    teary = "Sorry, I'm a bit teary. I've just moved in and there's £300 of someone else's debt on the meter."
    assert run("emotion", "Oh, that's so sad to walk into, please don't apologise.", teary).score == 1.0
    assert run("emotion", "That sounds infuriating.", teary).score == 0.6
    # Money at risk or an account broken into is fear, even when it comes with exclamation marks.
    hospital = (
        "i sent 780,000 to my brother yesterday and he has not received anything!!! this is hospital money pliz help me"
    )
    assert run("emotion", "I can hear how worried you are, with this being hospital money.", hospital).score == 1.0
    hacked = "someone changed my wifi password and the account email. i didnt do this!! is my account hacked??"
    assert run("emotion", "That's alarming, and I can hear how worried you are.", hacked).score == 1.0
    assert (
        run("emotion", "I can hear how worn down you are.", "I'm not even angry any more. I'm just tired.").score == 1.0
    )


def test_emotion_generic_and_mismatched_are_partial():
    assert run("emotion", "I'm sorry for the inconvenience.", "I'm so angry!").score == 0.6
    # She said she was worried; calling it frustration misses what she feels.
    assert (
        run("emotion", "That sounds really frustrating.", "I'm really worried they'll close my account.").score == 0.6
    )


def test_dismissing_the_feeling_is_not_naming_it():
    assert run("emotion", "No need to be upset, it's just a billing error.", "I'm upset!").score == 0.0
    assert run("emotion", "Don't worry, it's automatic.", "I'm worried.").score == 0.0
    assert run("emotion", "I'm afraid we can't do that.", "I'm angry.").score == 0.0


def test_forbidden_phrases_are_evidence_with_offsets():
    text = "Calm down, sir. As I already said, it's billed per line."
    d = run("forbidden", text)
    assert d.score == 0.0
    quotes = [(e.text, e.start, e.end) for e in d.evidence]
    assert ("Calm down", 0, 9) in quotes
    assert any(q[0].lower().startswith("as i already said") and text[q[1] : q[2]] == q[0] for q in quotes)
    assert run("forbidden", "I'm sorry, let me put this right now.").score == 1.0


def test_passing_the_blame_is_defensive():
    for text in [
        "That's not actually us, that's the account services team.",
        "The timing of the payment would be down to your employer rather than us.",
        "Our drivers are independent contractors, so it's their insurance.",
        "I'm just the switchboard, so I couldn't tell you.",
        "Refunds are not issued for partial months.",
    ]:
        assert run("forbidden", text).score == 0.0, text
    # Owning it is not passing it on.
    for text in [
        "It's on us to put this right.",
        "That's down to us, and I'm sorry.",
        "It's not me who'll decide, it's you.",
    ]:
        assert run("forbidden", text).score == 1.0, text


def test_order_acknowledgement_must_come_first():
    first = run("order", "I'm sorry, that's frustrating. Let me refund the charge now.")
    late = run("order", "Let me refund the charge now. I know it's frustrating.")
    excuse = run("order", "The courier had delays in your area. Sorry about that.", "My order is late.")
    assert first.score == 1.0
    assert late.score == 0.0 and "refund" in late.evidence[0].text
    assert excuse.score == 0.0


def test_hearing_them_and_what_they_are_dealing_with_come_first():
    tired = "I'm not even mad anymore. I'm just tired. Six weeks of dropping out every time it rains."
    answer = "I can hear that, you sound really worn out, and six weeks of it would wear anybody down. I'm sorry."
    assert run("order", answer + " I'm booking an engineer for Monday.", tired).score == 1.0
    snowed = "Snowed in since Sunday and your dish says no signal. I need it for my prescriptions."
    answer = (
        "That's a lot to deal with, and I can hear you're worried about your prescriptions. I'm sending an engineer."
    )
    assert run("order", answer, snowed).score == 1.0


def test_restatement_needs_the_customers_specifics():
    customer = "This is the third time I'm calling about the same $40 charge! I've been charged twice."
    assert run("restatement", "So you were charged $40 twice, and this is your third call?", customer).score == 1.0
    assert run("restatement", "So you have a problem with your bill?", customer).score == 0.6
    assert run("restatement", "Can I have your account number?", customer).score == 0.0


def test_their_problem_framed_as_said_back_in_other_words_is_a_general_restatement():
    customer = "My suitcase didn't arrive on BA 217 on Sunday and I've spent $280 on clothes."
    d = run(
        "restatement",
        "So just to confirm, your bag is delayed and you've had some expenses, is that correct?",
        customer,
    )
    assert d.score == 0.6 and d.evidence[0].text.startswith("So just to confirm")
    # "Right?" after a jibe is not a check-back.
    assert run("restatement", "So basically you didn't read the terms. Right?", customer).score == 0.0


def test_how_things_work_in_general_is_not_their_problem_said_back():
    customer = "My suitcase never came off the flight from Dubai and I've got nothing to wear for a wedding."
    assert (
        run("restatement", "Suitcases are usually found within five days. Have you done the form?", customer).score
        == 0.0
    )
    assert run("restatement", "Flights from Dubai are subject to delays at this time of year.", customer).score == 0.0
    # Their own case, told in the same words, still counts.
    assert run("restatement", "So your suitcase never came off the Dubai flight.", customer).score > 0.0


def test_an_impersonal_rule_is_not_their_problem_said_back(embed):
    config = {"synonym_threshold": 0.7}
    for customer, answer in (
        (
            "My new bank card still isn't at the branch and I've come in twice for it!",
            "Cards are produced centrally and sent to branches in batches.",
        ),
        # A word said back in other words inside a rule is no echo either: "speeds" for the customer's "speed".
        (
            "why does my speed test say 3 mbps when im paying for 50",
            "speeds are not guaranteed and depend on congestion. have u tried restarting ur modem",
        ),
    ):
        assert run("restatement", answer, customer, config, embed).score == 0.0, answer
    customer = "My new bank card still isn't at the branch and I've come in twice for it!"
    assert run("restatement", "So your card still isn't at the branch.", customer, config, embed).score > 0.0


def test_a_sentence_framed_as_said_back_is_a_restatement_even_with_a_challenging_phrase():
    customer = "I booked the 10:15 to Mgarr for a van, paid 58 euro, and they turned me away. I never picked car!"
    answer = (
        "Let me just say it back so I've got it right. You booked the ten-fifteen to Mgarr, paid fifty-eight "
        "euros, for a van, and you're sure you picked van. Is that right?"
    )
    assert run("restatement", answer, customer).score == 1.0
    assert run("restatement", "You're sure you picked van? Because the booking says car.", customer).score < 1.0


def test_asking_the_customer_to_do_something_is_not_restating():
    customer = "My router keeps dropping the internet every evening, I work from home!"
    assert run("restatement", "can you restart the router again and check", customer).score == 0.0
    assert run("restatement", "Please unplug the router for thirty seconds.", customer).score == 0.0
    assert run("restatement", "So the router drops the internet every evening.", customer).score > 0.0


def test_a_check_back_that_names_the_system_is_still_their_problem_said_back():
    customer = "I was told last week my upgrade to the P1,799 plan was approved. Today your system says declined!"
    answer = "Sir, so just to confirm, you were told the upgrade was approved, but then the system declined it - is that right?"
    d = run("restatement", answer, customer)
    assert d.score == 0.6 and "upgrade" in d.found[0]


def test_their_words_without_their_figures_is_a_general_restatement():
    customer = "You've put my direct debit up from £98 to £241 a month without any warning."
    words_only = "So your direct debit has gone up and you weren't given any warning, is that right?"
    with_figure = "So your direct debit went up to £241 without any warning, is that right?"
    assert run("restatement", words_only, customer).score == 0.6
    assert run("restatement", with_figure, customer).score == 1.0
    # With no figure to echo, the customer's own words are their specifics.
    assert run("restatement", words_only, "You've put my direct debit up without any warning.").score == 1.0


def test_their_figure_inside_a_defence_is_not_their_problem_said_back():
    customer = "My first bill is £47, your salesman told me £29.99 a month!"
    defended = "The £47 is the £29.99 plan plus installation, it's all in the contract you signed."
    assert run("restatement", defended, customer).score == 0.6
    assert run("restatement", "So your first bill came to £47, not the £29.99 you were told?", customer).score == 1.0


def test_a_defensive_sounding_phrase_inside_their_problem_said_back_is_not_a_defence():
    customer = "I paid £1,500 to a builder and now the bank's telling me it was a scam and I'm not covered."
    said_back = (
        "So you transferred £1,500 to a builder that turned out to be a scam, and you've been told you're not covered."
    )
    assert run("restatement", said_back, customer).score == 1.0
    # An explanation that opens the same way is still one.
    customer = "My bill went up from $89 to $146 and nobody told me!"
    explained = "So the reason your bill went up to $146 is your promotion ended, it's in the agreement you signed."
    assert run("restatement", explained, customer).score == 0.6


def test_concreteness_levels():
    assert run("concreteness", "I'm refunding the duplicate $40 charge right now.").score == 1.0
    assert run("concreteness", "I can try to get the charge reversed.").score == 0.6
    assert run("concreteness", "A refund will be issued.").score == 0.6
    assert run("concreteness", "We'll look into it and get back to you.").score == 0.1
    assert run("concreteness", "I can't refund that.").score == 0.0


def test_a_day_or_two_and_within_the_week_are_vague_timeframes():
    for text in [
        "Should be within the week.",
        "It'll show as credit on your meter, usually in the next day or two.",
        "The bill will be adjusted next cycle.",
    ]:
        assert run("timeframe", text).score == 0.5, text
    assert run("timeframe", "You'll have it within 2 days.").score == 1.0


def test_an_action_on_a_condition_or_to_find_out_is_hedged():
    for text in [
        "If there's a known fault I'll get you credit for the days you've been without.",
        "I'm gonnae phone them and find out what's happening.",
        "I'll ring the depot to see where it is.",
    ]:
        assert run("concreteness", text).score == 0.6, text
    assert run("concreteness", "If you can stay on the line, I'll refund the $40 now.").score == 1.0


def test_what_the_agent_sees_and_what_hangs_on_the_paperwork_are_not_firm_actions():
    assert run("concreteness", "I can see your order for 2 away tickets for the 12th.").score == 0.0
    assert run("concreteness", "And if it said all-in, I'll remove the materials charge by Friday.").score == 0.6


def test_a_rebuke_or_noting_the_complaint_is_no_action():
    assert run("concreteness", "As I already explained on the last call, the fee stands.").score == 0.0
    assert run("concreteness", "Sir, calm down please. I will note your complaint.").score == 0.1
    assert run("concreteness", "I'll refund the fee now, as I explained.").score == 1.0
    stop = "Right, let me stop you there. The overpayment was explained in the letter we sent in June."
    assert run("concreteness", stop).score == 0.0
    assert run("concreteness", "I'll stop the direct debit today.").score == 1.0


def test_were_is_not_we_are_unless_a_verb_in_ing_follows():
    # "were sent" is someone else's past action, not the agent's own; typed "were sending" is "we're sending".
    assert run("concreteness", "A lot of students don't read the instructions that were sent out.").score == 0.0
    assert run("concreteness", "were sending you a new router today").score == 1.0


def test_timeframe_specific_vague_and_past():
    assert run("timeframe", "You'll see it by 5 pm today.").score == 1.0
    assert run("timeframe", "It will be fixed within 48 hours.").score == 1.0
    assert run("timeframe", "I'll call you on Tuesday.").score == 1.0
    assert run("timeframe", "You should see it soon.").score == 0.5
    assert run("timeframe", "You were charged on the 14th.").score == 0.0


def test_an_action_done_as_the_agent_speaks_is_done_now():
    assert run("timeframe", "i've reversed the 40tk waiting fee just now and flagged the driver").score == 1.0
    assert run("timeframe", "I have corrected the pin for your home address now.").score == 1.0
    assert run("timeframe", "There are a lot of outages right now.").score == 0.0
    assert run("timeframe", "I've been here since eight, just now got your file.").score == 0.0


def test_a_ring_back_a_rebooked_day_and_a_review_time_are_next_steps():
    for text in [
        "I've chased it with the courier. As soon as they come back to me I'll give you a ring.",
        "I've rebooked it for you, erm, so it'll be Friday.",
        "Yes, our driver safety team reviews every report within 48 hours and takes action.",
    ]:
        assert run("next_step", text).score == 1.0, text


def test_checks_understanding_and_next_step():
    assert run("understanding", "So you were charged twice?").score == 1.0
    assert run("understanding", "What's your postcode?").score == 0.0
    assert run("next_step", "You'll get an email confirming it.").score == 1.0
    assert run("next_step", "Thanks for holding.").score == 0.0
    # What arrives and what the agent's team does next, in the customer's words.
    assert run("next_step", "Your replacement bank card will be in the post by Friday.").score == 1.0
    assert run("next_step", "We'll pick it up from your porch on Monday.").score == 1.0


def test_the_process_ahead_is_a_next_step_and_being_told_to_wait_is_not():
    for text in [
        "I've requested the credit. It can take between 5 and 10 working days to land.",
        "Your appeal goes to the adjudicator and they reply within 28 days.",
        "You'll have to submit it again.",
    ]:
        assert run("next_step", text).score == 1.0, text
    for text in [
        "As I said, finance processes refunds in batches, you'll just have to wait.",
        "It's with your bank. You should have checked with them first.",
        # Only waiting, with nothing to do or look out for after it.
        "Give it 48 hours.",
        "It's all in hand, give it 48 hours.",
    ]:
        assert run("next_step", text).score == 0.0, text
    assert run("next_step", "Give it a couple of hours and try restarting the router.").score == 1.0


def test_voice_is_not_assessed_for_typed_answers():
    config = {"feature": "pause_s", "bands": [[None, 0.5, 0.0], [0.5, None, 1.0]]}
    assert DETECTORS["voice"](Context("Okay."), config, NONE).score is None
    spoken = DETECTORS["voice"](Context("Okay.", voice={"pause_s": 1.4}), config, NONE)
    assert spoken.score == 1.0


def test_numbers_match_across_spellings():
    values = {v for v, _, _ in numbers_in("forty dollars, twice, the fifteenth, $40 and 3 times")}
    assert {40, 2, 15, 3} <= values


def test_spoken_and_grouped_amounts_read_as_one_number():
    # ASR writes amounts out; "six hundred" is 600, not a six, and "$1,140" is not a one.
    assert [v for v, _, _ in numbers_in("six hundred dollars")] == [600]
    assert [v for v, _, _ in numbers_in("one hundred and twelve pound")] == [112]
    assert [v for v, _, _ in numbers_in("a bill for $1,140 and forty five pence")] == [1140, 45]


def test_semantic_detector_uses_examples(embed):
    config = {"positive": ["I'm so sorry, I can hear how upset you are."], "threshold": 0.5}
    hit = run("semantic", "I really do hear how upset you are, I'm sorry.", config=config, embed=embed)
    miss = run("semantic", "Your account number is required.", config=config, embed=embed)
    assert hit.score == 1.0 and hit.evidence
    assert miss.score == 0.0


DEFENSIVE_FAMILIES = [
    "Refunds go through finance, which isn't my department.",  # sending it elsewhere
    "The hold is released by your bank, not by us.",
    "The system shows the plan as active, so the payments were correct.",  # the company was right
    "Honestly, you're not the only one this has happened to this week.",  # minimising
    "Well, bags go astray at every airline, it's hardly unique to us.",
    "Right. You should really have called us sooner though.",  # blame, with a filler inside
    "The first one bounced, so technically the second charge was correct.",
    "Signed for by someone at your address, apparently.",  # doubt
    "I could raise a complaint, if you really feel it's necessary.",
    "There's no need to speak to me like that.",  # correcting the tone
    "You'll have to take that up with the courier.",
    "Just so you're aware, our system did email you a link.",  # a correction dressed as information
    "It'll be sorted when it's sorted.",
    "If someone had been in on Friday it would've been delivered.",
    "The flight delays were outside of our control, I'm afraid.",  # disowning it
    "You should have had a reminder email about the renewal last month.",  # you were told
    "The booking conditions do state that seats can change.",
    "The late fee was applied correctly because it cleared on the 4th.",
    "Failed payments normally happen when customers change banks.",
    "The venue sells its own tickets, so I'd suggest calling them directly.",  # elsewhere, politely
    "Please coordinate with your employer about the missing premium.",
    "Actually the second amount is just a hold, it drops off by itself.",  # correcting with the records
    "I'm not seeing any record of that call on our system.",
    "As per company process the card is blocked for security reasons.",  # hiding behind the process
    "I'm just following the procedure here, sir.",
    "The delay is with the hospital, that's not on us.",
    "Weather delays aren't something the airline can control.",
    "Usually these lockouts happen when customers share their code.",
    "The fee is in the welcome pack you received when you joined.",
    "There's a delay on the vendor system, it's not on our side ma'am.",
    "Technician visits depend on area availability, it is not in our hands.",
    "Putting the driveway back is actually the contractor's job, not ours.",
    "As was already explained to you on your previous calls, the promo ended last month.",
    "That's how the plan works sir, it's definately in the terms.",
    "Upon checking sir, the fee is valid as per the system.",
    "The offer comes from the valuation guides, so that's the figure we have to go by.",
    "Unfortunately we can only refund within thirty days.",
    "You must just be patient.",
    "You've already been told this twice.",
    "There's nothing I can do about last night. Your card's unblocked now anyway.",
]
NOT_DEFENSIVE = [
    "You shouldn't have had to call back about it.",
    "That's not your fault at all, and I'm fixing it now.",
    "You should have been told about the fee, I'm sorry.",
    "You're being charged for something you didn't sign up for.",
    "Unfortunately the part is out of stock, so I'm ordering it from the warehouse today.",
    "You should have received the refund by now, I'm so sorry it hasn't arrived.",
    "That was completely outside your control, and I'm sorting it now.",
    "That's R1,596 you shouldn't have paid, and I'm refunding all of it now.",
    "Kindly allow me one minute while I check both debits.",
    "Oh no, that's definitely not right! Let me pull up your account.",
    "So you reported your income on the 8th and the payment's been cancelled anyway. I'm restoring it now.",
    "Three calls about a $1,275 bill you shouldn't have is a lot of stress, and I can hear it.",
    "One of them is only a pending authorisation. Kindly wait 3-5 business days.",
    "So you transferred £1,500 to a builder and you've been told you're not covered. I'm reopening the claim now.",
]


def test_defensive_families_are_caught_and_quoted():
    for text in DEFENSIVE_FAMILIES:
        d = run("forbidden", text)
        assert d.score == 0.0, text
        for span in d.evidence:
            assert text[span.start : span.end] == span.text


def test_sympathy_and_firm_facts_are_not_defensive():
    for text in NOT_DEFENSIVE:
        assert run("forbidden", text).score == 1.0, text


def test_an_offer_is_hedged_unless_it_is_specific():
    assert run("concreteness", "I can book a meter reading.").score == 0.6
    assert run("concreteness", "I can credit back the $29 now.").score == 1.0


def test_passing_it_to_another_team_is_hedged_unless_the_agent_owns_it_now():
    # Someone else decides the result: the owner of the fix is unclear.
    assert run("concreteness", "I'll raise a refund request with the billing team.").score == 0.6
    assert run("concreteness", "I'm going to escalate it to the repairs manager.").score == 0.6
    assert run("concreteness", "I'm escalating it to the repairs manager right now.").score == 1.0
    assert run("concreteness", "I'll submit the claim for you myself.").score == 1.0
    assert run("concreteness", "I'll chase the assessor about it.").score == 0.6
    assert run("concreteness", "I'll pass this to our delivery investigations team.").score == 0.6
    assert run("concreteness", "I'm gonna pass this over to the adjudication team.").score == 0.6
    # Handed to nobody in particular: not an action at all.
    assert run("concreteness", "I've passed this on to the relevant team.").score < 0.6


def test_an_action_that_waits_on_someone_else_is_hedged():
    for text in [
        "I can refund the $42 express fee once my supervisor approves it.",
        "I'm going to raise a credit for the £240 today. It does need my team leader to approve it.",
        "I'll send your three adverts to the engineer for a re-review.",
        "I'll send the claim to the adjuster's manager.",
        "I'll email the processing officer for an update.",
        "I'll update you when I hear back.",
    ]:
        assert run("concreteness", text).score == 0.6, text
    assert run("concreteness", "I'm refunding the $42 express fee now.").score == 1.0
    assert run("concreteness", "I'll send you a replacement card today.").score == 1.0
    # "Adjuster" is who, not what: no action here.
    assert run("concreteness", "The adjuster's manager is on leave.").score == 0.0


def test_removing_a_charge_or_restarting_a_payment_is_an_action():
    assert run("concreteness", "I'm taking that fee off the account myself now.").score == 1.0
    assert run("concreteness", "I'm going to restart your payment myself today.").score == 1.0
    assert run("concreteness", "I'm going to get that pulled back today.").score == 1.0
    assert run("concreteness", "I'll get that sorted for you.").score < 1.0


def test_swapping_or_rebilling_is_an_action():
    assert run("concreteness", "I'm swapping you into a four-door today, it'll be ready by 3.").score == 1.0
    assert run("concreteness", "If you give me the reading now, I'll rebill you this afternoon.").score == 1.0


def test_a_month_named_may_does_not_hedge_the_next_sentence():
    text = "So you were charged twice after cancelling in May. I'm refunding both payments now."
    assert run("concreteness", text).score == 1.0


def test_taking_the_companys_side_is_defensive():
    for text in [
        "To be fair, you only sent the form in yesterday.",
        "Estimated bills always come out high when you don't send in your meter readings, so that's why.",
        "Well I can't see any payment from you, so it must be on your bank's end.",
        "Sir, I need you to lower your tone before we go any further.",
        "Results take a few weeks, that's stated on the booking form.",
        "Engineers are very busy at the moment. Someone will be in touch.",
    ]:
        assert run("forbidden", text).score == 0.0, text
    # The customer's complaint said back is not sarcasm about staff.
    assert run("forbidden", "So the technician never came, and I'm booking another for Saturday.").score == 1.0


def test_an_amount_inside_the_agents_own_action_is_only_mentioned():
    customer = "Your outage cost me a day's work and I was promised a £30 credit."
    assert run("restatement", "I'm putting the £30 credit on now.", customer).score == 0.6
    assert run("restatement", "So you were promised a £30 credit after the outage?", customer).score == 1.0


def test_timeframes_that_are_not_commitments():
    assert run("timeframe", "Give it 48 hours.").score == 1.0
    assert run("timeframe", "We hope to have the parts in the next couple of weeks.").score == 0.5
    assert run("timeframe", "Is there anything else I can help you with today?").score == 0.0
    assert run("timeframe", "You should have updated your address. I can't do anything about it now.").score == 0.0
    assert run("timeframe", "We'll get back to you soon about the money gone since Tuesday.").score == 0.5


def test_deadlines_states_and_past_dates_are_not_when_it_will_be_fixed():
    # The customer's deadline under a rule.
    assert run("timeframe", "Delay Repay claims must be submitted through the website within 28 days.").score == 0.0
    assert run("timeframe", "Policy terms require notification within 24 hours.").score == 0.0
    # How things stand now.
    assert run("timeframe", "There's a lot of outages right now so you'll just have to be patient.").score == 0.0
    assert run("timeframe", "As of right now the thousand dollar deductible applies to the claim.").score == 0.0
    # When something went wrong, even in an answer that promises something.
    assert run("timeframe", "I can see the router was promised on the 5th and it still hasn't come.").score == 0.0
    assert (
        run("timeframe", "I can see the card was stopped on the 3rd, I can't say if it will be refunded.").score == 0.0
    )
    # Still a commitment.
    assert run("timeframe", "I'm refunding the $40 right now.").score == 1.0
    assert run("timeframe", "I've booked the engineer and they will come on the 5th.").score == 1.0
    assert run("timeframe", "You need to do nothing, I'll call you back by 5 pm.").score == 1.0


def test_a_calm_opening_can_greet_listen_or_say_their_situation_back():
    customer = "The engineer never came on Monday and I've been without heating for four days with a newborn."
    for text in [
        "Sorry to hear that. Let me look at the booking.",
        "Thanks for staying patient with us. I'll find out what happened.",
        "Ma'am, I am hearing you, and I am staying on the line with you.",
        "Four days without heating with a newborn. Let's get someone out.",
        # A title's full stop does not end the first sentence.
        "Mr. Baptiste, I'm listening. Let me look at the booking.",
    ]:
        assert run("calm_opening", text, customer).score == 1.0, text
    # The customer's own words, in an argument, are not a reflection.
    argued = "Heating engineers never come on Mondays because of the backlog."
    assert run("calm_opening", argued, customer).score == 0.0


def test_a_listening_noise_is_read_with_what_follows_and_owning_the_mistake_settles():
    customer = "You've charged me twice for October. Twice! And my rent is due."
    for text in [
        "Mm. Okay, I'm sorry you've had to ring about this.",
        "[pause] Mm. Okay... take your time, I'm listening.",
        "Sawa. I hear you, and I know rent can't wait.",
        "That's on us, full stop. I'm reversing the second payment now.",
        "I won't argue with you on that one at all. We got it wrong.",
        "Aw, that's lovely to hear, thank you.",
    ]:
        assert run("calm_opening", text, customer).score == 1.0, text
    for text in [
        "Mm. Well, actually, the second charge is your deposit.",
        "Sorry!! Let me get your account up.",
    ]:
        assert run("calm_opening", text, customer).score == 0.0, text


def test_the_contract_another_company_or_a_threat_to_hang_up_is_defensive():
    for text in [
        "As per clause 7 of the service agreement, the contract auto renews unless cancelled.",
        "Kindly be informed that gas top-ups are chargeable as per our price list.",
        "I can log a fault, although I can't promise anything as that's up to openreach.",
        "Outages are managed by the distributor not by Merri Creek Energy.",
        "Well, I'm not responsible for what the other agents said.",
        "I need you to stop shouting or I'll have to end the call.",
        "The debt's valid until you can prove otherwise.",
    ]:
        assert run("forbidden", text).score == 0.0, text
    for text in [
        "It's up to you which day suits, I'll book it now.",
        "It can take up to 28 days, so I'm refunding it myself today.",
    ]:
        assert run("forbidden", text).score == 1.0, text


def test_sending_someone_to_look_or_sending_a_request_is_hedged():
    for text in [
        "I'll arrange for the technician to check on it.",
        "I'm going to send the installation supervisor down to have a look at the wall.",
        "Let me check with the team whether we can do a partial refund for the one unit.",
        "I can send a request to have the concession re-checked against Centrelink.",
    ]:
        assert run("concreteness", text).score == 0.6, text
    assert run("concreteness", "I'll send an engineer to replace the screen on Tuesday.").score == 1.0
    # Ending the call is not a resolution.
    assert run("concreteness", "Stop shouting or I'll have to end the call.").score == 0.0


def test_cranky_sian_and_gutting_name_a_feeling():
    for text, customer in [
        ("Yeah, fair enough you're cranky, mate.", "I'm pretty cranky. Third call about the solar credits."),
        ("Four times calling, I also would be sian.", "Aiyo, I'm so sian already. I call four times."),
        ("Aw no, that's gutting, sorry.", "Honestly I'm gutted. I missed the whole match."),
    ]:
        assert run("emotion", text, customer).score == 1.0, text


def test_chat_and_spoken_sympathy_openers_come_first():
    customer = "i ordered on the 2nd, you took £60 set up fee, router never arrived. 3rd time ive messaged."
    text = "omg so sorry, a 3rd message and still no router, thats really frustrating!! ill get a new one sent out asap"
    assert run("order", text, customer).score == 1.0
    worried = "I'm really worried. I've just lost my job and the gas bill's $740 and it's due on the 20th."
    text = (
        "Okay. Thank you for ringing us before the due date, I know that's not an easy call to make, and I can hear "
        "how worried you are. I'm putting you on our hardship program myself right now."
    )
    assert run("order", text, worried).score == 1.0


def test_a_time_inside_the_rule_quoted_at_the_customer_is_not_a_timeframe():
    text = "As per clause 7 of the service agreement, the contract auto renews unless cancelled 30 days before."
    assert run("timeframe", text).score == 0.0
    assert run("timeframe", "As per the agreement, I'm refunding the $480 within 30 days.").score == 1.0


def test_a_general_rule_with_may_need_to_is_not_their_problem_said_back():
    customer = "The engineer left a cable across my front garden and it's been there 11 days. I've rung three times."
    assert (
        run("restatement", "engineers may need to return to complete works. i have raised a ticket", customer).score
        == 0.0
    )


def test_the_customers_age_is_who_they_are_not_a_specific_the_restatement_needs():
    customer = (
        "Sorry to bother you. I'm 78, my husband passed away in April and all the bills were in his name. I've just "
        "had a letter saying the account's being closed and I have to reapply with a credit check."
    )
    text = (
        "So the account's in his name, and the letter says it's being closed and you'd have to reapply with a "
        "credit check. You won't need to do that."
    )
    assert run("restatement", text, customer).score == 1.0


def test_short_acknowledgements_and_the_customers_situation_said_first_count_as_first():
    refund = "The $600 refund for the cancelled install was promised on May 3rd. It's June 10th."
    assert run("order", "Understood. Refund processed - $600 back to your Visa as of right now.", refund).score == 1.0
    roaming = "I'm worried. I'm flying Friday and my roaming add-on couldn't be processed."
    assert run("order", "totally get it, nobody wants a surprise bill. i'll add the roaming now.", roaming).score == 1.0
    outage = "Our business line was down Saturday, our busiest day. I lost maybe two thousand dollars."
    text = "Yeah, that's a big hit. I can put in a request for a service credit today."
    assert run("order", text, outage).score == 1.0
    calls = "Two weeks I'm waiting for your refund of Ksh 3,800. I called on the 2nd, the 6th and today."
    text = "Three calls in two weeks and the same answer every time, I'd be fed up too. I've approved it myself now."
    assert run("order", text, calls).score == 1.0


def test_sending_someone_out_before_the_apology_is_a_fix_first():
    customer = "Your crew cut through my sprinkler line and my backyard is a swamp. I'm furious."
    text = "Okay so, uh, we'll get someone out to cap that line. And, um, I'm sorry you're upset about it."
    assert run("order", text, customer).score == 0.0


def test_the_terms_the_site_and_someone_elses_discretion_are_defensive():
    for text in [
        "Passengers are supposed to be at the stage thirty minutes before departure, it's there in the terms.",
        "Sir, we are not responsible for connecting flights, it is clearly written on the ticket.",
        "Our technicians' windows are estimates only, as stated in your confirmation email.",
        "Same-day is, um, subject to availability, it does say that on the site.",
        "The part is on order with the manufacturer and unfortunately we can't control their shipping times.",
        "Seats may be reassigned at the conductor's discretion. Your feedback has been noted.",
        "maybe someone in your compound received it? pls check with your neighbours.",
        "Returns take time to process as per our return policy.",
    ]:
        assert run("forbidden", text).score == 0.0, text
    plan = "I'm calling the truck driver now and telling him to drop your cargo at our depot, he passes through there tonight anyway."
    assert run("forbidden", plan).score == 1.0


def test_the_gist_is_a_check_and_no_worries_names_no_worry():
    text = (
        "So the igniter was replaced Monday for $340 and the tech pushed a new furnace on her. Is that the gist of it?"
    )
    from rubrics.detectors import CHECK_RX

    assert CHECK_RX.search(text.lower())
    customer = "I'm not angry, I'm just confused and kind of worried. My bill is $310."
    assert (
        run("emotion", "hi! no worries at all. I've put a $220 credit on your account just now.", customer).score < 1.0
    )


def test_a_fix_reported_done_is_firm_and_sending_somebody_or_finding_out_is_hedged():
    assert run("concreteness", "Understood. Refund processed - $600 back to your Visa as of right now.").score == 1.0
    assert run("concreteness", "The fee is non-refundable once an order has been processed.").score == 0.0
    for text in [
        "I can get someone out tomorrow.",
        "We'll have someone come pick it up soon.",
        "I'm going to call the store manager now, while you're on the line, and we'll find out where it is.",
        "I'm going to pass this on to his supervisor.",
    ]:
        assert run("concreteness", text).score == 0.6, text
    assert run("concreteness", "I'll pass this on to the accounts team.").score < 0.6


def test_a_rebuke_does_not_void_the_promised_time_but_a_rule_does():
    text = "Okay, so, as I said, the port is with the other carrier now, it should go through by tomorrow morning, like by 9."
    assert run("timeframe", text).score == 1.0
    assert (
        run(
            "timeframe",
            "We'll collect it. Please make sure the bins are out by 7am in future, it's stated on the website.",
        ).score
        < 1.0
    )


def test_blaming_what_the_customer_did_not_do_and_disowning_control_are_defensive():
    for text in [
        "The thing is, the cancellation wouldn't have gone through unless you'd sent the router back.",
        "But just so you know, if you had restarted it like the SMS said, it might have come back on.",
        "just to be clear, we never guarantee rebate submissions, the customer is responsible for submitting.",
        "your case is with the fraud team, we follow the process. I cant give timelines as that is not in my control.",
    ]:
        assert run("forbidden", text).score == 0.0, text


def test_stung_cut_off_and_done_with_this_name_the_feeling():
    customer = "Nine years with you and my neighbour pays fifteen dollars less. I'm fed up and done with this."
    for text in [
        "Oh, that's... yeah, I'd feel pretty stung too.",
        "You must feel really cut off and forgotten, and that shouldn't have happened.",
        "Totally fair to be done with this.",
    ]:
        assert run("emotion", text, customer).score == 1.0, text


def test_noting_the_issue_is_vague_and_the_customers_own_window_is_no_timeframe():
    text = "I have noted the condensate line issue. A technician will be in touch to arrange a follow-up visit."
    assert run("concreteness", text).score < 1.0
    text = "you are right the letter says you can leave free within 30 days of the letter. when was the letter dated?"
    assert run("timeframe", text).score == 0.0
