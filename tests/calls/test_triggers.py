"""The trigger taxonomy and classifier: rules plus embeddings, `unknown` when unsure."""

from __future__ import annotations

import numpy as np
import pytest

from deesc_lms.calls.admin_analysis import TriggerForm
from deesc_lms.calls.models import Trigger
from deesc_lms.calls.services import triggers_load_defaults
from deesc_lms.calls.triggers import UNKNOWN, ContextTurn, TriggerClassifier, specs_from_yaml

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
