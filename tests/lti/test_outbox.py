"""Scores reach the LMS gradebook through the outbox, across real HTTP and signed JWTs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deesc_lms.lti import services
from deesc_lms.lti.keys import jwks, tool_key_active
from deesc_lms.lti.models import GradeDelivery
from rubrics.models import Grade, Rubric, RubricVersion
from scenarios.models import Attempt
from tests.factories import DrillFactory, RegistrationFactory
from tests.lti.platform import Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform() -> Iterator[Platform]:
    p = Platform().start()
    yield p
    p.stop()


def _graded_attempt(registration_id: int, lineitem: str, score: float = 82.0) -> Grade:
    rubric = Rubric.objects.create(slug="outbox-test", name="Outbox test")
    version = RubricVersion.objects.create(rubric=rubric, number=1, status=RubricVersion.Status.PUBLISHED)
    attempt = Attempt.objects.create(
        drill=DrillFactory(),
        answer_text="I can hear how frustrating this is.",
        lti_context={"registration_id": registration_id, "user_id": "learner-7", "lineitem": lineitem},
    )
    return Grade.objects.create(
        source="attempt", attempt=attempt, rubric_version=version, score=score, passed=score >= 70, feedback="Good."
    )


def test_score_is_sent_once_with_a_verified_client_assertion(platform: Platform) -> None:
    key = tool_key_active()
    platform.tool_public_pem = key.public_pem
    registration = RegistrationFactory(client_id=platform.client_id, auth_token_url=platform.url + "/token")
    grade = _graded_attempt(registration.pk, platform.url + "/lineitems/12/lineitem?type=x")

    delivery = services.delivery_queue(grade=grade)
    assert delivery is not None
    delivery = services.delivery_send(delivery=delivery)

    assert delivery.status == GradeDelivery.Status.SENT
    assert len(platform.scores) == 1
    sent = platform.scores[0]
    assert sent["path"] == "/lineitems/12/lineitem/scores?type=x"
    assert sent["userId"] == "learner-7"
    assert sent["scoreGiven"] == 82.0 and sent["scoreMaximum"] == 100
    assert sent["gradingProgress"] == "FullyGraded"
    # A sent row is never sent again.
    services.delivery_send(delivery=delivery)
    assert len(platform.scores) == 1
    # The JWKS the platform would fetch carries the same key id.
    assert [k["kid"] for k in jwks()["keys"]] == [key.kid]


def test_queueing_twice_keeps_one_row(platform: Platform) -> None:
    registration = RegistrationFactory(auth_token_url=platform.url + "/token")
    grade = _graded_attempt(registration.pk, platform.url + "/lineitems/1/lineitem")
    first = services.delivery_queue(grade=grade)
    second = services.delivery_queue(grade=grade)
    assert first is not None and second is not None and first.pk == second.pk
    assert GradeDelivery.objects.count() == 1


def test_platform_down_keeps_the_score_pending_with_backoff() -> None:
    registration = RegistrationFactory(auth_token_url="http://127.0.0.1:9/token")
    grade = _graded_attempt(registration.pk, "http://127.0.0.1:9/lineitems/1/lineitem")
    delivery = services.delivery_queue(grade=grade)
    assert delivery is not None
    delivery = services.delivery_send(delivery=delivery)
    assert delivery.status == GradeDelivery.Status.PENDING
    assert delivery.tries == 1
    assert "unreachable" in delivery.last_error
    assert delivery.next_try_at is not None
    first_wait = delivery.next_try_at
    delivery = services.delivery_send(delivery=delivery)
    assert delivery.tries == 2 and delivery.next_try_at is not None and delivery.next_try_at > first_wait
    assert Grade.objects.filter(pk=grade.pk).exists()


def test_a_forged_client_assertion_is_refused_and_not_retried(platform: Platform) -> None:
    tool_key_active()
    # The platform trusts a different key than the one the tool signs with.
    from deesc_lms.lti.keys import _generate

    platform.tool_public_pem = _generate()[1]
    registration = RegistrationFactory(client_id=platform.client_id, auth_token_url=platform.url + "/token")
    grade = _graded_attempt(registration.pk, platform.url + "/lineitems/3/lineitem")
    delivery = services.delivery_queue(grade=grade)
    assert delivery is not None
    delivery = services.delivery_send(delivery=delivery)
    assert delivery.status == GradeDelivery.Status.FAILED
    assert "401" in delivery.last_error
    assert platform.scores == []


def test_server_error_from_the_gradebook_is_retried(platform: Platform) -> None:
    key = tool_key_active()
    platform.tool_public_pem = key.public_pem
    platform.fail_scores_with = 503
    registration = RegistrationFactory(client_id=platform.client_id, auth_token_url=platform.url + "/token")
    grade = _graded_attempt(registration.pk, platform.url + "/lineitems/4/lineitem")
    delivery = services.delivery_queue(grade=grade)
    assert delivery is not None
    delivery = services.delivery_send(delivery=delivery)
    assert delivery.status == GradeDelivery.Status.PENDING and "503" in delivery.last_error
    platform.fail_scores_with = None
    delivery = services.delivery_send(delivery=delivery)
    assert delivery.status == GradeDelivery.Status.SENT and len(platform.scores) == 1


def test_grade_without_a_launch_is_not_queued() -> None:
    rubric = Rubric.objects.create(slug="no-launch", name="No launch")
    version = RubricVersion.objects.create(rubric=rubric, number=1)
    attempt = Attempt.objects.create(drill=DrillFactory(), answer_text="Hello")
    grade = Grade.objects.create(source="attempt", attempt=attempt, rubric_version=version, score=10, passed=False)
    assert services.delivery_queue(grade=grade) is None


def test_send_scores_command_sends_what_is_due(platform: Platform) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    key = tool_key_active()
    platform.tool_public_pem = key.public_pem
    platform.fail_scores_with = 503
    registration = RegistrationFactory(client_id=platform.client_id, auth_token_url=platform.url + "/token")
    grade = _graded_attempt(registration.pk, platform.url + "/lineitems/5/lineitem")
    delivery = services.delivery_queue(grade=grade)
    assert delivery is not None
    services.delivery_send(delivery=delivery)  # the LMS is down: pending, retried later
    platform.fail_scores_with = None
    out = StringIO()
    call_command("send_scores", stdout=out)
    assert "0 score(s) tried" in out.getvalue()  # not due yet
    GradeDelivery.objects.filter(pk=delivery.pk).update(next_try_at=timezone.now())
    call_command("send_scores", stdout=out)
    assert "1 score(s) tried: 1 sent" in out.getvalue()
    assert len(platform.scores) == 1
