"""The chain with a real Celery worker on Redis and PostgreSQL (run by .ci/run's PostgreSQL pass).

An attempt stored through the service is graded by the worker, and its score travels through the
outbox to a local LTI platform, with no inline task anywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from deesc_lms.celery import app as celery_app
from deesc_lms.lti.keys import tool_key_active
from deesc_lms.lti.models import GradeDelivery
from rubrics.services import rubrics_load_defaults
from scenarios.models import Attempt
from scenarios.services import attempt_submit
from tests.factories import DrillFactory, RegistrationFactory
from tests.lti.platform import Platform

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("DEESC_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not REDIS_URL, reason="needs DEESC_TEST_REDIS_URL (set by .ci/run's PostgreSQL pass)"),
]


def _wait_for(predicate, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _use_broker(**conf: object) -> None:
    """Point this process's Celery app at another broker, dropping connections made for the old one."""
    celery_app.conf.update(**conf)
    celery_app._pool = None  # as Celery does after a fork: the next publish connects afresh
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(transactional_db, settings) -> Iterator[subprocess.Popen[bytes]]:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=False, capture_output=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "deesc_lms",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    _use_broker(task_always_eager=False, broker_url=REDIS_URL)
    try:
        yield process
    finally:
        _use_broker(task_always_eager=previous[0], broker_url=previous[1])
        process.terminate()
        process.wait(timeout=30)


def test_worker_grades_the_attempt_and_delivers_the_score(worker) -> None:
    rubrics_load_defaults()
    platform = Platform().start()
    try:
        platform.tool_public_pem = tool_key_active().public_pem
        registration = RegistrationFactory(client_id=platform.client_id, auth_token_url=platform.url + "/token")
        drill = DrillFactory(rubric_slug="combined")
        attempt = attempt_submit(
            drill=drill,
            text="I can hear how frustrating it is to call three times about the same charge — let me fix the $40 "
            "double charge now, and you'll see the refund by Friday.",
            channel=Attempt.Channel.LTI,
            lti_context={"registration_id": registration.pk, "user_id": "u-1", "lineitem": platform.url + "/li/1"},
        )
        # Stored before any grading ran: the worker has not seen it yet.
        assert Attempt.objects.filter(pk=attempt.pk).exists()
        assert _wait_for(lambda: Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.GRADED), (
            "worker never graded"
        )
        assert _wait_for(lambda: GradeDelivery.objects.filter(status=GradeDelivery.Status.SENT).exists()), (
            "score never sent"
        )
        assert len(platform.scores) == 1 and platform.scores[0]["userId"] == "u-1"
        assert worker.poll() is None
    finally:
        platform.stop()
