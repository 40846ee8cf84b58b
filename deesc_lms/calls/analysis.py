"""Escalation analysis of one call: frustration curve, escalation moments, stage, outcome, review.

Plain Python over `Turn`s (no database): the service turns Utterances into Turns, runs
`analyse_turns`, and stores the result. Every threshold lives here, named, with the reason.

How a call is read
- Each customer turn gets a frustration score in 0..1 from its words (VADER negativity plus
  intensity markers: repetition, "third time", a supervisor demand, a threat to cancel, profanity,
  exclamations, shouting in capitals) and, when audio gave loudness and speech rate against the
  caller's own baseline, from the voice.
- The curve is a leaky average of those scores over time, so one sharp word is a blip and a run of
  angry turns is a climb.
- An escalation is a run of agitated customer turns whose peak crosses HIGH; its moment is the
  first turn of the run at HIGH (where a listener hears it tip over). A run that only reaches WARN,
  with at least one intensity marker, followed by the agent stepping in and the customer settling,
  is a prevented escalation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from deesc_lms.calls.agitation import AgitationModel, TurnContext, default_model
from deesc_lms.calls.flag_check import FlagCheck, default_check
from deesc_lms.calls.models import fmt_mss
from deesc_lms.calls.triggers import UNKNOWN, ContextTurn, TriggerClassifier, TriggerResult, normalise

# --- thresholds -------------------------------------------------------------------------------
HIGH = 0.5  # a customer turn at or above this is escalated speech
WARN = 0.3  # early signs: agitated, not yet escalated
MARKER_FLOOR = 0.15  # a prevented escalation needs intensity markers, not only negative words
EPISODE_GAP_S = 75.0  # three times this of calm customer speech always ends a run, whatever was said
SETTLE_S = 45.0  # two calm customer turns spanning this long end a run
MAX_FLAGS = 8  # a two-hour call can hold several; past this they are noise for a coach
WORDS_PER_SECOND = 2.6  # speaking rate used to place untimed transcript lines in time
CURVE_HALF_LIFE_S = 45.0
# Trigger context: customer turns up to this far back, their weight halving every half-life.
CONTEXT_TURNS_BACK = 3
CONTEXT_MIN_WORDS = 5
CONTEXT_WINDOW_S = 150.0
CONTEXT_HALF_LIFE_S = 40.0
# Runs this close together with no settling between are one event (see _merge_unsettled).
MERGE_UNSETTLED_S = 60.0
# ...and a supervisor demand, threat or hang-up within this long of an escalation (or early signs) the
# caller never settled from is how that run ended, not a second one.
MERGE_ENDING_S = 150.0
_ENDING_MARKERS = frozenset({"supervisor", "threat", "hangup"})
# A run to flag: (kind, its customer-turn indexes into the scores, the anchor's index (see _build), the next run's start).
_Plan = tuple[str, list[int], int, int | None]
EARLIER_AGENT_WINDOW_S = 60.0  # the agent turn before the one before the moment counts if this recent
# Agitated customer turns this close before the first escalated one are where the escalation began.
ONSET_GAP_S = 60.0
PEAK_TIE = 0.02  # early-sign turns this close to the run's peak are equally strong: the first is the moment

# --- lexical cues ------------------------------------------------------------------------------
# (name, weight, pattern). A turn's score combines its cues as a noisy-OR, 1 - prod(1 - w): one
# medium cue alone reads as an early sign (WARN), two together or one strong cue as escalation.
# Each name counts once per turn, so a rant that says "ridiculous" five times is not five times
# as angry. Written for ASR output too: lowercase, no punctuation.
STRONG, MEDIUM, MILD = 0.5, 0.3, 0.15
HEDGED_RISING = (
    r"\b(getting)( (a bit|a little|quite|really|rather|pretty))? (annoyed|stressed|upset|angry|fed up|irritated|wound up|worked up|cross|impatient)\b"
    r"|\b(starting|beginning) to( really)? (get( a bit| a little| quite)? (annoyed|angry|stressed|fed up|wound up|cross)|lose|wind me up|grate|annoy|irritate)"
    r"|\b(a bit|a little|a tad|slightly|somewhat) (fed up|wound up|cross|annoyed|irritated|impatient|worked up)\b"
)
_HEDGED_RE = re.compile(HEDGED_RISING, re.IGNORECASE)
_NEWS_RE = re.compile(
    r"\b(nobody|no one|no.one)( ever)? (told|tell|mentioned|said) (me )?(that|this|about (that|this|it))( before| until now)?(?=\s*([.,!?]|$|so\b|but\b))",
    re.IGNORECASE,
)
# Cue words that are someone else's, or the caller's from another day: "I've got power of attorney",
# "he said it was ridiculous", "last month I was absolutely raging" (and now it's sorted).
_NOT_A_THREAT_RE = re.compile(
    r"\b((enduring|lasting|durable|general) )?power of attorney\b|\battorney.in.fact\b"
    # The caller's own conveyancer or lawyer at work on something else: "my solicitor says the seller wants to
    # exchange by the twentieth" reports the deal, it does not threaten the agent with one.
    r"|\bmy (solicitor|lawyer|attorney|conveyancer)( \w+){0,3}? (says|said|tells me|told me|wants|needs|is asking|asked)\b"
    r"(?! (you|your|that you|that your|this is|it.?s (illegal|unlawful)))",
    re.IGNORECASE,
)
# "Fine, whatever, she's a new driver, I get it": giving in on a point, not ending the call.
_GIVING_IN_RE = re.compile(
    r"\bfine[,.]? whatever\b(?=[^.!?]{0,60}\bi (get|understand) (it|that)\b)"
    # Dropping a side request, not the call: "No, forget it. Not important."
    r"|\bforget it\b(?=[.,!]?\s*(it.?s |that.?s )?(not important|doesn.?t matter|no big deal|not a big deal|no matter)\b)",
    re.IGNORECASE,
)
_REPORTED_RE = re.compile(
    r"\b((?i:he|she|they|my (husband|wife|partner|son|daughter|dad|mum|mom|father|mother|neighbou?r|boss|friend))|[A-Z][a-z]+)"
    r" (?i:said|says|told me|called it|thought|reckoned|reckons|was like)( that)?( it| this| that| the \w+)?"
    r"( was| is|.s| were| had been)?( absolutely| totally| just| so| a| an| bloody| really)*( \w+){1,2}",
)
# "I was (really) angry": anger the caller reports, past once something marks it as over.
_I_WAS_ANGRY = r"\bi was( absolutely| so| really| real| bloody| just| quite| a bit)* (raging|furious|livid|fuming|angry|seething|cross|fed up|vex(ed)?)\b"
_PAST_ANGER_RE = re.compile(
    # The pluperfect is a state already over: "sorry for going at you, I'd just had it up to here".
    r"\bi.?d (just |really |simply )?(had (it up to here|enough)|been (so |really |absolutely )?(angry|furious|fed up|raging|fuming|livid))\b|"
    # A near miss told afterwards: "thanks, that's a relief, I was about to lose it at my laptop".
    r"\bi was (just |so |this |that )?(about|going|ready|close) to (lose it|lose my (mind|temper|rag|patience))\b|"
    + _I_WAS_ANGRY
    + r"(?=.{0,250}\b(not proud of|looking back|in hindsight|at the time|back then|felt (terrible|awful|bad|guilty))\b)|"
    r"\b(last (week|month|year|time)|(a|two|three|few|couple of) (weeks|months|days|years) ago|at the time|back then|"
    r"(\w+ )?years (back|ago)|ages ago|way back|back in the day|last (january|february|march|april|may|june|july|"
    r"august|september|october|november|december|summer|winter|spring|autumn|christmas|easter)|"
    r"back in (the )?(spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|(19|20)\d\d)|in (19|20)\d\d|the last (crowd|company|lot|firm|provider|supplier|shower|one))\b.{0,260}"
    + _I_WAS_ANGRY
    + "|"
    + _I_WAS_ANGRY
    + r".{0,60}\b(last (week|month|year|time)|at the time|back then|that (day|night|time))\b"
    # Owning it with an apology: "i was really angry i am sorry i was shouting at you".
    + "|"
    + _I_WAS_ANGRY
    + r"(?=[,.]?\s*(and )?(i.?m|i am)? ?(so |very |really )?sorry\b)",
    re.IGNORECASE,
)
# A story the caller closes as over: "...and the line drop. I was real vex then, I tell you. But that done
# now. I just want my card." What the story says (the hour on hold, the calls) is another day's.
_STORY_OVER_RE = re.compile(
    r"^.*("
    + _I_WAS_ANGRY
    + r" (then|at the time|back then)\b|\bbut (that.?s|that is|that|it.?s|it is) (all )?(done|over|sorted|behind (me|us)|"
    r"in the past|water under the bridge)( now)?\b)",
    re.IGNORECASE | re.DOTALL,
)
_STORY_CUES = ("anger", "outrage", "lost_time", "broken_promise", "repeat_contact", "handoff")
# The caller's own threat from another day: "told him I was taking you all to small claims".
_PAST_THREAT_RE = re.compile(
    r"\b(told|said to|warned) (him|her|them|the \w+|your \w+|everyone)( that)? (i was|i.?d|i would)\b[^.!?]{0,80}",
    re.IGNORECASE,
)
# Swearing for joy: "holy shit, that oak is good", "he deserves a raise, a fucking big one".
_JOYFUL_RE = re.compile(
    r"\b(deserves? (a raise|a medal|a promotion|a bonus)|(so|just|really) (excited|happy|chuffed|stoked|thrilled)|sorry (for|about) (the|my) language|"
    r"(is|was|are|were) (so |bloody |really )?(good|great|brilliant|amazing|fantastic|incredible|lekker|awesome)|champions?|legend|"
    r"(that.?s|this is|it.?s) (so |just |freaking |frigging |bloody |damn |fucking )?(awesome|amazing|brilliant|fantastic|incredible|the best)|"
    r"you.?re (the best|a star|a lifesaver|an angel)|(hell|heck) (yes|yeah)|(gonna|going to) lose (her|his|their|my) mind|"
    r"(the )?best news|(pardon|excuse) (my|the) (french|language)|"
    r"(bloody|fucking|freaking|frigging|effing|damn) (brilliant|amazing|awesome|fantastic|gorgeous|beautiful|lovely|perfect)|"
    r"(you |what a )?(fuckin.?|fucking|bloody|effing) (beauty|ripper|legend|champion)|sorry[,.]? (sorry[,.]? )?language|sorry[,.]? (sorry )?for (the )?swearing|"
    r"(i )?could (kiss|hug) (you|ya))\b",
    re.IGNORECASE,
)
# "I'm not angry, I just think...": the caller ruling the feeling out.
_NOT_FEELING_RE = re.compile(
    r"\b(not|never|n.t) (really |at all |even |that |too )?(angry|upset|cross|mad|furious|annoyed|fuming|livid|raging|fed up)\b",
    re.IGNORECASE,
)
# Someone else's words in quotes ('He was saying, "These people will kill me! Thieves!"'): not the caller's heat.
_QUOTED_RE = re.compile(r"\"[^\"\u201c\u201d]{12,}\"|\u201c[^\u201c\u201d]{12,}\u201d")
# A letter read out to the agent ("Dear Sir or Madam, I am writing to express my absolute fury... Yours
# sincerely"): the writer's heat, in the writer's register, not the caller's on this call.
# A letter has its opening and either its closing or "I am writing to" straight after: "My dear sir,
# this is outrageous!" is the caller's own.
_LETTER_OPENING = r"\b(dear (sir|madam|sirs|sir or madam|sir/madam|mr|mrs|ms|miss|dr)\b|to whom it may concern)"
_LETTER_CLOSING = r"\byours,? (\w+ )?(sincerely|faithfully|truly)\b[^.!?]*[.!?]?"
_LETTER_RE = re.compile(
    _LETTER_OPENING
    + r".*?"
    + _LETTER_CLOSING
    + r"|"
    + _LETTER_OPENING
    + r"(?=.{0,60}?\b(i am|i.?m|we are|we.?re) writing\b|[,.]?\s*i write\b).*?("
    + _LETTER_CLOSING
    + r"|$)",
    re.IGNORECASE | re.DOTALL,
)
# Anger at oneself: "I'm so angry with myself", "I'm so stupid", "kicking myself". Not at the agent.
_SELF_ANGER_RE = re.compile(
    r"\b(angry|mad|furious|cross|annoyed|fuming|livid|raging|fed up|frustrated) (with|at) (myself|meself)\b"
    r"|\b(i.?m|i am|i was|i.?ve been) (so |such an? |a bit |an absolute |a complete |just )?(stupid|idiot|eejit|muppet|fool)\b"
    r"|\b(kicking|could kick) myself\b|\bmy own (stupid )?fault\b",
    re.IGNORECASE,
)
# "Joke lang", "only joking": the caller taking back what they just said.
_KIDDING_RE = re.compile(
    r"\b(joke lang|just (a )?joke|only (a )?joke|(just|only) (joking|kidding)|i.?m (just |only )?(joking|kidding)|jk|lol)\b",
    re.IGNORECASE,
)
# The caller telling a mishap as a funny story: "I'm going to try to tell this without laughing", "funny
# story", "no, laugh!". Anger words and exclamations nearby are the story's, not the call's.
_AMUSED_RE = re.compile(
    r"\b(i.?m|i am|we.?re|we are|i was|i keep|i.?ve been) (still |just |actually |honestly )?(laughing|giggling|in stitches|crying laughing|creasing up)\b"
    r"|\bwithout (laughing|giggling|cracking up)\b|\bfunny story\b|\bit gets (good|better)\b|\b(no,? )?laugh[!,]"
    # Not "hilarious" alone: "oh, that's hilarious, third time I've rung" is sarcasm.
    r"|\b(ha ?){2,}\b",
    re.IGNORECASE,
)


def others_words_removed(text: str) -> str:
    """The caller's own words: quoted speech and a letter read out are someone else's."""
    return _LETTER_RE.sub(" ", _QUOTED_RE.sub(" ", text))


CUES: list[tuple[str, float, str]] = [
    (
        "profanity",
        STRONG,
        r"\b(fuck\w*|f\*+\w*|shit\w*|s\*+t|bullshit|crap|goddamn|pissed off|wtf|screw (you|this)|for (god|christ|heaven).?s sake)\b",
    ),
    (
        "outrage",
        STRONG,
        r"\b(ridiculous|unacceptable|outrageous|disgrace\w*|disgusting|pathetic|useless|incompetent|appalling|absurd|insane|unbelievable|shocking|atrocious|diabolical|shambles|scam|rip.?off|ripped off|robbery|liars?|joke|runaround|run.around|heartless|cruel)\b|\b(a|complete|total|absolute|utter) (con|farce|circus)\b|\b(taken|taking me|take me) for (a|an) (mug|ride|fool|idiot)\b|\bmugged off\b|\b(hold|holding|held) (me|us) (hostage|to ransom)\b|\blike (a|an|some) (fool|idiot|mug|muppet|lemon|beggar|criminal)\b|\b(is|it.?s|that.?s|total|absolute|complete|utter) (junk|rubbish|garbage|trash)\b",
    ),
    (
        "anger",
        STRONG,
        r"\b(furious|livid|angry|fuming|outraged|seething|sick (of|and tired)|fed up|had enough|beyond frustrat\w+|extremely frustrat\w+|had a gutful|gutful|vexed|raging|cheesed off|hacked off|brassed off|ticked off|pissed|(at|reached) the end of (my|me) tether|had it up to here|beside myself|(at|reached) (my|me) wits.? end|at the end of my rope|(it.?s|this is|what) an? (absolute|total|complete|living)? ?nightmare|lose it|losing my (mind|patience|temper|rag))\b",
    ),
    (
        "supervisor",
        STRONG,
        r"\b(speak|talk|put me through|put me on|connect me|transfer me|get me|find me|give me|i want|i need|let me (speak|talk)|(i.?m|i am|i.?ll|i will|i.?m going to) ask(ing)? for|demand(ing)?)\b.{0,25}\b(supervisor|manager|someone senior|someone in charge|your boss|someone higher up|team leader|someone who can|somebody who (can|does)|somebody with)\b|\b(supervisor|manager)\b.{0,10}\b(now|right now|immediately)\b|\bescalate (this|it|my complaint)\b",
    ),
    (
        "threat",
        STRONG,
        r"\b(lawyer|solicitor|attorney|sue you|small claims|ombudsman|trading standards|better business bureau|bbb|fcc|ofcom|regulator|councillor|my mp|formal complaint|(post|leave|leaving|write) (a |about this|this)?.{0,10}review|social media|(i.?ll|i will|going to|gonna) tell everyone|chargeback|charge back|(block|blocking|stop|stopping|cancel|cancelling) (the|your|all|my|any more) (payments?|direct debits?|card payments?)|report(ing)? (you|this|your company)\b|consumer (affairs|council|protection|rights|people|watchdog)|department of (transportation|consumer affairs)|attorney general|cfpb|acma|nodal officer|never (use|buy|order|shop)\w* (anything )?(from|with)? ?you\w* again|(i.?m|i am) (so |just |absolutely |completely |totally )?done\b(?!\s+(now|yet|already|in|by|for|here|there|paying|with (the|my|that|a|an)\b))|take my business elsewhere)\b",
    ),
    (
        "conduct",
        STRONG,
        r"\b(don.?t|do not) tell me to calm down\b|\b(so |very |really |unbelievably |incredibly |extremely )?rude\b|\bhow dare you\b|\bwho do you think you are\b|\b(talking|speaking|talk) over me\b|\b(telling|tell|asking) me to (hurry|speed)|\blike (i.?m|i am) (five|six|a (child|kid|toddler|five year old))\b|\binsulting\b|\b(no need to|don.?t|do not) (be|get) (short|snappy|smart|funny|sarky|sarcastic) with me\b|\b(talking|speaking|talk|speak) (down )?to me like\b|\b(stop interrupting|you keep interrupting|you.?re not listening|not listening to (a word|me)|are you (even |actually |really |just )?listening|(just )?reading (me )?(from |off )?(a|the|your) script|no need for that tone|your tone|your attitude|patronis|patroniz|condescending|calling me a liar)\b|\b(i am|i.?m) (perfectly |completely |quite |being |very )?calm\b|\bi.?m not (the one )?(shouting|yelling|being (rude|aggressive|difficult|unreasonable))\b|\bdid you (actually|even) (read|look|listen|check)\b"
        # Being talked over: "can I just finish a sentence? That's the third time you've cut across me."
        r"|\b(cut|cutting) (across|in on) me\b|\b(you (keep|kept)|you.?ve|stop) (cutting me off|cut me off|talking over me|butting in)\b|\b(let me|can i (just )?|could i (just )?|may i (just )?)finish (a|my) (sentence|point)\b"
        r"|\b(can|could|will|would) you (please |just )?let me finish\b|\byou (keep|kept) (jumping|butting|cutting) in\b",
    ),
    (
        "hangup",
        STRONG,
        r"\[(hangs up|hung up|call (ends|ended|disconnected|drops))\]|\(hangs up\)|\b(forget it|i.?m hanging up|i.?ll hang up|i give up|don.?t bother|fine[,.]? whatever|whatever,? (bye|goodbye|just))\b",
    ),
    (
        "repeat_contact",
        MEDIUM,
        r"\b(third|fourth|fifth|sixth|tenth|umpteenth|3rd|4th|5th) time\b.{0,25}\b(call|ring|rang|rung|phon|contact|ask|told|tell|explain|chas|happen|had to|writ|email|spoken|speak|reschedul|postpon|cancel|delay|chang|mov|miss|cut|drop|transfer|put)|\b(this is|that.?s|it.?s|now) (the|my) (third|fourth|fifth|sixth|umpteenth|3rd|4th|5th) time\b(?! lucky)|\bevery (single )?time i (call|ring|phone|email|write|try|chase|contact|ask|get told|speak)|\bevery (single )?time (somebody|someone|they|you|your people) (tells?|says?|said|told)\b|\bhow many (more )?times\b|\b(already|again and again|over and over)\b.{0,25}\b(told|explained|said|called|rang|been through|gave)\b|\b(told|explained|said|asked)( (you|this|it|that|all this|all of this))?( (already|before|twice|three times))\b|\b(call|called|phoned|rang|rung|contacted|emailed)( you| you guys| you people| this line| this number| the helpline| your office)?( already)? (twice|three|four|five|several|multiple|so many|two|\d+) times\b|\b(i.?ve|i have) (said|told you|asked) (twice|three times|already|this)\b|\b(calling|ringing|phoning) (you )?again\b|\brepeating myself\b|\b(telling|explaining|repeating|tell|explain|repeat) (the same|my|this|the whole) story\b|\b(same as|like) i (told|said to) the (last|other) (\w+ )?(people|agents?|persons?|ladies|lady|guys?|ones?)\b|\b(it.?s|it is|all) in (your|the) notes\b|\bread the notes\b|\b(done|run|tried|did) (it|that|this|your \w+)( for (you|myself|me))?[.,]? (twice|three times|already)\b|\b(explained|told|said|repeated|gave)\b.{0,30}\b(so many|too many|multiple|several|countless|loads of) times\b|\b(second|third|fourth|fifth) (time|call)\b.{0,20}\b(it.?s|it has|this has|i.?ve|i have)\b.{0,10}\b(done|happened|broken|gone|failed|stopped|rung|called|rang|phoned)\b|\b(i.?ve|i have|i) (rung|rang|called|phoned|call|ring) (you )?(about (this|it) )?(before|last (week|month|\w+day)|twice|three times|four times|every (week|day))\b|\bevery (single )?time (the )?same (thing|answer|story|excuse)\b|\b(three|four|five|six|several|\d+) times (now|already|today|this week)\b",
    ),
    (
        "broken_promise",
        MEDIUM,
        r"\b(nobody|no one|no.one|nobody.?s|no one.?s)\b.{0,20}\b(told|tell|mentioned|called|calls? (me|us|back)|call(?=\s*[.,!?]|\s*$)|rang|came|comes|come|knocked|replied|answered|got back|showed|turned up|bothered|did|does|will|ever|pass\w*)\b|\b(never (came|showed|turned up|called|rang|arrived|happened|got back|coming))\b|\b(didn.?t|did not|never) (call|ring|get) (me )?back\b|\bwas (told|promised)\b.{0,40}\b(but|and) (it|nothing|nobody|no one|they|it.?s)\b",
    ),
    (
        "unfair",
        MEDIUM,
        r"\b(not (happy|good enough|fair|acceptable|right|okay|ok) (with|about|at all)?|unfair|not on)\b|\b(that.?s|it.?s|this is) (not fair|wrong|a disgrace)\b",
    ),
    (
        "handoff",
        MEDIUM,
        r"\b(don.?t|do not) (transfer|pass|put) me\b|\b(passed|bounced|pushed|sent) (around|from pillar to post|between|back and forth)\b|\b(yet )?another (department|number|team)\b|\b(ring|call|phone|contact) (someone|somebody) else\b|\bevery (department|team|person)\b|\b(been |got |just been )?transferred\b.{0,40}\b(again|twice|(three|four|five|\d+) times|already|from)\b|\b(second|third|fourth|fifth) (person|department|team|agent)\b|\bback (at|to) (the )?(start|square one|beginning)\b|\bround the houses\b|\b(given|got|had|gave me) (three|four|two|five|several|\d+) (different )?(numbers|people|departments)\b|\bcut me off\b.{0,30}\b(putting|transferring|put) me through\b|\b(putting|transferring) me through\b.{0,25}\bcut (me )?off\b|\bsomebody else.?s department\b|\b(don.?t|do not) (you dare )?put me (on hold|through)\b",
    ),
    (
        "disbelief",
        MEDIUM,
        r"\b(what do you mean|what is the point|you.?re (seriously )?telling me|are you for real|are you (serious|kidding|joking|having a laugh)|you.?re (kidding|joking|having a laugh)|having a laugh|oh come on|what.?s the point|how am i supposed to|how (long|much longer) (am i|do i|have i|will i|is this|are you)|why (should|am|do|does|can.?t|is|isn.?t) (i|nobody|no one|you|it)\b.{0,30}\b(have to|repeating|pay|just|pass|ever|even|still)|seriously\?|(are |do )?you (even )?hear(ing)? yourself|(i.?m|i am|i) ask(ing)? (you )?(a )?(simple|straight|basic) question|i don.?t care|no way|i swear|(?<!from )(?<!to )(?<!with )(?<!by )you people(?! (installed|fitted|supplied|delivered)\b)|you lot)\b",
    ),
    (
        "lost_time",
        MEDIUM,
        r"\b(took|taken|taking) (the|a) (whole )?(day|morning|afternoon) off|\bwaited (in )?all (day|morning|week)|\bsat (here|in|at home) (waiting|all)|\bwasted (my|a|the|enough|half|hours|all)|\bwaste of (my |our )?(time|morning|day|afternoon|evening|money)|\b(took|taken|take) (today|the day|a day|the morning|the afternoon|time) off\b|\b(on the phone|on hold|holding|in (the|your) queue)\b.{0,15}\b(for )?(an hour|over an hour|hours|(twenty|thirty|forty|fifty|sixty|seventy|ninety|\d+)( \w+)? minutes)\b|\b(unpaid leave|time off work|day off work)|\bi timed it\b|\b(minutes|hours)\b,? (i|i.?ve|i have|i was|i am|i.?m)( been)? (holding|waiting|on hold|sitting|sat)\b|\b(lost|losing) (a day|a day.?s pay|money|work|(two|three|four|\d+) days)|\b(for )?(over|more than|nearly|almost) (an|a|two|three|\d+) (hours?|days|weeks)\b",
    ),
    (
        "insist",
        MILD + 0.05,
        r"\b(i (just|only) want (to|my|it|a|someone)|please just|just (cancel|fix|refund|book|deal with) it|sort it( out)? (now|today)|i want (my money|a refund|compensation|a date|someone (today|now)))\b|\b(today|now)\b.{0,6}\b(not (next|tomorrow|thursday|monday))\b",
    ),
    (
        "cancel",
        MEDIUM,
        r"\b(cancel(ling|ing)?|close) (it|the lot|everything|my (account|contract|membership|subscription|service))\b.{0,30}\b(today|now|then|done|elsewhere|another|different)\b|\b(switch|move|moving|going|go) (to|over to) (a |another |a different |one of the )(provider|network|company|bank|supplier|others)\b|\bif (this|it).{0,25}(not|isn.?t) (sorted|fixed|resolved).{0,20}(cancel|leav|go)|\b(pac|porting|stac) code\b|\bi want to (leave|cancel)\b|\b(i.?ll|i will|i.?m going to|gonna) (just )?(leave(?! (it|that|this|the|a|them|him|her|you)\b)|switch|go elsewhere|go somewhere else|walk)\b|\bswitching (\w+ )?(companies|providers?|suppliers?|banks?|networks?)\b|\bwith (someone|somebody) else\b.{0,20}\b(install|booked|signed|sign)|\b(install\w*|signed up|booked) .{0,25}with (someone|somebody|another) (else)?",
    ),
    (
        "frustration",
        MEDIUM,
        r"\b(so|really|very|incredibly|massively|hugely) (frustrat\w+|annoying|infuriating|stressful)\b|\binfuriating\b",
    ),
    (
        "refusal",
        MILD + 0.05,
        r"\bi don.?t want (an?|your|any|another) (offer|deal|discount|upgrade|script|excuse|reset|pause)\b|\b(i.?ve|i have) (already )?said no( (twice|three times|already|again))?\b|\b(not|never|no way (on \w+ \w+ earth )?i.?m) (paying|waiting|doing) (it|that|this|another|any|for|\w+ (quid|pounds|dollars|bucks|rand|euros|thousand|hundred))\b",
    ),
    (
        # "Brilliant. Absolutely brilliant." after bad news is not praise.
        "sarcasm",
        MEDIUM,
        r"\b(absolutely|just|oh|well|really) (brilliant|great|perfect|wonderful|fantastic|marvellous|lovely|outstanding|superb)[.!]|\b(brilliant|great|perfect|wonderful|fantastic|outstanding|superb|marvellous)[.!]+ (so|then|now) (i|we|you|nobody|it)\b|^(brilliant|great|perfect|wonderful|fantastic|marvellous)[.!]+ (so|then|now|another(?! (thing|question|quick))|the)\b"
        # A complaint closed with a one-word "Great.": "So I lose a day's pay. Great."
        r"|^(?!.*\b(thank|thanks|cheers|appreciate|sounds good|that.?s (fine|great|good|perfect)))(?=.*\b(not|no|nobody|never|lose|lost|another|again|still|against|wait|charge|pay)\b).*[.?!]\s+(great|brilliant|perfect|wonderful|fantastic|marvellous|lovely|super|terrific)[.!]*\s*$"
        # A one-word "Lovely." before the complaint it mocks: "Oh, the 26th. Lovely. That's date number four now."
        r"|^(?!.*\b(thank|thanks|cheers|appreciate|sounds good)\b)(.{0,200}[.?!]\s+)?(great|brilliant|perfect|wonderful|fantastic|marvellous|lovely|super|terrific)[.!]+\s+.{0,80}?\b(another (date|delay|excuse|week|day|month|engineer|call|number|form)|isn.?t it|(date|time|call|attempt) number \w+|(second|third|fourth|fifth|sixth) (time|date|call|one))\b"
        r"|\b(thanks|thank you|cheers) (a lot |very much )?for nothing\b|\b(you.?ve|you have) (done|helped) (plenty|enough|more than enough|quite enough)[.!]*(\s+(good)?bye[.!]*)?\s*$",
    ),
    (
        # Self-reported, growing frustration ("I'm getting a bit fed up", "starting to lose patience")
        # is an early sign: WARN on its own, escalated speech only with something else.
        "rising",
        WARN,
        HEDGED_RISING,
    ),
    (
        "emotion",
        MILD + 0.05,
        r"\b(gutted|anxious|annoy(ed|ing|s me)|frustrat(ed|ing)|irritat(ed|ing)|upset|exasperat(ed|ing)|stressed( out)?|disappointed|a bit much|worried)\b",
    ),
    (
        # Anger in the register of a complaint letter: cold, formal, no exclamation marks.
        "formal",
        MEDIUM,
        r"\bunsatisfactory\b|\b(wholly|entirely|totally|completely|utterly|deeply|grossly|most) (inadequate|unprofessional|negligent)\b"
        r"|\bi (wish|want|would like|.?d like) to (place|put|have|get) (this |it |that )?on (the )?record\b|\bnote on (the )?record that\b"
        r"|\b(that is|that.?s|it is|it.?s|this is) (not (my|our) (error|fault|mistake|doing)|your (error|fault|mistake|failure|doing))\b|\byour own (\w+ )?(error|mistake|failure|negligence)\b",
    ),
    (
        # The formal rebuke: "I have not called to hear the policy explained to me", "I am quite able to read".
        "rebuke",
        MEDIUM,
        r"\b(i am|i.?m) (quite|perfectly|fully|entirely|more than) (able|capable) (of|to) (read|reading|understand|understanding|follow|following|work(ing)? (it |that |this )?out|use|using)\b"
        r"|\bi (have not|haven.?t|did not|didn.?t) (call|ring|phone|come|port|pay|sign)\w*\b.{0,30}\bto (hear|be told|be lectured|listen to)\b",
    ),
    (
        "insult",
        MEDIUM,
        r"\b(i.?m not (an idiot|stupid|thick|hysterical)|like (i.?m|i am) (an idiot|stupid|thick|a child)|idiots?|clowns|morons?)\b",
    ),
]
_PRAISE = re.compile(
    r"\b(thanks?|thank you|love|lovely|great|brilliant|helpful|kind|amazing|perfect|wonderful|fantastic|excellent|appreciate)\b",
    re.IGNORECASE,
)
_CUE_RE = [(name, weight, re.compile(pattern, re.IGNORECASE)) for name, weight, pattern in CUES]
_CUE_BY_NAME = {name: rule for name, _, rule in _CUE_RE}
# Hedges and reassurance soften a turn: "it's a bit annoying, but no worries".
_SOFTENERS = re.compile(
    r"\b(no worries|no problem|not a problem|that.?s (ok|okay|fine|alright)|it.?s (ok|okay|fine|alright)|it wasn.?t (terrible|too bad|that bad)|a (little|bit|tad) (annoying|frustrating|inconvenient)|bit of a pain|just (wanted|thought) (to|someone)|"
    r"don.?t worry|everything.?s fine|everything is (fine|okay|ok|sorted)|(it.?s|all|everything.?s) (fixed|sorted|resolved) now|no rush|not your fault|(i.?m|i am) not (angry|upset|cross|annoyed|complaining))\b",
    re.IGNORECASE,
)
# Asking calmly for the complaints process or a review, rather than threatening one.
_POLITE_REQUEST = re.compile(
    r"\b(i.?d like to|i would like to|can i|could i|how (do|can|would) i|i.?d like you to|please (can|could) (i|you)|i want to know how to"
    # The call's stated purpose: "I'm calling to lodge a formal complaint", "my MD asked me to lodge...".
    r"|(i.?m|i am) (calling|ringing|phoning|here|writing)( today)? to|(asked|told|instructed) me to|(i.?ve|i have) been asked to)"
    r"\s+((find out|know|ask|check|see)\s+how\s+(to\s+|i\s+(can\s+|would\s+)?|do\s+i\s+)?)?"
    r"(make|raise|lodge|file|log|put in|submit|register|leave|write)\s+(a|my|his|her|their)\s+(formal\s+)?(complaint|review)\b",
    re.IGNORECASE,
)
# Capitals that are not shouting.
_NOT_SHOUT = {
    "I", "OK", "TV", "ID", "PIN", "UK", "US", "USA", "ASAP", "SIM", "PC", "DVD", "VAT", "CEO", "BBB", "FCC",
    "WIFI", "ISP", "APP", "IT", "AM", "PM", "EU", "GB", "MB", "HD", "SMS", "USB", "LTE", "DSL", "BT", "ETA",
}  # fmt: skip
_WORD_RE = re.compile(r"[A-Za-z']+")

# --- agent language ----------------------------------------------------------------------------
_EMPATHY_RE = re.compile(
    r"\b(i (completely |totally |really |fully )?(understand|hear you|can hear|get (it|that|why))|(i.?m|i am) (so |really |very |truly |extremely )?sorry|i apologi[sz]e|my apologies|"
    r"that (must|must have|sounds|would) (be|been)? ?(so |really )?(frustrating|annoying|stressful|awful|difficult|upsetting)|"
    r"i.?d be (frustrated|upset|annoyed|angry) too|that.?s (completely |totally |entirely |perfectly )?(fair|understandable)|thank you for (sticking|staying) with us|you shouldn.?t (be|have)|you.?re (absolutely |completely )?right|i can see why|that.?s not (ok|okay|acceptable|good enough)|"
    r"you shouldn.?t have (to|had to)|thank you for (your patience|bearing with me|explaining))\b",
    re.IGNORECASE,
)
_OWNERSHIP_RE = re.compile(
    r"\b(let me (fix|sort|take care of|handle|personally|make sure|get this)|i.?ll (personally|make sure|take care|sort|fix|stay|own|call you back|ring you back|email you|credit|refund|book|arrange|escalate|raise)|"
    r"i.?m going to (fix|sort|credit|refund|book|arrange|raise|escalate|make sure)|i can (credit|refund|waive|book|arrange|offer|send|fix|sort|do)|i.?ve (credited|refunded|waived|booked|arranged|raised|escalated|applied|issued)|"
    r"here.?s what i (can|will|.?ll) do|what i can do (right now|today|is))\b",
    re.IGNORECASE,
)
DEFENSIVE_PHRASES: dict[str, str] = {
    r"\b(that.?s|it.?s) (our|the|company) policy\b": "Name the rule once, then what you *can* do within it.",
    r"\bcalm down\b": 'Acknowledge the feeling instead: "I can hear how frustrating this has been."',
    r"\bthere.?s nothing (i|we) can do\b": "Offer the most concrete thing within your authority.",
    r"\bas i (already |just )?(said|told you|explained|mentioned)\b": "Restate the customer's point in their words rather than repeating yours.",
    r"\blike i said\b": "Restate the customer's point in their words rather than repeating yours.",
    r"\byou (need to|have to) (understand|listen)\b": "Ask a clarifying question instead of instructing the customer.",
    r"\b(i|we) don.?t make the (rules|policy)\b": 'Own the next step: "Here\'s what I can do for you today."',
    r"\bthat.?s not my (department|job|problem)\b": "Take ownership of the handoff: name who, what and when.",
    r"\b(i|we) can.?t (do|help with) that\b": "Say what you can do before what you can't.",
    r"\bno need to (shout|yell|raise your voice|get angry)\b": "Lower your own voice and acknowledge the emotion.",
}
_DEFENSIVE_RE = [(re.compile(p, re.IGNORECASE), tip) for p, tip in DEFENSIVE_PHRASES.items()]

_STAGE_CUES: dict[str, re.Pattern[str]] = {
    "opening": re.compile(
        r"\b(thank(s| you) for calling|thanks for (holding|waiting)|my name is|you.?re (through|speaking) to|how can i help|how may i (help|assist)|"
        r"can i (take|get|have) your (name|account|postcode|zip|date of birth|phone number|reference)|(verify|confirm) (your|the) (identity|account|details|address)|security (question|check)|first line of your address)\b",
        re.IGNORECASE,
    ),
    "discovery": re.compile(
        r"\b(can you (tell|describe|walk) me|could you (tell|describe|confirm)|when did (it|this|you)|what (happened|seems|exactly|error)|have you tried|"
        r"how long (has|have)|let me (check|look|pull up|have a look|see)|i.?m (just )?(checking|looking)|which (one|device|account|bill|order)|do you (have|know|remember))\b",
        re.IGNORECASE,
    ),
    "explanation": re.compile(
        r"\b(policy|policies|terms|conditions|unfortunately|i.?m afraid|the reason (is|why)|that.?s because|(this|that|it) is because|the way (it|this) works|"
        r"(we|i) (can.?t|cannot|are unable|am unable|aren.?t able|are not able|are not allowed|can only)|what happened (is|was)|the system|prorated|billing cycle|"
        r"(it|that) (says|shows) (here|that)|according to|it.?s standard|non.?refundable|not covered|out of warranty|(return|returns) window)\b",
        re.IGNORECASE,
    ),
    "resolution": re.compile(
        r"\b(what i can do|i can (offer|credit|refund|waive|send|book|arrange|escalate|raise|schedule|replace|give)|i.?ll (credit|refund|waive|send|book|arrange|escalate|raise|schedule|replace|put|get)|"
        r"(we|i) (could|can) (send|book|arrange|try|offer|schedule)|replacement|engineer (visit|appointment)|(book|schedule) (an?|the) (engineer|technician|appointment|visit)|"
        r"a credit of|goodwill|discount|compensation|i.?ve (credited|refunded|applied|booked|raised|issued|escalated)|ticket (number|raised)|next step)\b",
        re.IGNORECASE,
    ),
    "closing": re.compile(
        r"\b(anything else|is there anything|have a (good|great|nice|lovely) (day|evening|weekend|one)|thanks for calling|thank you for calling .{0,30}(today|bye)|"
        r"take care|goodbye|bye now|you.?re all set|all sorted|that.?s everything|survey)\b",
        re.IGNORECASE,
    ),
}
_EMOTION_RE = re.compile(
    r"\b(frustrat\w+|angry|furious|livid|upset|annoyed|fed up|stressed|worried|disappointed|embarrass\w+|humiliat\w+|"
    r"exhausted|scared|anxious|sick (of|and tired)|let down|insulted|ignored)\b",
    re.IGNORECASE,
)
_SUPERVISOR_TRANSFER_RE = re.compile(
    r"\b(transfer(ring)? you|put you through|pass you|connect you)\b.{0,30}\b(supervisor|manager|team leader|complaints)\b"
    r"|\bhold for (the |a |my )?(next available )?(supervisor|manager|team leader)\b",
    re.IGNORECASE,
)
# Listener-side evidence, which does not depend on the caller's vocabulary:
# - the agent opens the reply with a real acknowledgement ("You're right, I'm sorry"), i.e. the agent
#   heard agitation in that turn;
# - the caller later apologises for their own tone ("sorry for snapping"), i.e. they know they had
#   escalated, so the run was escalated speech (recovered), not only early signs (prevented).
_AGENT_ACK_RE = re.compile(
    r"^\W*(\w+[,.]? )?(you.?re (absolutely |completely |quite |totally )?right|i.?m (so |really |very |truly )?sorry|i (do |really )?apologi[sz]e|my apologies|"
    r"i (completely |totally |really |fully )?(understand|hear you)|i hear you|that.?s (really |completely |totally )?(not (good enough|okay|ok|acceptable|right|on)|fair|a fair point|completely fair))",
    re.IGNORECASE,
)
HEARD = 0.2  # weight of the agent's acknowledgement as a cue on the turn it answers (up to WARN)
_TONE_APOLOGY_RE = re.compile(
    r"\bsorry,?( (ah|la|lah|oh|eh|yeah|love|mate|hun|hon|son|dear|madam|sir|ma.?am),?)? (i was|for being|if i was|if i|i|for|about)( so| very| really| quite| too| that| a bit| a little bit| a little| little bit| little| being)? (short|snappy|angry|cross|harsh|abrupt|worked up|heated|snapping|snapped|rude|shouting|shouted|hollering|hollered|yelling|yelled|screaming|screamed|barking|barked|going off|ranting|raised my voice|lost it|losing it|biting|blew up|came in|got|went off|having a go|my tone|the rant|stressed|upset|emotional|frustrated|getting (a bit |a little |so |all )?(hot|heated|worked up|carried away|wound up|short|upset|angry|cross|emotional|stressed|frustrated)|lost my temper)|"
    r"\b(didn.?t|don.?t) mean to (snap|shout|take it out|go off|have a go|be rude)|\bi.?m sorry i (raised|shouted|snapped|lost|got|hollered|yelled|screamed|barked)|\bsorry for (going off|going at you|having a go|snapping|shouting|ranting|my tone|biting|being (short|rude|snappy|so))",
    re.IGNORECASE,
)
# A customer turn that shows the run is over: thanks, or accepting what the agent offered.
_SETTLED_RE = re.compile(
    r"\b(thank|thanks|cheers|appreciate|ta|fair enough|sounds good|(that.?s|that is) (fine|great|better|fair|good|perfect|brilliant|all i (needed|need|was after|wanted to (know|hear|check))|more like it|what i needed)|"
    r"that would (help|be (better|great|good))|(okay|ok|right|yes)[,.]? (great|good|then|fine|that.?s)|thank (god|goodness)|oh good|much better|that makes sense|i can live with)\b",
    re.IGNORECASE,
)
_GRATITUDE_RE = re.compile(
    r"\b(thank you|thanks|cheers|appreciate (it|that|your help|you)|(that.?s|that is) (great|brilliant|perfect|fine|fair|good)|perfect|brilliant|lovely|okay (great|good|then)|much better)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    index: int
    role: str  # agent / customer / unknown
    start_s: float
    end_s: float
    text: str
    speaker: str = ""


@dataclass
class TurnScore:
    turn: Turn
    raw: float
    lexical: float
    markers: dict[str, float]
    voice: float | None = None
    agitation_p: float | None = None  # the in-context model's reading, where it read this turn

    @property
    def marker_total(self) -> float:
        return sum(self.markers.values())

    @property
    def strongest(self) -> float:
        return max(self.markers.values(), default=0.0)


@dataclass
class Escalation:
    kind: str  # "escalation" or "prevented"
    time_s: float
    severity: float
    trigger: str
    trigger_confidence: float
    stage: str
    position: str
    outcome: str
    excerpt: str
    agent_turn_before: str
    first_agent_response: str
    prevention_s: float | None
    redirect_language: str
    review: dict[str, Any]
    voice_used: bool = False


@dataclass
class CallAnalysis:
    curve: list[list[float]]
    escalations: list[Escalation]
    note: str
    timed: bool
    scores: list[TurnScore] = field(default_factory=list)


# --- scoring -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


VADER_MAX_CHARS = 2000


def _compound(text: str) -> float:
    """VADER's compound score. Its cost grows faster than the text: a turn that is really a whole
    undiarised call is read by its first and last VADER_MAX_CHARS / 2 characters."""
    if len(text) > VADER_MAX_CHARS:
        half = VADER_MAX_CHARS // 2
        text = text[:half] + " " + text[-half:]
    return float(_vader().polarity_scores(text)["compound"])


def _shouting(text: str) -> int:
    words = [w for w in _WORD_RE.findall(text) if len(w) >= 3]
    if len(words) < 2:
        return 0
    caps = [w for w in words if w.isupper() and w not in _NOT_SHOUT]
    # A line in capitals throughout is how some transcripts are formatted, not shouting.
    if len(caps) == len(words):
        return 0
    # One short word in capitals is an acronym ("PAC code", "on ACC"), not a raised voice.
    if len(caps) == 1 and len(caps[0]) <= 4:
        return 0
    return len(caps)


def _tokens(text: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(text) if len(w) > 3}


def _drop_named(markers: dict[str, float], clean: str, phrase: re.Pattern[str], names: Sequence[str]) -> None:
    """Drop the cues `names` that match only inside `phrase`: a cue the phrase accounts for counts
    only when it is also said outright elsewhere in the turn."""
    rest = phrase.sub(" ", clean)
    for name in names:
        if name in markers and not _CUE_BY_NAME[name].search(rest):
            del markers[name]


def score_customer_turn(text: str, previous: Sequence[str] = ()) -> tuple[float, float, dict[str, float]]:
    """(raw score, lexical negativity, cues) for one customer turn; the score is 0..1."""
    clean = normalise(others_words_removed(text))
    compound = _compound(clean)
    negativity = max(0.0, -compound)
    markers: dict[str, float] = {}
    for name, weight, rule in _CUE_RE:
        if rule.search(clean):
            markers[name] = weight
    if "rising" in markers:
        # "getting a bit fed up" is the early sign, not the anger it names.
        _drop_named(markers, clean, _HEDGED_RE, ("anger", "emotion", "frustration"))
    if _TONE_APOLOGY_RE.search(clean):
        # "sorry I was a little angry", "sorry I was really rude" name the heat of an earlier turn, not of this one.
        _drop_named(markers, clean, _TONE_APOLOGY_RE, ("anger", "emotion", "frustration", "conduct", "rising"))
    if "broken_promise" in markers:
        # "Oh. Nobody told me that." is news the caller is taking in, not a promise broken.
        _drop_named(markers, clean, _NEWS_RE, ("broken_promise",))
    _drop_named(markers, clean, _NOT_A_THREAT_RE, ("threat",))
    _drop_named(markers, clean, _GIVING_IN_RE, ("hangup",))
    _drop_named(markers, clean, _REPORTED_RE, ("outrage", "anger", "profanity"))
    _drop_named(markers, clean, _KIDDING_RE, ("outrage",))
    _drop_named(markers, clean, _PAST_ANGER_RE, ("anger",))
    _drop_named(markers, clean, _PAST_THREAT_RE, ("threat",))
    _drop_named(markers, clean, _STORY_OVER_RE, _STORY_CUES)
    _drop_named(markers, clean, _SELF_ANGER_RE, ("anger", "insult", "emotion", "frustration"))
    if (
        "profanity" in markers
        and _JOYFUL_RE.search(clean)
        and not ({"outrage", "anger", "conduct", "sarcasm", "threat"} & markers.keys())
    ):
        del markers["profanity"]  # swearing for joy, not at anyone
        markers.pop("disbelief", None)  # "Are you kidding me? That's freaking awesome!"
    _drop_named(markers, clean, _NOT_FEELING_RE, ("anger",))
    if "threat" in markers and _POLITE_REQUEST.search(clean):
        # "I'd like to make a formal complaint" asks for a process; it is a threat only when the turn
        # threatens something else as well.
        if not _CUE_BY_NAME["threat"].search(_POLITE_REQUEST.sub(" ", clean)):
            del markers["threat"]
    bangs = clean.count("!")
    if bangs:
        markers["exclamation"] = min(0.25, 0.1 * bangs)
    caps = _shouting(clean)
    if caps:
        markers["caps"] = min(0.3, 0.12 * caps)
    words = [w.lower() for w in _WORD_RE.findall(clean)]
    if any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)) or re.search(
        r"\b(\w{2,})[,.!]? \1[,.!]? \1\b", clean.lower()
    ):
        markers["repetition"] = 0.15
    if previous:
        mine = _tokens(clean)
        if len(mine) >= 4:
            for earlier in previous[-4:]:
                theirs = _tokens(earlier)
                if theirs and len(mine & theirs) / len(mine | theirs) >= 0.45:
                    markers["repetition"] = 0.15
                    break
    if "rising" in markers and not any(w >= STRONG for w in markers.values()):
        # Narrating one's own rising frustration is, by definition, not yet escalated speech.
        hedged_cap = HIGH - 0.01
    else:
        hedged_cap = 1.0
    keep = 1.0 - 0.25 * negativity
    for weight in markers.values():
        keep *= 1.0 - weight
    raw = 1.0 - keep
    strong = any(w >= STRONG for w in markers.values())
    if _SOFTENERS.search(clean) and not strong:
        raw *= 0.5
    if (
        compound >= 0.5
        and _PRAISE.search(clean)
        and not ({"profanity", "outrage", "anger", "conduct", "sarcasm"} & markers.keys())
    ):
        raw *= 0.4  # praise: "you've been so helpful, can I speak to your manager?" is not a demand
    return min(hedged_cap, raw), negativity, markers


# --- turns and time ----------------------------------------------------------------------------


def place_in_time(rows: Sequence[tuple[str, float | None, float | None, str, str]]) -> tuple[list[Turn], bool]:
    """Turns from (role, start, end, text, speaker) rows; untimed rows get times from their word counts.

    Returns the turns and whether the source had real timestamps.
    """
    timed = any(start is not None for _, start, _, _, _ in rows)
    turns: list[Turn] = []
    clock = 0.0
    for i, (role, start, end, text, speaker) in enumerate(rows):
        words = max(1, len(text.split()))
        spoken = words / WORDS_PER_SECOND
        if start is None:
            begin = clock
        else:
            begin = max(0.0, float(start))
        finish = float(end) if end is not None and end >= begin else begin + spoken
        turns.append(Turn(i, role or "unknown", begin, finish, text.strip(), speaker))
        clock = max(clock, finish) + 0.6
    return turns, timed


_AGENT_TELLS = re.compile(
    r"\b(thank(s| you) for calling|how (can|may) i (help|assist)|my name is|let me (check|look|pull up)|i can see (here|that|on)|"
    r"is there anything else|on your account|bear with me|i.?ll (just )?(check|transfer)|can i take your|for security)\b",
    re.IGNORECASE,
)


def infer_roles(turns: list[Turn]) -> list[Turn]:
    """When no line is marked customer, tell agent from customer by how each speaker talks."""
    if any(t.role == "customer" for t in turns):
        return turns
    speakers = sorted({t.speaker or t.role for t in turns})
    if len(speakers) < 2:
        return turns
    tells: dict[str, float] = {}
    for speaker in speakers:
        lines = [t.text for t in turns if (t.speaker or t.role) == speaker]
        tells[speaker] = sum(len(_AGENT_TELLS.findall(line)) for line in lines) / max(1, len(lines))
    agentish = [t.role for t in turns if t.role == "agent"]
    if agentish:
        agent_speakers = {t.speaker or t.role for t in turns if t.role == "agent"}
    else:
        agent_speakers = {max(tells, key=lambda s: tells[s])}
    return [
        Turn(
            t.index,
            "agent" if (t.speaker or t.role) in agent_speakers else "customer",
            t.start_s,
            t.end_s,
            t.text,
            t.speaker,
        )
        for t in turns
    ]


# --- the analysis ------------------------------------------------------------------------------


def frustration_curve(scores: Sequence[TurnScore]) -> list[list[float]]:
    """[[seconds, 0..1], ...]: a leaky average, so one sharp word is a blip and a run of them a climb."""
    curve: list[list[float]] = []
    level = 0.0
    last_t: float | None = None
    for s in scores:
        t = s.turn.start_s
        if last_t is not None:
            level *= 0.5 ** (max(0.0, t - last_t) / CURVE_HALF_LIFE_S)
        level = max(s.raw, 0.55 * level + 0.45 * s.raw) if s.raw >= HIGH else 0.55 * level + 0.45 * s.raw
        curve.append([round(t, 2), round(min(1.0, level), 3)])
        last_t = t
    return curve


def _episodes(scores: Sequence[TurnScore]) -> list[list[int]]:
    """Runs of agitated customer turns (indexes into `scores`).

    A run ends when the customer has settled, not when the clock says so: a calm turn that thanks
    the agent or accepts what was offered, three calm turns in a row, or two that span
    SETTLE_S. A hold in the middle of a row (no customer speech) does not end it, and neither do
    two quick flat answers ("Then who can?", "And in the meantime?") between angry turns.
    """
    episodes: list[list[int]] = []
    current: list[int] = []
    calm: list[TurnScore] = []
    for i, s in enumerate(scores):
        if s.raw >= WARN:
            current.append(i)
            calm = []
            continue
        if not current:
            continue
        calm.append(s)
        span = s.turn.start_s - scores[current[-1]].turn.start_s
        settled = bool(_SETTLED_RE.search(s.turn.text)) and not _HEDGED_RE.search(s.turn.text)
        if settled or len(calm) >= 3 or (len(calm) >= 2 and span >= SETTLE_S) or span >= EPISODE_GAP_S * 3:
            episodes.append(current)
            current = []
            calm = []
    if current:
        episodes.append(current)
    return episodes


AGITATION_WARN_MARKER = 0.2  # counts as an intensity marker (over MARKER_FLOOR): a prevented run may rest on it
AGITATION_HIGH_MARKER = 0.35
FOLLOW_ON = 1  # turns after an agitated one that the model also reads, per call
# A turn escalated by its own words starts one turn earlier when the model read that one at least this
# sure (24 dev sets: 0.75 moved 5 moments past 10 s for one more match, 0.85 two matches, none past 10 s).
STEP_BACK_P = 0.85


def agitation_contexts(scores: Sequence[TurnScore], turns: Sequence[Turn]) -> list[TurnContext]:
    """Each scored customer turn with the agent turn before it and the caller's earlier turns."""
    contexts: list[TurnContext] = []
    agent_before = ""
    by_index = {s.turn.index: s for s in scores}
    earlier: list[str] = []
    for t in turns:
        if t.role == "agent":
            agent_before = t.text
            continue
        s = by_index.get(t.index)
        if s is None:
            continue
        contexts.append(TurnContext(others_words_removed(t.text), agent_before, tuple(earlier), s.raw, s.lexical))
        earlier.append(t.text)
    return contexts


