"""The tool's RSA signing key: created on the server the first time it is needed, never committed."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from jwcrypto.jwk import JWK

from deesc_lms.lti.models import ToolKey


def _generate() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


@transaction.atomic
def tool_key_active() -> ToolKey:
    key = ToolKey.objects.select_for_update().filter(active=True).order_by("-created_at").first()
    if key is None:
        private_pem, public_pem = _generate()
        key = ToolKey.objects.create(kid=key_id(public_pem), private_pem=private_pem, public_pem=public_pem)
    return key


def key_id(public_pem: str) -> str:
    """The RFC 7638 thumbprint: the kid pylti1p3 puts in the JWTs it signs with this key."""
    return str(JWK.from_pem(public_pem.encode()).thumbprint())


def public_jwk(public_pem: str) -> dict[str, Any]:
    jwk: dict[str, Any] = JWK.from_pem(public_pem.encode()).export_public(as_dict=True)
    jwk.update({"kid": key_id(public_pem), "alg": "RS256", "use": "sig"})
    return jwk


def jwks() -> dict[str, Any]:
    """The tool's public keys, as platforms fetch them from /lti/jwks."""
    return {"keys": [public_jwk(key.public_pem) for key in ToolKey.objects.filter(active=True)]}
