"""Semantic agitation: plain-worded anger the lexicon does not list, judged on a few turns per call.

Wording here is new: not in fixtures/agitation.yaml, fixtures/triggers.yaml or any evaluation set.
"""

from __future__ import annotations

import pytest

from deesc_lms.calls.agitation import AgitationModel
from deesc_lms.calls.analysis import WARN, CallAnalysis, analyse_turns, place_in_time
from deesc_lms.calls.transcripts import parse_transcript
from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml

PLAIN_ANGER = """\
[0:00] Agent: Good morning, Harbour Energy, you're speaking with Leanne.
[0:04] Customer: Hello, I'm calling about the final bill from my old flat.
[0:10] Agent: Can I take the account number?
[0:13] Customer: It's H E four four one two nine.
[0:20] Agent: Thanks. I can see a final bill of two hundred and ten pounds.
[0:26] Customer: I moved out in March and gave you the meter reading on the day I left.
[0:33] Agent: Unfortunately the system used an estimated reading, so the bill stands as it is.
[0:40] Customer: So I gave you the reading and you just ignored it and billed me for a guess? How is that my problem?
[0:50] Agent: I'm sorry, you're right to be annoyed. Let me find the reading you gave and redo it now.
[0:58] Customer: Okay. Thank you.
[1:40] Agent: Found it. With your reading the final bill is forty two pounds.
[1:47] Customer: That's more like it. Thanks for sorting it.
"""

CALM = """\
[0:00] Agent: Good morning, Harbour Energy, you're speaking with Leanne.
[0:04] Customer: Hello, I'm moving house next month and want to give a closing meter reading.
[0:11] Agent: Of course. Unfortunately I can't take it until the day you move, but you can send it in the app.
[0:19] Customer: Ah, that's fine, I'll do it in the app on the day then.
[0:25] Agent: Great. Anything else?
[0:28] Customer: No, that's everything, thanks for your help.
"""


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml())


def _analyse(text: str, classifier: TriggerClassifier, *, semantic: bool = True) -> CallAnalysis:
    rows = [(ln.role, ln.start, ln.end, ln.text, ln.speaker) for ln in parse_transcript(text).lines]
    turns, timed = place_in_time(rows)
    return analyse_turns(turns, classifier=classifier, timed=timed, semantic=semantic)


def test_the_model_tells_exasperation_from_a_calm_problem_report(classifier: TriggerClassifier) -> None:
    model = AgitationModel.from_yaml(encoder=classifier.encoder)
    angry, calm = model.probabilities(
        [
            "Are you seriously telling me I have to pay for your company's mistake?",
            "I'd like to check my balance please.",
        ]
    )
    assert angry > 0.5 > calm


def test_plain_worded_exasperation_after_a_refusal_is_at_least_early_signs(classifier: TriggerClassifier) -> None:
    analysis = _analyse(PLAIN_ANGER, classifier)
    turn = next(s for s in analysis.scores if s.turn.text.startswith("So I gave you the reading"))
    assert "semantic" in turn.markers
    assert turn.raw >= WARN
    assert analysis.escalations, analysis.note


def test_a_calm_call_with_a_refusal_stays_unflagged(classifier: TriggerClassifier) -> None:
    analysis = _analyse(CALM, classifier)
    assert analysis.escalations == []
    assert not any("semantic" in s.markers for s in analysis.scores)


def test_the_semantic_score_only_ever_lifts_a_turn(classifier: TriggerClassifier) -> None:
    with_it = _analyse(PLAIN_ANGER, classifier)
    without = _analyse(PLAIN_ANGER, classifier, semantic=False)
    for a, b in zip(with_it.scores, without.scores, strict=True):
        assert a.raw >= b.raw