# What makes a funny story an escalation after all: a threat, a manager, the agent's conduct, a hang-up.
_NOT_A_STORY = ("threat", "supervisor", "conduct", "hangup", "sarcasm")


def _told_laughing(scores: Sequence[TurnScore], episode: Sequence[int]) -> bool:
    """The caller frames the run as a funny story (laughing, "funny story") in it or within two of their
    turns either side, and nothing in it is a threat, a manager, the agent's conduct or a hang-up."""
    if any(name in scores[i].markers for i in episode for name in _NOT_A_STORY):
        return False
    near = scores[max(0, episode[0] - 2) : episode[-1] + 3]
    return any(_AMUSED_RE.search(normalise(s.turn.text)) for s in near)


# Praise as a jab, not thanks: "A note. Brilliant. And who's going to read it?"
_SARCASTIC_PRAISE_RE = re.compile(
    r"(?:[.?!]|^\W*oh,?)\s+(great|brilliant|perfect|wonderful|fantastic|marvellous|lovely|super|terrific)[.!]+\s+(and|but|so|who|what|how|now)\b",
    re.IGNORECASE,
)


# "No. Thanks." to "anything else?" declines, and "Yeah, nah. Not with you. Cheers." dismisses; neither thanks.
_CURT_DECLINE_RE = re.compile(
    r"^\W*(yeah,? )?(no|nah)[.,!]*\s+((not with you|don.?t bother|forget it|whatever)[.,!]*\s+)?(thanks|thank you|ta|cheers)\W*$",
    re.IGNORECASE,
)


