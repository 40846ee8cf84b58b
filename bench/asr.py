"""ASR speed and accuracy on a synthesized five-minute dual-channel call with about 30% silence.

    python -m bench asr [--presets fast,accurate] [--parallel]

Prints, per preset: real-time factor of the whole call (call seconds per processing second,
both channels), per-channel speed, word error rate per side, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import tempfile
import time
from pathlib import Path

from django.conf import settings

from deesc_lms.calls import asr, audio

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "audio" / "synth_call.py"


def _make_call(folder: Path) -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("synth_call", FIXTURE)
    assert spec and spec.loader  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    script: dict[str, object] = module.make_call(folder, pause_s=2.0)
    return script


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench asr")
    parser.add_argument("--presets", default="fast,accurate")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        script = _make_call(Path(tmp))
        stereo = Path(tmp) / "call_stereo.wav"
        channels = audio.load_channels(stereo)
        duration = len(channels[0]) / audio.SAMPLE_RATE
        turns = json.loads((Path(tmp) / "call_script.json").read_text())["turns"]
        speech = sum(t["end"] - t["start"] for t in turns)
        print(f"call: {duration:.1f} s, 2 channels, {100 * (1 - speech / duration):.0f}% silence, {len(turns)} turns")
        print(f"ASR threads per channel: {asr._threads()}, channels side by side: {asr.STREAMS}")
        for preset in args.presets.split(","):
            settings.DEESC_ASR_PRESET = preset
            started = time.perf_counter()
            asr.get_engine()
            load_s = time.perf_counter() - started
            # A worker transcribes call after call: the first call also pays one-off start-up costs
            # (CTranslate2 and VAD sessions warming up), so it is timed on its own, then a second pass.
            started = time.perf_counter()
            asr.transcribe_channels(channels)
            cold_s = time.perf_counter() - started
            started = time.perf_counter()
            results = asr.transcribe_channels(channels)
            seconds = time.perf_counter() - started
            wers = {
                role: asr.word_error_rate(" ".join(t["text"] for t in turns if t["role"] == role), results[index].text)
                for index, role in enumerate(("agent", "customer"))
            }
            print(
                f"{preset:9s} model={results[0].model:8s} load {load_s:.1f} s | first call {duration / cold_s:.1f}x | "
                f"whole call {duration / seconds:.1f}x real time "
                f"({seconds:.1f} s for {duration:.0f} s) | per channel {', '.join(f'{r.rtf:.1f}x' for r in results)} | "
                f"WER agent {wers['agent']:.3f} customer {wers['customer']:.3f} | peak RSS {_peak_mb():.0f} MB"
            )
    del script
