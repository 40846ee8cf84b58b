"""Coaches see an agent's scores before and after training, by criterion and by trigger, in the
browser and as a PDF."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from deesc_lms.calls.models import EscalationFlag
from deesc_lms.progress.selectors import agent_progress
from rubrics.models import Grade, Rubric, RubricVersion
from scenarios.models import Attempt, Drill
from tests.factories import AgentFactory, CallFactory, DrillFactory, EscalationFlagFactory

pytestmark = pytest.mark.django_db


def _results(share: float) -> list[dict]:
    return [
        {"slug": "acknowledge", "name": "Acknowledges", "points": round(4 * share), "max_points": 4},
        {"slug": "timeframe", "name": "Timeframe", "points": round(2 * share), "max_points": 2},
    ]


@pytest.fixture
def trained_agent():
    agent = AgentFactory(name="Priya Shah")
    rubric = Rubric.objects.create(slug="real-call-qa-t", name="Real call QA")
    version = RubricVersion.objects.create(rubric=rubric, number=1, status=RubricVersion.Status.PUBLISHED)
    now = timezone.now()
    # Four calls in the weeks before training: two billing escalations, one transfer.
    for i, (score, triggers) in enumerate(
        [(35, ["billing_dispute"]), (45, ["billing_dispute", "transfer_handoff"]), (50, []), (40, [])]
    ):
        call = CallFactory(agent=agent, started_at=now - timedelta(days=30 - i))
        for t in triggers:
            EscalationFlagFactory(call=call, trigger=t, outcome=EscalationFlag.Outcome.DETERIORATED)
        Grade.objects.create(
            source="call", call=call, rubric_version=version, score=score, passed=False, results=_results(score / 100)
        )
    # Training: a poor then a passing combined drill.
    drill = DrillFactory(kind=Drill.Kind.COMBINED)
    for score in (45, 85):
        attempt = Attempt.objects.create(drill=drill, agent=agent, answer_text="answer", status=Attempt.Status.GRADED)
        Grade.objects.create(
            source="attempt",
            attempt=attempt,
            rubric_version=version,
            score=score,
            passed=score >= 70,
            results=_results(score / 100),
        )
    # Three calls after training: one billing escalation that the agent recovered.
    later = timezone.now() + timedelta(days=1)
    for i, score in enumerate([75, 82, 88]):
        call = CallFactory(agent=agent, started_at=later + timedelta(days=i))
        if i == 0:
            EscalationFlagFactory(call=call, trigger="billing_dispute", outcome=EscalationFlag.Outcome.RECOVERED)
        Grade.objects.create(
            source="call", call=call, rubric_version=version, score=score, passed=True, results=_results(score / 100)
        )
    return agent


def test_pre_and_post_training_figures(trained_agent) -> None:
    progress = agent_progress(agent=trained_agent)
    assert progress.pre.calls == 4 and progress.post.calls == 3
    assert progress.pre.mean_call_score == pytest.approx(42.5)
    assert progress.post.mean_call_score == pytest.approx(81.67, abs=0.01)
    assert progress.score_change == pytest.approx(39.17, abs=0.01)
    assert progress.pre.rate("billing_dispute") == pytest.approx(0.5)
    assert progress.post.rate("billing_dispute") == pytest.approx(1 / 3)
    assert progress.post.rate("transfer_handoff") == 0
    assert progress.criterion_pre["acknowledge"] < progress.criterion_post["acknowledge"]
    assert [p.score for p in progress.practice] == [45, 85]


def test_coach_page_and_pdf(client, trained_agent) -> None:
    coach = get_user_model().objects.create_user("coach", password="pw", is_staff=True)
    client.force_login(coach)
    page = client.get(f"/progress/agents/{trained_agent.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Priya Shah" in html and "<svg" in html and "billing dispute" in html
    assert client.get("/progress/").status_code == 200
    pdf = client.get(f"/progress/agents/{trained_agent.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert "Priya Shah" in text and "Before and after training" in text and "Escalations per call" in text


def test_learners_cannot_open_coach_pages(client, trained_agent) -> None:
    learner = get_user_model().objects.create_user("learner", password="pw")
    client.force_login(learner)
    assert client.get(f"/progress/agents/{trained_agent.pk}/").status_code == 302
    assert client.get(f"/progress/agents/{trained_agent.pk}/report.pdf").status_code == 302