def _insincere(s: TurnScore) -> bool:
    """Praise as a jab, or thanks that decline ("No. Thanks."): the words of settling, not settling."""
    text = s.turn.text
    return "sarcasm" in s.markers or bool(_SARCASTIC_PRAISE_RE.search(text) or _CURT_DECLINE_RE.match(text))


def _thanked(s: TurnScore) -> bool:
    """The caller thanks the agent or praises the result, and means it."""
    return not _insincere(s) and bool(_GRATITUDE_RE.search(s.turn.text))


def _settling(s: TurnScore) -> bool:
    text = s.turn.text
    if _insincere(s):
        return False
    if _GRATITUDE_RE.search(text) or _SETTLED_RE.search(text) or _TONE_APOLOGY_RE.search(text):
        return True
    if _STORY_OVER_RE.search(text) and not any(cue in s.markers for cue in _STORY_CUES):
        return True  # "...I was real vex then. But that done now.": the heat told is another day's
    # The lexicon's own praise rule: "you've been so helpful, can I speak to your manager?" is not a demand.
    return bool(_PRAISE.search(text)) and _compound(normalise(text)) >= 0.5


def _lift_agitation(
    model: AgitationModel,
    scores: list[TurnScore],
    turns: Sequence[Turn],
    encode: Callable[[Sequence[str]], np.ndarray],
) -> None:
    """Raise the turns the in-context model reads as agitated: to WARN, or to HIGH when it is sure."""
    contexts = agitation_contexts(scores, turns)
    # Thanks, praise, accepting the offer or apologising for one's tone is the caller saying where they
    # stand; the model reads tone and would take the heat they refer to for heat in the turn.
    open_turns = [i for i, s in enumerate(scores) if s.raw < HIGH and not _settling(s)]
    picked = model.candidates([contexts[i] for i in open_turns])
    if not picked:
        return
    chosen = [open_turns[i] for i in picked]
    probabilities = model.score([contexts[i] for i in chosen], encode)
    lifted = dict(zip(chosen, probabilities, strict=True))
    # Whether agitation is sustained is read from the caller's next turn, which the first stage may
    # have ranked below the top few: the model reads it too (at most FOLLOW_ON more turns per call).
    follow = []
    for i in sorted(lifted):
        j = i + 1
        if lifted[i] < model.warn_p or j >= len(scores) or j in lifted or scores[j].raw >= HIGH:
            continue
        if not _settling(scores[j]) and model.passes_gate(contexts[j]):
            follow.append(j)
    follow = follow[:FOLLOW_ON]
    if follow:
        lifted.update(zip(follow, model.score([contexts[j] for j in follow], encode), strict=True))
    for i in sorted(lifted):
        p, s = lifted[i], scores[i]
        s.agitation_p = float(p)
        # A first agitated turn is an early sign, whatever the model says: whether it was defused
        # (prevented) or went on (escalation) is for the turns after it to show. Sure agitation is
        # escalated speech only once the caller was already agitated on their previous turn.
        sustained = i > 0 and scores[i - 1].raw >= WARN
        if p >= model.high_p and sustained:
            s.markers["agitation"] = AGITATION_HIGH_MARKER
            s.raw = max(s.raw, HIGH)
        elif p >= model.warn_p:
            s.markers["agitation"] = AGITATION_WARN_MARKER
            s.raw = max(s.raw, WARN)


