"""Ingesting recordings and transcripts: what is stored, the status a user sees, and bad input."""

from __future__ import annotations

import json

import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import asr
from deesc_lms.calls.models import Call, Utterance
from deesc_lms.calls.services import call_export, call_roles_swap
from tests.calls.conftest import ffmpeg
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
# Transcribed, then analysed when escalation analysis is installed.
DONE = {"transcribed", "analysed"}


def test_transcript_ingest_is_synchronous_and_idempotent(ingest, tmp_path):
    path = tmp_path / "escalation.txt"
    path.write_text(
        "[0:00] Agent: Thanks for calling, how can I help?\n[2:47] Customer: This is the third time I'm calling.\n"
    )
    agent = AgentFactory()

    first = ingest(path=path, agent=agent)
    again = ingest(path=path)

    call = first.call
    assert first.created and not again.created and again.call.pk == call.pk
    call.refresh_from_db()
    assert call.status in DONE and (call.source, call.input_format, call.agent) == ("transcript", "txt", agent)
    assert [(u.role, u.start_s, u.text) for u in call.utterances.all()] == [
        ("agent", 0.0, "Thanks for calling, how can I help?"),
        ("customer", 167.0, "This is the third time I'm calling."),
    ]
    assert Call.objects.count() == 1


def test_dual_channel_reference_recording(ingest, shared_data):
    result = ingest(path=shared_data / "audio" / "stereo_diarization.wav")

    call = result.call
    call.refresh_from_db()
    assert call.status in DONE, call.failure_reason
    assert (call.channels, call.diarization, call.asr_engine, call.asr_model) == (
        2,
        "channels",
        "faster-whisper",
        "tiny.en",
    )
    # The real-time factor is recorded (how fast is for bench/, not for a test on a shared machine).
    assert call.asr_rtf is not None and call.asr_rtf > 0 and call.duration_s == pytest.approx(5.0, abs=0.05)
    by_channel = {ch: " ".join(u.text for u in call.utterances.filter(channel=ch)) for ch in (0, 1)}
    assert (
        asr.word_error_rate(
            "He began a confused complaint against the wizard, who had vanished behind the curtain on the left.",
            by_channel[0],
        )
        <= 0.2
    )
    assert asr.word_error_rate("The horizon seems extremely distant.", by_channel[1]) <= 0.2
    assert set(call.utterances.filter(channel=0).values_list("role", flat=True)) == {"agent"}
    assert set(call.utterances.filter(channel=1).values_list("role", flat=True)) == {"customer"}


def test_channel_roles_can_be_swapped_at_ingest_and_later(ingest, shared_data):
    call = ingest(path=shared_data / "audio" / "stereo_diarization.wav", channel_roles=["customer", "agent"]).call

    assert set(call.utterances.filter(channel=0).values_list("role", flat=True)) == {"customer"}
    call_roles_swap(call=call)
    assert set(call.utterances.filter(channel=0).values_list("role", flat=True)) == {"agent"}
    call.refresh_from_db()
    assert call.channel_roles == ["agent", "customer"]


def test_flac_mono_single_speaker(ingest, shared_data):
    call = ingest(path=shared_data / "audio" / "jfk.flac").call

    call.refresh_from_db()
    assert call.status in DONE and call.diarization == "clustering"
    assert call.sample_rate == 44100 and call.input_format == "flac/flac"
    assert (
        asr.word_error_rate(
            "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.",
            " ".join(call.utterances.values_list("text", flat=True)),
        )
        <= 0.2
    )


def test_export_formats(ingest, tmp_path):
    path = tmp_path / "call.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Agent>Hello there.\n\n00:00:03.500 --> 00:00:05.000\n<v Customer>My bill is wrong.\n"
    )
    call = ingest(path=path).call

    body, kind = call_export(call=call, fmt="json")
    text, _ = call_export(call=call, fmt="txt")
    vtt, vtt_kind = call_export(call=call, fmt="vtt")

    assert kind == "application/json" and vtt_kind == "text/vtt"
    assert json.loads(body)["utterances"][1]["text"] == "My bill is wrong."
    assert text == "[0:01] Agent: Hello there.\n[0:04] Customer: My bill is wrong.\n"
    assert "<v Customer>My bill is wrong." in vtt
    with pytest.raises(DeescError, match="json, vtt or txt"):
        call_export(call=call, fmt="docx")


def make_bad(kind, tmp_path, shared_data):
    if kind == "empty":
        (tmp_path / "empty.wav").write_bytes(b"")
        return tmp_path / "empty.wav", "empty"
    if kind == "text-as-wav":
        (tmp_path / "notes.wav").write_text("meeting notes, not audio\n" * 10)
        return tmp_path / "notes.wav", "not audio"
    if kind == "truncated":
        wav = ffmpeg(shared_data / "audio" / "jfk.flac", tmp_path / "full.wav", "-ac", "1", "-ar", "16000")
        (tmp_path / "cut.wav").write_bytes(wav.read_bytes()[:100_000])
        return tmp_path / "cut.wav", "truncated"
    if kind == "silence":
        out = tmp_path / "silence.wav"
        import subprocess

        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(out), "trim", "0", "4"], check=True)
        return out, "only silence"
    if kind == "too-long":
        return shared_data / "audio" / "jfk.flac", "over the 0:05 limit"
    if kind == "bad-encoding":
        (tmp_path / "t.txt").write_bytes("[0:01] Customer: ça ne marche pas".encode("latin-1"))
        return tmp_path / "t.txt", "not UTF-8"
    (tmp_path / "t.json").write_text('{"utterances": 3}')
    return tmp_path / "t.json", "project format"


@pytest.mark.parametrize(
    "kind", ["empty", "text-as-wav", "truncated", "silence", "too-long", "bad-encoding", "unreadable-json"]
)
def test_bad_input_fails_the_call_with_the_reason(ingest, tmp_path, shared_data, settings, kind):
    settings.DEESC_MAX_AUDIO_SECONDS = 5
    path, reason = make_bad(kind, tmp_path, shared_data)

    with pytest.raises(DeescError, match=reason):
        ingest(path=path)

    call = Call.objects.get()
    assert call.status == Call.Status.FAILED and reason in call.failure_reason
    assert not Utterance.objects.exists()


def test_a_failed_file_is_tried_again(ingest, tmp_path, shared_data, settings):
    settings.DEESC_MAX_AUDIO_SECONDS = 5
    with pytest.raises(DeescError):
        ingest(path=shared_data / "audio" / "jfk.flac")
    settings.DEESC_MAX_AUDIO_SECONDS = 600

    result = ingest(path=shared_data / "audio" / "jfk.flac")

    assert not result.created
    result.call.refresh_from_db()
    assert result.call.status in DONE and result.call.failure_reason == ""
    assert result.call.asr_attempts == 1


def test_unknown_channel_role(ingest, shared_data):
    with pytest.raises(DeescError, match="Unknown channel role"):
        ingest(path=shared_data / "audio" / "jfk.flac", channel_roles=["boss", "customer"])
    assert not Call.objects.exists()
