"""Detectors: each reads an answer and returns a 0..1 result with the evidence that explains it.

Plain Python (no Django). A detector gets a `Context` (the answer, the customer line it answers,
optional voice features and an embedding function) and its configuration from the rubric, and
returns a `Detection`: a score (None when it cannot judge, e.g. voice on a typed answer), the
quoted spans it relied on, and short notes a coach can read ("named: frustrating").

The lexicons below are defaults; every detector's config can add phrases or patterns in admin.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from rubrics import restate_model, stance

Embed = Callable[[Sequence[str]], np.ndarray]

# Anchors, examples and customer lines recur across answers: keep their vectors (bounded).
_VECTORS: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
_VECTORS_MAX = 20_000
_VECTORS_LOCK = threading.Lock()


def cached_vectors(embed: Embed, texts: Sequence[str]) -> np.ndarray:
    """Rows of `embed(texts)`, computing only the texts not seen before, in one batch."""
    key = id(embed)
    with _VECTORS_LOCK:
        todo = [t for t in dict.fromkeys(texts) if (key, t) not in _VECTORS]
    if todo:
        rows = embed(todo)
        with _VECTORS_LOCK:
            for t, v in zip(todo, rows, strict=True):
                _VECTORS[(key, t)] = v
            while len(_VECTORS) > _VECTORS_MAX:
                _VECTORS.popitem(last=False)
    with _VECTORS_LOCK:
        out = []
        for t in texts:
            v = _VECTORS.get((key, t))
            if v is None:  # evicted meanwhile by another thread
                v = embed([t])[0]
            out.append(v)
    return np.vstack(out)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Detection:
    score: float | None
    evidence: list[Span] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Anchors:
    """The criterion's own example answers: top level (positive) and lowest level (negative)."""

    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


def _fold(text: str) -> str:
    """Lower-case with straight quotes, keeping every character's offset."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        if low in "\u2019\u2018\u02bc`":
            low = "'"
        elif low in "\u201c\u201d":
            low = '"'
        elif low in "\u2014\u2013":
            low = "-"
        out.append(low)
    return "".join(out)


# A title's full stop ("Mr. Baptiste, I'm listening.") does not end the sentence.
_TITLE = r"(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bdr)(?<!\bst)(?<!\bprof)(?<!\bjr)(?<!\bsr)"
_SENTENCE_END = re.compile(
    r"(?:" + _TITLE + r"\.(?=\s|$)|[!?;]|\.(?=[.!?;]))[.!?;]*(?=\s|$)|\s[-]{1,2}\s|\n+", re.IGNORECASE
)
# "so" joins clauses ("..., so I'll refund it") unless it intensifies the next word ("so upset", "so sorry").
_INTENSIFIED = r"(?:sorry|much|many|very|really|glad|upset|worried|angry|annoy|frustrat|scar|stress|disappoint|anxious|embarrass|confus|hard|long|bad|awful)"
_CLAUSE_END = re.compile(
    r"(?:" + _TITLE + r"\.(?=\s|$)|[!?;,:]|\.(?=[.!?;,:]))[.!?;,:]*(?=\s|$)|\s[-]{1,2}\s|\n+"
    r"|\s(?:and|but|so(?!\s+" + _INTENSIFIED + r"))\s",
    re.IGNORECASE,
)


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    parts: list[tuple[int, int]] = []
    start = 0
    for m in pattern.finditer(text):
        if m.start() > start:
            parts.append((start, m.start()))
        start = m.end()
    if start < len(text):
        parts.append((start, len(text)))
    out = []
    for a, b in parts:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


class Context:
    """An answer being graded, with the lookups every detector shares (computed once)."""

    def __init__(
        self,
        text: str,
        *,
        customer_line: str = "",
        window_start: int = 0,
        voice: dict[str, Any] | None = None,
        embed: Embed | None = None,
    ) -> None:
        self.text = text
        self.norm = _fold(text)
        self.customer_line = customer_line
        self.customer_norm = _fold(customer_line)
        self.window_start = window_start
        self.voice = voice
        self.embed = embed
        self.sentences = _split(self.norm, _SENTENCE_END)
        self.clauses = _split(self.norm, _CLAUSE_END)

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def clause_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return pos, pos

    def sentence_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.sentences:
            if a <= pos < b:
                return a, b
        return pos, pos

    def find(self, pattern: re.Pattern[str], *, whole: bool = False) -> list[re.Match[str]]:
        start = 0 if whole else self.window_start
        return [m for m in pattern.finditer(self.norm) if m.start() >= start]

    def vectors(self, texts: Sequence[str]) -> np.ndarray | None:
        """Embeddings of `texts`, cached for this answer; None when no model is available."""
        if self.embed is None or not texts:
            return None
        return cached_vectors(self.embed, texts)

    def prefetch(self, extra: Sequence[str] = ()) -> None:
        """Encode the answer's sentences, the customer line and `extra` in one batch."""
        if self.embed is not None:
            texts = [self.norm[a:b] for a, b in self.sentences] + [self.customer_norm, *extra]
            cached_vectors(self.embed, [t for t in texts if t])

    def window_sentences(self) -> list[tuple[int, int]]:
        return [(a, b) for a, b in self.sentences if b > self.window_start]

    @cached_property
    def defensive(self) -> list[tuple[int, int]]:
        """Where the shipped defensive patterns match, read with and without filler words, so every
        detector that asks "is this defensive?" sees "you should *really* have" the same way."""
        spans = pattern_spans(DEFENSIVE_RX, self.norm)
        # "...weather related anyway." is a shrug; "you reported it on the 8th and the payment's been
        # cancelled anyway" is the customer's story told back, and "I'm calling the driver now, he passes
        # through there tonight anyway" the agent's own plan.
        return [(a, b) for a, b in spans if not (self.norm[a:b] == "anyway" and self._anyway_excused(a))]

    def _anyway_excused(self, at: int) -> bool:
        start = self.sentence_of(at)[0]
        return bool(STORY_TOLD_BACK_RX.search(self.norm, start, at) or OWN_PLAN_RX.search(self.norm, start, at))

    def defensive_within(self, start: int, end: int) -> bool:
        return any(start <= a and b <= end for a, b in self.defensive)


def nearest_class(
    ctx: Context, texts: Sequence[str], classes: Mapping[str, Sequence[str]], *, k: int = 3
) -> list[tuple[str, float, float]]:
    """For each text, the anchor class whose `k` nearest anchors are closest on average.

    Returns (class, margin over the runner-up class, mean similarity of the winning class) per text,
    or [] when no model is available. A margin, not an absolute similarity, decides: MiniLM puts
    most short service sentences 0.3-0.6 apart, so a fixed threshold either never fires or fires
    on everything, while "closer to these anchors than to those" holds across wordings.
    """
    names = [c for c, anchors in classes.items() if anchors]
    if ctx.embed is None or not texts or len(names) < 2:
        return []
    anchors = [a for c in names for a in classes[c]]
    vec = ctx.vectors(list(texts) + anchors)
    if vec is None:
        return []
    sims = vec[: len(texts)] @ vec[len(texts) :].T
    out = []
    for row in sims:
        means = []
        offset = 0
        for c in names:
            n = len(classes[c])
            part = np.sort(row[offset : offset + n])[::-1][:k]
            means.append(float(part.mean()))
            offset += n
        order = np.argsort(means)[::-1]
        best, second = int(order[0]), int(order[1])
        out.append((names[best], means[best] - means[second], means[best]))
    return out


def _embeddable_spans(ctx: Context, *, min_words: int = 4) -> list[tuple[int, int]]:
    """The answer's sentences and clauses (trimmed of edge punctuation) with at least `min_words`
    words; the whole answer when none is that long."""
    out: list[tuple[int, int]] = []
    for a, b in ctx.sentences + [c for c in ctx.clauses if c not in ctx.sentences]:
        while a < b and ctx.norm[a] in " ,;:-.!?\n\t":
            a += 1
        while b > a and ctx.norm[b - 1] in " ,;:-.!?\n\t":
            b -= 1
        if len(ctx.norm[a:b].split()) >= min_words and (a, b) not in out:
            out.append((a, b))
    if not out and ctx.norm.strip():
        out.append((0, len(ctx.norm)))
    return out


def _anchor_list(config: dict[str, Any], key: str, default: Sequence[str] = ()) -> list[str]:
    return [str(e) for e in (config.get(key) or default) if e]


