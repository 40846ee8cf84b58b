"""LTI Advantage Assignment and Grade Services client: plain Python, no Django.

Gets an OAuth 2 access token with a JWT client assertion signed by the tool's key
(client_credentials grant, RFC 7523) and posts a score to a line item's /scores endpoint.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
import requests

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
TIMEOUT_S = 15


class AgsError(Exception):
    """The platform refused or could not be reached; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class ToolIdentity:
    client_id: str
    token_url: str
    private_pem: str
    kid: str
    audience: str = ""  # the platform's token audience; defaults to the token URL


def client_assertion(identity: ToolIdentity) -> str:
    now = int(time.time())
    claims = {
        "iss": identity.client_id,
        "sub": identity.client_id,
        "aud": identity.audience or identity.token_url,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, identity.private_pem, algorithm="RS256", headers={"kid": identity.kid})


def access_token(identity: ToolIdentity, scopes: list[str], session: requests.Session | None = None) -> str:
    http = session or requests.Session()
    try:
        response = http.post(
            identity.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": client_assertion(identity),
                "scope": " ".join(scopes),
            },
            timeout=TIMEOUT_S,
        )
    except requests.RequestException as exc:
        raise AgsError(f"token endpoint unreachable: {exc}", retryable=True) from exc
    if response.status_code != 200:
        raise AgsError(
            f"token endpoint answered {response.status_code}: {response.text[:200]}",
            retryable=response.status_code >= 500 or response.status_code == 429,
        )
    token = response.json().get("access_token")
    if not token:
        raise AgsError("token endpoint answered without an access_token", retryable=False)
    return str(token)


def scores_url(lineitem_url: str) -> str:
    """The line item URL with /scores appended to its path (a query string stays where it is)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def post_score(
    identity: ToolIdentity, lineitem_url: str, score: dict[str, Any], session: requests.Session | None = None
) -> None:
    http = session or requests.Session()
    token = access_token(identity, [SCORE_SCOPE], http)
    try:
        response = http.post(
            scores_url(lineitem_url),
            json=score,
            headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
            timeout=TIMEOUT_S,
        )
    except requests.RequestException as exc:
        raise AgsError(f"score endpoint unreachable: {exc}", retryable=True) from exc
    if response.status_code not in (200, 201, 202, 204):
        raise AgsError(
            f"score endpoint answered {response.status_code}: {response.text[:200]}",
            retryable=response.status_code >= 500 or response.status_code == 429,
        )


def score_payload(*, user_id: str, score: float, passed: bool, comment: str, timestamp: str) -> dict[str, Any]:
    return {
        "userId": user_id,
        "scoreGiven": round(score, 2),
        "scoreMaximum": 100,
        "comment": comment[:1000],
        "timestamp": timestamp,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
