"""Uploading through the API and the admin, reading the status, exporting the transcript."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from deesc_lms.calls.models import Call, Utterance
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)  # uploads run the real on-commit transcription

# Transcribed, then analysed when escalation analysis is installed.
DONE = {"transcribed", "analysed"}
TRANSCRIPT = b"[0:00] Agent: Thank you for calling, how can I help?\n[0:04] Customer: My refund never arrived.\n"


@pytest.fixture
def client() -> APIClient:
    api = APIClient()
    api.force_authenticate(User.objects.create_user("qa", password="x"))
    return api


def upload(client: APIClient, name: str, content: bytes, **fields):
    return client.post("/api/calls/upload", {"file": SimpleUploadedFile(name, content), **fields}, format="multipart")


def test_upload_transcript_then_export(client):
    agent = AgentFactory()

    created = upload(client, "escalation.txt", TRANSCRIPT, agent=agent.pk)
    again = upload(client, "copy.txt", TRANSCRIPT)

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] in DONE and (body["utterance_count"], body["agent"]) == (2, agent.pk)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    text = client.get(f"/api/calls/{body['id']}/export", {"format": "txt"})
    assert text.status_code == 200 and text["Content-Type"].startswith("text/plain")
    assert (
        text.content.decode()
        == "[0:00] Agent: Thank you for calling, how can I help?\n[0:04] Customer: My refund never arrived.\n"
    )
    vtt = client.get(f"/api/calls/{body['id']}/export", {"format": "vtt"})
    assert vtt.content.decode().startswith("WEBVTT")
    assert client.get(f"/api/calls/{body['id']}/export", {"format": "pdf"}).status_code == 400


def test_upload_recording_shows_its_status(client, shared_data):
    response = upload(
        client,
        "stereo.wav",
        (shared_data / "audio" / "stereo_diarization.wav").read_bytes(),
        channel_roles="customer,agent",
    )

    assert response.status_code == 201
    status = client.get(f"/api/calls/{response.json()['id']}/status").json()
    assert status["status"] in DONE and status["channels"] == 2 and status["duration"] == "0:05"
    assert status["asr_engine"] == "faster-whisper" and status["asr_rtf"] > 1
    assert status["channel_roles"] == ["customer", "agent"]
    assert Utterance.objects.filter(channel=0, role="customer").exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.wav", b"", "empty"),
        ("fake.wav", b"not audio at all\n" * 50, "not audio"),
        ("notes.txt", "[0:01] Agent: d\xe9j\xe0".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_uploads_get_a_4xx_with_the_reason(client, name, content, reason):
    response = upload(client, name, content)

    assert response.status_code == 400
    assert reason in response.json()["error"]["message"]
    call = Call.objects.get()
    assert call.status == "failed" and reason in call.failure_reason
    assert not Utterance.objects.exists()


def test_upload_size_limit(client, settings):
    settings.DEESC_MAX_UPLOAD_BYTES = 100

    response = upload(client, "big.txt", TRANSCRIPT * 10)

    assert response.status_code == 413 and "limit" in response.json()["error"]["message"]
    assert not Call.objects.exists()


def test_status_needs_login_and_a_real_call(client):
    assert APIClient().get("/api/calls/1/status").status_code in (401, 403)
    assert client.get("/api/calls/999/status").status_code == 404


def test_admin_upload_form(shared_data):
    from django.test import Client

    browser = Client()
    browser.force_login(User.objects.create_superuser("admin", password="x"))

    page = browser.get("/admin/calls/call/upload/")
    posted = browser.post(
        "/admin/calls/call/upload/",
        {"file": SimpleUploadedFile("c.txt", TRANSCRIPT), "channel_roles": "agent,customer"},
    )
    bad = browser.post(
        "/admin/calls/call/upload/", {"file": SimpleUploadedFile("x.wav", b"nope" * 10), "channel_roles": ""}
    )

    assert page.status_code == 200
    call = Call.objects.get(original_name="c.txt")
    assert posted.status_code == 302 and posted["Location"].endswith(f"/admin/calls/call/{call.pk}/change/")
    assert bad.status_code == 200 and b"not audio" in bad.content
    change = browser.get(f"/admin/calls/call/{call.pk}/change/")
    assert change.status_code == 200 and b"My refund never arrived." in change.content