def _rx(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


def _user_rx(config: dict[str, Any], key: str) -> re.Pattern[str] | None:
    patterns = [p for p in config.get(key, []) or [] if isinstance(p, str) and p.strip()]
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error as exc:
        raise ValueError(f"bad pattern in {key}: {exc}") from exc


# --- lexicons ---------------------------------------------------------------------------------

EMOTIONS: dict[str, list[str]] = {
    "anger": [
        r"frustrat\w*",
        r"annoy\w*",
        r"irritat\w*",
        r"aggravat\w*",
        r"exasperat\w*",
        r"angry",
        r"anger(?:ed)?",
        r"furious",
        r"fuming",
        r"livid",
        r"outrag\w*",
        r"infuriat\w*",
        r"mad",
        r"maddening",
        r"irate",
        r"fed up",
        r"sick (?:and tired )?of (?:it|this|that|being|calling|waiting)",
        r"resent\w*",
        r"insult\w*",
        r"disrespect\w*",
        r"offend\w*",
        r"betray\w*",
        r"cheated",
        r"ripped off",
        r"fobbed off",
        r"messed (?:around|about)",
        r"mucked (?:around|about)",
        r"taken for granted",
        r"(?<!-)cross(?![-\w])",
        r"scunnered",
        r"vex(?:ed|ing)",
        r"raging",
        r"seething",
        r"incensed",
        r"disgust(?:ed|ing)",
        r"sicken(?:ed|ing)",
        r"(?:pissed|ticked|hacked|cheesed|teed|browned) off",
        r"cranky",
        r"stung",
        r"grumpy",
        r"narked",
        r"sian",  # Singapore and Malaysia: fed up, weary of it
        r"wound up",
        r"(?:done|finished) being patient",
        r"(?:lost|losing|run out of|ran out of|running out of) (?:your |all |any )?patience",
        r"(?:feel|felt|feeling) (?:\w+ )?played(?: with)?",
        r"feel(?:s|ing)? (?:so |completely |totally |really |a bit )?(?:ignored|forgotten|brushed off|invisible|fobbed off|cut off)",
    ],
    "disappointment": [r"disappoint\w*", r"let down", r"letdown"],
    "worry": [
        r"worr(?:y|ied|ies|ying|isome)",
        r"anxious",
        r"anxiety",
        r"nervous",
        r"scared",
        r"scary",
        r"afraid",
        r"frighten\w*",
        r"terrif(?:ied|ying)",
        r"petrified",
        r"dread\w*",
        r"worried sick",
        r"keep(?:s|ing)? (?:you|them|me) (?:up|awake) at night",
        r"losing sleep",
        r"fear(?:ful|s)?",
        r"panic\w*",
        r"concerned",
        r"concerning",
        r"alarm(?:ed|ing)",
        r"uneasy",
        r"on edge",
        r"distress\w*",
        r"unsettl\w*",
        r"unsure",
        r"insecure",
    ],
    "confusion": [r"confus\w*", r"puzzl\w*", r"baffl\w*", r"bewilder\w*"],
    "sadness": [
        r"sad",
        r"saddened",
        r"devastat\w*",
        r"heartbr\w*",
        r"hurt(?:ful)?",
        r"embarr?ass\w*",
        r"humiliat\w*",
        r"tear(?:y|ful)",
        r"in tears",
    ],
    "exhaustion": [r"exhaust\w*", r"draining", r"worn (?:out|down)", r"overwhelm\w*", r"tiring", r"tired", r"weary"],
    # Broad feelings a coach accepts for any upset customer.
    "upset": [
        r"upset\w*",
        r"unhappy",
        r"stress(?:ed|ful|ing)?",
        # Idioms for it: "at the end of your tether", "at your wits' end", "I'd be over it too".
        r"(?:at )?the end of (?:your|their|my) (?:tether|rope)",
        r"(?:at )?(?:your|their|my) wits'? end",
        r"(?:had|have had) enough",
        r"(?:be|'d be|are|'re|feel|feeling) (?:so |totally |completely |well )?over it",
        r"beside (?:yourself|themselves)",
        r"(?:tearing|pulling) (?:your|their) hair out",
        r"(?:at )?breaking point",
        r"(?:a|such a|horrible|awful|nasty|terrible) (?:\w+ )?shock",
        r"horrif(?:ied|ying|ic)",
        r"shocked",
        r"gutt(?:ed|ing)",
        r"(?:be |being |to be |are |'re )(?:so |just |totally )?done with (?:this|it|us|all this)",
        r"mortified",
    ],
}
# Emotions a coach accepts as the same feeling (frustration and disappointment are close).
CLUSTERS = {
    "anger": "hot",
    "disappointment": "hot",
    "exhaustion": "hot",
    "worry": "fear",
    "confusion": "confusion",
    "sadness": "sad",
}
EMOTION_RX = {family: _rx(words) for family, words in EMOTIONS.items()}
# Customer cues when the customer shows a feeling without naming it.
HOT_CUES = _rx(
    [
        r"ridiculous",
        r"unacceptable",
        r"absurd",
        r"joke",
        r"useless",
        r"incompetent",
        r"third time",
        r"(?:three|four|five|\d+) times",
        r"again",
        r"every (?:single )?time",
        r"nobody",
        r"no one",
        r"supervisor",
        r"manager",
        r"cancel\w*",
        r"waste",
        r"sick of",
        r"fed up",
        r"still",
        r"hours?",
        r"never",
        r"how many times",
        r"seriously",
    ]
)
FEAR_CUES = _rx(
    [
        r"what if",
        r"can'?t afford",
        r"will i",
        r"am i going to",
        r"urgent\w*",
        r"my (?:kids|children|family|rent|mortgage|job)",
        r"overdraft",
        r"lose",
        r"losing",
        r"cut off",
        r"disconnect\w*",
        r"evict\w*",
        r"emergency",
        r"medication",
        r"scared",
        r"afraid",
        r"desperate\w*",
        r"need(?:ed|s)? (?:it|this|that|the|my)(?: \w+)? (?:by|before|for)",
        # What is at stake: health, a baby, the last of the money, a home without power.
        r"insulin",
        r"oxygen",
        r"newborn",
        r"pregnant",
        r"(?:no|without) (?:power|electricity|heating|heat|hot water|water)",
        r"(?:only|just) (?:got|have|had) (?:£|\$|€)?\d+\w* (?:till|until|to last)",
        # Fear for money or safety: "this is hospital money pliz help me", "is my account hacked??".
        r"hospital",
        r"(?:please|pls|pliz|plz) help",
        r"help me",
        r"hack(?:ed|ing)?",
        r"scam(?:med)?",
        r"fraud\w*",
        r"stolen",
        r"shak(?:ing|en|y)",
        r"panic\w*",
    ]
)
CONFUSION_CUES = _rx([r"lost", r"don'?t understand", r"no idea", r"makes no sense", r"can'?t work out", r"what does"])
# "everyone is confused": a feeling given to other people is not the customer's.
OTHERS_FEEL = re.compile(
    r"(?:everyone|everybody|people|customers|others|most people|a lot of people)\s+(?:\w+\s+)?"
    r"(?:is|are|gets?|feels?|finds?)\s+(?:\w+\s+)?$"
)
NEGATED_BEFORE = re.compile(
    r"(?:no need to|don'?t|do not|not|nothing to|shouldn'?t|should not|stop|no reason to|never|won'?t|"
    r"there'?s no|no point)\s+(?:\w+\s+){0,2}$"
)
POLITE_AFRAID = re.compile(r"(?:i'?m|i am|i)\s+(?:just\s+)?$")

GENERIC_ACK = _rx(
    [
        r"i (?:completely |totally |really |fully |absolutely |do )?(?:understand|get it|get that|hear you|hear that|hear what)",
        r"i (?:can |do )?(?:see|understand|get) (?:why|how|that|where)",
        r"i can (?:only )?imagine",
        r"i can (?:really |totally |definitely )?hear (?:that|you|how|why|it)",
        r"(?:that'?s|that is|it'?s|it is|that was) (?:such |an awful |a |quite )?(?:lot|so much|too much) to (?:deal with|handle|cope with|take in)",
        r"i (?:really |truly )?appreciate (?:how|that|why|you)",
        r"(?:i'?m|i am|we'?re|we are) (?:so |really |very |truly |terribly |deeply )?sorry",
        r"(?:i |we )?(?:sincerely |truly )?apologi[sz]e",
        r"my apologies",
        r"sorry (?:for|about|to hear|that)",
        r"(?:that|this|it) (?:must be|must have been|sounds|is|has been) (?:\w+ )?(?:hard|difficult|tough|awful|terrible|a pain|a hassle|rough|not ok(?:ay)?|horrible|unacceptable)",
        r"thank you for (?:your patience|bearing with|telling me|explaining|letting me know|sharing)",
        r"(?:that'?s|this is|it'?s) (?:really |just |definitely )?not (?:ok(?:ay)?|acceptable|good enough|good|fair|right|on)(?: at all)?",
        r"you(?:'?re| are) right",
        r"(?:i'?d|i would|anyone would) (?:feel|be) the same",
        r"inconvenien\w+",
        r"your concerns?",
        r"(?:i|we) (?:hear|understand) your",
        r"that'?s (?:completely |totally )?(?:understandable|fair)",
        r"of course you (?:are|would|feel)",
        # Chat and spoken openers: "omg so sorry", "aw no, so sorry"; and "I know that's not an easy call to make".
        r"(?:omg|oh no|aw+|oh|ah) (?:no,? )?(?:so |really |very )?sorry",
        r"^(?:oh,? |ah,? )?sorry\b",
        r"pole(?: sana)?(?=,|\.|!| sir| madam| mama| mzee| bro)",  # Swahili: sorry, I feel for you
        r"^(?:okay,? |ok,? )?understood\b",
        r"(?:totally|completely|fully) (?:get|understand) (?:it|that|why)",
        r"(?:i'?m |i am |so )?(?:so |really |very )?glad (?:you|to hear)",
        r"(?:that'?s|that is|this is|it'?s) (?:a |such a )?(?:big |huge |real |massive )?(?:hit|blow|bummer|nightmare)",
        r"(?:i know |i can tell )?(?:that'?s|that is|this is|it'?s|it is|this isn'?t|that isn'?t|it isn'?t) (?:not )?(?:an? )?"
        r"(?:easy|hard|difficult|tough) (?:call|thing|conversation|one|situation|time)",
    ]
)

DEFENSIVE = [
    r"(?:that'?s|that is|it'?s|it is|this is) (?:just )?(?:not )?(?:our|the|company|company'?s) polic(?:y|ies)",
    r"(?:our|the|company) polic(?:y|ies) (?:is|says|states|doesn'?t|does not|won'?t|will not|is clear|prevents|won'?t let)",
    r"polic(?:y|ies) (?:is|are) polic(?:y|ies)",
    r"(?:due to|because of|per|under|according to) (?:our|the|company) polic(?:y|ies)",
    r"calm down",
    r"(?:please )?relax",
    r"(?:no need|there'?s no need) to (?:shout|yell|be rude|get upset|get angry|raise your voice|be like that|swear)",
    r"don'?t (?:shout|yell|raise your voice|take that tone|swear)",
    r"lower your voice",
    r"watch your (?:tone|language)",
    r"(?:there'?s|there is) nothing (?:else )?(?:i|we) can do",
    r"nothing (?:more )?(?:i|we) can do",
    r"(?:i|we) can'?t (?:do anything|help you)",
    r"(?:i|we) cannot (?:do anything|help you)",
    r"out of (?:my|our) hands",
    r"not (?:my|our) (?:fault|problem|responsibility|department|job|call)",
    r"i don'?t make the (?:rules|polic(?:y|ies))",
    r"(?:it'?s|that'?s|this is) (?:just )?(?:how|the way) (?:it is|it works|things are)",
    r"as i (?:already |just |have |'?ve )?(?:said|told you|explained|mentioned|stated)",
    r"like i (?:said|told you|already said)",
    r"i (?:already|'?ve already|have already) (?:told|explained|said)",
    r"how many times (?:do|must|have) i",
    # Not "you shouldn't have had to call back" or "you should have been told": those are on us.
    r"you should have(?! (?:had|been|got|gotten|received|heard))",
    r"(?<!bill )(?<!charge )(?<!fee )(?<!debt )you (?:shouldn'?t|should not) have(?! (?:had|been|got|gotten|received|heard|paid|needed|to))",
    r"you (?:need|have|'?ve got) to understand",
    r"you didn'?t (?:read|listen|check)",
    r"if you(?: had|'?d) (?:read|listened|checked|paid attention)",
    r"(?:it'?s|that'?s|it is) your (?:fault|responsibility|problem)",
    r"you(?:'?re| are) (?:being )?(?:unreasonable|rude|ridiculous|wrong|overreacting|hysterical|difficult)",
    r"(?:read|check) the (?:terms|small print|fine print|contract)",
    r"it (?:clearly )?(?:says|states) (?:in|on) (?:the|your)",
    r"take it or leave it",
    r"(?:there'?s|there is) no point",
    r"i'?m not going to argue",
    r"whatever(?=\s*(?:[.!,]|$))",
    r"(?:we|i) (?:can'?t|cannot|don'?t) make (?:an )?exceptions?",
    r"no exceptions",
    r"(?:it'?s|that'?s|this is) not (?:our|my) (?:fault|problem)",
    r"(?:we'?re|we are) not responsible",
    r"nothing to (?:do|be done) (?:about|with) (?:it|that|this)",
    r"(?:i|we) (?:just )?(?:follow|work to) the rules",
    r"(?:you|customers) always|customers never",
    r"that'?s not (?:true|what happened)",
    r"you(?:'?ll| will) (?:just )?have to (?:wait|accept|deal)",
    r"(?:there'?s|there is) no need to be (?:upset|angry|frustrated|so)",
    r"don'?t (?:get|be) (?:upset|angry|so)",
    r"with all due respect",
    r"(?:i'?m|we'?re|i am|we are) sorry (?:that )?you (?:feel|see it) (?:that way|like that)",
    r"you (?:signed up for|agreed to|accepted|chose|opted in to) (?:it|this|that|the)",
    r"(?:these things|this|that|it|refunds|delays|mistakes|cancellations|things|outages) (?:can |do |will |sometimes |just )?(?:take (?:a while|time|ages)|happens?)",
    # Not "that's not right": said on its own it sides with the customer ("Oh no, that's not right!").
    r"(?:it'?s|that'?s|this is) not (?:a scam|true|correct)",
    r"stop (?:shouting|yelling|swearing|interrupting)",
    r"it is what it is",
    r"don'?t panic",
    r"(?:it'?s|that'?s|this is|it is) (?:all )?(?:in |just )?(?:the|your|our) (?:contract|terms|agreement|t&cs)",
    r"(?:we|i) (?:get|have|deal with|handle) (?:hundreds|thousands|loads|lots|so many) of",
    r"(?:the|our) (?:team|department|staff) (?:is|are) (?:very |really |so )?(?:busy|swamped|overloaded)",
    r"no need to (?:be|get) (?:so )?(?:upset|angry|frustrated|worked up|emotional|rude|like that)",
    r"(?:we'?re|we are|i'?m|i am) (?:very |really |so |just |extremely )?(?:busy|short[- ]staffed|swamped)",
    r"everyone (?:has|needs) to wait",
    r"these things take time",
    r"you can'?t (?:\w+ ){1,2}without",
    r"i'?m (?:only|just) doing my job",
    r"(?:it|that) (?:can'?t|cannot|won'?t) be (?:done|changed)",
    # Hiding behind rules, terms, process or the system as the reason.
    r"(?:per|under|as per|in line with|in accordance with|according to) (?:the|our|your) (?:terms|t&cs|terms and conditions|"
    r"rules|procedures?|process|protocol|guidelines|regulations|contract|agreement)",
    r"(?:that'?s|it'?s|this is|that is|it is) (?:just )?(?:the|our|standard|company|company'?s) (?:process|procedure|protocol|rules?|system)",
    r"(?:aren'?t|are not|isn'?t|is not|'?m not|am not|we'?re not|not) (?:permitted|allowed|authori[sz]ed) to",
    r"(?:the|our) (?:\w+ ){0,2}(?:is|are) (?:very |really |so |extremely )?(?:busy|swamped|overloaded|short[- ]staffed)",
    # Normalising the failure: "results are often delayed".
    r"(?:are|is|get|gets) (?:often|usually|sometimes|always|normally|frequently) (?:delayed|late|slow|lost|missed|wrong)",
    # Blame by obligation: "you'd need to have checked", "you were supposed to".
    r"you(?: would|'?d) (?:need|have) to have",
    r"you (?:were|are) (?:supposed|meant|required|expected) to",
    r"(?:we'?re|we are|the bank is|the company is) (?:fully |perfectly )?(?:entitled|within our rights|allowed) to",
    r"(?:is|are|was|were|gets?) (?:applied|charged|billed|generated|triggered|done|set) automatically",
    r"(?:for|due to) (?:security|legal|compliance|regulatory|data protection) reasons",
    r"for your own (?:protection|safety|security|good)",
    r"(?:correct|right|valid) according to (?:our|the) (?:system|records)",
    r"(?:it'?s|that'?s|this is) (?:just )?(?:standard|normal) (?:practice|procedure)",
    # Disowning it: not something I control, not much I can do, that's all I can say.
    r"not (?:something|anything) (?:that )?(?:i|we|agents|anyone|staff)(?: here)? (?:can )?(?:control|change|decide|do anything about)",
    r"(?:not|nothing) much (?:i|we|anyone) can do",
    r"(?:that'?s|this is|that is) all (?:i|we) can (?:tell you|say|do|offer)",
    r"(?:i|we) (?:can'?t|cannot|am not able to|'?m not able to|'?m unable to|am unable to) (?:undo|reverse|change|override|help with) (?:it|that|this)",
    r"so no,",
    # Passing the blame: "it's not actually us", "down to your employer rather than us", "they're all
    # self-employed", "I'm just the switchboard", "refunds are not issued for partial months".
    r"(?:it'?s|that'?s|this is|it is|that is) not (?:actually |really )?(?:us|me|on us|on me)\b(?! (?:to|who))",
    r"rather than (?:us|me)\b",
    r"not (?:us|me) as such",
    r"(?:is|are|would be|'?d be|was) (?:all )?down to (?:your|the|their) \w+",
    r"(?:are|is|'?re) (?:all )?(?:independent|self-employed)(?: contractors?| couriers?| drivers?| businesses)?",
    r"i'?m (?:just|only) (?:the )?(?:switchboard|front desk|reception|call cent(?:er|re)|messenger|an agent|customer service)",
    r"(?:are|is) not (?:issued|given|offered|refunded|accepted|covered|allowed|permitted) (?:for|on|in|after|if|when)\b",
    # Blaming the customer: what they should have done, or doubting them.
    r"if you(?: had|'?d) (?:\w+ ){0,2}?(?:\w+ed|done|gone|rung|read|told|known|kept|paid|spoken|sent|taken|given|made)\b"
    r"[^.!?]{0,60}?\b(?:would(?:n'?t| not)? have|'?d have|wouldn'?t be)",
    # "You've already been told", "you were advised of this": not "you've been told you're not covered",
    # which says back what happened to them.
    r"you(?:'?ve| have) already been (?:told|informed|advised|notified)(?! (?:something|different|conflicting|the wrong|wrong|incorrect|nothing|\w+ different|otherwise))",
    r"you(?:'?ve| have) been (?:told|informed|advised|notified)(?= (?:this|that|about (?:this|that|it)|of (?:this|that)|before|already|several|multiple|many|in (?:writing|the|your|our))\b|\s*(?:[.,;!]|$))",
    r"(?:fault|problem|issue|error) (?:is|was|lies) (?:on|with|at) your (?:side|end)",
    r"(?:are|you'?re|you are) you sure (?:you|that)|(?:you'?re|you are) sure (?:you|that)",
    r"if you (?:\w+ ){1,4}(?:this|it) (?:won'?t|will not|wouldn'?t) happen",
    # Minimising: it's not just you, everyone waits, please understand we're busy.
    r"(?:it'?s|you'?re) not (?:just|only) you",
    r"everyone (?:is|has been|'?s) (?:\w+ ){0,2}waiting",
    r"(?:many|lots of|a lot of|other|plenty of) (?:other )?(?:customers|people|callers) (?:have|are|with|in the same)",
    r"please understand",
    r"(?:i'?m sure )?you (?:can|must|will) (?:surely )?(?:appreciate|understand) (?:that|we|how|our)",
    r"i'?m sure you (?:can )?(?:appreciate|understand)",
    # Passive-aggressive formality.
    r"(?:kindly|please) (?:note|be advised|be aware)",
    r"as per my (?:colleague|previous|last|earlier|email|message|notes)",
    r"as per (?:the|my|our) (?:notes|records)",
    r"with respect,",
    r"(?:is|are|'s|it'?s) (?:all |clearly )?(?:in|part of|covered by|written in|set out in) (?:your|the|our) (?:\w+ )?(?:contract|terms|agreement|t&cs|small print|fine print)",
    # Pushing it onto someone else: another team, the bank, a third party.
    r"(?:is ?n'?t|is not|aren'?t|are not|'?s not|'?re not) (?:my|our) (?:fault|problem|responsibility|department|job|call|area|remit|decision|team)",
    r"not (?:by|with|from|down to|up to) (?:us|me)(?!\w)",
    r"(?:is|are|'?re|'?s) (?:a )?third[- ]part(?:y|ies)",
    r"(?:sits?|lies|rests?) (?:squarely )?with (?:them|the|your|their)",
    r"(?:that'?s|it'?s|this is|that is|which is) (?:on|at) (?:their|your bank'?s|the bank'?s|the (?:\w+ )?(?:company|supplier|courier|bank|manufacturer|airline|insurer|retailer|carrier|landlord)'?s?) (?:end|side)",
    r"you(?:'?ll| will)? (?:just )?(?:have|need) to (?:contact|call|ring|phone|speak to|talk to|take (?:it|that|this|that one) up with|chase|email|write to|go to|ask) (?:them|the (?:\w+ )?(?:bank|courier|supplier|manufacturer|airline|insurer|other|finance|retailer|seller|company)|your (?:bank|card provider|courier|supplier))",
    r"(?:only|just) the messenger",
    # The company was right: verdicts and reminders instead of help.
    r"so (?:the|your|our|that|this|it|they|those|these) (?:\w+ ){0,3}(?:was|were|is|are|'?s) (?:all )?(?:correct|right|accurate|valid|legitimate|justified|in order)",
    r"(?:the|our) (?:system|records?|computer|notes) (?:shows?|says?|states?|has|have) [^.!?]{0,60}?,? so\b",
    r"(?:our|the) (?:system|computer|records?|team|engineers?) (?:doesn'?t|does not|don'?t|do not|never|can'?t|cannot|wouldn'?t|would not) (?:\w+ )?(?:make mistakes|make errors|ignore|lose|miss|get (?:it|this|that|things) wrong)",
    r"shouldn'?t (?:come as|be) (?:a|any|much of a) surprise",
    r"shouldn'?t (?:differ|be any different|have been (?:a|an) (?:problem|issue|surprise))",
    r"we (?:did|had|clearly|already|do) (?:note|warn|tell|mention|say|state|inform|advise|explain|point out|make it clear)",
    r"(?:though|although|but) i'?d (?:note|point out|mention|add|remind you)",
    r"i'?d (?:just )?(?:note|point out|remind you|like to remind you) that",
    r"(?:just )?to remind you,",
    r"at (?:your|the customer'?s|the owner'?s) own risk",
    r"(?:agreement|contract|form|terms|waiver|paperwork|document|t&cs|schedule|welcome pack|booklet) you (?:signed|agreed to|accepted|ticked|read|got|received|were (?:sent|given))",
    r"you did (?:sign|agree|accept|tick|choose|book|order|consent|authori[sz]e|send|submit|wait|leave|miss|use)",
    # Minimising and normalising it.
    r"(?:you'?re|you are) (?:not|hardly) the (?:only|first|last) (?:one|person|customer|caller)",
    r"hardly (?:\w+ ){0,2}(?:unique|unusual|end of the world|big deal|surprising|uncommon|rare|fault|disaster|major|a crisis|an emergency)",
    r"(?:at|with|for|across) (?:every|all|any) (?:other )?(?:airline|company|compan|bank|provider|supplier|retailer|network|insurer|firm|business|courier|energy supplier)(?:s|ies)?\b",
    r"end of the world",
    r"(?:it'?s|that'?s|this is|it was) (?:just|only|merely|simply) (?:a|an|one) (?:\w+ )?(?:glitch|blip|hiccup|technicality|formality|misunderstanding|minor|small|little)",
    r"(?:just|simply) the (?:reality|nature of|way of)",
    r"that'?s (?:just )?(?:life|reality)(?!\w)",
    r"(?:only|just) (?:slows?|holds?|clogs?) (?:things|it|everything|us|the process|the queue) (?:down|up)",
    r"(?:please )?(?:don'?t|do not|stop) (?:ring|call|phon|chas|email)\w* (?:\w+ ){0,2}(?:again|in the meantime|every day|so often|constantly|repeatedly)",
    r"most (?:other )?(?:customers|people|callers|of our customers) (?:\w+ )?(?:manage|are able|seem to|have no (?:problem|trouble|issue)|know|understand|read|find it|cope|don'?t have)",
    r"(?:but )?no matter(?=\s*(?:[.!,]|$))",
    # Doubt and sarcasm.
    r"apparently(?=\s*(?:[.!?]|$))",
    r"if you (?:really|genuinely|honestly|absolutely) (?:feel|think|want|insist|must|need)",
    r"i (?:doubt|don'?t think) there'?s (?:\w+ ){0,2}(?:more|much|anything)(?: (?:else|more))? (?:to say|to add|i can|we can)",
    r"you'?re telling me",
    r"(?:so you say|you claim|supposedly|allegedly|so you'?re claiming|if that'?s (?:really )?what happened)",
    r"kindly (?:allow(?! me\b)|bear|refrain|be patient|understand|remember|accept)",
    # Contradicting the customer with records.
    r"(?:records?|system|logs?|notes|tracking|it says here|account|history) (?:\w+ )?(?:shows?|says?|indicates?|states?|confirms?) (?:that )?(?:you (?:were|did|have|had|didn'?t|never|weren'?t|agreed|asked|chose|cancel|signed|used|made|called)|(?:the )?(?:driver|engineer|courier|technician|fitter|rider) (?:did|knocked|called|came|attended|tried|delivered|left|rang))",
    r"sorry (?:if |that )?you (?:feel|felt|think|thought|believe|see it)",
    r"as (?:previously |already |i )?(?:mentioned|stated|explained|advised|noted)(?! (?:by you|in your))\b",
    r"like i (?:mentioned|explained|said before)",
    r"i(?:'?ve| have) (?:already )?(?:told|explained (?:this |that |it )?to) you",
    # Correcting the customer's tone.
    r"(?:speak|talk)(?:ing)? to me like that",
    r"(?:won'?t|will not|don'?t have to|do not have to) (?:be spoken|tolerate|accept (?:that|this) (?:tone|language|behaviou?r)|put up with)",
    r"(?:be|remain|stay|keep it) (?:civil|polite|respectful)",
    r"end (?:the|this) call if",
    r"(?:shouting|yelling|swearing|getting angry|being rude|raising your voice|getting upset|getting worked up|that attitude|that tone|arguing)(?: at me| with me)? (?:won'?t|will not|isn'?t going to|doesn'?t|does not|is not going to|never) (?:help|change|get|make|solve|fix|speed)",
    r"i'?m (?:only|just) trying to help",
    r"mind your (?:language|tone|manners)",
    # Sending the customer elsewhere.
    r"you(?:'?ll| will|'?d| would)? (?:just )?(?:have|need) to (?:contact|call|ring|phone|speak to|talk to|take (?:it|that|this|that one) up with|chase|email|write to|go to|ask|go through|get in touch with|raise (?:it|that|this) with|complain to) (?:them|the|your|another|a different|their|someone else)",
    r"try (?:calling|ringing|phoning|contacting|emailing) (?:them|the|your|another|their)",
    r"(?:can'?t|cannot|don'?t|do not) (?:deal|help) with (?:that|this|it) (?:here|from here|in this department|on this line|in this team)",
    r"you(?:'?ve| have)? (?:called|rung|phoned|come through to|reached|got) the wrong",
    # Hiding behind the system or the rules.
    r"(?:my|our) hands are tied",
    r"(?:the )?(?:system|computer) (?:won'?t|doesn'?t|does not|will not) (?:let|allow)",
    r"computer says no",
    r"rules are rules",
    # Minimising.
    r"(?:it'?s|that'?s|this is|it was|it'?ll be) (?:only|just|merely) (?:a few|a couple|one|two|three|another|an extra|a small|a little|\d|£|\$|€|₹)",
    r"not (?:a|that|such a) (?:big|huge|major) (?:deal|problem|issue)",
    r"not that bad",
    r"could (?:be|have been) (?:a lot |much )?worse",
    r"no (?:real )?harm done",
    r"at least (?:you|it|the|your|nothing)",
    r"you(?:'?ll| will) (?:be|survive) (?:fine|okay|ok|alright|all right)",
    r"(?:it'?s|that'?s) (?:hardly|not exactly)",
    # Blaming the customer.
    r"(?<!something )(?<!anything )(?<!which )(?<!what )(?<!that )you (?:didn'?t|did not|never|failed to|forgot to|neglected to) (?:\w+ )?(?:read|check|call us|tell us|inform|let us|update|submit|send|pay|follow|cancel|return|register|provide|fill|answer|attend|show up|turn up|log|notify|activate|confirm|sign|book|save|keep|back up)",
    r"(?:that'?s|it'?s|this is) on you",
    r"(?<!not )(?<!n't )(?<!no )your (?:own )?(?:mistake|error|fault|oversight)",
    r"you must have (?:\w+ed|done|got|made|put|typed|entered|given|missed|forgotten|misread|misunderstood)",
    r"(?:you|your \w+) (?:entered|typed|gave us|provided|put|selected|picked) the wrong",
    r"you were the one",
    # Sarcasm.
    # "Just so you're aware": a correction dressed as information.
    r"(?:just )?so (?:you'?re|you are) aware",
    r"(?:just so we'?re clear|to be fair|to be clear|that said),? though",
    # Emphatic "did": our side did its part, so it must be the customer.
    r"(?:we|our (?:system|team|staff|driver|engineer|courier|crew)|the (?:system|driver|engineer|crew|courier|technician)) did (?:email|send|text|notify|write|post|tell|warn|inform|call|knock|try|attempt|deliver|come|leave)",
    r"(?:reported|logged|noted|recorded|says?|shows?) (?:that )?(?:he|she|they) (?:knocked|attempted|came|called|rang|tried|attended|delivered|left|visited)",
    r"(?:reported|logged|noted|recorded|says?|shows?) (?:that )?(?:the|your) \w+ (?:weren'?t|wasn'?t|were not|was not) (?:out|there|available|home|in|ready|accessible)",
    r"(?:records?|system|notes|logs?) (?:\w+ )?only shows?",
    r"(?:not sure|doubt) (?:that'?s|that is|it'?s|this is) (?:accurate|right|correct|true|what happened)",
    r"(?:the|that|this|your) (?:charge|fee|decision|bill|penalty|fine|excess|ticket|invoice) (?:still )?stands",
    r"did you (?:actually|even|bother|really)",
    r"you'?ll (?:\w+ )?(?:appreciate|understand)(?: though)? that",
    r"(?:we|i) (?:have|had) no (?:choice|option|alternative) but",
    r"(?:outside|beyond) (?:of )?(?:my|our|the company'?s) control",
    r"(?:that'?s|it'?s|this is) (?:just )?how long (?:\w+ ){0,3}takes?",
    r"takes? the time (?:they|it) takes?",
    r"(?P<tautology>\w+) when (?:it'?s|it is|they'?re|they are) (?P=tautology)",
    r"if (?:someone|somebody|anyone|you) (?:had|'?d) [^.!?]{0,80}?\b(?:would(?:n'?t| not)? have|would'?ve|'?d have|wouldn'?t be)",
    r"when (?:customers|people|folks) (?:don'?t|do not|fail to|forget to)",
    r"(?:there'?s|there is) no need to (?:take|use) that (?:tone|language)",
    r"i'?m trying to help you(?: here)?(?=\s*(?:[.!,]|$))",
    r"as i(?:'?ve| have)? (?:already |just |previously )?(?:said|told|explained|mentioned|stated)",
    # Lecturing the customer on next time.
    r"for (?:future reference|next (?:time|year))",
    r"(?:would'?ve|would have|could'?ve|could have) saved you",
    r"(?:did|have) you (?:get|have|ask|check|try|call|read) (?:\w+ ){0,8}before (?:we|you|the|calling|ringing|contacting)",
    # Normalising the wait or the failure.
    r"(?:is ?n'?t|is not|not|aren'?t|are not) (?:at all )?(?:unusual|uncommon|out of the ordinary|abnormal)",
    r"everyone'?s (?:\w+ ){0,2}(?:taking|waiting|delayed|late|in the same)",
    r"(?:just|only) an estimate|never (?:a|an) (?:guarantee|promise)",
    r"in the order (?:they'?re|they are|it'?s|it is|they were|it was|we) (?:received|get|got)",
    r"(?:we'?re|we are|it'?s|it is|you'?re|you are) (?:still )?(?:within|inside) the (?:window|timeframe|time frame|terms|sla|limit)",
    r"(?:usually|normally|often) (?:\w+ ){0,2}(?:weather|user|customer) (?:related|error)",
    r"(?:their|our|the) records are (?:usually |normally |always |generally )?(?:accurate|correct|right|reliable)",
    r"anyway(?=\s*(?:[.!]|$))",  # not in the customer's story told back: see Context.defensive
    # Disowning it.
    r"(?:is|'?s) between you and",
    r"(?:their|his|her|the \w+'?s) (?:problem|issue|responsibility|fault|department|call)",
    r"not (?:us|ours|mine)(?=\s*(?:[.,!;]|$))",
    r"as far as (?:we'?re|we are|i'?m|i am|the company is|the bank is) concerned",
    r"i (?:do )?have (?:a|other) (?:queue|customers|callers|calls)",
    # Sarcasm.
    r"(?:ha|haha|lol)(?=\s*(?:[.!]|$))",
    r"our (?:\w+ )?(?:installers?|engineers?|drivers?|staff|team|technicians?|couriers?|fitters?|crews?) (?:always|never)",
    r"the (?:\w+ )?(?:installers?|engineers?|drivers?|staff|team|technicians?|couriers?|fitters?|crews?) (?:always|never) (?:make|get|lose|miss|do|would|leave|forget|damage|break)",
    r"as you(?:'?ve| have) (?:now |already )?(?:told|said|mentioned|explained)(?: (?:me|it|this|us))? (?:a (?:couple|few) of |several |many |\w+ )times",
    r"oh,? i'?m sure",
    r"i'?m sure (?:it (?:feels|seems)|you (?:think|feel|do|did))",
    r"(?:we|they|i|it|the \w+|\w+s) (?:aren'?t|are not|isn'?t|is not|'?re not|'?m not|am not|were not|weren'?t) (?:obliged|obligated|bound|liable|accountable|under any obligation)",
    # "To be fair ...": taking the company's side in the argument.
    r"to be fair(?! to you)",
    # Explaining why it is the customer's doing, or why the company is right.
    r"that'?s (?:just )?why (?:it|the|your|you|they|we had|we have|we did|there)\b",
    r"(?:when|if|because|since) you (?:don'?t|do not|didn'?t|did not|haven'?t|have not|fail(?:ed)? to|forg[eo]t to|never) (?:\w+ ){0,2}?(?:send|submit|give|read|check|pay|update|provide|tell|let|register|book|return|follow|fill|enter|keep|call)",
    r"(?:must|has to|have to|will|would) be (?:on|at|with|from) (?:your|their|the \w+'?s|your \w+'?s|the \w+) (?:end|side)",
    r"(?:on|at) your (?:\w+'?s )?(?:end|side)(?=\s*(?:[.!,;]|$))",
    # Correcting the customer's tone.
    r"lower your (?:voice|tone)",
    r"i need you to (?:calm|lower|stop|watch|listen|be (?:calm|quiet|patient|polite|civil|reasonable)|not (?:shout|swear|yell)|tone)",
    # Minimising, doubting, sarcasm.
    r"not (?:quite |really |that |so |nearly )?as bad as (?:all that|you think|it seems|it sounds|you'?re making)",
    r"apparently (?:\w+ ){0,2}(?:weren'?t|wasn'?t|isn'?t|aren'?t|didn'?t|not) (?:good enough|enough|right|up to)",
    r"(?:weren'?t|wasn'?t|isn'?t|aren'?t|not) good enough for you",
    r"(?:yet|still) another (?:one|engineer|replacement|refund|callback|technician|visit)",
    r"(?:same|just) (?:as|like) (?:everyone|everybody|anyone|every other (?:customer|caller|person)) else",
    r"(?:nobody|no one|no-one|none of (?:our|the) other (?:customers|callers)) (?:else )?(?:has|have|had|'?s) (?:ever )?(?:complained|reported|had (?:a|any|this|that)|mentioned|raised|said)",
    r"(?:not sure|don'?t know|no idea) what (?:else )?you (?:want|expect|would like) (?:me|us) to (?:do|say)",
    r"what (?:else )?do you (?:want|expect) (?:me|us) to (?:do|say)",
    # Excuses: the staff are busy, it is all written down somewhere, the system did it.
    r"(?:engineers?|staff|team|agents?|drivers?|couriers?|technicians?|everyone|everybody|they) (?:is|are|'?re) (?:\w+ )?(?:very |really |so |extremely |incredibly )?(?:busy|swamped|overloaded|short[- ]staffed|stretched|flat out)",
    r"(?:that'?s|it'?s|this is|which is|it is|that is) (?:clearly |all |also )?(?:stated|written|explained|set out|outlined|listed|printed|shown|mentioned|spelled out|made clear) (?:on|in) (?:the|your|our)",
    r"(?:it'?s|it is|that'?s|this is|it was) (?:an? |all )?(?:automated|automatic|computer[- ]generated|system[- ]generated) (?:process|system|charge|payment|calculation|fee|decision|check)",
    r"not something (?:we|i|anyone) (?:did|do|caused|chose)",
    r"(?:should|will|ought to) (?:correct|sort|fix|resolve|right|sort out) (?:itself|themselves)",
    r"(?:it'?s|that'?s|this is|it was|it'?ll be) (?:only|just|merely) (?:one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|a few|a couple)\b",
    r"(?:we|i) do have to\b",
    r"(?:not|nothing) (?:a lot|a great deal|an awful lot) (?:i|we|anyone) can do",
    r"(?:not|isn'?t|is not|'?s not) (?:something|anything) (?:that )?(?:i|we|agents|anyone|staff)(?: here)? (?:can )?(?:control|change|decide|override|influence|do anything about)",
    r"you did (?:get|receive|see|have|double-check|check|read|know)",
    r"mind you,",
    r"(?:on|at) the (?:user|customer|client|caller)'?s (?:end|side)",
    # You were told: the notice the customer should have seen.
    r"you should have (?:received|had|got|gotten|been sent|seen) (?:a|an|the|our) (?:\w+ ){0,2}?(?:letter|warning|email|notice|notification|text|sms|reminder|message|alert)",
    r"(?:terms|t&cs|website|policy|rules|contract|agreement|conditions|guidelines)(?: \w+)? (?:do|does|did) (?:say|state|mention|show)",
    r"(?:was|were|has been|have been) (?:done|applied|charged|processed|issued|calculated|handled|billed) (?:correctly|properly|rightly)",
    r"(?:usually|normally|typically|often|generally) (?:happens?|occurs?|(?:is|are) caused|(?:is|are) due) (?:\w+ )?(?:when|because|if) (?:the |a )?(?:customers?|you|people|users?|callers?)\b",
    # Sending them elsewhere, politely.
    r"(?:i'?d|i would) (?:recommend|suggest|advise) (?:contacting|calling|ringing|speaking to|reaching out to|that you contact) (?:them|the \w+|your \w+)(?: \w+)? directly",
    r"(?:kindly|please) (?:coordinate|liaise|check|follow up|take it up) with your (?:hr|employer|bank|provider|landlord|agent|insurer|company|doctor|school|card issuer)\b",
    r"(?:they|he|she) (?:manage|handle|run|set|control|process) their own",
    # Correcting the customer with the records.
    r"actually,? (?:the|that|this|it|your) (?:\w+ ){0,3}(?:is|was|'s) (?:just|only|not|simply)\b",
    r"(?:not seeing|can'?t see|don'?t see|there'?s no|there is no) (?:a |any )?(?:note|record|trace) of (?:that|this|your|the|any) (?:call|conversation|cancellation)",
    # Hiding behind the process, or disowning it for the company.
    r"as per (?:\w+ ){0,2}(?:polic(?:y|ies)|process|procedure|rules|guidelines)",
    r"(?:i'?m|i am|we'?re|we are) (?:just |only )?following (?:the |our )?(?:process|procedure|policy|rules|guidelines)",
    r"(?:that'?s|it'?s|this is|which is) not on (?:us|me)\b",
    r"(?:not|isn'?t|aren'?t) (?:something|anything|things) (?:that )?(?:the|our) (?:airline|company|bank|network|council|insurer|store|shop|team|branch|hospital|practice) (?:\w+ )?(?:controls?|decides?|can (?:control|change))",
    r"(?:usually|normally|typically|often|generally|most of the time)\b[^.!?]{0,25}?\b(?:happens?|occurs?)\b[^.!?]{0,10}?\bwhen (?:the |a )?(?:customers?|you|people|users?|callers?)\b",
    # Whose side it is on, and whose job it is.
    r"(?:it'?s|it is|that'?s|that is|this is) not (?:on|at) (?:our|my) (?:side|end)",
    r"(?:it'?s|it is|that'?s|that is) not in (?:our|my) hands",
    r"(?:job|responsibility|problem|fault|department|decision),? not (?:ours|mine)\b",
    # Repeating an earlier explanation in the passive.
    r"as (?:was|has been|it was) (?:already )?(?:explained|mentioned|said|stated)",
    # The plan, the system and the figures as the answer.
    r"(?:that'?s|it'?s|this is) (?:just )?how (?:the|our|your) (?:plan|system|policy|process|contract|tariff|account|billing|package) works",
    r"(?:is|are) (?:valid|correct|legit(?:imate)?|accurate) (?:as per|according to|on|in) (?:the|our) system",
    r"showing as (?:legit(?:imate)?|valid|correct|genuine) (?:on|in) (?:our|the) system",
    r"that'?s the (?:figure|amount|price|rate|number|valuation) (?:we|i) (?:have to|must|need to|'?ve got to) go by",
    r"unfortunately (?:we|i) (?:can|could) only\b",
    r"you (?:must|will|'?ll) (?:just )?(?:have to )?be patient",
    # Threatening the customer: "I need you to stop shouting or I'll have to end the call".
    r"(?:i'?ll|i will|i'?m going to|i'?m gonna) (?:have to )?(?:end|terminate|disconnect) (?:the|this) call",
    r"(?:need|want|ask) you to stop (?:shouting|yelling|swearing)",
    r"(?:until|unless) you (?:can )?prove",
    # The contract, the price list or another company as the answer: "as per clause 7 of the service
    # agreement", "chargeable as per our price list", "that's up to the distributor", "outages are managed
    # by the distributor, not by us".
    r"as per (?:\w+ ){0,3}(?:clause|section|agreement|contract|terms|price ?list|tariff|schedule|arrangement)",
    r"(?:kindly|please) (?:be informed|be reminded|take note)",
    r"(?:that'?s|it'?s|that is|it is|which is|as that'?s|as it'?s) (?:all |entirely |really )?up to "
    r"(?!(?:you|your|us|me|date|speed|scratch|standard|par|now|a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|\d+)\b)[a-z][\w']*\b",
    r"(?:managed|handled|decided|controlled|run|set) by (?:the|your) \w+,? not (?:by )?(?:us|me|\w+)",
    r"(?:i'?m|i am) not responsible",
    r"(?:the )?customers? (?:is|are) responsible",
    r"(?:we|i) (?:never|don'?t|do not|cannot|can'?t) guarantee",
    r"(?:we|i) (?:just |only |simply )?follow (?:the|our) (?:process|procedure|rules|polic(?:y|ies)|guidelines)",
    r"(?:not|isn'?t|is not) (?:in|within) (?:my|our) control|out of (?:my|our) control",
    # What the customer should have done: "unless you'd sent the router back", "if you had restarted it".
    r"(?:unless|if) you(?:'?d| had) (?:\w+ )?(?:sent|returned|called|read|paid|done|followed|restarted|checked|rebooted|"
    r"reset|told|informed|cancel+ed|submitted|registered|booked|arrived|been)\b",
    # The terms, the site or the ticket as the answer: "it's there in the terms", "it is clearly written on the
    # ticket", "as stated in your confirmation email", "it does say that on the site".
    r"(?:it'?s|it is|that'?s|that is) (?:all )?(?:there |clearly |all there )?(?:written |stated |set out |printed )?(?:in|on) "
    r"(?:the|your|our) (?:\w+ )?(?:terms|ticket|contract|confirmation|site|website|booking|receipt|agreement|t&cs)",
    r"as (?:stated|written|mentioned|explained|noted|set out|outlined) (?:in|on) (?:the|your|our) (?:\w+ )?"
    r"(?:terms|ticket|contract|confirmation|email|site|website|booking|agreement|t&cs|policy)",
    r"(?:it|that|this) (?:does |clearly )?says? (?:that |so |this )?(?:on|in) (?:the|our|your) (?:site|website|terms|app|contract|ticket)",
    r"(?:we|i) (?:can'?t|cannot|don'?t|do not) control",
    r"at (?:the|our) (?:\w+(?:'s)? )?discretion",
    r"your (?:feedback|comments?) (?:has|have) been noted",
    r"subject to availability",
    r"(?:pls|please|kindly) (?:check|ask|enquire) with your (?:neighbou?rs?|family|household|compound|building)",
]
DEFENSIVE_RX = _rx(DEFENSIVE)
OWN_PLAN_RX = re.compile(r"\b(?:i'?m|i am|i'?ll|i will|we'?re|we'?ll) (?:\w+ing|going to)\b")
STORY_TOLD_BACK_RX = re.compile(r"\byou(?:'?ve| have| were| reported| told| paid| sent| gave)\b|\bbeing told\b")
# Fillers that sit inside a defensive phrase without changing it ("you should *really* have",
# "so *technically* it was correct"); the defensive patterns also run on the answer without them.
_FILLERS = re.compile(
    r"\b(?:really|actually|honestly|just|simply|technically|clearly|obviously|basically|frankly|"
    r"probably|definitely|definately|certainly|genuinely|quite|kind of|sort of|of course|to be fair),? "
)


def squeeze_fillers(norm: str) -> tuple[str, list[int]]:
    """`norm` without filler adverbs, and for each kept character its offset in `norm`."""
    kept: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _FILLERS.finditer(norm):
        kept.append(norm[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        pos = m.end()
    kept.append(norm[pos:])
    offsets.extend(range(pos, len(norm)))
    offsets.append(len(norm))
    return "".join(kept), offsets


def pattern_spans(rx: re.Pattern[str], norm: str) -> list[tuple[int, int]]:
    """(start, end) of each match of `rx` in `norm` and in `norm` without fillers, in `norm`'s offsets."""
    found = {(m.start(), m.end()) for m in rx.finditer(norm)}
    squeezed, offsets = squeeze_fillers(norm)
    if squeezed != norm:
        found |= {(offsets[m.start()], offsets[m.end() - 1] + 1) for m in rx.finditer(squeezed)}
    return sorted(found)


# "Yes, but": an acknowledgement taken back by a justification ("I see you're angry, but the app ...").
# Separate from DEFENSIVE_RX because the acknowledgement itself still comes first (order criterion).
YES_BUT_RX = re.compile(
    r"\b(?:i (?:see|understand|hear|know|get|appreciate)(?: that| why| how| you| your)?|i'?m sorry|i apologi[sz]e)"
    r"[^.!?]{0,40}?,? but (?:the|our|your|it|that|this|there|you|those|these|"
    r"we (?:can'?t|cannot|don'?t|do not|have|had|are|'?re))\b"
)
# A hit is not defensive when it sits inside a sympathetic clause ("it's annoying when this happens").
DEFENSIVE_EXCUSED_BEFORE = re.compile(r"\b(?:when|whenever|if|hate it when|sorry that|sorry)\s+$")

ACTION_VERBS = [
    r"refund\w*",
    r"credit\w*",
    r"revers\w*",
    r"cancel\w*",
    r"waiv\w*",
    r"fix\w*",
    r"repair\w*",
    r"replac\w*",
    r"send\w*",
    r"sent",
    r"ship\w*",
    r"resend\w*",
    r"re-?send\w*",
    r"email\w*",
    r"e-mail\w*",
    r"call\w*",
    r"ring\w*",
    r"phon\w*",
    r"text\w*",
    r"book\w*",
    r"schedul\w*",
    r"arrang\w*",
    r"escalat\w*",
    r"transfer\w*",
    r"process\w*",
    r"issu\w*",
    r"appl(?:y|ied|ying)",
    r"remov\w*",
    r"correct\w*",
    r"updat\w*",
    r"chang\w*",
    r"reset\w*",
    r"restor\w*",
    r"reactivat\w*",
    r"reconnect\w*",
    r"unlock\w*",
    r"upgrad\w*",
    r"adjust(?!ers?\b)\w*",  # not "the adjuster"
    r"expedit\w*",
    r"prioriti[sz]\w*",
    r"rais\w*",
    r"fil(?:e|ed|ing)",
    r"open\w*",
    r"submit\w*",
    r"log(?:ged|ging)?",
    r"flag\w*",
    r"order\w*",
    r"dispatch\w*",
    r"reimburs\w*",
    r"compensat\w*",
    r"pay(?:ing)?",
    r"paid",
    r"add\w*",
    r"set(?:ting)? up",
    r"switch\w*",
    r"swap\w*",
    r"re-?bill\w*",
    r"activat\w*",
    r"deliver\w*",
    r"return\w*",
    r"collect\w*",
    r"cover\w*",
    r"honou?r\w*",
    r"match\w*",
    r"extend\w*",
    r"void\w*",
    r"stop\w*(?! you\b)",  # not "let me stop you there": a rebuke, not an action
    r"block\w*",
    r"freez\w*",
    r"unfreez\w*",
    r"releas\w*",
    r"approv\w*",
    r"authori[sz]\w*",
    r"push\w*",
    r"rush\w*",
    r"courier\w*",
    r"post\w*",
    r"mail\w*",
    r"put(?:ting)? (?:a|the) (?:hold|stop|block|freeze|credit|refund|priority)",
    r"reschedul\w*",
    r"explain\w*",
    r"walk(?:ing)? you through",
    r"go(?:ing)? through (?:it|this|that|the \w+|each \w+) with you",
    r"chas\w*",
    r"ask\w* (?:the|my|our|a) \w+",
    r"reinstat\w*",
    r"resolv\w*",
    r"sort(?:ing)? out (?:the|your) \w+",
    r"handl\w+ (?:the|your) \w+",
    r"get(?:ting)? (?:you|a|the|your) (?:a |an |new )?\w+",
    r"giv\w+ you",
    r"offer\w*",
    # Handing it on (a hand-off: hedged unless owned, see _handoff_owned).
    r"pass\w* (?:this|it|that|your \w+)(?: \w+)?(?: over| on| along)? to",
    r"hand\w* (?:this|it|that|your \w+)(?: over)? to",
    r"(?:forward|refer)\w* (?:this|it|that|your \w+)(?: on| over)? to",
    # Removing a charge, restarting a payment, having it undone.
    r"tak(?:e|ing) (?:that|the|this|it|your)(?: \w+){0,2} off",
    r"restart\w*",
    r"resum\w*",
    r"get(?:ting)? (?:that|it|this|them|those) (?:\w+ )?(?:pulled back|removed|reversed|refunded|cancel+ed|taken off|credited|waived|corrected|replaced|reinstated)",
]
INVESTIGATIVE_VERBS = [
    r"check\w*",
    r"look(?:ing)? (?:up|at|over|through)",
    r"review\w*",
    r"investigat\w*",
    r"verif\w*",
    r"find\w* out",
    r"dig\w* into",
    r"go(?:ing)? (?:through|over)",
    r"pull\w* up",
    r"confirm\w*",
    r"research\w*",
    r"see what happened",
    r"look(?:ing)? into",
    r"find (?:the|a) \w+",
]
OWNER = (
    # "were" without its apostrophe is "we're" only before a verb in -ing ("were sending"), not "were sent".
    r"(?:i|i'?ll|i will|i'?m going to|i am going to|i'?m gonna|let me|i'?ve|i have|i'?m|i am|i'?m now|i am now|"
    r"i can|i'?d like to|i'?d be happy to|i'?m able to|i'?m about to|i'?ll personally|i'?ve just|i just|"
    r"we'?ll|we will|we'?re going to|we are going to|we'?ve|we have|we can|we're|were(?=\s+(?:now\s+|just\s+)?\w+ing\b)|we are|"
    r"(?:would you like|do you want|shall|should) (?:me|i) to|allow me to|"
    r"(?:our|the|my) (?:team|supervisor|manager|technician|engineer|specialist|billing team|courier) (?:will|is going to|can))"
)
HEDGE = r"(?:try(?:ing)? (?:to|and)|see if (?:i|we) can|might|may|maybe|possibly|perhaps|hopefully|should be able to|could|attempt to|ask (?:if|whether|them to|for)|request(?:ing)?|put in a request (?:to|for)|see about|not sure (?:if|whether) (?:i|we) can|whether)"
NEGATION = r"(?:can'?t|cannot|won'?t|will not|unable to|not able to|not allowed to|don'?t|do not|didn'?t|never|not)"
_GAP = r"(?:\s+(?:\w+|\w+'\w+)){0,4}?\s+"


def _verb_rx(verbs: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b" + OWNER + r"(?P<gap>" + _GAP + r")(?P<verb>(?:re-?)?(?:" + "|".join(verbs) + r"))(?!\w)")


def _and_verb_rx(verbs: list[str]) -> re.Pattern[str]:
    """A second action joined to an owned one: "I'll stay on the line and fix this myself"."""
    return re.compile(
        r"\b"
        + OWNER
        + r"(?P<gap>[^.!?;]{1,60}?\band\s+(?:then\s+|also\s+)?)(?P<verb>(?:re-?)?(?:"
        + "|".join(verbs)
        + r"))(?!\w)"
    )


OWNER_ACTION_RX = _verb_rx(ACTION_VERBS)
OWNER_AND_ACTION_RX = _and_verb_rx(ACTION_VERBS)
# Words in the gap that mean the verb belongs to someone else ("I'm sorry nobody called").
OTHER_SUBJECT_RX = re.compile(
    r"\b(?:sorry|nobody|no one|you|they|he|she|someone|it|that|this|glad|afraid|happy to hear|when|if|because)\b"
)
OWNER_INVESTIGATE_RX = _verb_rx(INVESTIGATIVE_VERBS)
INVESTIGATE_START_RX = re.compile(r"(?:" + "|".join(INVESTIGATIVE_VERBS) + r"|see|ask|find out)\b")
# Procedural hand-offs: the agent's own step is real, but the fix depends on someone else.
HANDOFF_RX = re.compile(r"(?:rais|log|fil|open|submit|escalat|transfer|flag|pass|ask|request|refer|forward|chas)")
HEDGED_RESULT_RX = re.compile(
    r"\b(?:they|he|she|it|someone|the team|billing|the \w+ team)\b[^.!?]{0,25}?\b(?:may|might|could|possibly|hopefully|should be able)\b"
)
HEDGE_RX = re.compile(r"\b" + HEDGE + r"\b")
# An offer of what the agent could do, as opposed to doing it ("I can put you on the list").
OFFER_RX = re.compile(
    r"\b(?:i|we) can\b|\bable to\b|\bhappy to\b|\bwould you like\b|\bdo you want\b|\bshall\b|\bshould (?:me|i)\b"
)
IMMEDIATE_RX = re.compile(
    r"\b(?:now|right now|right away|straight away|immediately|today|tonight|this (?:minute|morning|afternoon|evening))\b"
)
NEGATION_RX = re.compile(r"\b" + NEGATION + r"\b")
PASSIVE_ACTION_RX = re.compile(
    r"\b(?:will|would|can|could|should|'ll|is going to|are going to) be (?:\w+ )?(?:re-?)?(?:refunded|credited|reversed|cancel+ed|fixed|"
    r"replaced|sent|shipped|repaired|processed|issued|applied|removed|corrected|updated|changed|reset|restored|reactivated|"
    r"reconnected|waived|escalated|dispatched|resolved|sorted|arranged|booked|scheduled|delivered|reimbursed|adjusted|paid)\b"
    r"|\b(?:a|an|the|our) (?:engineer|technician|courier|specialist|driver|supervisor|manager) (?:will|can|should|is going to) (?:come|visit|call|attend|ring|be (?:with|there|out))\b"
    r"|\b(?:will|can|could|'ll) be (?:\w+ )?(?:lifted|unfrozen|unblocked|waived|rebooked|sent out|taken off|put right)\b"
    # Passive checks and paperwork, with a modal: "could potentially be reviewed", "a claim can be opened".
    r"|\b(?:will|would|can|could|should|may|might|'ll)(?: \w+ly)? be (?:\w+ )?(?:reviewed|investigated|checked|looked (?:at|into)|"
    r"opened|raised|logged|filed|submitted|lodged|considered|assessed|reconsidered)\b"
    r"|\b(?:a|an|the|our) (?:engineer|technician|courier|specialist|driver|supervisor|manager) (?:might|may|could|should) be (?:free|available|able to|sent|there)\b"
    r"|\b(?:your|the|my) \w+ (?:is|has been|'s been|are|have been) (?:now )?(?:back on|fixed|restored|reconnected|unfrozen|unblocked|sorted|resolved|refunded|credited|cancel+ed|updated|waived|lifted)\b"
)
VAGUE_RX = _rx(
    [
        r"see what (?:i|we) can do",
        r"get back to you",
        r"do (?:my|our) (?:very )?best",
        r"pass (?:it|this|that) (?:on|along)(?! to (?:his|her|their|my|our|the) (?:\w+ )?(?:supervisor|manager|team leader|boss|engineer|technician)\b)",
        r"make a note",
        r"someone will",
        r"raise (?:it|this|that) with",
        r"look(?:ing)? into",
        r"(?:i|we)'?ll (?:have a )?look at (?:it|this|that)",
        r"somebody will",
        r"be in touch",
        r"take care of (?:it|this|that)",
        r"sort (?:it|this|that) out",
        r"we'?ll see",
        r"(?:raise|escalate) (?:it|this|that) internally",
        r"(?:i'?ll|we'?ll) try",
        r"someone (?:should|can|may) (?:call|contact|reach)",
        r"(?:it|this|that) (?:will|should) be (?:dealt with|handled|looked at)",
        r"let (?:the|our) team know",
        r"feedback (?:it|this) to",
        r"(?:put|make|leave|add) a note",
        r"work(?:ing)? on (?:it|this|that)",
        r"noted? (?:down )?(?:your|the|this|that) (?:\w+ ){0,3}?(?:complaint|feedback|comments?|concerns?|frustration|issue|problem)",
    ]
)

POLICY_RX = _rx(
    [
        r"polic(?:y|ies)",
        r"(?:the|our) (?:system|rules?|terms|procedures?|process)",
        r"unfortunately",
        r"the reason (?:is|why|[^.,;!?]{1,50}? (?:is|was)\b)",
        r"(?:it'?s|that'?s|this is|this was) because",
        r"according to",
        r"per (?:line|account|month)",
        r"what happened (?:is|was)",
        r"billed (?:per|by|each)",
        r"you (?:need|have) to",
        r"(?:as|like) i (?:said|explained)",
        r"technically",
        r"(?:there'?s|there is|there will be|that'?s) an? (?:\w+ )?(?:fee|charge|penalty)",
    ]
)

SETTLING_RX = _rx(
    [
        r"ok(?:ay)?",
        r"alright",
        r"all right",
        r"right",
        r"take your time",
        r"i'?m (?:here|listening|with you)",
        r"i hear you",
        r"let'?s (?:sort|work|figure|fix|go through|get|look)",
        r"together",
        r"(?:thank you|thanks) for (?:telling|explaining|bearing|your patience|calling|letting)",
        r"i (?:want|'?d like|am going|'?m going) to help",
        r"we'?ll get (?:this|it|you) sorted",
        r"(?:i'?m|i am) (?:\w+ )?sorry",
        r"i understand",
        r"i can hear",
        r"that sounds",
        r"i'?m glad you (?:called|told)",
        r"you'?re in the right place",
        r"i'?ve got you",
        r"one (?:thing|step) at a time",
        r"i can help",
        r"i'?ll help",
        # Listening signals and apologies settle as well ("Mm-hm.", "I do apologise.").
        r"mm+-?hm+",
        r"uh-?huh",
        r"mhm",
        r"i see",
        r"(?:i (?:do |sincerely |really )?|we )apologi[sz]e",
        r"my apologies",
        r"i'?m hearing you|i am hearing you",
        r"(?:i'?m|i am|i'?ll|i will) (?:\w+ )?stay(?:ing)? on the (?:line|phone|call)",
        r"sorry to hear",
        r"(?:thank you|thanks) for (?:staying|being) (?:so )?patient",
        r"(?:thank you|thanks) for (?:contacting|reaching out|getting in touch|ringing|holding|waiting)",
        r"oh no",
        r"oh dear",
        r"no worries",
        r"oh (?:gosh|god|my goodness)",
        r"sorry (?:about|for) (?:the|that|this|all|your)",
        r"pole(?: sana)?",
        r"i (?:completely|totally|fully|really|do) understand",
        # Owning the company's mistake agrees with the caller; it does not argue ("That's on us, full stop.").
        r"(?:that'?s|this is|it'?s|that was) (?:all )?on us",
        r"(?:that'?s|this is|it'?s|that was) (?:our|my) (?:mistake|fault|error)",
        r"we (?:got|have got|'?ve got) (?:it|that|this) wrong",
        r"you'?re (?:absolutely |quite |completely |totally )?right",
        r"i (?:won'?t|will not|'?m not going to) argue",
        # Glad with a caller who rings to praise or is pleased ("Aw, that's lovely to hear.").
        r"(?:so |really )?glad (?:that|to hear|you|it)",
        r"(?:lovely|great|wonderful|brilliant|so good|good) to hear",
    ]
)
# Asking for details first rushes past the customer ("Okay, what is the file reference number?").
DETAIL_REQUEST_RX = re.compile(
    r"\b(?:what(?:'s| is) (?:the|your)|(?:can|could|may) i (?:have|get|take|grab)|give me|i need) (?:\w+ ){0,3}"
    r"(?:number|reference|ref|id|name|address|postcode|zip|details|date of birth|account|booking|order|email)\b"
)
SHARP_OPEN_RX = re.compile(
    r"^(?:but\b|well,? actually|actually\b|look,|look\b|listen\b|no,|no\b(?! worries| problem)|hold on|wait\b|excuse me|hey\b|(?:\w+,? )?i need you to\b|(?:\w+,? )?you need to\b|sir,? (?:please )?(?:calm|stop|listen)|ma'?am,? (?:please )?(?:calm|stop|listen))"
)

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "once": 1,
    "twice": 2,
    "double": 2,
    "doubled": 2,
    "triple": 3,
    "tripled": 3,
    "first": 1,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
DAY_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "yesterday",
    "weekend",
}
STOPWORDS = set(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers him
    his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our
    ours out over own same she should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with would you your yours
    yourself im ive youre youve dont didnt cant wont isnt thats its also even still really every again ever never
    always already anything something nothing everything someone anyone thing things time times today going want
    need know think said told tell like just get got getting make made call called calling number
    here there please thank thanks sorry okay yeah yes hello hi well right sure much many last since back over
    kind sort able help helping let see say put yet way new old big lot bit far set try use one two per via
    its own day days week weeks hour hours minute minutes month months must might may shall""".split()
)


def _stem(word: str) -> str:
    """Crude stem, enough to match 'transferred' with 'transfers' and 'arrive' with 'arrived'."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word.rstrip("e") if len(word) > 4 else word


def _emotion_words() -> re.Pattern[str]:
    return _rx([w for words in EMOTIONS.values() for w in words])


EMOTION_ANY_RX = _emotion_words()
WORD_RX = re.compile(r"[a-z][a-z']+")
NUMBER_RX = re.compile(r"[$£€]?\d+(?:[.,]\d+)?(?:st|nd|rd|th)?%?|\b[a-z]+\b")


_CARDINALS = {w: v for w, v in NUMBER_WORDS.items() if v < 100 and not w.endswith(("th", "st", "nd", "rd"))} | {
    w: NUMBER_WORDS[w] for w in ("hundred", "thousand")
}
_NOT_CARDINAL = {"once", "twice", "double", "doubled", "triple", "tripled", "first", "third"}


def _spoken_number(tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """(value, index of its last token) for a spoken cardinal starting at tokens[i]: 'six hundred'
    is 600, 'two thousand four hundred and fifty' 2450, 'forty five' 45."""
    words = [t.group(0) for t in tokens]
    if words[i] not in _CARDINALS or words[i] in _NOT_CARDINAL:
        return None
    total = current = 0
    last = i
    j = i
    while j < len(words):
        w = words[j]
        if w == "and" and j > i and words[j - 1] in {"hundred", "thousand"} and j + 1 < len(words):
            if words[j + 1] in _CARDINALS and words[j + 1] not in {"hundred", "thousand"} | _NOT_CARDINAL:
                j += 1
                continue
            break
        if w not in _CARDINALS or w in _NOT_CARDINAL:
            break
        value = _CARDINALS[w]
        if value == 100:
            current = max(current, 1) * 100
        elif value == 1000:
            total += max(current, 1) * 1000
            current = 0
        elif current % 100 >= 20 and current % 10 == 0 and value < 10:
            current += value  # "forty five"
        elif current % 100 == 0 and (current == 0 or j > i):
            if current and value >= 10 and words[j - 1] not in {"hundred", "thousand", "and"}:
                break
            current += value
        else:
            break
        last = j
        j += 1
    return total + current, last


def numbers_in(norm: str) -> list[tuple[int, int, int]]:
    """(value, start, end) for digits, number words and ordinals ('$40', '$1,140', 'forty',
    'six hundred', 'twice', '14th')."""
    out: list[tuple[int, int, int]] = []
    tokens = list(re.finditer(r"[$£€]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[$£€]?\d+(?:[.,]\d+)?(?:st|nd|rd|th)?|[a-z]+", norm))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        raw = tok.group(0)
        if raw[0] in "$£€" or raw[0].isdigit():
            digits = re.match(r"[$£€]?(\d{1,3}(?:,\d{3})+|\d+)", raw)
            if digits:
                out.append((int(digits.group(1).replace(",", "")), tok.start(), tok.end()))
        elif (spoken := _spoken_number(tokens, i)) is not None:
            value, last = spoken
            out.append((value, tok.start(), tokens[last].end()))
            i = last
        elif raw in NUMBER_WORDS:
            if raw == "first" and i + 1 < len(tokens) and tokens[i + 1].group(0) in {"thing", "of", "time"}:
                i += 2
                continue
            out.append((NUMBER_WORDS[raw], tok.start(), tok.end()))
        elif (
            raw == "second"
            and i + 1 < len(tokens)
            and tokens[i + 1].group(0) in {"time", "call", "charge", "bill", "payment"}
        ):
            out.append((2, tok.start(), tok.end()))
        i += 1
    return out


def content_stems(norm: str) -> dict[str, tuple[int, int]]:
    """Content words (stemmed) with the position of their first occurrence."""
    emotion_spans = [(m.start(), m.end()) for m in EMOTION_ANY_RX.finditer(norm)]
    out: dict[str, tuple[int, int]] = {}
    for m in WORD_RX.finditer(norm):
        # Contractions count as their base word: "there's" is "there", "party's" is "party".
        base, _, suffix = m.group(0).partition("'")
        word = base if suffix in {"s", "re", "ve", "ll", "d", "m"} else m.group(0).replace("'", "")
        if len(word) < 3 or word in STOPWORDS or word in NUMBER_WORDS:
            continue
        if any(a <= m.start() < b for a, b in emotion_spans):
            continue
        out.setdefault(_stem(word), (m.start(), m.end()))
    return out


# --- detectors --------------------------------------------------------------------------------


def detect_phrase(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Any of the configured patterns present: `patterns` (regex, case-insensitive), `score`."""
    rx = _user_rx(config, "patterns")
    if rx is None:
        return Detection(None, note="no patterns configured")
    hits = ctx.find(rx)
    need = int(config.get("min_hits", 1))
    if len(hits) >= need:
        return Detection(
            float(config.get("score", 1.0)),
            [ctx.span(m.start(), m.end()) for m in hits],
            found=[m.group(0) for m in hits],
        )
    return Detection(0.0, missing=[config.get("label", "the expected phrase")])


# Asking the customer to confirm: "Is that right?", "Have I got that right?".
CHECK_RX = re.compile(
    r"\b(?:is (?:that|this|it) (?:right|correct|accurate|fair)|have i (?:got|understood) (?:that|it|this|everything|you)"
    r"|did i (?:get|understand|miss)|do i have (?:that|it|this|everything) (?:right|correct)|am i (?:right|correct|understanding)"
    r"|does that (?:sound|cover|capture|sum)|(?:is|was) there anything (?:i'?ve|i have|i) missed|anything i(?:'?ve| have)? missed"
    r"|let me know if i(?:'?ve| have)? (?:got|missed|misunderstood)|correct me if|(?:right|correct)\s*\?|did i hear (?:that|you) right"
    r"|is that what happened|have i understood|is that it|(?:is that|that'?s) the gist|is that everything,? or|got (?:that|it|this|everything) right|(?:yes|yeah)\s*\?)"
)


RESTATEMENT_OPENER_RX = re.compile(
    r"\b(?:right|correct)\s*$"
    r"|^(?:(?:ok(?:ay)?|right|sir|ma'?am|madam|mate|love),? )*(?:so you|so your|so the|so basically|what i'?m hearing|just so i|you'?re telling me|you'?ve told me)\b"
)
OWN_ACTION_RX = re.compile(
    r"\b(?:what i can do is|i'?ve (?:just )?(?:raised|escalated|sent|booked|logged|arranged)|i have (?:raised|escalated|sent|booked|logged|arranged)|i'?m (?:sending|booking|arranging|raising))\b"
)


def _stance_misread(ctx: Context, a: int, b: int) -> bool:
    """The stance model's most defensive sentence names the customer's feeling, says their problem
    back to check it, or is the agent's own action: the model read the customer's trouble in it
    (the words of a complaint are negative), not the agent's stance."""
    sentence = ctx.norm[a:b].strip()
    return bool(
        any(a <= x < b for x, _, _ in _acknowledgements(ctx))
        or CHECK_RX.search(sentence)
        or RESTATEMENT_OPENER_RX.search(sentence)
        or (sentence.startswith("so ") and ctx.norm[b : b + 1] == "?")
        or DOING_NOW_RX.match(sentence)
        or OWN_ACTION_RX.search(sentence)
    )


def detect_forbidden(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Defensive language: 1.0 when none is found, 0.0 with the phrases as evidence.

    Config: `builtin` ("defensive" for the shipped list, "" for none), `phrases` (extra regex),
    `allow` (regex of phrases that are fine), `examples` + `threshold` (semantic paraphrases),
    `stance_threshold` (consult the trained defensive-stance model when nothing else matched).
    """
    patterns: list[re.Pattern[str]] = []
    if config.get("builtin", "defensive") == "defensive":
        patterns += [DEFENSIVE_RX, YES_BUT_RX]
    extra = _user_rx(config, "phrases")
    if extra is not None:
        patterns.append(extra)
    allow = _user_rx(config, "allow")
    hits: list[Span] = []
    for rx in patterns:
        for start, end in ctx.defensive if rx is DEFENSIVE_RX else pattern_spans(rx, ctx.norm):
            if allow is not None and allow.search(ctx.norm, max(0, start - 20), end + 20):
                continue
            if DEFENSIVE_EXCUSED_BEFORE.search(ctx.norm[max(0, start - 20) : start]):
                continue
            hits.append(ctx.span(start, end))
    examples = _anchor_list(config, "examples")
    counter = _anchor_list(config, "counter_examples")
    if not hits and examples and counter and ctx.embed is not None:
        # Second opinion for wordings the lexicon lacks: a sentence nearer the defensive anchors
        # than the non-defensive ones by `margin` (and not merely short and generic) is defensive.
        # Clauses as well as sentences: "that's our policy" is diluted by the rest of its sentence.
        margin = float(config.get("margin", 0.12))
        floor = float(config.get("min_similarity", 0.35))
        spans = _embeddable_spans(ctx, min_words=int(config.get("min_words", 4)))
        texts = [ctx.norm[a:b] for a, b in spans]
        votes = nearest_class(ctx, texts, {"defensive": examples, "fine": counter}, k=int(config.get("k", 5)))
        for (a, b), (label, gap, sim) in zip(spans, votes, strict=True):
            if label == "defensive" and gap >= margin and sim >= floor:
                hits.append(ctx.span(a, b))
    elif not hits and examples and ctx.embed is not None:
        threshold = float(config.get("threshold", 0.75))
        sentences = ctx.sentences
        texts = [ctx.norm[a:b] for a, b in sentences]
        vec = ctx.vectors(texts + examples)
        if vec is not None and texts:
            sims = vec[: len(texts)] @ vec[len(texts) :].T
            for (a, b), row in zip(sentences, sims, strict=True):
                if float(row.max()) >= threshold:
                    hits.append(ctx.span(a, b))
    stance_threshold = config.get("stance_threshold")
    if not hits and stance_threshold is not None and ctx.embed is not None:
        # Third reader, for wordings neither the lexicon nor the anchors know: a model of how
        # coaches read defensiveness (rubrics.stance), trained on their labels.
        model = stance.default()
        read = model.read(ctx) if model is not None else None
        if read is not None and read[0] >= float(stance_threshold):
            p, (a, b), alone = read
            if _stance_misread(ctx, a, b):
                return Detection(
                    1.0, note=f"defensive-stance model {p:.2f}, but its sentence is not the agent's stance"
                )
            if allow is None or not allow.search(ctx.norm, max(0, a - 20), b + 20):
                return Detection(
                    0.0,
                    [ctx.span(a, b)],
                    found=[f"sounded defensive, most of all in: “{ctx.text[a:b]}”"],
                    missing=["say what you can do instead"],
                    note=f"defensive-stance model {p:.2f} for the answer, {alone:.2f} for this sentence "
                    f"(threshold {float(stance_threshold):.2f})",
                )
    hits = _dedupe(hits)
    if hits:
        quotes = ", ".join(dict.fromkeys(f"“{h.text}”" for h in hits))
        return Detection(
            0.0, hits, found=[f"used defensive language: {quotes}"], missing=["say what you can do instead"]
        )
    return Detection(1.0)


def detect_semantic(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Similarity of the answer's sentences to positive and negative examples.

    Config: `positive`, `negative` (default: the criterion's top and lowest level examples),
    `threshold` (best positive similarity needed), `margin` (over the best negative), `score`.
    """
    if ctx.embed is None:
        return Detection(None, note="no embedding model")
    positive = list(config.get("positive") or anchors.positive)
    negative = list(config.get("negative") or anchors.negative)
    if not positive:
        return Detection(None, note="no positive examples")
    sentences = ctx.window_sentences()
    if not sentences:
        return Detection(0.0)
    texts = [ctx.norm[a:b] for a, b in sentences]
    vec = ctx.vectors(texts + positive + negative)
    if vec is None:
        return Detection(None)
    ans, pos, neg = vec[: len(texts)], vec[len(texts) : len(texts) + len(positive)], vec[len(texts) + len(positive) :]
    pos_sim = (ans @ pos.T).max(axis=1)
    neg_sim = (ans @ neg.T).max(axis=1) if len(negative) else np.zeros(len(texts))
    best = int(np.argmax(pos_sim - 0.5 * neg_sim))
    threshold = float(config.get("threshold", 0.6))
    margin = float(config.get("margin", 0.0))
    p, n = float(pos_sim[best]), float(neg_sim[best])
    note = f"similarity {p:.2f} to the best example (negative {n:.2f})"
    if p >= threshold and p - n >= margin:
        a, b = sentences[best]
        return Detection(float(config.get("score", 1.0)), [ctx.span(a, b)], found=[ctx.text[a:b]], note=note)
    return Detection(0.0, note=note)


def _acknowledgements(ctx: Context) -> list[tuple[int, int, str | None]]:
    """(start, end, family or None for a generic acknowledgement) in the answer window."""
    out: list[tuple[int, int, str | None]] = []
    for family, rx in EMOTION_RX.items():
        for m in ctx.find(rx):
            before = ctx.norm[max(0, m.start() - 40) : m.start()]
            if NEGATED_BEFORE.search(before):
                continue
            if m.group(0) in {"afraid", "fear"} and POLITE_AFRAID.search(before):
                continue
            if m.group(0) == "worries" and re.search(r"\bno\s+$", before):
                continue  # "no worries at all": a formula, not their worry named
            if re.search(r"\bfor (?:any|the) $", before) or OTHERS_FEEL.search(
                before
            ):  # "sorry for any confusion": a formula, not naming
                out.append((m.start(), m.end(), None))
                continue
            out.append((m.start(), m.end(), family))
    for m in ctx.find(GENERIC_ACK):
        before = ctx.norm[max(0, m.start() - 25) : m.start()]
        if re.search(r"(?:don'?t|not|never)\s+$", before):
            continue
        out.append((m.start(), m.end(), None))
    return sorted(out)


def customer_clusters(customer_norm: str) -> set[str]:
    """The feelings the customer expressed: named, or shown by cues ('third time', 'what if')."""
    named = {CLUSTERS.get(f, "any") for f, rx in EMOTION_RX.items() if rx.search(customer_norm)}
    named.discard("any")
    if named:
        return named
    cues = set()
    if HOT_CUES.search(customer_norm) or customer_norm.count("!") >= 1:
        cues.add("hot")
    if CONFUSION_CUES.search(customer_norm):
        cues.add("confusion")
    if FEAR_CUES.search(customer_norm):
        cues.add("fear")
    return cues


def detect_emotion(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Names the customer's emotion: 1.0 the same feeling, `mismatch_score` another one,
    `generic_score` a generic acknowledgement ('I understand', 'sorry for the inconvenience')."""
    extra = _user_rx(config, "words")
    acks = _acknowledgements(ctx)
    if extra is not None:
        acks += [(m.start(), m.end(), "upset") for m in ctx.find(extra)]
    named = [(a, b, f) for a, b, f in acks if f is not None]
    generic = [(a, b, f) for a, b, f in acks if f is None]
    wanted = customer_clusters(ctx.customer_norm)
    if named:
        matching = [x for x in named if not wanted or x[2] == "upset" or CLUSTERS.get(x[2] or "") in wanted]
        chosen = matching or named
        evidence = [ctx.span(*ctx.clause_of(a)) for a, _, _ in chosen[:2]]
        words = [ctx.text[a:b] for a, b, _ in chosen]
        if matching:
            return Detection(1.0, evidence, found=[f"named the feeling: {', '.join(dict.fromkeys(words))}"])
        return Detection(
            float(config.get("mismatch_score", 0.6)),
            evidence,
            found=[f"named a feeling: {', '.join(dict.fromkeys(words))}"],
            missing=["the feeling the customer actually showed (" + ", ".join(sorted(wanted)) + ")"],
        )
    if generic:
        evidence = [ctx.span(a, b) for a, b, _ in generic[:2]]
        return Detection(
            float(config.get("generic_score", 0.6)),
            evidence,
            found=["acknowledged in general terms"],
            missing=["the specific feeling, in words (frustrated, worried, ...)"],
        )
    return Detection(0.0, missing=["any acknowledgement of how the customer feels"])


GENERIC_ISSUE_WORDS = {
    _stem(w)
    for w in """order problem issue bill account service charge payment money work home question refund delivery
    company cost price fee contract thing plan""".split()
}
CHECKBACK_OPENER_RX = re.compile(
    r"^(?:(?:ok(?:ay)?|right|sir|ma'?am|madam|mate|love),? )*so,? (?:just )?(?:to (?:confirm|be clear|check)|if i(?:'ve| have)? (?:understand|understood|got (?:this|that|it)))\b"
)
GENERIC_REF_RX = re.compile(
    r"\b(?:your|this|the|that|an?) (?:\w+ )?(?:issue|problem|situation|concern|complaint|matter|experience|outage|"
    r"delay|wait|trouble|mix-up|error|mistake|service)s?\b"
    r"|\b(?:having|have|had|with) (?:\w+ )?(?:problems?|issues?|trouble)\b|\byou'?ve (?:been )?(?:waited|waiting|been through)\b"
)
SECOND_PERSON_RX = re.compile(r"\b(?:you|your|yours|you'\w+)\b|^(?:okay,? |right,? |and )?so\b|\bsounds like\b")
PROMISE_RX = re.compile(r"\b(?:will|'ll|going to|gonna)\b")
ACTION_START_RX = re.compile(r"^(?:let me|i'?ll|i will|i'?m going to|we'?ll|we will|can i|could i|may i)\b")


# Asking the customer to do something ("can you restart the pocket wifi again", "pls submit a read via the
# portal", "I'll need you to give me the flight details again"): their words in a request, not said back.
REQUEST_START_RX = re.compile(
    r"(?:(?:ok(?:ay)?|so|and|right|sir|ma'?am|madam|now|first|then),?\s+)*(?:"
    r"(?:can|could|would|will) you (?:please |pls |just |kindly )?(?:restart|reset|send|give|try|turn|switch|unplug|"
    r"fill|upload|email|call|ring|go|bring|take|submit|check|provide|resend|re-?send|reboot|confirm your)\b"
    r"|(?:please|pls|kindly) (?!bear|accept)\w+"
    r"|(?:i'?ll|i will|i'?d|i would|we'?ll|we will) need you to\b"
    r"|you (?:may|can|could|might) (?:wish to |want to )?(?:send|contact|call|ring|email|visit|submit|try|go|upload)\b)"
)


def _restating_clauses(ctx: Context) -> list[tuple[int, int]]:
    """Clauses that can say the problem back: not a question for details, not an action."""
    out = []
    for a, b in ctx.clauses:
        if b <= ctx.window_start:
            continue
        sa, sb = ctx.sentence_of(a)
        sentence = ctx.norm[sa:sb]
        if (
            ctx.norm[sb : sb + 1] == "?"
            and QUESTION_START_RX.match(sentence)
            and not re.search(r"\b(?:right|correct)\b", sentence)
        ):
            continue
        if ACTION_START_RX.match(ctx.norm[a:b]) or REQUEST_START_RX.match(ctx.norm[a:b].strip()):
            continue
        out.append((a, b))
    return out


def _synonym_echoes(
    ctx: Context,
    clauses: list[tuple[int, int]],
    cust_words: dict[str, tuple[int, int]],
    already: set[str],
    threshold: float,
) -> dict[str, tuple[int, int]]:
    """The customer's specific words said back in other words ("bag" for "suitcase"): content
    words of the restating clauses whose embedding is within `threshold` of a customer content
    word not echoed yet. Keyed by the customer's stem, so it counts as that word echoed."""
    targets = {
        stem: ctx.customer_norm[a:b]
        for stem, (a, b) in cust_words.items()
        if stem not in already and stem not in GENERIC_ISSUE_WORDS and stem not in DAY_WORDS
    }
    candidates: dict[str, tuple[int, int]] = {}
    for a, b in clauses:
        for stem, (x, y) in content_stems(ctx.norm[a:b]).items():
            if stem not in cust_words and stem not in GENERIC_ISSUE_WORDS:
                candidates.setdefault(ctx.norm[a + x : a + y], (a + x, a + y))
    if not targets or not candidates:
        return {}
    words = list(candidates)
    names = list(targets)
    vec = ctx.vectors(words + [targets[n] for n in names])
    if vec is None:
        return {}
    sims = vec[: len(words)] @ vec[len(words) :].T
    out: dict[str, tuple[int, int]] = {}
    for i, word in enumerate(words):
        j = int(np.argmax(sims[i]))
        if float(sims[i, j]) >= threshold:
            out.setdefault(names[j], candidates[word])
    return out


# The agent's own action under way or done: "I'm putting the £30 credit on now", "I've just reversed the fee".
DOING_NOW_RX = re.compile(
    r"(?:(?:ok(?:ay)?|right|so|and|now),?\s+)*(?:"
    r"(?:i'?m|i am|im)\s+(?:just\s+|now\s+|going ahead and\s+)?"
    r"(?!(?:hearing|guessing|seeing|understanding|thinking|assuming|reading|going|trying|looking|getting)\b)\w+ing\b"
    r"|(?:i'?ve|i have|ive)\s+(?:just\s+|now\s+|already\s+|gone ahead and\s+)?"
    r"(?!(?:heard|seen|got|noticed|understood|been|read|had|looked)\b)\w+(?:ed|ent|ut|one)\b)"
)


# How things work in general, not this customer's case: "Bags are usually found within 5 days", "doctors go
# on leave sometimes", "caretakers are not responsible for structural repairs", "estimates are based on
# historical usage". The customer's words in one are an explanation, not their problem said back.
GENERAL_RULE_RX = _rx(
    [
        r"(?:is|are|do|does|can|will) (?:usually|normally|typically|generally|always|often|sometimes)",
        r"(?:usually|normally|typically|generally|sometimes) (?:take|takes|get|gets|go|goes|arrive|arrives|run|runs|happen|happens)",
        r"\w+s (?:\w+ ){1,3}sometimes",
        r"(?:is|are|r) (?:not )?responsible for",
        r"(?:is|are) based on",
        r"(?:is|are) subject to",
        r"in line with",
        r"as per",
        r"out of our (?:control|hands)",
        r"(?:it'?s|that'?s|it is) in (?:your|the) (?:terms|contract|agreement|booklet|t ?& ?cs?)",
        # Impersonal present passives and conditions: "cards are produced centrally", "gate codes are reset
        # every 90 days", "payments need to be made 3 days before", "speeds depend on congestion".
        r"\w+s (?:are|r) (?:\w+ly )?(?:not )?(?:produced|reset|suspended|instructed|guaranteed|processed|issued|"
        r"applied|calculated|reviewed|generated|billed|required|allowed|assigned|dispatched|printed|posted|checked|"
        r"locked|cleared|collected|refunded|renewed|updated|capped|limited|restricted)",
        r"(?:need|needs) to be (?:made|paid|submitted|received|returned|booked|done|sent)",
        r"(?:may|can|will) (?:occur|happen) (?:due to|when|if|because)",
        r"(?:depend|depends) on",
        r"\w+s (?:may|might|could|can|will|would) (?:sometimes |occasionally )?(?:need|have) to",
    ]
)
# The customer's age ("I'm 78", "she's 84", "a 78-year-old") says who they are, not what went wrong.
AGE_RX = re.compile(r"\b(?:i'?m|i am|she'?s|he'?s|she is|he is|aged|age)\s+$")
AGE_AFTER_RX = re.compile(r"[- ]?years?[- ]old\b")


def issue_numbers(customer_norm: str) -> list[tuple[int, int, int]]:
    """The customer's figures that describe the problem: every number but their age."""
    return [
        (v, a, b)
        for v, a, b in numbers_in(customer_norm)
        if not AGE_RX.search(customer_norm[max(0, a - 10) : a]) and not AGE_AFTER_RX.match(customer_norm, b)
    ]


_SECOND_PERSON_RX = re.compile(r"\byou(?:r|rs|'?ve|'?re|'?d|'?ll)?\b")


# A sentence framed as their problem said back by the sentences around it: "Let me just say it back so I've
# got it right. You booked the 10:15 …, and you're sure you picked van. Is that right?"
SAY_BACK_BEFORE_RX = re.compile(
    r"\blet me (?:just )?(?:say|read|repeat|play) (?:it|that|this|that all|this all) back\b"
    r"|\blet me (?:just )?make sure (?:i'?ve|i have) (?:got|understood) (?:it|this|that|everything)\b"
)
SAY_BACK_AFTER_RX = re.compile(
    r"^(?:is that|have i got (?:that|it|this)|did i get (?:that|it|this)) (?:all )?(?:right|correct)"
)


def _framed_as_said_back(ctx: Context, sentence: tuple[int, int]) -> bool:
    if sentence not in ctx.sentences:
        return False
    i = ctx.sentences.index(sentence)
    before = ctx.norm[slice(*ctx.sentences[i - 1])] if i > 0 else ""
    after = ctx.norm[slice(*ctx.sentences[i + 1])].strip() if i + 1 < len(ctx.sentences) else ""
    return bool(SAY_BACK_BEFORE_RX.search(before) or SAY_BACK_AFTER_RX.match(after))


def _defends(ctx: Context, pos: int) -> bool:
    """The sentence at `pos` explains a rule or defends the company."""
    sentence = ctx.sentence_of(pos)
    text = ctx.norm[slice(*sentence)]
    if CHECKBACK_OPENER_RX.match(text.strip()) or _framed_as_said_back(ctx, sentence):
        return False  # "So just to confirm, ... the system declined it, is that right?" says their problem back
    if POLICY_RX.search(text):
        return True
    if GENERAL_RULE_RX.search(text) and not _SECOND_PERSON_RX.search(text):
        return True
    # "So you've been told you're not covered", "so the drain's overflowed twice, that's not right":
    # a defensive-sounding phrase inside their problem said back is not a defence.
    return ctx.defensive_within(*sentence) and not RESTATEMENT_OPENER_RX.match(text.strip())


def _acts(ctx: Context, a: int, b: int) -> bool:
    """The clause promises or reports the agent's own action rather than says the problem back."""
    clause = ctx.norm[a:b].strip()
    return bool(PROMISE_RX.search(clause) or DOING_NOW_RX.match(clause))


def _said_back_sentence(ctx: Context) -> tuple[int, int] | None:
    """A sentence framed as saying their problem back ("So just to confirm, your bag is delayed, is
    that correct?"), in the agent's own words (bag for suitcase): a general restatement at least."""
    for a, b in ctx.window_sentences():
        sentence = ctx.norm[a:b].strip()
        opens = CHECKBACK_OPENER_RX.match(sentence) or RESTATEMENT_OPENER_RX.match(sentence)
        if opens and len(sentence.split()) >= 4 and not _defends(ctx, a):
            return a + (len(ctx.norm[a:b]) - len(ctx.norm[a:b].lstrip())), a + len(ctx.norm[a:b].rstrip(" .?!"))
    return None


def detect_restatement(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Says the customer's problem back: 1.0 with their specifics (amounts, dates, products, how
    many times), `partial_score` in general terms, 0 when it does not restate at all.

    With `second_reading: true` the level the rules give is read again by a model trained on coaches'
    scores (rubrics.restate_model), which moves it where coaches would."""
    rules = _restatement_by_rules(ctx, config)
    model = restate_model.default() if config.get("second_reading") and rules.score is not None else None
    if model is None or rules.score is None:
        return rules
    partial = float(config.get("partial_score", 0.6))
    scores = (0.0, partial, 1.0)
    rule_level = 2 if rules.score >= 1.0 else 1 if rules.score > 0 else 0
    level = model.level(ctx, rule_level)
    if level is None or level == rule_level:
        return rules
    note = f"{rules.note}; second reading from coaches' scores: level {level} (rules: {rule_level})"
    if level < rule_level:
        missing = rules.missing or ["the customer's problem said back with their own specifics"]
        found = [f"{f} (coaches read it as less than that)" for f in rules.found]
        return Detection(scores[level], rules.evidence, found=found, missing=missing, note=note)
    evidence = rules.evidence or _closest_sentence(ctx)
    found = [*rules.found, "read as their problem said back" + (" with their specifics" if level == 2 else "")]
    return Detection(scores[level], evidence, found=found, missing=[] if level == 2 else rules.missing, note=note)


def _closest_sentence(ctx: Context) -> list[Span]:
    """The answer's sentence nearest the customer line, as evidence for the second reading."""
    sentences = ctx.window_sentences()
    rows = ctx.vectors([ctx.norm[a:b] for a, b in sentences] + [ctx.customer_norm]) if sentences else None
    if rows is None:
        return []
    best = int(np.argmax(rows[:-1] @ rows[-1]))
    return [ctx.span(*sentences[best])]


def _restatement_by_rules(ctx: Context, config: dict[str, Any]) -> Detection:
    if not ctx.customer_norm.strip():
        return Detection(None, note="no customer line to compare with")
    clauses = _restating_clauses(ctx)
    # Their age counts when said back ("your dad's 84"), but a restatement need not carry it.
    cust_values = {v for v, _, _ in numbers_in(ctx.customer_norm)}
    cust_numbers = issue_numbers(ctx.customer_norm)
    cust_words = content_stems(ctx.customer_norm)
    days = {w for w in cust_words if w in DAY_WORDS}
    echoed_numbers: list[tuple[int, int, int]] = []
    echoed: dict[str, tuple[int, int]] = {}
    mentioned: dict[str, tuple[int, int]] = {}
    for a, b in ctx.clauses:
        if b <= ctx.window_start:
            continue
        values = [(v, x + a, y + a) for v, x, y in numbers_in(ctx.norm[a:b]) if v in cust_values]
        if not values:
            continue
        if DOING_NOW_RX.match(ctx.norm[a:b].strip()) or _defends(ctx, a):
            # Their amount inside an action ("I'm putting the £30 credit on now") or a defence ("the £47
            # includes installation, it's in your contract"): said in passing, not their problem said back.
            mentioned.setdefault(f"#{values[0][0]}", values[0][1:])
        else:
            echoed_numbers += values
    # "Refunds take 14 days, that's our policy": the customer's words, not their problem said back.
    saying_back = [(a, b) for a, b in clauses if not (_defends(ctx, a) or _acts(ctx, a, b))]
    for a, b in saying_back:
        for stem, (x, y) in content_stems(ctx.norm[a:b]).items():
            if stem in cust_words and stem not in echoed:
                echoed[stem] = (x + a, y + a)
    for a, b in ctx.clauses:
        # The customer's words inside an action ("we'll look into the washing machine"): partial credit.
        if b > ctx.window_start and (a, b) not in clauses and not REQUEST_START_RX.match(ctx.norm[a:b].strip()):
            for stem, (x, y) in content_stems(ctx.norm[a:b]).items():
                if stem in cust_words and stem not in DAY_WORDS and stem not in GENERIC_ISSUE_WORDS:
                    if re.search(
                        r"\b(?:the|your|this|that|my|a|an)\s+(?:\w+\s+)?$", ctx.norm[max(0, a + x - 30) : a + x]
                    ):
                        mentioned.setdefault(stem, (x + a, y + a))
    synonym_threshold = float(config.get("synonym_threshold", 0))
    if synonym_threshold and ctx.embed is not None:
        for stem, pos in _synonym_echoes(ctx, saying_back, cust_words, set(echoed), synonym_threshold).items():
            echoed.setdefault(stem, pos)
        # ... and inside an action ("we'll look into the bag"): partial credit, as with their own words.
        others = [(a, b) for a, b in ctx.clauses if b > ctx.window_start and (a, b) not in clauses]
        for stem, pos in _synonym_echoes(ctx, others, cust_words, set(echoed), synonym_threshold).items():
            mentioned.setdefault(stem, pos)
    echoed_days = [w for w in echoed if w in days]
    echoed_words = [w for w in echoed if w not in days]
    salient = [w for w in echoed_words if w not in GENERIC_ISSUE_WORDS]
    specifics = len({v for v, _, _ in echoed_numbers}) + len(echoed_days)
    evidence = [ctx.span(*ctx.clause_of(a)) for _, a, _ in echoed_numbers[:2]]
    evidence += [ctx.span(*ctx.clause_of(echoed[w][0])) for w in (echoed_days + echoed_words)[:3]]
    generic_ref = None
    for a, b in clauses:
        generic_ref = GENERIC_REF_RX.search(ctx.norm, a, b)
        if generic_ref:
            break
    said_back = None if generic_ref else _said_back_sentence(ctx)
    sim = 0.0
    threshold = float(config.get("threshold", 0.55))
    if ctx.embed is not None and clauses:
        sentences = sorted({ctx.sentence_of(a) for a, _ in clauses})
        texts = [ctx.norm[a:b] for a, b in sentences]
        vec = ctx.vectors(texts + [ctx.customer_norm])
        if vec is not None:
            sims = vec[:-1] @ vec[-1]
            sim = float(sims.max())
            if sim >= threshold and not evidence:
                evidence.append(ctx.span(*sentences[int(np.argmax(sims))]))
    found = []
    if echoed_numbers:
        found.append("echoed " + ", ".join(dict.fromkeys(ctx.text[a:b] for _, a, b in echoed_numbers)))
    if echoed:
        found.append(
            "used the customer's words: " + ", ".join(dict.fromkeys(ctx.text[slice(*echoed[w])] for w in echoed))
        )
    missing_specifics = [
        ctx.customer_line[a:b] for v, a, b in cust_numbers if v not in {x for x, _, _ in echoed_numbers}
    ]
    missing = (
        [f"the customer's specifics: {', '.join(dict.fromkeys(missing_specifics[:3]))}"] if missing_specifics else []
    )
    # Their words alone are specific enough only when the customer gave no figures: when the problem
    # has an amount, a date or a count, coaches want at least one of them in the answer.
    said_their_figures = not cust_numbers or any(key.startswith("#") for key in mentioned)
    words_ok = bool(salient) and len(echoed_words) >= 2 and said_their_figures
    if (specifics >= 1 and (echoed_words or specifics >= 2 or sim >= 0.45)) or words_ok:
        score = 1.0
    elif echoed_words or specifics or generic_ref or said_back or mentioned or sim >= threshold:
        score = float(config.get("partial_score", 0.6))
        general = said_back or ((generic_ref.start(), generic_ref.end()) if generic_ref else None)
        if general and not found:
            found.append("referred to the problem in general terms")
            evidence.append(ctx.span(*general))
        elif mentioned and not found:
            found.append("mentioned the customer's specifics in passing, inside an action")
            evidence += [ctx.span(*ctx.clause_of(a)) for a, _ in list(mentioned.values())[:2]]
        if not missing:
            missing.append("the customer's own specifics")
    else:
        score = 0.0
        missing = missing or ["a restatement of the customer's problem"]
    return Detection(
        score, _dedupe(evidence), found=found, missing=missing, note=f"similarity to the customer line {sim:.2f}"
    )


def _offer_is_specific(ctx: Context, m: re.Match[str]) -> bool:
    """An offer that is concrete all the same: now, personally, or with the customer's amount."""
    a, b = ctx.sentence_of(m.start())
    sentence = ctx.norm[a:b]
    return bool(IMMEDIATE_RX.search(sentence) or "personally" in sentence or numbers_in(sentence))


# The result waits on someone else's sign-off.
NEEDS_APPROVAL_RX = re.compile(
    r"\b(?:need|needs|needing) (?:\w+ ){0,3}(?:approval|sign-off|signing off|authori[sz]ation)\b"
    r"|\bonce (?:my|the|a|our) (?:supervisor|manager|team leader|tl|team) (?:approves|signs|authori[sz]es|okays)"
    r"|\b(?:supervisor|manager|team leader) (?:has|needs|will need) to (?:approve|sign|authori[sz]e|okay)"
    r"|\bneeds? my (?:supervisor|manager|team leader) to (?:approve|sign|authori[sz]e)"
)
# Sending or talking it on to someone else: "I'll send your adverts to the engineer", "I'll email the
# processing officer", "I'll talk to the surgical scheduler", "I'll reach out to the adjuster's manager".
SENT_ON_RX = re.compile(
    r"(?:send\w*|email\w*|e-mail\w*|messag\w*|talk\w*|speak\w*|reach\w* out|writ\w*)\b[^.!?;]{0,40}?\bto (?:the|our|their|your|a|an) "
    r"(?:\w+(?:'s)? ){0,3}(?:team|department|manager|supervisor|officer|engineer|assessor|adjuster|scheduler|office|desk|unit|specialist|provider|practice|warehouse|depot)\b"
    r"|(?:email\w*|messag\w*) (?:the|our|their|them|him|her) (?:\w+ ){0,2}(?:team|manager|officer|engineer|assessor|adjuster|office)?"
)
VAGUE_DESTINATION_RX = re.compile(
    r"(?:\s+(?:on|over|along|it|this|that))*(?:\s+(?:to|with))?\s+(?:the\s+)?(?:relevant|appropriate|right|concerned|respective)\s+(?:team|department|people|section)\b"
)
# Whoever takes it on is not named: a hand-off to them is never owned, however urgent.
NOBODY_NAMED_RX = re.compile(r"\b(?:someone|somebody|the relevant (?:team|department))\b")
HANDOFF_OWNED_RX = re.compile(r"\b(?:myself|personally|under my name|manually|as an emergency|as urgent|priority)\b")


def _sends_it_on(ctx: Context, m: re.Match[str]) -> bool:
    """The owned verb, or the first word after the owner, sends or talks it on to someone else."""
    gap = m.group("gap")
    first_word = m.start("gap") + len(gap) - len(gap.lstrip())
    return bool(SENT_ON_RX.match(ctx.norm, first_word) or SENT_ON_RX.match(ctx.norm, m.start("verb")))


def _next_sentence_end(ctx: Context, pos: int) -> int:
    """End of the sentence after the one at `pos` (or of this one when it is the last)."""
    _, end = ctx.sentence_of(pos)
    following = [b for a, b in ctx.sentences if a >= end]
    return following[0] if following else end


def _handoff_owned(ctx: Context, m: re.Match[str]) -> bool:
    """A hand-off the agent owns all the same: done now, personally, or as a priority, and with no
    'they may be able to' on the result."""
    a, b = ctx.sentence_of(m.start())
    sentence = ctx.norm[a:b]
    if HEDGED_RESULT_RX.search(ctx.norm, m.end(), b):
        return False  # "I'll raise a ticket and they may be able to reverse it": the result is not promised
    if NOBODY_NAMED_RX.search(sentence):
        return False  # "I've passed it on to the relevant team and someone will look into it as a priority"
    return bool(IMMEDIATE_RX.search(sentence) or HANDOFF_OWNED_RX.search(sentence))


# A condition on how things turn out, earlier in the sentence than the action.
FACT_CONDITION_RX = re.compile(
    r"\bif (?:there'?s|there is|there was|it'?s|it is|it was|that'?s|this is|it turns out|we find|i find|"
    r"the \w+ (?:is|was|shows|says|agrees?|approves?)|they (?:agree|approve|accept|say|find)|it (?:says|said|shows|showed))\b"
)
# The action is a way to find something out: "phone them and find out", "ring the depot to see where it is".
# Or it sends someone only to look: "arrange for the technician to check on it", "send the supervisor
# down to have a look".
FIND_OUT_AFTER_RX = re.compile(
    r"(?:\s+\w+){0,4}?\s+(?:and|to)\s+(?:find out|see (?:what|where|if|whether)|check (?:what|where|if|whether)|ask)\b"
    r"|(?:\s+\w+){0,4}?\s+to\s+(?:check(?: on| over)?|(?:have|take) a (?:\w+ )?look|look (?:at|into|over)|inspect|assess|investigate)\b"
)
# ..., or later in the sentence: "I'm going to call the store manager now, while you're on the line, and we'll
# find out where it is".
FIND_OUT_LATER_RX = re.compile(
    r"\b(?:and|to|so) (?:then )?(?:we'?ll |i'?ll |we can |i can |we will |i will )?(?:find out|see (?:what|where|if|whether)|"
    r"check (?:what|where|if|whether))\b"
)
# A fix reported done, without a verb: "Refund processed - $600 back to the Visa as of right now".
DONE_STATE_RX = re.compile(
    r"\b(?:refund|credit|cancellation|reversal|replacement|payment|booking|order|reconnection)s? (?:has been |have been |is |'s been )?"
    r"(?:now |just )?(?:processed|issued|applied|approved|completed|done|sent|booked|confirmed|reversed|cancel+ed)\b"
)
# Sending someone out is a fix, whoever goes: "we'll get someone out to cap that line".
DISPATCH_RX = re.compile(
    r"\b(?:i'?ll|we'?ll|i will|we will|i'?m going to|we'?re going to|let me|i can|we can) (?:get|send|have) "
    r"(?:someone|somebody|an? \w+|the \w+|our \w+) (?:out|round|over|down|back|come|to come)\b"
)
CONDITION_BEFORE_RX = re.compile(r"\b(?:once|if|when|until|after|before|unless)\b")
# The thing sent or raised is a request for someone else's decision: "I can send a request to have it re-checked".
REQUEST_OBJECT_RX = re.compile(
    r"\s+(?:in\s+)?(?:a|an)\s+(?:\w+\s+)?(?:request|ticket|query|enquiry|inquiry|referral)\b"
)


def _owner_actions(ctx: Context, rx: re.Pattern[str]) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """Owner + verb matches split into firm and hedged; negated ones are dropped."""
    firm, hedged = [], []
    matches = [(m, False) for m in ctx.find(rx)]
    if rx is OWNER_ACTION_RX:
        seen = {m.start("verb") for m, _ in matches}
        matches += [(m, True) for m in ctx.find(OWNER_AND_ACTION_RX) if m.start("verb") not in seen]
    for m, joined in matches:
        if re.match(r"\s+(?:someone|somebody|something|anyone|anything)\b", ctx.norm[m.end() : m.end() + 12]):
            hedged.append(m)  # "we'll send someone": an action, but not a concrete one
            continue
        gap = m.group("gap")
        head = ctx.norm[m.start() : m.start("gap")]
        if NEGATION_RX.search(gap) or NEGATION_RX.search(head):
            continue
        if any(a <= m.start("verb") < b for a, b in ctx.defensive):
            continue  # "as I already explained on the last call": a rebuke, not an action
        if not joined and OTHER_SUBJECT_RX.search(gap):
            continue
        if re.search(r"\b(?:see|hear|notice|tell)\b", gap):
            continue  # "I can see your order for 2 tickets": "order" is what they see, not what they do
        # Only this sentence's words can hedge it ("...in May. I'm refunding it now" is not hedged).
        before = ctx.norm[max(ctx.sentence_of(m.start())[0], m.start() - 30) : m.start()]
        if HEDGE_RX.search(gap) or HEDGE_RX.search(before[-20:]) or re.search(r"\bif\s+(?:\w+\s+){0,2}$", before):
            hedged.append(m)
        elif FACT_CONDITION_RX.search(ctx.norm, ctx.sentence_of(m.start())[0], m.start()):
            hedged.append(m)  # "if there's a known fault I'll get you credit": only if it turns out so
        elif rx is OWNER_ACTION_RX and (
            FIND_OUT_AFTER_RX.match(ctx.norm, m.end())
            or FIND_OUT_LATER_RX.search(ctx.norm, m.end(), ctx.sentence_of(m.start())[1])
        ):
            hedged.append(m)  # "I'll phone them and find out what's happening": a check by another verb
        elif REQUEST_OBJECT_RX.match(ctx.norm, m.end()):
            hedged.append(m)  # "I'll send a request to billing": someone else decides
        elif OFFER_RX.search(head + gap) and not _offer_is_specific(ctx, m):
            hedged.append(m)  # "I can book a reading": offered, not done or promised
        elif rx is OWNER_ACTION_RX and INVESTIGATE_START_RX.match(gap.strip()):
            hedged.append(m)  # "let me check with the courier": a check, whatever follows
        elif NEEDS_APPROVAL_RX.search(ctx.norm, ctx.sentence_of(m.start())[0], _next_sentence_end(ctx, m.start())):
            hedged.append(m)  # "I can refund the $42 once my supervisor approves it": someone else decides
        elif m.group("verb").startswith("updat") and re.match(r" you\b", ctx.norm[m.end() : m.end() + 5]):
            hedged.append(m)  # "I'll update you when I hear": news, not the fix
        elif _sends_it_on(ctx, m) and not _handoff_owned(ctx, m):
            hedged.append(m)  # "I'll send it to the practice manager": a hand-off by another verb
        elif HANDOFF_RX.match(m.group("verb")) and VAGUE_DESTINATION_RX.match(ctx.norm, m.end()):
            continue  # "I've passed this on to the relevant team": nobody named, nothing promised
        elif HANDOFF_RX.match(m.group("verb")) and not _handoff_owned(ctx, m):
            # "I'll raise a request with billing", "I'll escalate it to the claims team": someone else
            # decides the result, so the owner is unclear, unless the agent does it now or personally.
            hedged.append(m)
        else:
            firm.append(m)
    return firm, hedged


# "A collection might be possible", "a refund may be an option": the action as a possibility.
NOMINAL_HEDGE_RX = re.compile(
    r"\b(?:might|may|could) (?:well |also )?be (?:possible|an option|available|doable|on the table|considered)\b"
)
# A clause where the agent (I/we) says what they are doing, have done, will or can do.
# "I can see the engineer's put it down as…", "…outside the plan, I'm afraid": perceiving and regretting are
# not the agent doing anything.
FIRST_PERSON_DOING_RX = re.compile(
    r"\b(?:i|we)(?:(?:'m| am)(?! (?:afraid|sorry|so sorry|really sorry)\b)|'ve|'ll| have| will"
    r"| can(?! (?:see|tell|hear|understand|imagine|only imagine|appreciate)\b)| are|'re)\b"
)
_MODAL_RX = re.compile(r"\b(?:might|may|could|possibl[ey]|perhaps|hopefully|try|trying)\b")


def _concrete_second_opinion(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection | None:
    """When no action verb on the list is found: the agent's own first-person clauses, classed by
    their nearest anchors (firm / hedged / vague / no action). A hedge word caps a firm vote at
    hedged. None when there is no model, no anchors or no decision."""
    classes = {
        "firm": _anchor_list(config, "firm_examples", anchors.positive),
        "hedged": _anchor_list(config, "hedged_examples"),
        "vague": _anchor_list(config, "vague_examples", anchors.negative),
        "none": _anchor_list(config, "no_action_examples"),
    }
    if ctx.embed is None or not classes["firm"] or not classes["none"]:
        return None
    spans = [
        (a, b)
        for a, b in _embeddable_spans(ctx, min_words=int(config.get("min_words", 3)))
        if b > ctx.window_start
        and FIRST_PERSON_DOING_RX.search(ctx.norm, a, b)
        and not ctx.norm[a:b].rstrip().endswith("?")
        and not NEGATION_RX.search(ctx.norm, a, b)
        and not ctx.defensive_within(a, b)
    ]
    if not spans:
        return None
    votes = nearest_class(ctx, [ctx.norm[a:b] for a, b in spans], classes, k=int(config.get("k", 3)))
    margin = float(config.get("margin", 0.03))
    floor = float(config.get("min_similarity", 0.3))
    best: tuple[int, tuple[int, int]] | None = None
    for span, (label, gap, sim) in zip(spans, votes, strict=True):
        if gap < margin or sim < floor or label not in ("firm", "hedged"):
            continue
        rank = 1 if label == "hedged" or _MODAL_RX.search(ctx.norm, *span) else 2
        if best is None or rank > best[0]:
            best = (rank, span)
    if best is None:
        return None
    if best[0] == 2:
        return Detection(1.0, [ctx.span(*best[1])], found=["a concrete action you own"], note="nearest anchors: firm")
    return Detection(
        float(config.get("partial_score", 0.6)),
        [ctx.span(*best[1])],
        found=["an action, but hedged"],
        missing=["a firm action and who does it ('I'll refund the $40 today')"],
        note="nearest anchors: hedged",
    )


def _reported_done(ctx: Context, m: re.Match[str]) -> bool:
    """A fix reported done ("Refund processed") counts when it is now or carries the figures, and is not
    a rule ("non-refundable once an order has been processed"), negated, hedged or inside a defence."""
    sentence_start, sentence_end = ctx.sentence_of(m.start())
    clause_start, clause_end = ctx.clause_of(m.start())
    after = ctx.norm[m.end() : _next_sentence_end(ctx, m.start())]
    return (
        not ctx.defensive_within(sentence_start, sentence_end)
        and bool(IMMEDIATE_RX.search(after) or numbers_in(after))
        and not NEGATION_RX.search(ctx.norm, clause_start, clause_end)
        and not CONDITION_BEFORE_RX.search(ctx.norm, clause_start, m.start())
        and not HEDGE_RX.search(ctx.norm, sentence_start, m.start())
    )


def detect_concreteness(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """A specific action with an owner ('I'm refunding the $40 now') scores 1.0; a hedged, passive
    or only investigative action `partial_score`; vague promises ('we'll look into it') `vague_score`."""
    firm, hedged = _owner_actions(ctx, OWNER_ACTION_RX)
    extra = _user_rx(config, "patterns")
    if extra is not None:
        firm += ctx.find(extra)
    vague = [m for m in ctx.find(VAGUE_RX)]
    firm = [m for m in firm if not any(v.start() <= m.start("verb") < v.end() for v in vague)]
    hedged = [m for m in hedged if not any(v.start() <= m.start("verb") < v.end() for v in vague)]
    done = [m for m in ctx.find(DONE_STATE_RX) if _reported_done(ctx, m)]
    if firm or done:
        return Detection(
            1.0, [ctx.span(*ctx.clause_of(m.start())) for m in (firm or done)[:2]], found=["a concrete action you own"]
        )
    # "I can get someone out tomorrow": somebody will come, but nobody is named.
    partial = hedged + list(ctx.find(PASSIVE_ACTION_RX)) + [m for m in ctx.find(DISPATCH_RX) if "some" in m.group(0)]
    inv_firm, inv_hedged = _owner_actions(ctx, OWNER_INVESTIGATE_RX)
    partial += [m for m in inv_firm + inv_hedged if not any(v.start() <= m.start("verb") < v.end() for v in vague)]
    if partial:
        return Detection(
            float(config.get("partial_score", 0.6)),
            [ctx.span(*ctx.clause_of(m.start())) for m in partial[:2]],
            found=["an action, but hedged, passive or only a check"],
            missing=["a firm action and who does it ('I'll refund the $40 today')"],
        )
    nominal = ctx.find(NOMINAL_HEDGE_RX)
    if nominal:
        return Detection(
            float(config.get("partial_score", 0.6)),
            [ctx.span(*ctx.clause_of(m.start())) for m in nominal[:2]],
            found=["an action, but only as a possibility"],
            missing=["a firm action and who does it ('I'll refund the $40 today')"],
        )
    if not vague:
        second = _concrete_second_opinion(ctx, config, anchors)
        if second is not None:
            return second
    if vague:
        return Detection(
            float(config.get("vague_score", 0.1)),
            [ctx.span(m.start(), m.end()) for m in vague[:2]],
            found=["a vague promise"],
            missing=["a specific action instead of a vague promise"],
        )
    return Detection(0.0, missing=["an action that resolves the problem"])


_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-eight|fifty|sixty|seventy-two|twenty-four|forty eight|twenty four|seventy two)"
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|business days?|working days?|weeks?|months?)"
TIMEFRAME_SPECIFIC_RX = _rx(
    [
        r"\d{1,2}(?::\d{2})?\s?(?:a\.?m\.?|p\.?m\.?)",
        r"\d{1,2}:\d{2}",
        r"noon",
        r"midday",
        r"midnight",
        r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:o'?clock|thirty|pm|am|p\.m\.|a\.m\.)",
        r"monday",
        r"tuesday",
        r"wednesday",
        r"thursday",
        r"friday",
        r"saturday",
        r"sunday",
        r"today",
        r"tonight",
        r"tomorrow",
        r"this (?:morning|afternoon|evening)",
        r"(?:the )?end of (?:the |this |next )?(?:day|week|month|business)",
        r"close of business",
        r"eod",
        r"cob",
        r"first thing",
        r"(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}(?:st|nd|rd|th)?",
        r"\d{1,2}(?:st|nd|rd|th)(?: of \w+)?",
        r"\d{1,2}/\d{1,2}(?:/\d{2,4})?",
        r"(?:within|in|under|inside|over|for|after|takes?|taking|give it|allow) (?:the next |about |around |roughly |less than |up to )?"
        + _NUM
        + r"(?:\s?(?:-|to|or)\s?"
        + _NUM
        + r")? "
        + _UNIT,
        r"\d+\s?(?:-|to)\s?\d+ " + _UNIT,
        r"\d+ " + _UNIT,
        r"(?:within|in) (?:the|an|one) hour",
        r"the next hour",
        r"right now",
        r"immediately",
        r"straight away",
        r"right away",
        r"while (?:you'?re|you are|we'?re|we are) (?:still )?on the (?:line|phone|call)",
        r"before (?:we|you) hang up",
        r"before (?:the end of )?(?:this|our) call",
        r"now",
    ]
)
TIMEFRAME_VAGUE_RX = _rx(
    [
        r"soon",
        r"shortly",
        r"asap",
        r"as soon as (?:possible|we can|i can|we'?re able|it'?s ready)",
        r"in due course",
        r"at some point",
        r"eventually",
        r"later(?: on)?",
        r"in a (?:bit|while|little while)",
        r"(?:a|the) (?:few|couple(?: of)?) " + _UNIT,
        r"some " + _UNIT,
        r"several " + _UNIT,
        r"(?:next|this|the coming) (?:week|month)",
        r"in the (?:coming|next few|next couple of) (?:days|weeks|hours|months)",
        r"(?:a|the next) couple of (?:days|weeks|hours|months)",
        r"promptly",
        r"quickly",
        r"sometime",
        r"before long",
        r"in the near future",
        r"at the earliest (?:opportunity|convenience)",
        r"when(?:ever)? (?:we|i|they) (?:can|get a chance)",
        r"in time",
        r"takes? (?:a while|time|some time|ages)",
        r"(?:your|the) next (?:bill|statement|invoice|billing (?:cycle|date)|payday)",
        r"next (?:cycle|billing cycle|bill|top-?up|time you top up)",
        r"within the (?:week|month|day)",
        r"(?:in )?(?:the next |a )?day or two",
        r"(?:in )?(?:the next |a )?week or two",
    ]
)
FUTURE_RX = re.compile(
    r"\b(?:will|'ll|going to|gonna|by|within|until|expect|should (?:arrive|see|get|be)|next|before|later|tomorrow|tonight|"
    r"booked|scheduled|arranged|"
    r"i'?m (?:sending|calling|booking|scheduling|refunding|processing)|can|you'?ll|arrive|see it|have it)\b"
)
COMMITTED_START_RX = re.compile(
    r"(?:within|by|before|until|in the next|right now|immediately|straight away|right away|while|give it|allow)\b"
)
# What the customer can or must do themselves: "you can leave free within 30 days of the letter".
CUSTOMER_RIGHT_RX = re.compile(r"\byou (?:can|could|may|have|need to|must|are allowed to) \w+")
# "As I said, it should go through by tomorrow morning": a rebuke, but the time is still a promise.
REBUKE_RX = re.compile(
    r"(?:as|like) i (?:already |just |have |'?ve )?(?:said|told you|explained|mentioned)|i (?:already|'?ve already) (?:told|said)"
)
PAST_RX = re.compile(
    r"\b(?:ago|was|were|last|yesterday|had|did|happened|since|charged|called|ordered|paid|said|told"
    r"|went|promised|received|came|arrived|made|sent|dropped|started|rang|emailed|booked)\b"
)


# A deadline the customer must meet ("notification is required within 24 hours").
REQUIREMENT_RX = re.compile(
    r"\b(?:must|have to|has to|need to|needs to|required|requires?|requirement|deadline)\b(?:\s+\w+){0,6}\s+(?:within|by|before)\b"
)
# "Now" describing how things stand ("there's a backlog right now", "as of right now the fee applies").
STATE_NOW_RX = re.compile(
    r"\b(?:there(?:'s| is| are)|as of|at the moment|showing|applies|stands|is (?:a lot|busy|high))\b"
)
# A past event placed at the date ("the payment came in on the 1st", "it was due last Friday").
PAST_DATED_RX = re.compile(
    r"\b(?:was|were|went|promised|paid|received|came|arrived|happened|ordered|dropped|started|stopped|called|rang|emailed|"
    r"charged|debited|placed|submitted|expired|failed|missed|bounced|due)\b(?:\s+(?!will\b|'ll\b|can\b)\S+){0,5}\s+(?:on|from|since|back on|in)\s+(?:the\s+)?$"
)

IMMEDIATE = {"now", "right now", "immediately", "straight away", "right away"}
# A result in place already: "it works again now", "your account is active now".
PRESENT_OUTCOME_RX = re.compile(
    r"\b(?:works?|is working|(?:is|are|'s) (?:\w+ )?(?:back|active|live|unblocked|unfrozen|fixed|restored|working|sorted|cleared|reconnected))\b"
)


def _with_preposition(ctx: Context, start: int) -> int:
    """Start of 'by Friday' rather than 'Friday' when a deadline word precedes the match."""
    before = re.search(
        r"\b(?:by|on|before|until|at|from|no later than|between)\s+(?:the\s+)?$", ctx.norm[max(0, start - 20) : start]
    )
    return start - len(before.group(0)) if before else start


def detect_timeframe(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """A date, time or duration the customer can hold you to (1.0); a vague one ('soon') `vague_score`."""
    specific = []
    for m in ctx.find(TIMEFRAME_SPECIFIC_RX):
        text = m.group(0)
        a, b = ctx.clause_of(m.start())
        clause = ctx.norm[a:b]
        if text in ("now", "right now") and DOING_NOW_RX.match(clause.strip()) and m.start() > a:
            # "I've reversed the fee just now", "I'm crediting it now": the agent's own action, done as they speak.
            specific.append(m)
            continue
        if text == "now" and (m.start() == a or re.match(r"now,", ctx.norm[m.start() : m.start() + 4])):
            continue
        if text == "now" and re.search(
            r"\b(?:right|just|until|by|for|even)\s+$", ctx.norm[max(0, m.start() - 8) : m.start()]
        ):
            continue
        if PAST_RX.search(clause) and not FUTURE_RX.search(clause):
            continue
        if re.search(r"\b(?:since|last|every|each)\s+$", ctx.norm[max(0, m.start() - 7) : m.start()]):
            continue  # "since Tuesday", "last Friday": when it went wrong, not when it will be put right
        if (
            text in ("today", "now", "tonight")
            and re.match(r"\s*(?:\?|$)", ctx.norm[m.end() : m.end() + 2])
            and re.search(r"\b(?:else|anything|help you with|do for you)\b", clause)
        ):
            continue  # "anything else I can help you with today?": a sign-off, not a commitment
        if NEGATION_RX.search(clause) and not OWNER_ACTION_RX.search(clause):
            continue  # "I can't do anything about it now"
        sa, sb = ctx.sentence_of(m.start())
        sentence = ctx.norm[sa:sb]
        if REQUIREMENT_RX.search(clause):
            continue  # "claims must be submitted within 28 days": the customer's deadline, not the agent's
        if CUSTOMER_RIGHT_RX.search(clause) and not OWNER_ACTION_RX.search(clause):
            continue  # "you can leave free within 30 days of the letter": the customer's right, not a commitment
        if any(sa <= da < sb and not REBUKE_RX.match(ctx.norm, da) for da, _ in ctx.defensive) and not (
            OWNER_ACTION_RX.search(sentence)
        ):
            continue  # "as per clause 7, it auto renews unless cancelled 30 days before": the rule's time
        if text in ("now", "right now") and STATE_NOW_RX.search(clause) and not OWNER_ACTION_RX.search(clause):
            continue  # "there are a lot of outages right now": how things stand, not when they'll be fixed
        if PAST_DATED_RX.search(ctx.norm[max(0, m.start() - 60) : m.start()]):
            continue  # "the router was promised on the 5th": when it went wrong
        if (
            not FUTURE_RX.search(sentence)
            and not COMMITTED_START_RX.match(text)
            and not OWNER_ACTION_RX.search(sentence)
            and not (text in IMMEDIATE and PRESENT_OUTCOME_RX.search(sentence))
        ):
            continue  # "we're busy today", "refunds take 14 days": a time, but nobody's commitment
        if re.match(r"(?:a|an|one) ", text.split(" ", 1)[-1]) and re.search(r"\bfor (?:a|an) ", text):
            continue
        specific.append(m)
    extra = _user_rx(config, "patterns")
    if extra is not None:
        specific += ctx.find(extra)
    if specific:
        return Detection(
            1.0,
            [ctx.span(_with_preposition(ctx, m.start()), m.end()) for m in specific[:3]],
            found=[
                "a specific timeframe: " + ", ".join(dict.fromkeys(ctx.text[m.start() : m.end()] for m in specific[:3]))
            ],
        )
    vague = ctx.find(TIMEFRAME_VAGUE_RX)
    if vague:
        return Detection(
            float(config.get("vague_score", 0.5)),
            [ctx.span(m.start(), m.end()) for m in vague[:2]],
            found=["a vague timeframe: " + ", ".join(dict.fromkeys(ctx.text[m.start() : m.end()] for m in vague[:2]))],
            missing=["a date, a time or a duration ('by 5 pm today', 'within 48 hours')"],
        )
    return Detection(0.0, missing=["when it will happen: a date, a time or a duration"])


GREETING_RX = re.compile(
    r"(?:hi|hello|good (?:morning|afternoon|evening)|thank(?:s| you) for (?:calling|holding|waiting)|my name is|this is|"
    r"you'?re (?:through to|speaking)|ok(?:ay)?|right|alright|oh|sir|ma'?am)\b"
)


def detect_order(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Behaviour A before behaviour B: by default an acknowledgement before any fix or policy.

    Config: `first` / `then` (extra regex for A / B), `missing_first_score` (default 0).
    """
    firsts = [(a, b) for a, b, _ in _acknowledgements(ctx)]
    first_rx = _user_rx(config, "first")
    if first_rx is not None:
        firsts += [(m.start(), m.end()) for m in ctx.find(first_rx)]
    thens = [(m.start(), m.end()) for m in ctx.find(POLICY_RX)]
    firm, hedged = _owner_actions(ctx, OWNER_ACTION_RX)
    inv_firm, inv_hedged = _owner_actions(ctx, OWNER_INVESTIGATE_RX)
    thens += [(m.start(), m.end()) for m in firm + hedged + inv_firm + inv_hedged]
    thens += [(a, b) for a, b in ctx.defensive if a >= ctx.window_start]
    thens += [(m.start(), m.end()) for m in ctx.find(DISPATCH_RX)]
    then_rx = _user_rx(config, "then")
    if then_rx is not None:
        thens += [(m.start(), m.end()) for m in ctx.find(then_rx)]
    first = min(firsts, default=None)
    if first is not None:
        # A whole sentence of new information before the acknowledgement is an explanation
        # ("The courier had delays. Sorry about that."); a restatement of the customer's words is not.
        cust_words = content_stems(ctx.customer_norm)
        cust_values = {v for v, _, _ in numbers_in(ctx.customer_norm)}
        for a, b in [c for c in ctx.clauses if c[1] > ctx.window_start]:
            if b > first[0]:
                break
            sentence = ctx.norm[a:b]
            if len(sentence.split()) < 3 or GREETING_RX.match(sentence) or ctx.norm[b : b + 1] == "?":
                continue
            stems = content_stems(sentence)
            if not stems and not numbers_in(sentence):
                continue  # "you must be": no content, so nothing explained yet
            # What the sentence says before the acknowledgement echoes them as a whole: "Three calls in two
            # weeks and the same answer every time, I'd be fed up too."
            sa, sb = ctx.sentence_of(a)
            lead = ctx.norm[sa : first[0]] if sa <= first[0] < sb else sentence
            echoes = any(stem in cust_words for stem in content_stems(lead)) or any(
                v in cust_values for v, _, _ in numbers_in(lead)
            )
            # The customer's experience said back is not an explanation: addressed to them, with
            # their numbers, or told as what they went through ("Calling four times and having to ...").
            whole = ctx.norm[sa:sb]
            about_them = (
                SECOND_PERSON_RX.search(sentence)
                or SECOND_PERSON_RX.search(whole)
                or any(v in cust_values for v, _, _ in numbers_in(whole))
                or re.match(r"(?:\w+ )?\w+ing\b", whole)
            )
            if not echoes or not about_them:
                thens.append((a, b))
                break
    then = min(thens, default=None)
    if first is None:
        evidence = [ctx.span(*ctx.clause_of(then[0]))] if then else []
        return Detection(
            float(config.get("missing_first_score", 0.0)),
            evidence,
            missing=["an acknowledgement of the feeling, before any explanation or fix"],
        )
    if then is None or first[0] < then[0]:
        evidence = [ctx.span(*ctx.clause_of(first[0]))]
        return Detection(1.0, evidence, found=["acknowledged first"])
    return Detection(
        0.0,
        [ctx.span(*ctx.clause_of(then[0])), ctx.span(*ctx.clause_of(first[0]))],
        found=["acknowledged, but only after explaining or fixing"],
        missing=["the acknowledgement first, then the fix or the explanation"],
    )


QUESTION_START_RX = re.compile(
    r"(?:(?:ok(?:ay)?|so|and|right|alright|great|thanks|sorry),?\s+)*(?:what|what'?s|where|where'?s|when|why|how|which|who|whose|can|could|would|will|do|does|did|is|are|was|were|may|shall|should|have|has|had)\b"
)


# Questioning the customer's account is not checking your own understanding ("you're sure you paid?").
DOUBT_RX = re.compile(
    r"\b(?:(?:are you|you'?re|you are) (?:really |quite |absolutely )?sure|did you (?:really|actually))\b"
)
SPOKEN_TAG_RX = re.compile(r"(?:^|\s)(?:yes|yeah|right|correct|yes or no)\s*$")


def detect_checks_understanding(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Asks the customer to confirm ('Is that right?', 'Have I got that right?')."""
    rx = CHECK_RX
    extra = _user_rx(config, "patterns")
    hits = ctx.find(rx) + (ctx.find(extra) if extra is not None else [])
    hits = [m for m in hits if not DOUBT_RX.search(ctx.norm[slice(*ctx.sentence_of(m.start()))])]
    spans = [ctx.span(*ctx.clause_of(m.start())) for m in hits[:1]]
    if not spans:
        # A restatement closed by a spoken tag, as transcripts have it without a '?' ("... saturday yes").
        last = ctx.window_sentences()[-1:]
        for a, b in last:
            sentence = ctx.norm[a:b]
            if len(sentence.split()) >= 5 and SPOKEN_TAG_RX.search(sentence) and not DOUBT_RX.search(sentence):
                spans.append(ctx.span(a, b))
    if not spans:
        # A statement asked back as a question ("So you were charged twice?", "..., yes?").
        for a, b in ctx.window_sentences():
            if (
                ctx.norm[b : b + 1] == "?"
                and not QUESTION_START_RX.match(ctx.norm[a:b])
                and not DOUBT_RX.search(ctx.norm[a:b])
                and len(ctx.norm[a:b].split()) >= 2
            ):
                spans.append(ctx.span(a, b))
                break
    if spans:
        return Detection(1.0, spans, found=["checked your understanding"])
    return Detection(0.0, missing=["a check that you understood ('Is that right?')"])


def detect_next_step(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """Says what happens next: what the customer will get or see, or what you will do and tell them."""
    rx = re.compile(
        r"\b(?:you'?ll|you will|you should|you are going to|you'?re going to) (?:\w+ )?(?:get|receive|see|hear|have|be (?:getting|receiving|contacted|called|notified|emailed|texted|sent)|notice)\b"
        r"|\b(?:i|we)(?:'?ll| will| am going to|'?m going to| are going to|'?re going to) (?:\w+ )?(?:call|email|text|send|follow up|ring|phone|update|check in|confirm|contact|message|let you know|be in touch|write|collect|pick (?:it|them|that) up|deliver|drop (?:it|them) off)\b"
        r"|\b(?:a|an|the|our|your) (?:\w+ )?(?:technician|engineer|courier|refund|credit|replacement|confirmation|email|text|letter|specialist|supervisor|manager|team|package|parcel|order|delivery|callback|call back) (?:will|should|is going to|'?ll|is scheduled|arrives?)\b"
        r"|\bnext step|\bwhat (?:happens|will happen) next|\b(?:expect|look out for) (?:a|an|the|my|our)\b"
        r"|\bi'?ve (?:just )?(?:booked|scheduled|arranged|set up|sent|emailed|texted|processed|issued|raised|logged)\b"
        r"|\b(?:i|we)(?:'?ll| will) (?:get back to you|follow up|stay on the (?:line|phone|call))"
        r"|\b(?:i|we)(?:'?ll| will| am going to|'?m going to) (?:\w+ )?give you a (?:ring|call|bell|shout|buzz|text)\b"
        # "I've rebooked it, so it'll be Friday".
        r"|\b(?:it|they|that|this)(?:'ll| will) be (?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight)\b"
        r"|\b(?:it|they|this|that|he|she)(?:\s+will|'ll|\s+should|\s+is going to|'s going to) (?:\w+ )?(?:arrive|reach you|come|show|be (?:there|with you|delivered|back|refunded|fixed))"
        r"|\b(?:someone|somebody|an? \w+) (?:from \w+(?: \w+)? )?(?:will|'ll|is going to|should) (?:come|call|ring|email|text|contact|visit|be in touch|be with you)"
        r"|\b(?:your|the|a|an|our) (?:\w+ ){0,3}(?:will|should|'ll|is going to) (?:be|arrive|reach|show|appear|come|go)\b"
        r"|\b(?:refund|credit|payment|change|order|it) (?:goes|will go|should go) through"
        # Someone else's next move: "they will call you 30 minutes before", "the crew will ring".
        r"|\b(?:they|he|she|someone|somebody|the \w+|the \w+ \w+)(?:'ll| will| should| are going to| is going to) (?:\w+ )?"
        r"(?:call|ring|phone|email|text|contact|message|visit|come|arrive|be in touch|let you know|update you|confirm)\b"
        # Present tense for a scheduled future: "the letter goes out tonight", "it appears on your next bill".
        r"|\b(?:goes|go|is going|gets? sent) out\b|\b(?:appears?|shows? up|shows|lands?|arrives?|comes? through) (?:on|in|by|within|before|tonight|tomorrow|today|next|this)\b"
        # Something booked for them: "a crew is booked for tomorrow", "your new appointment is Thursday".
        r"|\b(?:is|are|'s|has been|have been) (?:now |all )?(?:booked|scheduled|arranged|confirmed|set up|due|rebooked) (?:for|on|in|at)\b"
        r"|\b(?:your|the) (?:new |next )?(?:appointment|visit|slot|booking|delivery|callback|installation|flight|repair) (?:is|'s|will be) (?:now )?(?:on|at|for|booked|\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight)"
        # The outcome they can act on now: "your card works again now", "you can use it right away".
        r"|\b(?:works?|is working|is (?:back|active|live|unblocked|working)) (?:again )?(?:now|right away|straight away)\b"
        r"|\byou can (?:now )?(?:use|log in|go|pay|access|travel|fly|collect|book)\b"
        # The process ahead and how long it takes: "it can take between 5 and 10 working days to land".
        r"|\b(?:takes?|taking|reply|replies|respond|responds|reviews?|get back to you|lands?|clears?|is|it'?s)\b(?:\s+\w+){0,3}?\s+"
        r"(?:within |between |up to |around |about )?\d+(?:\s?(?:-|to|and)\s?\d+)? (?:working |business )?(?:days?|weeks?|hours?)\b"
    )
    # Not a next step: "you'll just have to wait", "you should have checked with them first".
    not_next = re.compile(
        r"\byou(?:'?ll| will)(?: just| simply) have to\b|\byou(?:'?ll| will) have to (?:wait|be patient|hold on)\b"
        r"|\byou should have (?!been\b)\w+(?:ed|en)\b"
    )
    imperative = re.compile(
        r"(?:please |so |then |just |now )?(?:try|restart|reboot|check|reply|log in|keep an eye|look out|call us|pop in|bring|send us|expect|give it\b[^.?!]*\band (?:then )?(?:try|restart|reboot|check|call|ring|log|reply|text|email|turn))\b"
    )
    extra = _user_rx(config, "patterns")
    hits = [m for m in ctx.find(rx) if not not_next.match(ctx.norm, m.start())]
    hits += ctx.find(extra) if extra is not None else []
    spans = [ctx.span(*ctx.clause_of(m.start())) for m in hits[:2]]
    if not spans:
        spans = [ctx.span(a, b) for a, b in ctx.clauses if b > ctx.window_start and imperative.match(ctx.norm[a:b])][:1]
    if spans:
        return Detection(1.0, spans, found=["said what happens next"])
    second = _next_step_second_opinion(ctx, config)
    if second is not None:
        return Detection(1.0, [second], found=["said what happens next"], note="nearest anchors: next step")
    return Detection(0.0, missing=["what happens next: what the customer will get, or what you will do"])


def _next_step_second_opinion(ctx: Context, config: dict[str, Any]) -> Span | None:
    """A sentence or clause nearer the next-step anchors than the no-next-step ones (by `margin`,
    with at least `min_similarity`), when no wording on the list matched; hedged, negated,
    defensive clauses and questions are not next steps."""
    positive = _anchor_list(config, "examples")
    negative = _anchor_list(config, "counter_examples")
    if ctx.embed is None or not positive or not negative:
        return None
    spans = [
        (a, b)
        for a, b in _embeddable_spans(ctx, min_words=int(config.get("min_words", 3)))
        if b > ctx.window_start
        and not ctx.norm[a:b].rstrip().endswith("?")
        and not NEGATION_RX.search(ctx.norm, a, b)
        and not HEDGE_RX.search(ctx.norm, a, b)
        and not ctx.defensive_within(a, b)
    ]
    votes = nearest_class(ctx, [ctx.norm[a:b] for a, b in spans], {"next": positive, "none": negative}, k=3)
    margin = float(config.get("margin", 0.06))
    floor = float(config.get("min_similarity", 0.4))
    for (a, b), (label, gap, sim) in zip(spans, votes, strict=True):
        if label == "next" and gap >= margin and sim >= floor:
            return ctx.span(a, b)
    return None


MIRROR_NOT_RX = re.compile(
    r"^(?:well|so|yes|yeah)\b|\b(?:because|since|due to|which (?:is|means)|that'?s (?:how|why|just)|so that|as per|means)\b"
)


def _mirrors_customer(ctx: Context, first: str, end_mark: str) -> bool:
    """The first sentence says the customer's situation back in a few words ("Six days without
    internet while you're working from home."): reflecting is settling, not rushing."""
    if end_mark == "?" or not ctx.customer_norm or MIRROR_NOT_RX.search(first) or NEGATION_RX.search(first):
        return False  # "The boiler can't explode, that's not how they work": their words, in an argument
    theirs = content_stems(ctx.customer_norm)
    shared = [w for w in content_stems(first) if w in theirs and w not in GENERIC_ISSUE_WORDS]
    return len(shared) >= 2


_STAGE_RX = re.compile(r"\[[^\]]*\]")  # stage directions in a transcript: "[pause]", "[sighs]"


def detect_calm_opening(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """The first sentence settles the call: short, calm, attentive; not an argument or a rush of facts."""
    if not ctx.sentences:
        return Detection(0.0)
    a, b = ctx.sentences[0]
    lone = _STAGE_RX.sub(" ", ctx.norm[a:b]).split()
    if (
        len(ctx.sentences) > 1
        and len(lone) <= 1
        and ctx.norm[b : b + 1] != "!"
        and not SETTLING_RX.search(" ".join(lone))
    ):
        b = ctx.sentences[1][1]  # "Mm.", "Sawa.", "[pause] Mm.": a listening noise, read with what follows it
    first = _STAGE_RX.sub(" ", ctx.norm[a:b]).strip()
    span = ctx.span(a, b)
    words = len(first.split())
    max_words = int(config.get("max_words", 20))
    end_mark = ctx.norm[b : b + 1]
    sharp = (
        SHARP_OPEN_RX.search(first)
        or ctx.defensive_within(a, b)
        or POLICY_RX.search(first)
        or DETAIL_REQUEST_RX.search(first)
        or end_mark == "!"
        or re.search(r"\b[A-Z]{3,}\b", ctx.text[a:b]) is not None
    )
    if sharp:
        return Detection(
            0.0,
            [span],
            found=["opened sharply: arguing, explaining or raising the tone"],
            missing=["a calm, settling first sentence"],
        )
    settling = (
        SETTLING_RX.search(first)
        or any(rx.search(first) for rx in EMOTION_RX.values())
        or _mirrors_customer(ctx, first, end_mark)
    )
    if settling and words <= max_words:
        return Detection(1.0, [span], found=["a calm, settling opening"])
    if settling:
        return Detection(
            0.0, [span], found=["a long first sentence"], missing=["a short first sentence before the details"]
        )
    return Detection(0.0, [span], missing=["a calm, settling first sentence ('Okay, I hear you.')"])


def detect_voice(ctx: Context, config: dict[str, Any], anchors: Anchors) -> Detection:
    """A voice feature (`feature`: pause_s, speech_rate_wpm, loudness_vs_baseline_db) scored by
    `bands`: [[low, high, score], ...]; not assessed for typed answers."""
    if not ctx.voice:
        return Detection(None, note="typed answer: not assessed")
    feature = str(config.get("feature", "pause_s"))
    value = ctx.voice.get(feature)
    if value is None:
        return Detection(None, note=f"{feature} not measured")
    label = {
        "pause_s": "pause before speaking",
        "speech_rate_wpm": "speech rate",
        "loudness_vs_baseline_db": "loudness vs your baseline",
    }.get(feature, feature)
    unit = {"pause_s": "s", "speech_rate_wpm": " words/min", "loudness_vs_baseline_db": " dB"}.get(feature, "")
    shown = f"{label}: {float(value):+.1f}{unit}" if feature.endswith("_db") else f"{label}: {float(value):.1f}{unit}"
    for band in config.get("bands", []):
        low, high, score = band
        if (low is None or value >= low) and (high is None or value < high):
            found = [shown] if score >= 0.85 else []
            missing = [] if score >= 0.85 else [f"{shown}; aim for {config.get('target', 'the target range')}"]
            return Detection(float(score), found=found, missing=missing, note=shown)
    return Detection(0.0, missing=[shown], note=shown)


def _dedupe(spans: list[Span]) -> list[Span]:
    seen: set[tuple[int, int]] = set()
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if (s.start, s.end) in seen or any(o.start <= s.start and s.end <= o.end for o in out):
            continue
        seen.add((s.start, s.end))
        out.append(s)
    return out


DETECTORS: dict[str, Callable[[Context, dict[str, Any], Anchors], Detection]] = {
    "phrase": detect_phrase,
    "forbidden": detect_forbidden,
    "semantic": detect_semantic,
    "order": detect_order,
    "emotion": detect_emotion,
    "restatement": detect_restatement,
    "concreteness": detect_concreteness,
    "timeframe": detect_timeframe,
    "voice": detect_voice,
    "understanding": detect_checks_understanding,
    "next_step": detect_next_step,
    "calm_opening": detect_calm_opening,
}
