"""The scripted five-minute two-voice call, end to end: speakers, words, times, and a clip."""

from __future__ import annotations

import pytest

from deesc_lms.calls import asr
from deesc_lms.calls.models import Call
from deesc_lms.calls.services import call_clip_cut

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
DONE = {Call.Status.TRANSCRIBED, Call.Status.ANALYSED}


def reference_for(script, role):
    return " ".join(t["text"] for t in script["turns"] if t["role"] == role)


def test_five_minute_dual_channel_call(ingest, synth_call):
    script = synth_call["script"]
    assert script["duration_s"] >= 300

    call = ingest(path=synth_call["stereo"]).call

    call.refresh_from_db()
    assert call.status in DONE, call.failure_reason
    utterances = list(call.utterances.all())
    for role in ("agent", "customer"):
        said = " ".join(u.text for u in utterances if u.role == role)
        assert asr.word_error_rate(reference_for(script, role), said) <= 0.25, role
    # Every utterance overlaps most with a scripted turn of its own role.
    for u in utterances:
        turn = max(script["turns"], key=lambda t: min(t["end"], u.end_s) - max(t["start"], u.start_s))
        assert turn["role"] == u.role, (u.text, turn["text"])
    starts = [w["start"] for u in utterances for w in u.words]
    assert starts == sorted(starts)
    assert all(0 <= w["start"] <= w["end"] <= script["duration_s"] for u in utterances for w in u.words)

    moment = script["turns"][script["moment_turn"]]
    spoken = [u for u in utterances if u.start_s <= moment["start"] + 1 and u.end_s >= moment["start"] + 1]
    clip = call_clip_cut(call=call, start_s=moment["start"], end_s=moment["start"] + 3.5, pad_s=0.3, channel=1)
    heard = asr.transcribe_file(clip.path)
    assert spoken and spoken[0].role == "customer"
    assert clip.path.suffix == ".mp3" and clip.path.stat().st_size < 100_000
    assert {"third", "time"} <= set(asr.normalise_words(heard.text))


def test_five_minute_mono_call_is_split_into_agent_and_customer(ingest, synth_call):
    script = synth_call["script"]

    call = ingest(path=synth_call["mono"]).call

    call.refresh_from_db()
    assert call.status in DONE and call.diarization == "clustering"
    utterances = list(call.utterances.all())
    assert utterances[0].role == "agent"  # the greeting
    words = [(w, u.role) for u in utterances for w in u.words]
    wrong = 0
    for word, role in words:
        middle = (word["start"] + word["end"]) / 2
        turn = min(
            script["turns"],
            key=lambda t: (
                0 if t["start"] <= middle <= t["end"] else min(abs(middle - t["start"]), abs(middle - t["end"]))
            ),
        )
        wrong += turn["role"] != role
    assert wrong / len(words) <= 0.1
    for role in ("agent", "customer"):
        said = " ".join(u.text for u in utterances if u.role == role)
        assert asr.word_error_rate(reference_for(script, role), said) <= 0.3, role
