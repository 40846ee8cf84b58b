"""Grading latency: a typed answer with the model warm, and a 20-second spoken answer.

usage: python -m bench grading [--runs N] [--spoken-runs N]

Typed: the combined rubric over the calibration answers (engine, embeddings, feedback, better
line; no database). Spoken: an answer synthesized with espeak-ng (about 20 s), then
transcription, voice features and grading, as `answer_grade(audio_path=...)` does it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from deesc_lms.calls.embeddings import encode
from rubrics import calibration, grading, yaml_io

ROOT = Path(__file__).resolve().parent.parent
SPOKEN = (
    "I am so sorry. I can hear how frustrating it is to call three times about the same charge. "
    "So you were charged forty dollars twice, on the fourteenth and the fifteenth, for one line. Is that right? "
    "I am refunding the duplicate charge right now, and you will see it on your card by Friday."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, seconds: list[float], unit: float = 1000.0, label: str = "ms") -> None:
    print(
        f"{name}: n={len(seconds)} p50={percentile(seconds, 50) * unit:.1f} {label} "
        f"p95={percentile(seconds, 95) * unit:.1f} {label} max={max(seconds) * unit:.1f} {label} "
        f"mean={statistics.mean(seconds) * unit:.1f} {label}"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench grading")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--spoken-runs", type=int, default=5)
    args = parser.parse_args(argv)

    docs = {
        p.stem: yaml_io.parse(p.read_text(encoding="utf-8")) for p in (ROOT / "rubrics" / "defaults").glob("*.yaml")
    }
    spec = yaml_io.spec_from_document(docs["combined"], version=1)
    items = calibration.items_load(ROOT / "fixtures" / "calibration")
    load_started = time.perf_counter()
    encode(["warm up"])
    print(
        f"embedding model load: {time.perf_counter() - load_started:.2f} s; cpus: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}"
    )
    for item in items[:20]:  # warm: the model, the rubric's anchors and model answers
        grading.grade(spec, grading.Answer(text=item.answer, customer_line=item.customer), embed=encode)

    typed: list[float] = []
    for i in range(args.runs):
        item = items[i % len(items)]
        # A new answer each run (a suffix), so the answer's own sentences are never cached.
        text = f"{item.answer} Thanks for your patience, number {i}."
        started = time.perf_counter()
        grading.grade(spec, grading.Answer(text=text, customer_line=item.customer), embed=encode)
        typed.append(time.perf_counter() - started)
    report("typed answer, combined rubric (model warm)", typed)

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        print("spoken answer: skipped (needs espeak-ng and sox)")
        return
    from deesc_lms.calls import audio
    from deesc_lms.calls.asr import get_engine
    from rubrics.services import spoken_answer_read

    with tempfile.TemporaryDirectory() as tmp:
        raw, wav = Path(tmp) / "raw.wav", Path(tmp) / "answer.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), SPOKEN], check=True)
        subprocess.run(["sox", str(raw), "-r", "16000", str(wav), "pad", "1.5", "0.5"], check=True)
        duration = len(audio.load_samples(wav)) / audio.SAMPLE_RATE
        started = time.perf_counter()
        get_engine()
        print(f"ASR model load: {time.perf_counter() - started:.2f} s")
        spoken: list[float] = []
        asr: list[float] = []
        for _ in range(args.spoken_runs):
            started = time.perf_counter()
            answer = spoken_answer_read(audio_path=wav)
            grading.grade(spec, grading.Answer(text=answer.text, words=answer.words, voice=answer.voice), embed=encode)
            spoken.append(time.perf_counter() - started)
            asr.append(float(answer.transcript["asr_seconds"]))
        report(f"spoken answer, {duration:.1f} s of audio (ASR + voice + grading)", spoken, 1.0, "s")
        report("  of which ASR", asr, 1.0, "s")
        print(f"  transcript: {answer.text!r}; voice: {answer.voice}")