def _agent_replies(turns: Sequence[Turn]) -> dict[int, Turn]:
    """Customer turn index -> the agent turn that answers it (the next turn, when it is the agent's)."""
    replies: dict[int, Turn] = {}
    for before, after in zip(turns, turns[1:], strict=False):
        if before.role == "customer" and after.role == "agent":
            replies[before.index] = after
    return replies


def _position(t: float, duration: float) -> str:
    if duration <= 0:
        return "early"
    rel = t / duration
    return "early" if rel < 1 / 3 else ("middle" if rel < 2 / 3 else "late")


def classify_stage(agent_before: Sequence[Turn], t: float, duration: float, turn_number: int) -> str:
    """What the agent was doing when it tipped over: opening, discovery, explanation, resolution, closing."""
    rel = t / duration if duration > 0 else 0.0
    votes: dict[str, float] = {}
    for weight, turn in zip((1.0, 0.5), reversed(agent_before[-2:]), strict=False):
        for stage, cue in _STAGE_CUES.items():
            hits = len(cue.findall(turn.text))
            if hits:
                votes[stage] = votes.get(stage, 0.0) + weight * min(hits, 2)
        if "?" in turn.text:
            votes["discovery"] = votes.get("discovery", 0.0) + 0.4 * weight
    if "opening" in votes and (rel > 0.2 and turn_number > 4):
        votes.pop("opening")  # greetings late in a call are a re-greeting after a hold, not the opening
    if "closing" in votes and rel < 0.5:
        votes["closing"] *= 0.3
    if not votes:
        if turn_number <= 2 or rel < 0.08:
            return "opening"
        return "discovery" if rel < 0.35 else ("explanation" if rel < 0.7 else "resolution")
    return max(votes.items(), key=lambda kv: (kv[1], -list(_STAGE_CUES).index(kv[0])))[0]


