"""The rubrics API: read rubrics, grade an answer, one JSON error shape."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.rubrics.conftest import BAD, CUSTOMER, GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("coach", "coach@example.com", "pw", is_staff=True))
    return client


def test_list_and_read_rubrics(api, defaults):
    listing = api.get("/api/rubrics/").json()
    assert {r["slug"] for r in listing} >= {"combined", "real-call-qa"}
    detail = api.get("/api/rubrics/combined/").json()
    assert detail["version"] == 1 and any(c["slug"] == "acknowledge-before-fix" for c in detail["criteria"])


def test_grade_an_answer(api, defaults):
    good = api.post("/api/rubrics/combined/grade/", {"text": GOOD, "customer_line": CUSTOMER}, format="json")
    assert good.status_code == 201
    assert good.json()["passed"] is True
    bad = api.post("/api/rubrics/combined/grade/", {"text": BAD, "customer_line": CUSTOMER}, format="json").json()
    assert bad["passed"] is False
    assert api.get(f"/api/grades/{bad['id']}/").json()["score"] == bad["score"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/rubrics/combined/grade/", {"text": ""}, 400, "empty_answer"),
        ("/api/rubrics/combined/grade/", {"text": "y" * 50_000}, 400, "answer_too_long"),
        ("/api/rubrics/nope/grade/", {"text": "I understand."}, 404, "not_found"),
        ("/api/rubrics/combined/grade/", {}, 400, "invalid"),
    ],
)
def test_errors_have_one_shape(api, defaults, path, body, status, code):
    response = api.post(path, body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_learners_cannot_read_other_peoples_grades(defaults, django_user_model, api):
    grade_id = api.post("/api/rubrics/combined/grade/", {"text": GOOD}, format="json").json()["id"]
    learner = APIClient()
    learner.force_authenticate(django_user_model.objects.create_user("learner", "", "pw"))
    assert learner.get(f"/api/grades/{grade_id}/").status_code == 404
    assert APIClient().get("/api/rubrics/").status_code in (401, 403)
