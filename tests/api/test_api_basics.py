"""The API speaks one error format, needs a login, and publishes its schema."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scenarios.models import Attempt
from tests.factories import DrillFactory, EscalationFlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    user = get_user_model().objects.create_user("coach", password="pw-for-tests-only")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_anonymous_requests_are_refused_in_the_error_format() -> None:
    assert_error(APIClient().get("/api/modules/"), 401, "not_authenticated")


def test_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/drills/{drill_id}/attempts" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_malformed_json_is_a_clear_400(api: APIClient) -> None:
    drill = DrillFactory()
    response = api.post(f"/api/drills/{drill.pk}/attempts", data="{not json", content_type="application/json")
    error = assert_error(response, 400, "parse_error")
    assert "JSON" in error["message"]
    assert not Attempt.objects.exists()


def test_empty_answer_is_refused_and_nothing_is_stored(api: APIClient) -> None:
    drill = DrillFactory()
    error = assert_error(
        api.post(f"/api/drills/{drill.pk}/attempts", {"text": "   "}, format="json"), 400, "empty_answer"
    )
    assert "empty" in error["message"]
    assert not Attempt.objects.exists()


def test_overlong_answer_is_refused(api: APIClient) -> None:
    drill = DrillFactory()
    response = api.post(f"/api/drills/{drill.pk}/attempts", {"text": "word " * 20_000}, format="json")
    assert_error(response, 400)
    assert not Attempt.objects.exists()


def test_unknown_ids_are_404s_in_the_error_format(api: APIClient) -> None:
    assert_error(api.post("/api/drills/999/attempts", {"text": "hi"}, format="json"), 404, "not_found")
    assert_error(api.post("/api/modules/build", {"flag": 999}, format="json"), 404, "not_found")
    assert_error(api.get("/api/modules/nope"), 404, "not_found")
    assert_error(api.get("/api/attempts/999"), 404, "not_found")


def test_module_is_built_from_a_flag_through_the_api(api: APIClient) -> None:
    flag = EscalationFlagFactory()
    response = api.post("/api/modules/build", {"flag": flag.pk}, format="json")
    assert response.status_code == 201
    module = response.json()
    assert [d["kind"] for d in module["drills"]] == ["step"] * 5 + ["combined", "roleplay"]
    assert api.get(f"/api/modules/{module['slug']}").json()["id"] == module["id"]
    assert api.get("/api/modules/").json()["count"] == 1


def test_package_answer_endpoint_allows_any_origin_and_refuses_unknown_tokens() -> None:
    client = APIClient()
    response = client.post(
        "/api/packages/3f1f8a0e-0000-4000-8000-000000000000/attempts", {"drill": 1, "answer": "hi"}, format="json"
    )
    assert_error(response, 404, "not_found")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/packages/3f1f8a0e-0000-4000-8000-000000000000/attempts")
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/api/modules/", "/api/flags/"])
def test_huge_page_bounds_are_capped_or_refused_never_a_server_error(api: APIClient, url: str) -> None:
    EscalationFlagFactory()
    capped = api.get(url, {"limit": "214122050737565356221530112"})
    assert capped.status_code == 200, capped.content
    assert_error(api.get(url, {"offset": str(2**70)}), 400, "invalid")
