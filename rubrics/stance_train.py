"""Train the defensive-stance model on the coaches' labels, and estimate it honestly.

`python -m rubrics.stance_train [--write]` (Django settings as for `python -m bench`):
- reads every answer labelled for no-defensive-language in TRAIN_SETS (fixtures/calibration and the
  held-out sets written before this model existed; each set is a different coach);
- leave-one-SET-out: for each set, fits on the others and prints Cohen's kappa on the held-out set for
  the rules alone (phrase list + anchors, as shipped without the model) and for the rules with the
  model at a few thresholds. A new coach's wording is what the model is for, so a held-out coach is
  the test that matters;
- with --write, fits on all the sets and writes fixtures/defensive_stance.json.

Sets written after the model was last trained (holdout33 onwards) stay out of TRAIN_SETS: they are its
unseen test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from deesc_lms.calls.agitation_train import run, say
from deesc_lms.logistic import fit_logistic
from rubrics.calibration import cohen_kappa as kappa
from rubrics.stance import DEFAULT_WEIGHTS, StanceModel, answer_vectors, features

CALIBRATION = Path(__file__).resolve().parent.parent / "fixtures" / "calibration"
RUBRICS = Path(__file__).resolve().parent / "defaults"
CRITERION = "no-defensive-language"
TRAIN_SETS = ("", "holdout", *(f"holdout{n}" for n in range(2, 33)))  # "": the tuned set
# 1,152 features from ~1,800 answers: strong shrinkage, or it learns the writers' topics.
L2 = 300.0
# Chosen by leave-one-set-out over the 33 training sets (2,802 answers, 824 defensive): rules plus the
# model at 0.9 gave pooled kappa 0.890 (0.8: 0.868) and the best mean over holdout25-32, the eight newest
# coaches (0.889; 0.8: 0.868). With 21 sets 0.8 had been best, with eleven 0.7: each new coach's
# wording is read better by a model that has seen more coaches, so it can be surer before it speaks.
THRESHOLD = 0.9
REPORT_THRESHOLDS = (0.6, 0.7, 0.8, 0.9)


@dataclass
class Example:
    set: str
    key: str
    features: np.ndarray
    defensive: int  # the coach's label: 1 defensive (0 points), 0 not
    rules: int  # 1 when the phrase list or the anchors flag it


def graded_by_rules(criterion: str, model_key: str, sets: Sequence[str]) -> Iterator[tuple[str, Any, int, Any]]:
    """Every answer labelled for `criterion` in `sets`, graded by the shipped rubrics with the rules
    alone (`model_key` taken out of every detector's config): (set name, calibration item, the rules'
    points for `criterion`, the answer's detector Context, embeddings attached)."""
    from deesc_lms.calls.embeddings import encode
    from rubrics import calibration, grading, yaml_io
    from rubrics.detectors import Context

    specs = {}
    for path in sorted(RUBRICS.glob("*.yaml")):
        doc = yaml_io.parse(path.read_text(encoding="utf-8"))
        for item_criterion in doc["criteria"]:
            for detector in item_criterion["detectors"]:
                (detector.get("config") or {}).pop(model_key, None)
        specs[doc["slug"]] = yaml_io.spec_from_document(doc, version=1)
    for name in sets:
        for item in calibration.items_load(CALIBRATION / name if name else CALIBRATION):
            if criterion not in item.labels:
                continue
            try:
                text = grading.answer_check(item.answer, max_chars=5000)
            except grading.AnswerRefused:
                continue
            result = grading.grade(
                specs[item.rubric], grading.Answer(text=text, customer_line=item.customer), embed=encode
            )
            rules = next(c.points for c in result.criteria if c.slug == criterion)
            yield name or "tuned", item, rules, Context(text, customer_line=item.customer, embed=encode)


def collect() -> list[Example]:
    out = []
    for name, item, rules, ctx in graded_by_rules(CRITERION, "stance_threshold", TRAIN_SETS):
        read = answer_vectors(ctx)
        if read is not None:
            row = features(read[1], read[2])
            out.append(Example(name, item.key, row, int(item.labels[CRITERION] == 0), int(rules == 0)))
    return out


def fit(examples: list[Example]) -> StanceModel:
    x = np.stack([e.features for e in examples])
    y = np.array([e.defensive for e in examples], dtype=float)
    return StanceModel(fit_logistic(x, y, L2), THRESHOLD, sorted({e.set for e in examples}))


def leave_one_set_out(examples: list[Example]) -> None:
    say(
        f"{'held-out set':14} {'n':>4} {'defensive':>9} {'rules':>6}  "
        + "  ".join(f"+model@{t}" for t in REPORT_THRESHOLDS)
    )
    pooled: dict[float, list[tuple[int, int]]] = {t: [] for t in REPORT_THRESHOLDS}
    pooled_rules: list[tuple[int, int]] = []
    for name in sorted({e.set for e in examples}):
        held = [e for e in examples if e.set == name]
        model = fit([e for e in examples if e.set != name])
        p = model.linear(np.stack([e.features for e in held]))
        coach = [e.defensive for e in held]
        rules = [e.rules for e in held]
        row = f"{name:14} {len(held):4d} {sum(coach):9d} {kappa(coach, rules):6.3f}"
        for t in REPORT_THRESHOLDS:
            both = [int(r or q >= t) for r, q in zip(rules, p, strict=True)]
            row += f"  {kappa(coach, both):11.3f}"
            pooled[t] += list(zip(coach, both, strict=True))
        pooled_rules += list(zip(coach, rules, strict=True))
        say(row)
    c, r = zip(*pooled_rules, strict=True)
    row = f"{'pooled':14} {len(c):4d} {sum(c):9d} {kappa(list(c), list(r)):6.3f}"
    for t in REPORT_THRESHOLDS:
        c, b = zip(*pooled[t], strict=True)
        row += f"  {kappa(list(c), list(b)):11.3f}"
    say(row)
    say("(the rules were tuned on these sets, so their column is in-sample; the model's is not)")


def main(argv: list[str]) -> None:
    examples = collect()
    sets = len({e.set for e in examples})
    say(f"{len(examples)} answers, {sum(e.defensive for e in examples)} defensive, from {sets} sets")
    leave_one_set_out(examples)
    if "--write" in argv:
        write_weights(DEFAULT_WEIGHTS, fit(examples).as_dict())


def write_weights(path: Path, row: dict[str, Any]) -> None:
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(row), encoding="utf-8")
    partial.replace(path)  # a process loading it never reads half a file
    say(f"wrote {path}")


if __name__ == "__main__":
    run(main)
