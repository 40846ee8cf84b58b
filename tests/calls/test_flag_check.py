"""The flag check: a second look at each flag, trained on the labelled call sets, that sets aside runs a
reviewer would not flag (a calm caller telling an old story) and keeps the escalations."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deesc_lms.calls import flag_check
from deesc_lms.calls.embeddings import encode
from deesc_lms.calls.flag_check import FlagCheck, default_check, run_features
from deesc_lms.calls.flag_check_train import collect, examples, train
from deesc_lms.calls.triggers import TriggerClassifier, specs_from_yaml
from tests.calls.analysis_helpers import analyse_text
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

# An old complaint told by a calm caller moving house: the rules see "absolutely livid", "shouted",
# three no-shows and rang every day, and raise a flag; the whole of it is a story, settled long ago.
OLD_STORY = """\
[0:00] Agent: Good afternoon, Harbour Fibre, this is Dev speaking, how can I help?
[0:05] Customer: Hi Dev. I'm moving house next month and I want to take the broadband with me.
[0:12] Agent: Lovely, congratulations. Can I take your account number?
[0:16] Customer: It's H F two zero four four nine one.
[0:22] Agent: Thanks. I can see you've been with us since 2019.
[0:27] Customer: Seven years, yes. Mind you, the first year I nearly left. The engineer didn't turn up three times and I was absolutely livid, I rang every day for a fortnight and shouted at some poor lad.
[0:45] Agent: Oh no, I'm sorry that happened.
[0:49] Customer: Ah, it's long sorted. It's been grand ever since. So, the new place is 14 Quay Street.
[0:58] Agent: Great, I can book the move for the 12th, and the engineer will come between 8 and 12.
[1:06] Customer: Perfect, thanks very much.
"""


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml())


def test_a_calm_callers_old_story_is_set_aside_on_the_second_look(classifier: TriggerClassifier) -> None:
    assert analyse_text(OLD_STORY, classifier, flag_check=None).escalations, "the rules alone flag the story"
    result = analyse_text(OLD_STORY, classifier)
    assert result.escalations == []
    assert "read as a calm caller on a second look" in result.note and "0:27" in result.note


def test_a_real_escalation_keeps_its_flag_and_records_the_reading(classifier: TriggerClassifier) -> None:
    text = (FIXTURES / "eval" / "01_wait_engineer_deteriorated.txt").read_text(encoding="utf-8")
    result = analyse_text(text, classifier)
    check = default_check()
    assert check is not None and len(result.escalations) == 1
    reading = result.escalations[0].review["flag_check"]
    assert check.threshold <= reading <= 1.0


def test_without_its_weights_every_flag_is_kept(
    classifier: TriggerClassifier, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flag_check, "DEFAULT_WEIGHTS", tmp_path / "missing.json")
    default_check.cache_clear()
    try:
        assert default_check() is None
        assert analyse_text(OLD_STORY, classifier).escalations
    finally:
        default_check.cache_clear()


def test_the_shipped_weights_round_trip_and_fit_the_features(classifier: TriggerClassifier) -> None:
    row = json.loads(flag_check.DEFAULT_WEIGHTS.read_text(encoding="utf-8"))
    check = FlagCheck.from_dict(row)
    assert check.as_dict()["markers"] == row["markers"] and check.prevented_threshold < check.threshold
    flags = analyse_text(OLD_STORY, classifier, flag_check=None)
    width = len(run_features(flags.escalations[0], flags.scores, 66.0, check.markers))
    assert check.model.w.shape == (width + 384,)


def test_training_reads_the_labelled_flags_and_fits_a_check() -> None:
    raw, markers = collect(("eval", "eval_holdout24"))  # the second has flags a reviewer would not keep
    rows = examples(raw, markers)
    assert rows and {r.keep for r in rows} == {0, 1}
    texts = sorted({r.text for r in rows})
    check = train(rows, dict(zip(texts, encode(texts), strict=True)), markers)
    assert check.trained_on == ["eval", "eval_holdout24"]
    _, flag, scores, duration, keep = next(r for r in raw if r[4] == 1)
    p = check.score([flag], scores, duration, encode)
    assert p.shape == (1,) and 0.0 <= float(p[0]) <= 1.0 and np.isfinite(p).all()
