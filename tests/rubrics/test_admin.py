"""Designers' admin: try it (escaped, highlighted), publish, drafts, import/export, diff, calibration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rubrics import services
from rubrics.models import CoachScore, Grade, RubricVersion
from tests.rubrics.conftest import CUSTOMER

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("designer", "designer@example.com", "pw-designer-1")
    client.force_login(user)
    return client


def version(slug: str) -> RubricVersion:
    return RubricVersion.objects.get(rubric__slug=slug, status=RubricVersion.Status.PUBLISHED)


def test_try_it_highlights_evidence_and_never_renders_the_answer_as_html(staff, defaults):
    url = reverse("admin:rubrics_rubricversion_try", args=[version("combined").pk])
    answer = "<script>alert('x')</script> I can hear how frustrating this is. That's our policy."
    page = staff.post(url, {"answer": answer, "customer_line": CUSTOMER})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<mark>That&#x27;s our policy</mark>" in html
    assert "not yet" in html
    assert not Grade.objects.exists()  # trying stores nothing


def test_try_it_refuses_an_empty_answer_with_a_message(staff, defaults):
    url = reverse("admin:rubrics_rubricversion_try", args=[version("combined").pk])
    page = staff.post(url, {"answer": "   ", "customer_line": ""})
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()


def test_published_versions_are_read_only_and_edits_go_to_a_draft(staff, defaults):
    v1 = version("step-4-resolve")
    page = staff.get(reverse("admin:rubrics_rubricversion_change", args=[v1.pk]))
    assert page.status_code == 200 and "Edit in a new draft" in page.content.decode()
    staff.post(reverse("admin:rubrics_rubricversion_change", args=[v1.pk]), {"pass_threshold": 10})
    v1.refresh_from_db()
    assert v1.pass_threshold == 70
    response = staff.post(reverse("admin:rubrics_rubricversion_draft", args=[v1.pk]))
    draft = RubricVersion.objects.get(rubric=v1.rubric, status=RubricVersion.Status.DRAFT)
    assert response.url == reverse("admin:rubrics_rubricversion_change", args=[draft.pk])
    draft.pass_threshold = 60
    draft.save()
    staff.post(reverse("admin:rubrics_rubricversion_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published and draft.number == 2


def test_import_export_and_diff(staff, defaults):
    v1 = version("step-5-next-steps")
    exported = staff.get(reverse("admin:rubrics_rubricversion_export", args=[v1.pk]))
    assert exported["Content-Disposition"].endswith('step-5-next-steps-v1.yaml"')
    text = exported.content.decode().replace("pass_threshold: 70", "pass_threshold: 75")
    response = staff.post(
        reverse("admin:rubrics_rubric_import"), {"document": text, "publish": "on", "change_note": "75"}
    )
    assert response.status_code == 302
    v2 = version_numbered("step-5-next-steps", 2)
    diff = staff.get(reverse("admin:rubrics_rubric_diff", args=[v1.rubric_id]), {"a": 1, "b": 2}).content.decode()
    assert "-pass_threshold: 70" in diff and "+pass_threshold: 75" in diff
    assert v2.change_note == "75"
    bad = staff.post(reverse("admin:rubrics_rubric_import"), {"document": "slug: [unclosed"})
    assert bad.status_code == 200 and "Not valid YAML" in bad.content.decode()


def version_numbered(slug: str, number: int) -> RubricVersion:
    return RubricVersion.objects.get(rubric__slug=slug, number=number)


def test_calibration_page_shows_kappa_confusion_and_disagreements(staff, defaults):
    rubric = version("step-2-acknowledge").rubric
    sample = services.calibration_sample_record(
        rubric=rubric, key="s1", customer_line=CUSTOMER, answer_text="<b>I'm sorry</b> for the inconvenience."
    )
    services.coach_score_record(sample=sample, criterion_slug="names-emotion", points=2, coach_name="ana")
    other = services.calibration_sample_record(
        rubric=rubric, key="s2", customer_line=CUSTOMER, answer_text="I can hear how frustrating this is."
    )
    services.coach_score_record(sample=other, criterion_slug="names-emotion", points=2, coach_name="ana")
    page = staff.get(reverse("admin:rubrics_rubric_calibration", args=[rubric.pk])).content.decode()
    assert "names-emotion" in page and "κ =" in page
    assert "Disagreements" in page and "&lt;b&gt;I&#x27;m sorry&lt;/b&gt;" in page
    assert CoachScore.objects.count() == 2


def test_grade_page_escapes_the_answer(staff, defaults):
    grade = services.answer_grade(rubric_slug="step-2-acknowledge", text="<img src=x onerror=alert(1)> I understand.")
    html = staff.get(reverse("admin:rubrics_grade_change", args=[grade.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
