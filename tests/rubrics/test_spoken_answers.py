"""Spoken answers: synthesized with espeak-ng, padded with sox, transcribed offline, graded on voice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files import File

from rubrics import services
from scenarios.models import Attempt
from tests.factories import AgentFactory, DrillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ANSWER = "I am so sorry. I can hear how frustrating this is."


def speak(tmp_path: Path, name: str, *, pause_s: float, words_per_minute: int, amplitude: int = 100) -> Path:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to synthesize spoken answers")
    raw = tmp_path / f"{name}-raw.wav"
    out = tmp_path / f"{name}.wav"
    subprocess.run(["espeak-ng", "-s", str(words_per_minute), "-a", str(amplitude), "-w", str(raw), ANSWER], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", str(out), "pad", str(pause_s), "0.3"], check=True)
    return out


def by_slug(grade) -> dict[str, dict]:
    return {c["slug"]: c for c in grade.results}


def test_a_spoken_answer_is_transcribed_and_graded_on_its_pause(defaults, tmp_path):
    paused = services.answer_grade(
        rubric_slug="step-1-pause", audio_path=speak(tmp_path, "paused", pause_s=1.6, words_per_minute=140)
    )
    rushed = services.answer_grade(
        rubric_slug="step-1-pause", audio_path=speak(tmp_path, "rushed", pause_s=0.0, words_per_minute=240)
    )
    calm, fast = by_slug(paused), by_slug(rushed)
    assert "frustrating" in paused.answer_text.lower()
    assert calm["pause-before-speaking"]["level"] == "Paused"
    assert fast["pause-before-speaking"]["level"] == "Jumped in"
    assert calm["slow-pace"]["points"] > fast["slow-pace"]["points"]
    assert calm["lowered-voice"]["assessed"] is False  # no earlier answers: no baseline yet
    voice = paused.transcript["voice"]
    assert 1.4 <= voice["pause_s"] <= 1.9 and paused.transcript["words"]
    # Evidence of a spoken answer carries its time in the recording.
    evidence = [e for c in paused.results for e in c["evidence"] if "start_s" in e]
    assert evidence and all(e["start_s"] >= 1.0 for e in evidence)


def test_a_quieter_answer_than_usual_counts_as_lowering_the_voice(defaults, tmp_path):
    agent = AgentFactory()
    drill = DrillFactory(rubric_slug="step-1-pause")
    usual = Attempt.objects.create(drill=drill, agent=agent)
    usual.answer_audio.save(
        "usual.wav", File(speak(tmp_path, "usual", pause_s=1.2, words_per_minute=150, amplitude=160).open("rb"))
    )
    services.attempt_grade(attempt=usual)
    quiet = Attempt.objects.create(drill=drill, agent=agent)
    quiet.answer_audio.save(
        "quiet.wav", File(speak(tmp_path, "quiet", pause_s=1.2, words_per_minute=150, amplitude=50).open("rb"))
    )
    grade = services.attempt_grade(attempt=quiet)
    lowered = by_slug(grade)["lowered-voice"]
    assert lowered["assessed"] and lowered["level"] == "Lowered"
    assert grade.transcript["voice"]["loudness_vs_baseline_db"] < -3
    quiet.refresh_from_db()
    assert quiet.status == Attempt.Status.GRADED and quiet.transcript["words"]
