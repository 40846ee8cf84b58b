"""LTI 1.3 launch, deep linking and grade passback, between a live deesc server and a platform that
signs real JWTs with its own RSA key and serves its JWKS over HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from deesc_lms.lti import claims
from deesc_lms.lti.keys import tool_key_active
from deesc_lms.lti.models import GradeDelivery, Registration
from scenarios.models import Attempt
from tests.lti.platform import Platform
from tests.packaging.test_export import _module

pytestmark = pytest.mark.django_db(transaction=True)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@pytest.fixture
def platform() -> Iterator[Platform]:
    p = Platform(client_id="moodle-client-1").start()
    yield p
    p.stop()


@pytest.fixture
def registration(platform: Platform, live_server, settings) -> Registration:
    settings.DEESC_PUBLIC_URL = live_server.url
    platform.tool_public_pem = tool_key_active().public_pem
    return Registration.objects.create(
        name="Moodle",
        issuer=platform.url,
        client_id=platform.client_id,
        auth_login_url=platform.url + "/auth",
        auth_token_url=platform.url + "/token",
        key_set_url=platform.url + "/jwks",
        deployment_ids=["dep-1"],
    )


def _login(http: requests.Session, server: str, platform: Platform, target: str) -> dict[str, str]:
    response = http.post(
        f"{server}/lti/login",
        data={
            "iss": platform.url,
            "login_hint": "u-42",
            "target_link_uri": target,
            "client_id": platform.client_id,
            "lti_message_hint": "x",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    location = response.headers["Location"]
    assert location.startswith(platform.url + "/auth")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _claims(platform: Platform, auth: dict[str, str], message_type: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": platform.url,
        "aud": platform.client_id,
        "sub": "u-42",
        "iat": now,
        "exp": now + 300,
        "nonce": auth["nonce"],
        "name": "Sam Rivera",
        "email": "sam@example.com",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        claims.MESSAGE_TYPE: message_type,
        claims.DEPLOYMENT_ID: "dep-1",
        claims.ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        claims.TARGET_LINK_URI: auth["redirect_uri"],
        **extra,
    }


def _resource_link_claims(platform: Platform, auth: dict[str, str], slug: str) -> dict[str, Any]:
    return _claims(
        platform,
        auth,
        "LtiResourceLinkRequest",
        **{
            claims.RESOURCE_LINK: {"id": "rl-1"},
            claims.CUSTOM: {"module": slug},
            claims.CONTEXT: {"id": "course-7"},
            claims.AGS_ENDPOINT: {"scope": [SCORE_SCOPE], "lineitem": platform.url + "/lineitems/9/lineitem"},
        },
    )


def test_launch_practice_and_the_score_reaches_the_gradebook(live_server, platform: Platform, registration) -> None:
    from rubrics.services import rubrics_load_defaults

    rubrics_load_defaults()
    module = _module()
    http = requests.Session()
    auth = _login(http, live_server.url, platform, f"{live_server.url}/lti/launch")
    token = platform.id_token(_resource_link_claims(platform, auth, module.slug))
    launched = http.post(
        f"{live_server.url}/lti/launch",
        data={"state": auth["state"], "id_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert launched.status_code == 302, launched.text[:800]
    assert launched.headers["Location"].endswith(f"/modules/{module.slug}/")
    page = http.get(live_server.url + launched.headers["Location"], timeout=30)
    assert page.status_code == 200 and module.title in page.text

    drill_url = f"{live_server.url}/modules/{module.slug}/drills/6/"
    form = http.get(drill_url, timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = (
        "I can hear how frustrating it is to call three times about the same charge — let me fix the $40 "
        "double charge now, and you'll see the refund by Friday."
    )
    posted = http.post(
        drill_url,
        data={"csrfmiddlewaretoken": csrf.group(1), "text": answer},
        headers={"Referer": drill_url},
        allow_redirects=False,
        timeout=60,
    )
    assert posted.status_code == 302, posted.text[:500]
    attempt = Attempt.objects.get()
    assert attempt.channel == Attempt.Channel.LTI and attempt.agent is not None and attempt.agent.name == "Sam Rivera"
    result = http.get(f"{live_server.url}/api/attempts/{attempt.pk}", timeout=30).json()
    assert result["grade"]["passed"] is True
    delivery = GradeDelivery.objects.get()
    assert delivery.status == GradeDelivery.Status.SENT
    assert platform.scores[0]["userId"] == "u-42"
    assert platform.scores[0]["scoreGiven"] == pytest.approx(result["grade"]["score"], abs=0.01)


def test_forged_id_token_is_refused_and_creates_nobody(live_server, platform: Platform, registration) -> None:
    from django.contrib.auth import get_user_model

    from deesc_lms.lti.keys import _generate

    module = _module()
    http = requests.Session()
    auth = _login(http, live_server.url, platform, f"{live_server.url}/lti/launch")
    forged = platform.id_token(_resource_link_claims(platform, auth, module.slug), private_pem=_generate()[0])
    response = http.post(
        f"{live_server.url}/lti/launch",
        data={"state": auth["state"], "id_token": forged},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 401
    assert "Launch refused" in response.text
    assert not get_user_model().objects.filter(username__startswith="lti-").exists()


def test_replayed_launch_and_wrong_state_are_refused(live_server, platform: Platform, registration) -> None:
    module = _module()
    http = requests.Session()
    auth = _login(http, live_server.url, platform, f"{live_server.url}/lti/launch")
    token = platform.id_token(_resource_link_claims(platform, auth, module.slug))
    wrong_state = http.post(
        f"{live_server.url}/lti/launch",
        data={"state": "not-the-state", "id_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert wrong_state.status_code == 401
    other_browser = requests.Session()  # no state cookie, as a token stolen and replayed elsewhere
    replay = other_browser.post(
        f"{live_server.url}/lti/launch",
        data={"state": auth["state"], "id_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert replay.status_code == 401


def test_unknown_platform_cannot_start_a_login(live_server, platform: Platform, registration) -> None:
    response = requests.post(
        f"{live_server.url}/lti/login",
        data={
            "iss": "https://evil.example",
            "login_hint": "x",
            "target_link_uri": f"{live_server.url}/lti/launch",
            "client_id": "nope",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 400


def test_deep_linking_returns_a_signed_link_to_the_chosen_module(live_server, platform: Platform, registration) -> None:
    module = _module()
    http = requests.Session()
    auth = _login(http, live_server.url, platform, f"{live_server.url}/lti/launch")
    settings_claim = {
        "deep_link_return_url": platform.url + "/deep_link_return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-42",
    }
    token = platform.id_token(
        _claims(platform, auth, "LtiDeepLinkingRequest", **{claims.DEEP_LINKING_SETTINGS: settings_claim})
    )
    picker = http.post(f"{live_server.url}/lti/launch", data={"state": auth["state"], "id_token": token}, timeout=30)
    assert picker.status_code == 200 and module.title in picker.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', picker.text)
    assert csrf is not None
    answer = http.post(
        f"{live_server.url}/lti/deep-link",
        data={"csrfmiddlewaretoken": csrf.group(1), "module": module.slug},
        headers={"Referer": f"{live_server.url}/lti/launch"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert platform.url + "/deep_link_return" in answer.text
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', answer.text)
    assert jwt_value is not None
    tool_keys = jwt.PyJWKClient(f"{live_server.url}/lti/jwks")
    signing_key = tool_keys.get_signing_key_from_jwt(jwt_value.group(1))
    message = jwt.decode(jwt_value.group(1), signing_key.key, algorithms=["RS256"], audience=platform.url)
    assert message["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"
    items = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["custom"] == {"module": module.slug}
    assert items[0]["lineItem"]["scoreMaximum"] == 100


def test_tool_configuration_and_jwks_are_public(live_server, settings) -> None:
    settings.DEESC_PUBLIC_URL = live_server.url
    config = requests.get(f"{live_server.url}/lti/config", timeout=30).json()
    assert config["oidc_initiation_url"].endswith("/lti/login")
    keys = requests.get(config["public_jwk_url"], timeout=30).json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and "d" not in keys[0]