def _defensive(text: str) -> list[dict[str, str]]:
    found = []
    for rule, tip in _DEFENSIVE_RE:
        m = rule.search(text)
        if m:
            found.append({"phrase": m.group(0), "instead": tip})
    return found


def _named_emotion(texts: Sequence[str]) -> str:
    for text in reversed(texts):
        m = _EMOTION_RE.search(text)
        if m:
            word = m.group(0).lower()
            if word.startswith("frustrat"):
                return "frustrated"
            if word.startswith("sick"):  # "sick of" reads wrong in "you're ... about": say it as a state
                return "fed up"
            if word.startswith(("embarrass", "humiliat")):
                return "embarrassed" if word.startswith("embarrass") else "humiliated"
            return word
    return "frustrated"


REDIRECTS: dict[str, str] = {
    "wait_time": "You've been kept waiting {ask}, and I can hear how {emotion} you are. So you don't wait any longer, "
    "I'm {action} now, and I'll confirm {timeframe}.",
    "billing_dispute": "I can hear how {emotion} you are, and I'd feel the same. Let me make sure I have it right: "
    "{restate}. I'm going "
    "to {action}, and you'll see it {timeframe}.",
    "repeat_contact": "You shouldn't have had to call about this again, and I understand why you're {emotion}. I've "
    "read the notes, so you won't need to repeat it: {restate}. I'm taking ownership of it now, I'm {action}, and "
    "I'll call you back {timeframe}.",
    "policy_explanation": "I understand you're {emotion}, and it's fair to question it. What I can do within the rules "
    "is {action}; I'll confirm it {timeframe}.",
    "transfer_handoff": "I'm sorry you've been passed around, I'd be {emotion} too. I'll stay with you on this: I'm "
    "{action}, and I'll check it's done {timeframe}.",
    "product_failure": "It's really {emotion_adj} when {ask}, especially when you rely on it. So it's fixed properly, "
    "I'm {action}, and you'll have it {timeframe}.",
    "agent_conduct": "You're right, I should have let you finish, I'm sorry. You're {emotion} because {restate}. Here's "
    "what I'm doing: {action}, {timeframe}.",
    "cancellation_threat": "I hear that you're {emotion} enough to leave, and I'll respect that decision. Before you do, "
    "let me fix what caused it: {action}, {timeframe}. If you still want to cancel after that, I'll process it myself.",
    UNKNOWN: "I can hear that you're {emotion}. Let me make sure I understand: {restate}. Here's what I can do right "
    "now: {action}, and I'll confirm {timeframe}.",
}
_ACTIONS = {
    "wait_time": ("booking the first available slot and putting my name on it", "by text within the hour"),
    "billing_dispute": (
        "put the disputed amount on hold and raise the refund",
        "on your account within 3 to 5 working days",
    ),
    "repeat_contact": ("raising it with the team that fixes it, with a case number in my name", "by 5 pm tomorrow"),
    "policy_explanation": ("apply the exception I'm allowed to and note it on your account", "by email today"),
    "transfer_handoff": (
        "connecting you myself and briefing them first so you won't repeat anything",
        "before we hang up",
    ),
    "product_failure": ("arranging a replacement and booking the collection", "within 2 working days"),
    "agent_conduct": ("I'm sorting it myself", "and I'll confirm before we finish this call"),
    "cancellation_threat": ("fix the issue today and apply a goodwill credit", "within 24 hours"),
    UNKNOWN: ("take ownership of this and agree the next step with you", "by the end of today"),
}


