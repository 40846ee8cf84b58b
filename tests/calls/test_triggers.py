"""The trigger taxonomy and classifier: rules plus embeddings, `unknown` when unsure."""

from __future__ import annotations

import numpy as np
import pytest

from deesc_lms.calls.admin_analysis import TriggerForm
from deesc_lms.calls.models import Trigger
from deesc_lms.calls.services import triggers_load_defaults
from deesc_lms.calls.trigger_examples import harvest
from deesc_lms.calls.triggers import DEFAULT_TAXONOMY, UNKNOWN, ContextTurn, TriggerClassifier, specs_from_yaml

SHIPPED = {
    "wait_time", "billing_dispute", "repeat_contact", "policy_explanation", "transfer_handoff", "product_failure",
    "agent_conduct", "cancellation_threat",
}  # fmt: skip


@pytest.fixture(scope="module")
def classifier() -> TriggerClassifier:
    return TriggerClassifier(specs_from_yaml())


def test_shipped_taxonomy_has_every_trigger_with_rules_and_examples() -> None:
    specs = {s.slug: s for s in specs_from_yaml()}
    assert set(specs) == SHIPPED
    for spec in specs.values():
        assert len(spec.keywords) >= 3 and len(spec.examples) >= 10


@pytest.mark.parametrize(
    ("text", "agent", "expected"),
    [
        ("i've been stuck on hold for an hour and a quarter and nobody picks up", "", "wait_time"),
        ("There's a sixty dollar charge on my statement I never agreed to.", "", "billing_dispute"),
        ("I rang on Monday and on Wednesday and I'm still explaining the same fault.", "", "repeat_contact"),
        (
            "That rule makes no sense, who decided that?",
            "Unfortunately it's our policy that refunds take 30 days.",
            "policy_explanation",
        ),
        (
            "Please don't send me to another department again.",
            "I'll transfer you to the billing team.",
            "transfer_handoff",
        ),
        ("The new laptop won't even switch on.", "", "product_failure"),
        ("Don't speak to me like a child.", "As I already said, you need to listen.", "agent_conduct"),
        ("Just close my account, I'm moving to another provider.", "", "cancellation_threat"),
    ],
)
def test_unseen_wording_is_classified(classifier: TriggerClassifier, text: str, agent: str, expected: str) -> None:
    result = classifier.classify([ContextTurn(text, 1.0)], agent)
    assert result.slug == expected, result.as_dict()


def test_low_confidence_says_unknown(classifier: TriggerClassifier) -> None:
    result = classifier.classify([ContextTurn("hmm okay so what about that then", 1.0)])
    assert result.slug == UNKNOWN
    assert classifier.classify([ContextTurn("   ", 1.0)]).slug == UNKNOWN


@pytest.mark.django_db
def test_loading_defaults_is_idempotent_and_keeps_admin_edits() -> None:
    assert triggers_load_defaults() == len(SHIPPED)
    Trigger.objects.filter(slug="wait_time").update(name="Waiting too long")
    assert triggers_load_defaults() == 0
    assert Trigger.objects.count() == len(SHIPPED)
    assert Trigger.objects.get(slug="wait_time").name == "Waiting too long"
    triggers_load_defaults(replace=True)
    assert Trigger.objects.get(slug="wait_time").name == "Wait time"


@pytest.mark.django_db
def test_admin_rejects_a_keyword_that_is_not_a_regular_expression() -> None:
    form = TriggerForm(
        data={
            "slug": "x",
            "name": "X",
            "description": "",
            "keywords": '["(unclosed"]',
            "agent_keywords": "[]",
            "examples": '["an example"]',
            "active": True,
        }
    )
    assert not form.is_valid()
    assert "regular expression" in str(form.errors["keywords"])


def test_onnx_and_torch_encoders_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from deesc_lms.calls import embeddings

    texts = ["ok", "I've been on hold for forty five minutes and nobody has called me back about the engineer."]
    fast = embeddings.encode(texts)
    monkeypatch.setenv("DEESC_EMBEDDING_BACKEND", "torch")
    slow = embeddings.encode(texts)
    assert fast.dtype == slow.dtype == "float32" and fast.shape == (2, 384)
    assert abs(fast - slow).max() < 1e-4


