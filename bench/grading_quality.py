"""Agreement of the grading engine with coaches: Cohen's kappa per criterion.

usage: python -m bench grading_quality [PATH] [--disagreements] [--rubrics DIR]

PATH is a calibration file or folder (default fixtures/calibration); the rubrics are the shipped
defaults (rubrics/defaults) unless --rubrics names another folder of rubric YAML documents.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from deesc_lms.calls.embeddings import encode
from rubrics import calibration, grading, yaml_io
from rubrics.calibration import CalibrationItem

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.8


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench grading_quality")
    parser.add_argument("path", nargs="?", default=str(ROOT / "fixtures" / "calibration"))
    parser.add_argument("--rubrics", default=str(ROOT / "rubrics" / "defaults"))
    parser.add_argument("--disagreements", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)

    specs = {}
    for path in sorted(Path(args.rubrics).glob("*.yaml")):
        doc = yaml_io.parse(path.read_text(encoding="utf-8"))
        specs[doc["slug"]] = yaml_io.spec_from_document(doc, version=1)
    items = calibration.items_load(Path(args.path))
    encode(["warm up"])

    def engine(item: CalibrationItem) -> dict[str, tuple[int, list[str]]]:
        spec = specs[item.rubric]
        text = grading.answer_check(item.answer, max_chars=5000)
        result = grading.grade(spec, grading.Answer(text=text, customer_line=item.customer), embed=encode)
        return {c.slug: (c.points, [e["text"] for e in c.evidence]) for c in result.criteria if c.assessed}

    started = time.perf_counter()
    report = calibration.agreement(items, engine)
    seconds = time.perf_counter() - started
    rubrics = sorted({i.rubric for i in items})
    print(f"calibration set: {args.path} ({len(items)} answers, rubrics: {', '.join(rubrics)})")
    print(
        f"{'criterion':28} {'n':>4} {'kappa':>6} {'k(quad)':>8} {'agree':>6}  levels  confusion (rows coach, cols engine)"
    )
    kappas = []
    for slug, row in report.items():
        kappas.append(row.kappa)
        flag = "" if row.kappa >= TARGET else "  < target"
        matrix = " | ".join(" ".join(f"{v:3d}" for v in r) for r in row.matrix)
        print(
            f"{slug:28} {row.n:4d} {row.kappa:6.3f} {row.kappa_quadratic:8.3f} {row.accuracy:6.1%}  {row.levels}  {matrix}{flag}"
        )
    if kappas:
        print(
            f"min kappa {min(kappas):.3f}, mean kappa {sum(kappas) / len(kappas):.3f} (target >= {TARGET} per criterion)"
        )
    print(f"graded {len(items)} answers in {seconds:.1f} s")
    if args.disagreements:
        for slug, row in report.items():
            for d in row.disagreements:
                print(f"- {slug} {d.key}: coach {d.coach}, engine {d.engine}: {d.answer!r} evidence={d.evidence}")