def redirect_language(trigger: str, customer_texts: Sequence[str]) -> str:
    """Words that would have redirected it: the five steps, filled in with the caller's own words."""
    emotion = _named_emotion(customer_texts)
    gist = _gist(customer_texts[-1] if customer_texts else "")
    template = REDIRECTS.get(trigger, REDIRECTS[UNKNOWN])
    action, timeframe = _ACTIONS.get(trigger, _ACTIONS[UNKNOWN])
    emotion_adj = "frustrating" if emotion in {"frustrated", "fed up"} else "upsetting"
    return template.format(
        emotion=emotion, emotion_adj=emotion_adj, ask=gist, restate=gist, action=action, timeframe=timeframe
    )


def _gist(text: str) -> str:
    """The caller's own issue in a short clause, for restating it back."""
    text = normalise(text).strip().rstrip(".!?")
    parts = [p.strip() for p in re.split(r"[.!?]+\s+", text) if p.strip()]
    best = max(parts, key=len) if parts else text
    words = best.split()
    if len(words) > 18:
        best = " ".join(words[:18]) + "..."
    best = re.sub(r"\b(I|I'm|I've|I'd|I'll|my|me|mine|am)\b", _swap_person, best, flags=re.IGNORECASE)
    return f'"{best}"' if best else "what happened"


