"""Flags over all calls: the commands, the API, CSV, the QA page and representative picks."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from deesc_lms.calls.models import Call, EscalationFlag
from deesc_lms.calls.services import call_analyse, flag_set_representative, flags_pick_representative
from tests.calls.analysis_helpers import call_from_eval
from tests.factories import AgentFactory, CallFactory, EscalationFlagFactory

pytestmark = pytest.mark.django_db

FLAGGED = [
    "01_wait_engineer_deteriorated.txt",
    "02_wait_hold_recovered.txt",
    "03_wait_callback_prevented.txt",
    "10_policy_return_deteriorated.txt",
    "25_calm_invoice_supervisor.txt",
]


@pytest.fixture
def analysed() -> list[Call]:
    team_a = AgentFactory(name="Ann", team="Billing")
    team_b = AgentFactory(name="Bo", team="Retention")
    calls = []
    for i, name in enumerate(FLAGGED):
        call = call_from_eval(
            name, agent=team_a if i % 2 == 0 else team_b, started_at=datetime(2026, 3, 2 + 7 * (i % 2), 10, tzinfo=UTC)
        )
        call_analyse(call=call)
        calls.append(call)
    return calls


@pytest.fixture
def api() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_user("qa", password="pw-123456789"))
    return client


def test_analyze_command_is_idempotent_and_flags_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    call = call_from_eval("01_wait_engineer_deteriorated.txt")
    call_command("analyze", str(call.pk), "--no-progress")
    call_command("analyze", "--all", "--no-progress")
    assert EscalationFlag.objects.filter(call=call).count() == 1
    capsys.readouterr()
    call_command("flags")
    table = capsys.readouterr().out
    assert "1:26" in table and "wait_time" in table and "deteriorated" in table and "Nobody told me" in table
    call_command("flags", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["call_id"] == call.pk and rows[0]["time"] == "1:26" and rows[0]["stage"]


def test_analyze_command_refuses_bad_arguments() -> None:
    with pytest.raises(CommandError, match="either --all"):
        call_command("analyze")
    with pytest.raises(CommandError, match="No call with id 999"):
        call_command("analyze", "999")


def test_load_triggers_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_triggers")
    call_command("load_triggers")
    assert "0 trigger(s) created; 8 in the taxonomy" in capsys.readouterr().out


def test_flags_api_filters_and_shows_mss(api: APIClient, analysed: list[Call]) -> None:
    body = api.get("/api/flags/", {"trigger": "wait_time"}).json()
    assert body["count"] == 3
    assert {r["outcome"] for r in body["results"]} == {"recovered", "deteriorated", "prevented"}
    assert all(":" in r["time"] for r in body["results"])
    one = api.get(f"/api/flags/{body['results'][0]['id']}/").json()
    assert "trigger_point" in one["review"] and one["redirect_language"]
    bad = api.get("/api/flags/", {"outcome": "exploded"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_flags_api_needs_login() -> None:
    assert APIClient().get("/api/flags/").status_code in {401, 403}


def test_csv_export(api: APIClient, analysed: list[Call]) -> None:
    response = api.get("/api/flags/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == EscalationFlag.objects.count() == 4
    assert {"call_id", "time", "trigger", "stage", "outcome", "excerpt", "team"} <= set(rows[0])


def test_pattern_map_api(api: APIClient, analysed: list[Call]) -> None:
    data = api.get("/api/pattern-map/").json()
    assert data["calls_analysed"] == 5 and data["flags"] == 4 and data["calls_with_flags"] == 4
    cells = {(c["trigger"], c["stage"]): c["count"] for c in data["trigger_stage"]["cells"]}
    assert sum(cells.values()) == 4
    assert [w["week"] for w in data["weekly"]] == ["2026-03-02", "2026-03-09"]
    assert {t["team"] for t in data["teams"]} == {"Billing", "Retention"}
    assert "Dirichlet" in data["method"]
    only = api.get("/api/pattern-map/", {"team": "Retention"}).json()
    assert only["flags"] == sum(1 for c in analysed if c.agent and c.agent.team == "Retention" and c.flags.exists())


def test_ids_too_big_for_the_database_are_refused_not_a_server_error(
    api: APIClient, client, analysed: list[Call]
) -> None:
    huge = "9" * 30
    for url, param in [("/api/pattern-map/", "agent"), ("/api/flags/", "agent"), ("/api/flags/", "call")]:
        response = api.get(url, {param: huge})
        assert response.status_code == 400, (url, param)
        assert param in response.json()["error"]["detail"]
    assert api.get("/api/pattern-map/", {"agent": "0"}).status_code == 400
    client.force_login(User.objects.create_user("mgr", password="pw-123456789"))
    assert client.get("/calls/patterns/", {"agent": huge}).status_code == 200


def test_reanalyse_through_the_api(api: APIClient, analysed: list[Call]) -> None:
    call = analysed[0]
    body = api.post(f"/api/calls/{call.pk}/analyse/").json()
    assert len(body["flags"]) == 1 and EscalationFlag.objects.filter(call=call).count() == 1


def test_pattern_page_renders_charts_for_a_logged_in_manager(client, analysed: list[Call]) -> None:
    assert client.get("/calls/patterns/").status_code == 302
    client.force_login(User.objects.create_user("mgr", password="pw-123456789"))
    page = client.get("/calls/patterns/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Trigger × stage" in html and "<svg" in html and "wait_time" in html and "export.csv" in html
    detail = client.get(f"/calls/{analysed[0].pk}/analysis/").content.decode()
    assert "1:26" in detail and "Language that would have redirected it" in detail


def test_representatives_cover_every_outcome_and_designer_override_wins(analysed: list[Call]) -> None:
    picked = flags_pick_representative(trigger="wait_time")
    assert {f.outcome for f in picked} == {"recovered", "deteriorated", "prevented"}
    assert all(f.representative_reason for f in picked)
    extra = EscalationFlagFactory(trigger="wait_time", outcome="recovered", severity=0.1, trigger_confidence=0.1)
    flags_pick_representative(trigger="wait_time")
    extra.refresh_from_db()
    assert not extra.representative
    flag_set_representative(flag=extra, choice=True)
    extra.refresh_from_db()
    assert extra.representative and extra.representative_reason == "chosen by a designer"
    loser = next(f for f in picked if f.outcome == "deteriorated")
    flag_set_representative(flag=EscalationFlag.objects.get(pk=loser.pk), choice=False)
    assert not EscalationFlag.objects.get(pk=loser.pk).representative


def test_designer_override_survives_reanalysis(analysed: list[Call]) -> None:
    flag = EscalationFlag.objects.get(call=analysed[0])
    flag_set_representative(flag=flag, choice=False)
    call_analyse(call=analysed[0])
    assert EscalationFlag.objects.get(call=analysed[0]).representative_override is False


def test_flag_factory_call_is_listed_without_agent() -> None:
    call = CallFactory(agent=None)
    EscalationFlagFactory(call=call)
    out = io.StringIO()
    call_command("flags", stdout=out)
    assert "1:10" in out.getvalue()
