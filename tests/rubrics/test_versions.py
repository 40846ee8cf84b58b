"""Rubric versions: published ones never change, drafts do, and grades name their version."""

from __future__ import annotations

import pytest

from deesc_lms.api_errors import DeescError
from rubrics import selectors, services, yaml_io
from rubrics.models import Criterion, Rubric, RubricVersion

pytestmark = pytest.mark.django_db

SLUGS = {
    "step-1-pause",
    "step-2-acknowledge",
    "step-3-restate",
    "step-4-resolve",
    "step-5-next-steps",
    "combined",
    "real-call-qa",
}


def test_defaults_load_once(defaults):
    assert {v.rubric.slug for v in defaults} == SLUGS
    assert all(v.is_published and len(v.content_hash) == 64 for v in defaults)
    again = services.rubrics_load_defaults()
    assert [v.pk for v in again] == [v.pk for v in defaults]
    assert RubricVersion.objects.count() == len(SLUGS)


def test_editing_makes_a_draft_and_publishing_a_new_version(defaults):
    rubric = Rubric.objects.get(slug="step-2-acknowledge")
    v1 = selectors.version_current(slug=rubric.slug)
    first = services.answer_grade(rubric_slug=rubric.slug, text="I understand.")
    draft = services.rubric_version_draft(rubric=rubric)
    assert draft.number == 2 and not draft.is_published and draft.based_on == v1
    assert services.rubric_version_draft(rubric=rubric) == draft  # one draft at a time
    with pytest.raises(DeescError) as unchanged:
        services.rubric_version_publish(version=draft)
    assert unchanged.value.code == "unchanged"
    Criterion.objects.filter(version=draft, slug="names-emotion").update(weight=3.0)
    v2 = services.rubric_version_publish(version=draft)
    assert v2.is_published and v2.content_hash != v1.content_hash
    assert selectors.version_current(slug=rubric.slug) == v2
    v1.refresh_from_db()
    assert v1.criteria.get(slug="names-emotion").weight == 2.0
    first.refresh_from_db()
    assert first.rubric_version == v1
    assert services.answer_grade(rubric_slug=rubric.slug, text="I understand.").rubric_version == v2
    with pytest.raises(DeescError):
        services.rubric_version_publish(version=v2)


def test_yaml_export_import_round_trip(defaults):
    v1 = selectors.version_current(slug="combined")
    text = yaml_io.dump(selectors.version_document(v1))
    doc = yaml_io.parse(text)
    assert yaml_io.content_hash(doc) == v1.content_hash
    doc["pass_threshold"] = 80
    v2 = services.rubric_version_from_document(doc=doc, publish=True, change_note="Stricter pass mark.")
    assert v2.number == 2 and v2.pass_threshold == 80


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slug: x\ncriteria: [", "Not valid YAML"),
        ("slug: Bad Slug\ncriteria: []", "slug"),
        (
            "slug: ok\ncriteria:\n- slug: a\n  levels: [{points: 0}, {points: 1}]\n  detectors: [{kind: telepathy}]",
            "kind",
        ),
        (
            "slug: ok\ncriteria:\n- slug: a\n  levels: [{points: 0}, {points: 1}]\n  detectors: [{kind: phrase, config: {patterns: ['(']}}]",
            "regular expression",
        ),
        ("slug: ok\ncriteria:\n- slug: a\n  levels: [{points: 0}]\n  detectors: [{kind: phrase}]", "two levels"),
        (
            "slug: ok\ncriteria:\n- slug: a\n  levels: [{points: 0}, {points: 1}]\n  detectors: [{kind: forbidden, config: {stance_threshold: high}}]",
            "stance_threshold: a number between 0 and 1",
        ),
        (
            "slug: ok\ncriteria:\n- slug: a\n  levels: [{points: 0}, {points: 1}]\n  detectors: [{kind: forbidden, config: {stance_threshold: 1.5}}]",
            "stance_threshold: a number between 0 and 1",
        ),
    ],
)
def test_bad_documents_say_what_is_wrong(db, text, message):
    with pytest.raises(yaml_io.RubricDocumentError) as err:
        yaml_io.parse(text)
    assert message in str(err.value)
    assert not Rubric.objects.exists()