def test_mixed_length_batches_keep_order_and_match_single_sentences() -> None:
    from deesc_lms.calls import embeddings

    texts = ["ok", "I've been on hold for forty five minutes and nobody has called me back.", "", "Fine.", "why"]
    together = embeddings.encode(texts)
    alone = np.vstack([embeddings.encode([t]) for t in texts])
    assert abs(together - alone).max() < 1e-4


def test_length_buckets_group_similar_lengths_within_the_batch_size() -> None:
    from deesc_lms.calls.embeddings import length_buckets

    buckets = length_buckets([40, 5, 6, 41, 5, 39], batch_size=2)
    assert sorted(i for b in buckets for i in b) == list(range(6))
    assert all(len(b) <= 2 for b in buckets)
    assert [1, 4] in buckets and [5, 0] in buckets


def test_harvested_examples_join_the_shipped_taxonomy_only(tmp_path) -> None:
    shipped = {s.slug: s for s in specs_from_yaml()}
    own = {s.slug: s for s in specs_from_yaml(examples_path=None)}
    assert sum(len(s.examples) for s in shipped.values()) >= sum(len(s.examples) for s in own.values()) + 200
    for slug, spec in own.items():
        assert shipped[slug].examples[: len(spec.examples)] == spec.examples  # the taxonomy's own come first
        assert len(set(shipped[slug].examples)) == len(shipped[slug].examples)
    copy = tmp_path / "triggers.yaml"
    copy.write_text(DEFAULT_TAXONOMY.read_text(encoding="utf-8"), encoding="utf-8")
    assert [s.examples for s in specs_from_yaml(copy)] == [s.examples for s in own.values()]


def test_a_callers_own_wording_is_read_through_the_harvested_examples() -> None:
    # Not in any labelled set: "sat on this line ... listening to that music" is a queue, in a caller's words.
    result = TriggerClassifier(specs_from_yaml()).classify(
        [ContextTurn("I've been sat on this line fifty minutes listening to that bloody music.", 1.0)]
    )
    assert result.slug == "wait_time"


def test_harvest_takes_the_customer_turn_at_each_labelled_moment(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(
        "[0:00] Agent: Thanks for calling, how can I help?\n"
        "[0:05] Customer: My router keeps dropping out.\n"
        "[0:12] Agent: I'm afraid our policy is that we can't send an engineer for thirty days.\n"
        "[0:20] Customer: Thirty days? That rule is ridiculous, I work from home!\n"
        "[0:30] Customer: Fine.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Agent: Hello.\nCustomer: You've charged me twice for the same month, sixty pounds each.\n", encoding="utf-8"
    )
    (tmp_path / "expected.yaml").write_text(
        'a.txt: {escalations: [{at: "0:19", trigger: policy_explanation, outcome: recovered},'
        ' {at: "0:31", trigger: policy_explanation, outcome: deteriorated}]}\n'
        "b.txt: {escalations: [{line: 2, trigger: billing_dispute, outcome: prevented}]}\n",
        encoding="utf-8",
    )
    found = harvest([tmp_path], SHIPPED)
    assert found["policy_explanation"] == [
        "Thirty days? That rule is ridiculous, I work from home!"
    ]  # "Fine." is too short
    assert found["billing_dispute"] == ["You've charged me twice for the same month, sixty pounds each."]
    assert found["wait_time"] == []


def test_shipped_examples_never_saw_the_sets_kept_for_unseen_measurement() -> None:
    from deesc_lms.calls.trigger_examples import FIXTURES, SETS

    header = (FIXTURES / "trigger_examples.yaml").read_text(encoding="utf-8").split("\n# Sets: ", 1)[1]
    harvested = header.split("\n", 1)[0].rstrip(".").split(", ")
    assert harvested == list(SETS) and "eval_holdout37" in harvested
    unseen = {"eval_holdout38", "eval_holdout39"}
    assert all((FIXTURES / name).is_dir() for name in unseen)
    assert not unseen & set(harvested)