def _swap_person(m: re.Match[str]) -> str:
    word = m.group(0).lower()
    return {"i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "my": "your",
            "me": "you", "mine": "yours", "am": "are"}[word]  # fmt: skip


def _is_intervention(text: str) -> bool:
    return bool(_EMPATHY_RE.search(text) or _OWNERSHIP_RE.search(text))


def _outcome(
    kind: str,
    scores: Sequence[TurnScore],
    episode: Sequence[int],
    turns: Sequence[Turn],
    moment_turn: Turn,
    until: int | None = None,
) -> tuple[str, str]:
    """(outcome, why) for an episode, judged up to `until` (the next episode) or the end of the call."""
    window = scores[: until if until is not None else len(scores)]
    after = window[episode[-1] + 1 :]
    end_index = scores[until].turn.index if until is not None else len(turns)
    late_agent = [t for t in turns if t.role == "agent" and moment_turn.start_s <= t.start_s and t.index < end_index][
        -2:
    ]
    if kind == "prevented":
        return "prevented", "early signs settled after the agent stepped in"
    if any(_SUPERVISOR_TRANSFER_RE.search(t.text) for t in late_agent):
        return "deteriorated", "ended with a transfer to a supervisor"
    if not after:
        return "deteriorated", "the customer was still agitated when the call ended"
    # Judge the end by what the customer said after the run, never by the peak itself.
    last = after[-1]
    tail = after[-2:]
    tail_markers = {name for s in tail for name in s.markers}
    last_customer_turn_ends_call = until is None and turns[-1].role == "customer" and turns[-1].index == last.turn.index
    if last.raw >= WARN and ("hangup" in last.markers or last_customer_turn_ends_call):
        return "deteriorated", "the customer hung up while still agitated"
    if _ENDING_MARKERS & tail_markers and max(s.raw for s in tail) >= WARN:
        return "deteriorated", "ended with a supervisor demand, a threat or a hang-up"
    if max(s.raw for s in tail) >= HIGH or (last.raw >= WARN and not _thanked(last)):
        return "deteriorated", "frustration was still high when the call ended"
    # After a supervisor demand, a threat or a hang-up threat, going quiet is not recovering: a curt
    # "Fine. Send it in writing. Bye." ends it high. Recovered needs the customer to thank the agent.
    demanded = _ENDING_MARKERS & {m for i in episode for m in scores[i].markers}
    if demanded and not any(_thanked(s) for s in after):
        return "deteriorated", f"ended without settling after a {sorted(demanded)[0]} in the run"
    # Quiet is not calm either: a caller who never thanks, accepts or apologises after the peak and
    # just goes ("Fine. Bye.") left as escalated as they were; that is a curt exit, not a recovery.
    if not any(_settling(s) for s in after):
        return (
            "deteriorated",
            "the customer went quiet but never settled: no thanks, acceptance or apology after the peak",
        )
    if last.raw < WARN:
        return "recovered", "frustration fell after the peak and the call ended calm"
    return "none", "frustration eased but the call did not clearly end calm"


def analyse_turns(
    turns: Sequence[Turn],
    *,
    classifier: TriggerClassifier,
    timed: bool = True,
    voice: dict[int, float] | None = None,
    agitation: AgitationModel | Literal["default"] | None = "default",
    flag_check: FlagCheck | Literal["default"] | None = "default",
) -> CallAnalysis:
    """Analyse one call. Never raises on odd input: a call it can't judge gets a note, not a flag.

    `agitation` reads plain-worded anger the lexicon misses (see `agitation`); `flag_check` takes a
    second look at each flag (see `flag_check`); None turns either off."""
    turns = infer_roles(list(turns))
    customer = [t for t in turns if t.role == "customer" and t.text.strip()]
    if not turns:
        return CallAnalysis([], [], "The call has no transcript, so there is nothing to analyse.", timed)
    if not customer:
        speakers = {t.speaker or t.role for t in turns}
        why = "Only one speaker was heard" if len(speakers) < 2 else "No line was said by the customer"
        return CallAnalysis([], [], f"{why}, so there is no customer speech to analyse.", timed)

    scores: list[TurnScore] = []
    history: list[str] = []
    reply_to = _agent_replies(turns)
    for t in customer:
        raw, lexical, markers = score_customer_turn(t.text, history)
        reply = reply_to.get(t.index)
        if reply is not None and (lexical > 0.05 or markers) and _AGENT_ACK_RE.search(reply.text):
            # Evidence of agitation, never of escalation on its own: defusing early signs is exactly
            # what a good agent does, so this lifts a turn to WARN at most.
            markers["heard"] = HEARD
            raw = max(raw, min(WARN, 1.0 - (1.0 - raw) * (1.0 - HEARD)))
        v = voice.get(t.index) if voice else None
        if v is not None:
            # The voice raises a turn the words already mark, and only nudges a neutral one.
            raw = min(1.0, raw + (0.3 if raw >= 0.15 else 0.12) * v)
        scores.append(TurnScore(t, raw, lexical, markers, v))
        history.append(t.text)
    vectors: dict[str, np.ndarray] = {}

    def encode(texts: Sequence[str]) -> np.ndarray:
        # One call's sentences are embedded once: the trigger context reuses the agitation batch.
        missing = [text for text in dict.fromkeys(texts) if text not in vectors]
        if missing:
            for text, row in zip(missing, classifier.encoder(missing), strict=True):
                vectors[text] = row
        return np.vstack([vectors[text] for text in texts])

    model = default_model() if agitation == "default" else agitation
    if model is not None:
        _lift_agitation(model, scores, turns, encode)
    curve = frustration_curve(scores)
    duration = max(t.end_s for t in turns) if turns else 0.0

    plans: list[_Plan] = []
    quiet: list[str] = []
    episodes = _episodes(scores)
    for number, episode in enumerate(episodes):
        until = episodes[number + 1][0] if number + 1 < len(episodes) else None
        peak = max(scores[i].raw for i in episode)
        if _told_laughing(scores, episode):
            quiet.append("a mishap told as a funny story")
            continue
        if peak >= HIGH:
            kind = "escalation"
            moment_i = next(i for i in episode if scores[i].raw >= HIGH)
        else:
            if max(scores[i].marker_total for i in episode) < MARKER_FLOOR:
                quiet.append("negative words without signs of escalation")
                continue
            top = max(scores[i].raw for i in episode)
            moment_i = next(i for i in episode if scores[i].raw >= top - PEAK_TIE)
            moment = scores[moment_i].turn
            after_run = scores[episode[-1] + 1 : until]
            # A later apology for one's tone makes these early signs an escalation, unless the run's peak
            # is itself the caller accepting the offer ("That is good. Nobody told me that before.").
            apologised = not _settling(scores[moment_i]) and any(
                _TONE_APOLOGY_RE.search(s.turn.text) for s in after_run
            )
            settled = any(_SETTLED_RE.search(s.turn.text) or _GRATITUDE_RE.search(s.turn.text) for s in after_run)
            unsettled_to_end = until is None and len(episode) >= 2 and not settled
            if apologised or unsettled_to_end:
                # The caller later apologised for their tone, or the agitation ran on to the end of the
                # call: either way it was escalated speech, not early signs.
                plans.append(("escalation", list(episode), moment_i, until))
                continue
            agent_after = [t for t in turns if t.role == "agent" and t.start_s >= moment.start_s][:2]
            later = scores[episode[-1] + 1 : episode[-1] + 4]
            if not (agent_after and any(_is_intervention(t.text) for t in agent_after) and later):
                quiet.append("early signs that settled on their own")
                continue
            if max(s.raw for s in later) >= WARN:
                quiet.append("early signs that did not settle")
                continue
            kind = "prevented"
        plans.append((kind, list(episode), moment_i, until))
    escalations = [
        _build(kind, scores, episode, moment_i, turns, duration, classifier, timed, until, encode)
        for kind, episode, moment_i, until in _merge_unsettled(plans, scores)
    ]
    check = default_check() if flag_check == "default" else flag_check
    if check is not None and escalations:
        readings = check.score(escalations, scores, duration, encode)
        for e, p in zip(escalations, readings, strict=True):
            e.review["flag_check"] = round(float(p), 3)
        set_aside = [e for e, p in zip(escalations, readings, strict=True) if check.sets_aside(e, float(p))]
        if set_aside:
            escalations = [e for e in escalations if e not in set_aside]
            quiet.insert(0, f"a run at {fmt_mss(set_aside[0].time_s)} read as a calm caller on a second look")

    if len(escalations) > MAX_FLAGS:
        escalations = sorted(escalations, key=lambda e: -e.severity)[:MAX_FLAGS]
        escalations.sort(key=lambda e: e.time_s)
    note = ""
    if not escalations:
        peak = max(s.raw for s in scores)
        reason = quiet[0] if quiet else "the customer stayed calm throughout"
        note = f"No escalation: {reason} (peak frustration {peak:.2f}, escalation starts at {HIGH:.2f})."
        if len(customer) < 2:
            note += " Only one customer line was heard."
    return CallAnalysis(curve, escalations, note, timed, scores)


