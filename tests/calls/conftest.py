"""Fixtures for the calls tests: synthesized calls, converted copies of the reference audio."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES


def _synth_module() -> Any:
    spec = importlib.util.spec_from_file_location("synth_call", FIXTURES / "audio" / "synth_call.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synth_call(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The scripted five-minute two-voice call: stereo and mono WAVs and the script with turn times."""
    folder = tmp_path_factory.mktemp("synth_call")
    script = _synth_module().make_call(folder)
    return {"stereo": folder / "call_stereo.wav", "mono": folder / "call_mono.wav", "script": script}


@pytest.fixture(scope="session")
def short_call(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The first six turns of the script, with short pauses: a quick two-voice call."""
    module = _synth_module()
    folder = tmp_path_factory.mktemp("short_call")
    full = module.SCRIPT
    module.SCRIPT = full[:6]
    try:
        script = module.make_call(folder, pause_s=0.8)
    finally:
        module.SCRIPT = full
    (folder / "call_script.json").write_text(json.dumps(script))
    return {"stereo": folder / "call_stereo.wav", "mono": folder / "call_mono.wav", "script": script}


def ffmpeg(source: Path, target: Path, *args: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source), *args, str(target)], check=True
    )
    return target


@pytest.fixture
def ingest(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """call_ingest with its on-commit transcription run, as it runs outside a test transaction."""
    from deesc_lms.calls.services import call_ingest

    def run(**kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call_ingest(**kwargs)

    return run
