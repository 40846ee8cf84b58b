"""Labelled trigger examples from reviewed calls: the customer's words at each labelled escalation moment.

The taxonomy's own examples (fixtures/triggers.yaml) were written to describe each trigger; callers
say it otherwise. Every labelled call set holds a QA reviewer's verdict on what the caller was
reacting to at the moment, so the customer turn at that moment is a labelled example utterance in a
real caller's words. They are kept apart from the hand-written taxonomy, in
fixtures/trigger_examples.yaml, and `specs_from_yaml` adds them to the default taxonomy's examples
(so `load_triggers` puts them in admin, where designers can prune them like any other example).

`python -m deesc_lms.calls.trigger_examples [--write]` (Django settings as for `python -m bench`):
- leave-one-SET-out: for each labelled set, the classifier is trained on the taxonomy's examples
  plus the moments of the other sets only, the full analysis runs on the held-out set, and the bench
  figures print against the taxonomy's examples alone;
- with --write, harvests every set in SETS and writes fixtures/trigger_examples.yaml.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

from deesc_lms.calls.triggers import (
    DEFAULT_EXAMPLES,
    DEFAULT_TAXONOMY,
    TriggerClassifier,
    specs_from_yaml,
    with_examples,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# Every labelled call set written before the examples were last harvested; eval_holdout38 onwards stay out
# as their unseen test. The agitation model keeps its own list (agitation_train.SETS): more sets did not
# move its held-out figures, while the classifier's rose with every harvest.
SETS = ("eval", "eval_holdout", *(f"eval_holdout{n}" for n in range(2, 38)))
MIN_WORDS = 4  # "Right." or "Go on then." at the moment says nothing about its cause
HEADER = """\
# Labelled trigger examples harvested from reviewed calls: the customer turn at each labelled escalation
# moment of the sets below, filed under the trigger the reviewer gave it. Written by
# `python -m deesc_lms.calls.trigger_examples --write`; added to fixtures/triggers.yaml's examples when the
# default taxonomy loads. Do not edit by hand: change the labels and harvest again.
"""


def harvest(folders: list[Path], slugs: set[str]) -> dict[str, list[str]]:
    """Per trigger slug, the customer turns at the labelled moments of the sets in `folders` (transcripts
    and expected.yaml, as for `python -m bench analysis_quality`), in order, once each."""
    from bench.analysis_quality import load_eval
    from deesc_lms.calls.analysis import place_in_time

    found: dict[str, list[str]] = {slug: [] for slug in sorted(slugs)}
    seen: set[str] = set()
    for folder in folders:
        for call in load_eval(folder):
            turns, _ = place_in_time(call.rows)
            customer = [t for t in turns if t.role == "customer"]
            for expected in call.expected:
                if expected.trigger not in found or not customer:
                    continue
                if expected.line is not None:
                    turn = turns[expected.line - 1]
                else:
                    turn = min(customer, key=lambda t: abs(t.start_s - (expected.at_s or 0.0)))
                text = " ".join(turn.text.split())
                if len(text.split()) < MIN_WORDS or text.lower() in seen:
                    continue
                seen.add(text.lower())
                found[expected.trigger].append(text)
    return found


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    from bench.analysis_quality import Figures, evaluate, load_eval

    base = specs_from_yaml(DEFAULT_TAXONOMY, examples_path=None)
    slugs = {s.slug for s in base}
    moments = {name: harvest([FIXTURES / name], slugs) for name in SETS}
    totals = {"taxonomy examples": Figures(), "+ other sets' moments": Figures()}
    for name in SETS:
        extra: dict[str, list[str]] = {}
        for other in SETS:
            if other != name:
                for slug, texts in moments[other].items():
                    extra.setdefault(slug, []).extend(texts)
        calls = load_eval(FIXTURES / name)
        row = [name]
        for label, specs in (("taxonomy examples", base), ("+ other sets' moments", with_examples(base, extra))):
            f = evaluate(calls, TriggerClassifier(specs))
            row.append(f"{f.trigger_right}/{f.trigger_total}")
            totals[label].add(f)
        _out(f"{row[0]:16s} trigger {row[1]:>6s} -> {row[2]:>6s}")
    _out(f"== pooled over the {len(SETS)} held-out folds")
    for label, f in totals.items():
        _out(
            f"{label:24s} F1 {f.f1:.3f} (tp {f.tp} fp {f.fp} fn {f.fn})  "
            f"trigger {f.trigger_right}/{f.trigger_total} ({f.trigger_right / max(1, f.trigger_total):.3f})  "
            f"outcome {f.outcome_right}/{f.outcome_total}"
        )
    if "--write" in argv:
        found = harvest([FIXTURES / name for name in SETS], slugs)
        body = yaml.safe_dump(found, allow_unicode=True, sort_keys=True, width=120)
        sources = f"# Sets: {', '.join(SETS)}.\n"
        partial = DEFAULT_EXAMPLES.with_suffix(".yaml.tmp")
        partial.write_text(HEADER + sources + body, encoding="utf-8")
        partial.replace(DEFAULT_EXAMPLES)
        _out(f"wrote {DEFAULT_EXAMPLES} ({sum(len(v) for v in found.values())} examples)")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deesc_lms.settings")
    import django

    django.setup()
    main(sys.argv[1:])
