"""LTI 1.3 claim names and the launch as a small data object: plain Python, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)


@dataclass(frozen=True)
class Launch:
    """What the rest of deesc needs from a validated launch."""

    issuer: str
    client_id: str
    deployment_id: str
    user_id: str
    name: str
    email: str
    message_type: str
    module_slug: str
    context_id: str
    lineitem: str
    ags_scopes: tuple[str, ...]
    is_instructor: bool

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Launch:
        aud = claims.get("aud")
        client_id = aud[0] if isinstance(aud, list) and aud else str(aud or "")
        custom = claims.get(CUSTOM) or {}
        ags = claims.get(AGS_ENDPOINT) or {}
        roles = claims.get(ROLES) or []
        return cls(
            issuer=str(claims.get("iss", "")),
            client_id=str(claims.get("azp") or client_id),
            deployment_id=str(claims.get(DEPLOYMENT_ID, "")),
            user_id=str(claims.get("sub", "")),
            name=str(claims.get("name") or claims.get("given_name") or ""),
            email=str(claims.get("email") or ""),
            message_type=str(claims.get(MESSAGE_TYPE, "")),
            module_slug=str(custom.get("module", "")),
            context_id=str((claims.get(CONTEXT) or {}).get("id", "")),
            lineitem=str(ags.get("lineitem") or ""),
            ags_scopes=tuple(ags.get("scope") or ()),
            is_instructor=any(role in INSTRUCTOR_ROLES for role in roles),
        )
