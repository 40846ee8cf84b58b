"""A module built from a recorded call carries an audio clip of the flagged exchange."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deesc_lms.calls.models import Call, EscalationFlag
from deesc_lms.calls.services import call_ingest
from scenarios.services import module_build
from tests.calls.conftest import _synth_module

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_module_from_a_recorded_call_has_a_clip_of_the_moment(
    tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    synth = _synth_module()
    full = synth.SCRIPT
    synth.SCRIPT = full[: synth.MOMENT_TURN + 2]
    try:
        script = synth.make_call(tmp_path, pause_s=0.6)
    finally:
        synth.SCRIPT = full
    with django_capture_on_commit_callbacks(execute=True):
        call = call_ingest(path=tmp_path / "call_stereo.wav").call
    call.refresh_from_db()
    assert call.status == Call.Status.ANALYSED, call.failure_reason
    moment = script["turns"][synth.MOMENT_TURN]
    flag = EscalationFlag.objects.filter(call=call).first() or EscalationFlag.objects.create(
        call=call, time_s=moment["start"], stage="explanation", position="middle", excerpt=moment["text"]
    )
    module = module_build(flag=flag)
    clip = module.clips.get()
    assert clip.audio, "the clip has no audio"
    path = Path(clip.audio.path)
    assert path.exists() and path.suffix == ".mp3"
    seconds = float(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert seconds == pytest.approx(clip.end_s - clip.start_s, abs=1.0)
    assert module.drills.filter(clip=clip).count() == 7
