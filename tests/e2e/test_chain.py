"""The whole chain, through the services, on the three demo calls: what a user sees at each stage."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import services as call_services
from deesc_lms.calls.models import Call, EscalationFlag, Utterance, fmt_mss
from deesc_lms.lti.models import GradeDelivery, Registration
from deesc_lms.packaging.services import package_export
from rubrics.models import Grade
from rubrics.services import rubrics_load_defaults
from scenarios.models import Attempt, Drill
from scenarios.services import attempt_submit, module_build
from tests.factories import AgentFactory

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
GOOD = (
    "I can hear how frustrating it is to call three times about the same charge — let me fix the $40 double "
    "charge now, and you'll see the refund by Friday."
)
POOR = "That's our policy, there's nothing I can do."

pytestmark = pytest.mark.django_db


def test_chain_from_calls_to_scorm_package(tmp_path: Path, django_capture_on_commit_callbacks) -> None:
    agent = AgentFactory()
    calls = {p.stem: call_services.call_ingest(path=p, agent=agent).call for p in sorted(DEMO.glob("*.txt"))}
    for call in calls.values():
        call_services.call_analyse(call=call)

    # 1. Flags: the moment (m:ss) and trigger a QA manager would point at.
    billing = EscalationFlag.objects.filter(call=calls["billing-recovered"]).order_by("time_s").first()
    assert billing is not None
    assert 60 <= billing.time_s <= 95, fmt_mss(
        billing.time_s
    )  # "third time ... per line" at 1:10, "supervisor" at 1:27
    assert billing.trigger in {"billing_dispute", "repeat_contact"}
    assert billing.outcome == EscalationFlag.Outcome.RECOVERED
    transfer = EscalationFlag.objects.filter(call=calls["transfer-deteriorated"]).first()
    assert transfer is not None and transfer.outcome == EscalationFlag.Outcome.DETERIORATED
    prevented = EscalationFlag.objects.get(call=calls["wait-prevented"])
    assert prevented.outcome == EscalationFlag.Outcome.PREVENTED and prevented.trigger == "wait_time"

    # 2. A module: five single-step drills, the combined drill, the role-play.
    module = module_build(flag=billing)
    drills = list(module.drills.order_by("order"))
    assert [d.step for d in drills if d.kind == Drill.Kind.STEP] == [1, 2, 3, 4, 5]
    assert any(d.kind == Drill.Kind.COMBINED for d in drills)

    # 3. Grades: the good answer passes and the poor one does not; each is queued for the gradebook.
    rubrics_load_defaults()
    registration = Registration.objects.create(
        name="LMS",
        issuer="http://127.0.0.1:9/lms",
        client_id="c",
        auth_login_url="http://127.0.0.1:9/a",
        auth_token_url="http://127.0.0.1:9/t",
        deployment_ids=["1"],
    )
    launch = {"registration_id": registration.pk, "user_id": "learner-1", "lineitem": "http://127.0.0.1:9/li/1"}
    combined = module.drills.get(kind=Drill.Kind.COMBINED)
    # Grading and delivery run after commit, as they do outside a test's transaction.
    with django_capture_on_commit_callbacks(execute=True):
        good = attempt_submit(drill=combined, agent=agent, text=GOOD, channel=Attempt.Channel.LTI, lti_context=launch)
    with django_capture_on_commit_callbacks(execute=True):
        poor = attempt_submit(drill=combined, agent=agent, text=POOR, channel=Attempt.Channel.LTI, lti_context=launch)
    good_grade = Grade.objects.get(attempt=good)
    poor_grade = Grade.objects.get(attempt=poor)
    assert good_grade.passed and not poor_grade.passed
    assert good_grade.score - poor_grade.score >= 40
    assert "there's nothing i can do" in str(poor_grade.results).lower()
    deliveries = GradeDelivery.objects.filter(grade__in=[good_grade, poor_grade])
    assert deliveries.count() == 2  # the LMS is down: both wait in the outbox, nothing lost
    assert all(d.status == GradeDelivery.Status.PENDING and d.tries >= 1 for d in deliveries)

    # 4. The package: a zip with imsmanifest.xml at its root.
    package = package_export(module=module)
    with zipfile.ZipFile(package.file.path) as zf:
        assert "imsmanifest.xml" in zf.namelist()


@pytest.mark.django_db(transaction=True)
def test_demo_command_runs_twice_without_duplicating(capsys) -> None:
    # A real transaction per step, as under `make demo`: grading runs when each attempt commits.
    call_command("demo")
    first = capsys.readouterr().out
    assert "Calls and escalation flags" in first and "SCORM 1.2 package" in first
    assert "prevented" in first and "deteriorated" in first and "recovered" in first
    counts = (Call.objects.count(), EscalationFlag.objects.count(), Attempt.objects.count(), Grade.objects.count())
    call_command("demo")
    assert (
        Call.objects.count(),
        EscalationFlag.objects.count(),
        Attempt.objects.count(),
        Grade.objects.count(),
    ) == counts


def test_malformed_fixture_is_a_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage \x00\x00 not a transcript")
    with pytest.raises(DeescError):
        call_services.call_ingest(path=bad)
    assert not Utterance.objects.exists()
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00\x00")
    with pytest.raises(CommandError):
        call_command("demo", fixtures=folder)
    assert not Utterance.objects.exists()


def test_empty_answer_is_refused_and_nothing_is_stored() -> None:
    from tests.factories import DrillFactory

    with pytest.raises(DeescError, match="empty"):
        attempt_submit(drill=DrillFactory(), text="   ")
    assert not Attempt.objects.exists()
