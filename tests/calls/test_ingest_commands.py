"""The ingest, export_call and prepare_asr_models commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from deesc_lms.calls.models import Agent, Call

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ingest_folder_then_again_does_nothing(tmp_path):
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.txt").write_text(
        "[0:01] Agent: Hello, how can I help?\n[0:03] Customer: My card was charged twice.\n"
    )
    (tmp_path / "calls" / "b.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Customer>Where is my parcel?\n")
    (tmp_path / "calls" / "ignore.pdf").write_bytes(b"%PDF")

    first = [
        json.loads(line) for line in run("ingest", str(tmp_path / "calls"), "--agent", "Dana", "--json").splitlines()
    ]
    second = run("ingest", str(tmp_path / "calls"))

    assert [r["created"] for r in first] == [True, True]
    assert {r["status"] for r in first} <= {"transcribed", "analysed"}
    assert second.count("already ingested, nothing to do") == 2
    assert Call.objects.count() == 2 and set(Call.objects.values_list("agent__name", flat=True)) == {"Dana"}
    assert Agent.objects.count() == 1


def test_ingest_bad_file_exits_with_one_line(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF1234WAVEjunk")

    with pytest.raises(CommandError, match="broken.wav") as caught:
        run("ingest", str(bad))

    assert "\n" not in str(caught.value)
    assert Call.objects.get().status == "failed"
    with pytest.raises(CommandError, match="No such file"):
        run("ingest", str(tmp_path / "missing.wav"))


def test_export_call(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Agent: Hello.\nCustomer: Hi, I'm calling about my bill.\n")
    run("ingest", str(path))
    call = Call.objects.get()

    assert (
        run("export_call", str(call.pk), "--format", "txt")
        == "Agent: Hello.\nCustomer: Hi, I'm calling about my bill.\n"
    )
    assert json.loads(run("export_call", str(call.pk)))["utterances"][1]["role"] == "customer"
    with pytest.raises(CommandError, match="No call"):
        run("export_call", "999")


def test_prepare_asr_models_is_idempotent(settings, tmp_path):
    settings.DATA_DIR = tmp_path

    first = run("prepare_asr_models")
    written = (tmp_path / "models" / "whisper-base-ct2" / "model.bin").stat().st_mtime_ns
    second = run("prepare_asr_models")

    assert first == second and "ready at" in first
    assert (tmp_path / "models" / "whisper-base-ct2" / "model.bin").stat().st_mtime_ns == written