def _merge_unsettled(plans: list[_Plan], scores: Sequence[TurnScore]) -> list[_Plan]:
    """Runs the caller never settled between (no thanks, no acceptance, within MERGE_UNSETTLED_S)
    are one event. Flaring up again is the same escalation, not a second one; early signs followed
    by an escalation were not prevented, they are where it began; more early signs after early signs
    are the same early signs. A supervisor demand, threat or hang-up after an unsettled escalation,
    or after early signs the caller never settled from, ends that run (MERGE_ENDING_S), however quiet
    the caller went in between: "No, I'm not doing that again" ... "it's going to Ofcom" is one
    escalation that deteriorated, not early signs prevented and a second escalation."""
    out: list[_Plan] = []
    for plan in plans:
        kind, episode, _, until = plan
        if out:
            first_kind, first, first_moment, _ = out[-1]
            between = scores[first[-1] + 1 : episode[0]]
            gap = scores[episode[0]].turn.start_s - scores[first[-1]].turn.start_s
            ends_it = any(_ENDING_MARKERS & scores[i].markers.keys() for i in episode)
            window = MERGE_ENDING_S if ends_it else MERGE_UNSETTLED_S
            if gap <= window and not any(_settling(s) for s in between):
                merged = "escalation" if "escalation" in (first_kind, kind) else first_kind
                out[-1] = (merged, first + episode, first_moment, until)
                continue
        out.append(plan)
    return out


def _onset(scores: Sequence[TurnScore], episode: Sequence[int], anchor_i: int) -> int:
    """Where an escalation began: the first of the turns in a row up to `anchor_i` that the agitation
    model read as agitated.

    The model's reading makes a turn escalated speech only once the caller's agitation is sustained
    (see _lift_agitation), so the turn it lifts to HIGH is the second agitated one; a reviewer puts
    the moment at the first ("Restored? It's NOT restored!"), and so does this. A turn escalated by its
    own words (outrage, a supervisor demand) steps back at most one turn, to one just before it that the
    model read as surely agitated (STEP_BACK_P: "Six to eight weeks. Additional. Are you hearing me?" ...
    "Give me somebody who can change it."); a plea ("Surely you can make an exception?") or anything
    further back, where the caller was often reacting to something else, is not where it began. Early signs the
    lexicon alone found ("I got a disconnection notice. Again.") stay early signs."""
    if scores[anchor_i].raw < HIGH:
        return anchor_i
    by_words = scores[anchor_i].markers.get("agitation") != AGITATION_HIGH_MARKER
    onset = anchor_i
    while (
        onset - 1 in episode
        and not (by_words and (onset < anchor_i or (scores[onset - 1].agitation_p or 0.0) < STEP_BACK_P))
        and scores[onset - 1].raw >= WARN
        and scores[onset].turn.start_s - scores[onset - 1].turn.start_s <= ONSET_GAP_S
        and "agitation" in scores[onset - 1].markers
    ):
        onset -= 1
    return onset


def _build(
    kind: str,
    scores: Sequence[TurnScore],
    episode: Sequence[int],
    anchor_i: int,
    turns: Sequence[Turn],
    duration: float,
    classifier: TriggerClassifier,
    timed: bool,
    until: int | None,
    encode: Callable[[Sequence[str]], np.ndarray],
) -> Escalation:
    # The anchor is the turn that made the run escalated (or its strongest early sign): the trigger is
    # read there, as what the caller reacts to once it is plain. The moment reported is where it began.
    moment_i = _onset(scores, episode, anchor_i) if kind == "escalation" else anchor_i
    anchor = scores[anchor_i].turn
    moment = scores[moment_i].turn
    first_sign = scores[episode[0]].turn
    agent_before = [t for t in turns if t.role == "agent" and t.index < moment.index]
    agent_before_anchor = [t for t in turns if t.role == "agent" and t.index < anchor.index]
    agent_after = [t for t in turns if t.role == "agent" and t.index > moment.index]
    agent_turn_before = agent_before[-1].text if agent_before else ""
    first_response = agent_after[0] if agent_after else None

    # Context for the trigger: what the customer is reacting to at the anchor. The anchor turn counts
    # most; the customer's earlier turns (in the run or just before it, where callers often state the
    # issue) count less the longer ago they were said; the next turn in the run a little (callers often
    # say what the problem is right after they blow up). The agent turn just before the anchor is
    # weighed by the classifier's agent rules.
    context: list[ContextTurn] = [ContextTurn(anchor.text, 1.0)]
    taken = 0
    for i in range(anchor_i - 1, -1, -1):
        ago = max(0.0, anchor.start_s - scores[i].turn.start_s)
        if ago > CONTEXT_WINDOW_S or taken >= CONTEXT_TURNS_BACK:
            break
        if len(scores[i].turn.text.split()) < CONTEXT_MIN_WORDS:
            continue  # "Okay." or a postcode says nothing about the cause, and each turn costs an embedding
        in_run = i >= episode[0]
        context.append(ContextTurn(scores[i].turn.text, (0.8 if in_run else 0.6) * 0.5 ** (ago / CONTEXT_HALF_LIFE_S)))
        taken += 1
    for i in [i for i in episode if i > anchor_i][:1]:
        context.append(ContextTurn(scores[i].turn.text, 0.6))
    earlier_agent = ""
    if len(agent_before_anchor) >= 2 and anchor.start_s - agent_before_anchor[-2].start_s <= EARLIER_AGENT_WINDOW_S:
        earlier_agent = agent_before_anchor[-2].text
    result: TriggerResult = classifier.classify(
        context,
        agent_before_anchor[-1].text if agent_before_anchor else "",
        earlier_agent_text=earlier_agent,
        vectors=encode([t.text for t in context]),
    )

    outcome, outcome_why = _outcome(kind, scores, episode, turns, anchor, until)
    stage = classify_stage(agent_before, moment.start_s, duration, len(agent_before))
    severity = max(scores[i].raw for i in episode)
    if kind == "escalation":
        severity = min(1.0, 0.7 * severity + 0.1 * min(3, len(episode)))
    customer_texts = [scores[i].turn.text for i in episode if i <= anchor_i]
    redirect = redirect_language(result.slug, customer_texts)
    # Earliest point to prevent it: the agent's reply to the first warning sign.
    reply_to_first = next((t for t in turns if t.role == "agent" and t.index > first_sign.index), None)
    prevention_s = (
        reply_to_first.start_s if reply_to_first and reply_to_first.start_s <= moment.start_s else first_sign.start_s
    )
    defensive = [d for t in agent_before[-3:] for d in _defensive(t.text)]
    review: dict[str, Any] = {
        "kind": kind,
        "trigger_point": {"time_s": round(first_sign.start_s, 2), "excerpt": first_sign.text},
        "moment": {"time_s": round(moment.start_s, 2), "excerpt": moment.text},
        "first_agent_response": {
            "time_s": round(first_response.start_s, 2) if first_response else None,
            "text": first_response.text if first_response else "",
            "acknowledged": bool(first_response and _EMPATHY_RE.search(first_response.text)),
            "took_ownership": bool(first_response and _OWNERSHIP_RE.search(first_response.text)),
            "defensive": _defensive(first_response.text) if first_response else [],
        },
        "prevention": {
            "time_s": round(prevention_s, 2),
            "why": "the agent's reply to the first sign of frustration"
            if reply_to_first and reply_to_first.start_s <= moment.start_s
            else "the first sign of frustration",
        },
        "defensive_language_before": defensive,
        "redirect_language": redirect,
        "outcome_reason": outcome_why,
        "markers": sorted({m for i in episode for m in scores[i].markers}),
        "trigger": result.as_dict(),
        "times_estimated": not timed,
    }
    return Escalation(
        kind=kind,
        time_s=round(moment.start_s, 2),
        severity=round(severity, 3),
        trigger=result.slug,
        trigger_confidence=round(result.confidence, 3),
        stage=stage,
        position=_position(moment.start_s, duration),
        outcome=outcome,
        excerpt=moment.text,
        agent_turn_before=agent_turn_before,
        first_agent_response=first_response.text if first_response else "",
        prevention_s=round(prevention_s, 2),
        redirect_language=redirect,
        review=review,
        voice_used=any(scores[i].voice is not None for i in episode),
    )


def curve_peak(curve: Sequence[Sequence[float]]) -> float:
    return max((p[1] for p in curve), default=0.0)
