"""Rubrics tests: the shipped default rubrics loaded once per test, the embedding model once per session."""

from __future__ import annotations

import pytest

from rubrics.models import RubricVersion
from rubrics.services import rubrics_load_defaults

GOOD = (
    "I can hear how frustrating it is to call three times about the same charge — let me fix the $40 double "
    "charge now, and you'll see the refund by Friday."
)
BAD = "That's our policy, there's nothing I can do."
CUSTOMER = "This is the third time I'm calling about the same $40 charge! I've been charged twice and nobody fixes it."


@pytest.fixture(scope="session")
def embed():
    from deesc_lms.calls.embeddings import encode

    encode(["warm up"])
    return encode


@pytest.fixture
def defaults(db, embed) -> list[RubricVersion]:
    return rubrics_load_defaults()
