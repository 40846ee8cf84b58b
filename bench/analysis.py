"""Calls per second of escalation analysis on ten-minute transcripts.

`python -m bench analysis [N]` builds N ten-minute calls (default 200) from the labelled evaluation
calls, each padded with varied calm agent/customer talk to ~150 utterances over 10 minutes, and times:
  1. the analysis itself (scoring, curve, episodes, trigger classifier on flagged moments only);
  2. the full service, call_analyse, against a scratch SQLite database (read utterances, write flags);
  3. for comparison, what embedding every customer utterance would cost (the approach we avoid).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

import torch

from bench.analysis_quality import load_eval

AGENT_FILLER = [
    "Okay, let me just bring that up on the screen for you.",
    "Bear with me one second while the system loads.",
    "Can you confirm the first line of the address for me?",
    "Thanks for that. I'm just checking the notes on the account.",
    "So I can see the order from the {n}th here.",
    "Is that the mobile number ending {n}{n}?",
    "Lovely, and is the email address still the same one?",
    "I'm just going to read you a short security statement.",
    "Right, I've updated that for you now.",
    "Is there a good time for us to call you back if we need to?",
]
CUSTOMER_FILLER = [
    "Yes, that's right.",
    "Sure, no problem.",
    "It ends {n}{n}, I think.",
    "Yeah, it's the same one as before.",
    "Okay.",
    "Mornings are best for me usually.",
    "Hang on, let me find the letter.",
    "That's the one, yeah.",
    "I think it was around the {n}th, yes.",
    "Great, thank you.",
]


def ten_minute_rows(rows: list, rng: random.Random) -> list[tuple[str, float | None, float | None, str, str]]:
    """The call padded with calm talk before and after its own lines, to about ten minutes."""
    before = rng.randint(30, 70)
    out: list[tuple[str, float | None, float | None, str, str]] = []
    t = 0.0

    def filler(count: int) -> None:
        nonlocal t
        for i in range(count):
            role = "agent" if i % 2 == 0 else "customer"
            text = rng.choice(AGENT_FILLER if role == "agent" else CUSTOMER_FILLER).format(n=rng.randint(1, 28))
            out.append((role, t, t + 3.0, text, role.title()))
            t += rng.uniform(3.0, 5.0)

    filler(before)
    offset = t
    last = 0.0
    for role, start, _end, text, speaker in rows:
        s = offset + (start if start is not None else last + 4.0)
        out.append((role, s, s + 3.5, text, speaker))
        last = start if start is not None else last + 4.0
        t = s + 4.0
    while t < 600.0:
        filler(2)
    return out


def main(argv: list[str]) -> None:
    from deesc_lms.calls.analysis import analyse_turns, place_in_time
    from deesc_lms.calls.embeddings import encode
    from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml

    n = int(argv[0]) if argv else 200
    threads = torch.get_num_threads()
    rng = random.Random(7)
    evals = load_eval()
    calls = [ten_minute_rows(evals[i % len(evals)].rows, rng) for i in range(n)]
    utterances = sum(len(c) for c in calls) / n
    minutes = sum((c[-1][1] or 0) for c in calls) / n / 60
    print(f"{n} calls, {utterances:.0f} utterances and {minutes:.1f} min each on average; torch threads {threads}")

    classifier = TriggerClassifier(specs_from_yaml())
    classifier.classify([])  # model loaded, examples embedded: a one-off per process
    encode(["warm up"])
    from deesc_lms.calls.triggers import ContextTurn

    classifier.classify([ContextTurn("warm up the classifier", 1.0)])

    for rows in calls[:30]:  # warm-up: first runs of new batch shapes allocate memory, not steady state
        turns, timed = place_in_time(rows)
        analyse_turns(turns, classifier=classifier, timed=timed)
    start = time.perf_counter()
    flags = 0
    for rows in calls:
        turns, timed = place_in_time(rows)
        flags += len(analyse_turns(turns, classifier=classifier, timed=timed).escalations)
    elapsed = time.perf_counter() - start
    print(f"analysis only:        {n / elapsed:7.1f} calls/s  ({1000 * elapsed / n:.1f} ms a call, {flags} flags)")

    _service(calls[: min(n, 100)], classifier)

    # ONNX Runtime against eager torch for the encoder, call by call in turn so both see the same load.
    subset = calls[: min(n, 60)]
    spent = {"onnx": 0.0, "torch": 0.0}
    previous = os.environ.get("DEESC_EMBEDDING_BACKEND")
    try:
        for rows in subset:
            for backend in spent:
                os.environ["DEESC_EMBEDDING_BACKEND"] = backend
                begin = time.perf_counter()
                turns, timed = place_in_time(rows)
                analyse_turns(turns, classifier=classifier, timed=timed)
                spent[backend] += time.perf_counter() - begin
    finally:
        if previous is None:
            os.environ.pop("DEESC_EMBEDDING_BACKEND", None)
        else:
            os.environ["DEESC_EMBEDDING_BACKEND"] = previous
    print(
        f"encoder A/B, interleaved on {len(subset)} calls: ONNX Runtime {len(subset) / spent['onnx']:.1f} calls/s, "
        f"eager torch {len(subset) / spent['torch']:.1f} calls/s"
    )

    sample = calls[: min(n, 10)]
    texts = [r[3] for rows in sample for r in rows if r[0] == "customer"]
    start = time.perf_counter()
    encode(texts)
    elapsed = time.perf_counter() - start
    per_call = elapsed / len(sample)
    print(
        f"embedding every customer utterance instead (ONNX): {len(texts) / elapsed:.0f} sentences/s, "
        f"{1 / per_call:.1f} calls/s for the embedding alone (the prefilter embeds only flagged moments)"
    )


def _service(calls: list, classifier: object) -> None:
    """call_analyse end to end on a scratch database, so the bench never touches real data."""
    from django.core.management import call_command
    from django.db import connections

    from deesc_lms.calls.models import Call, Utterance
    from deesc_lms.calls.services.analysis import call_analyse

    with tempfile.TemporaryDirectory() as tmp:
        db = connections["default"]
        original = dict(db.settings_dict)
        if db.vendor != "sqlite":
            print("full service: skipped (needs the embedded SQLite database)")
            return
        db.close()
        db.settings_dict["NAME"] = str(Path(tmp) / "bench.sqlite3")
        try:
            call_command("migrate", verbosity=0)
            ids = []
            for i, rows in enumerate(calls):
                call = Call.objects.create(
                    source="transcript", content_hash=f"bench-{i}-{os.getpid()}", status="transcribed"
                )
                Utterance.objects.bulk_create(
                    Utterance(call=call, index=j, role=r[0], start_s=r[1], end_s=r[2], text=r[3], speaker=r[4])
                    for j, r in enumerate(rows)
                )
                ids.append(call.pk)
            start = time.perf_counter()
            for call in Call.objects.filter(pk__in=ids):
                call_analyse(call=call, classifier=classifier)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - start
            print(
                f"full service (SQLite): {len(ids) / elapsed:6.1f} calls/s  ({1000 * elapsed / len(ids):.1f} ms a call)"
            )
        finally:
            db.close()
            db.settings_dict.clear()
            db.settings_dict.update(original)
