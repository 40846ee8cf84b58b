"""Helpers for the analysis tests: calls built from plain-text transcripts, the real parser."""

from __future__ import annotations

from typing import Any

from deesc_lms.calls.analysis import CallAnalysis, analyse_turns, place_in_time
from deesc_lms.calls.models import Agent, Call, Utterance
from deesc_lms.calls.transcripts import parse_transcript
from deesc_lms.calls.triggers import TriggerClassifier
from tests.conftest import FIXTURES
from tests.factories import CallFactory

EVAL = FIXTURES / "eval"


def call_from_text(text: str, *, agent: Agent | None = None, **fields: Any) -> Call:
    parsed = parse_transcript(text, name="test.txt")
    call = CallFactory(**({"agent": agent} if agent else {}), **fields)
    Utterance.objects.bulk_create(
        Utterance(
            call=call,
            index=i,
            role=ln.role or "unknown",
            speaker=ln.speaker,
            start_s=ln.start,
            end_s=ln.end,
            text=ln.text,
        )
        for i, ln in enumerate(parsed.lines)
    )
    return call


def call_from_eval(name: str, **fields: Any) -> Call:
    return call_from_text((EVAL / name).read_text(encoding="utf-8"), **fields)


def analyse_text(text: str, classifier: TriggerClassifier, **models: Any) -> CallAnalysis:
    """A plain-text transcript through the real parser and the analysis (`models`: agitation=, flag_check=)."""
    rows = [(ln.role, ln.start, ln.end, ln.text, ln.speaker) for ln in parse_transcript(text).lines]
    turns, timed = place_in_time(rows)
    return analyse_turns(turns, classifier=classifier, timed=timed, **models)
