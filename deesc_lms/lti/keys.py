"""The tool's RSA signing key: created on the server the first time it is needed, never committed."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from jwt.algorithms import RSAAlgorithm

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
        key = ToolKey.objects.create(kid=uuid.uuid4().hex, private_pem=private_pem, public_pem=public_pem)
    return key


def jwks() -> dict[str, Any]:
    keys = []
    for key in ToolKey.objects.filter(active=True):
        jwk = json.loads(RSAAlgorithm.to_jwk(_load_public(key.public_pem)))
        jwk.update({"kid": key.kid, "alg": "RS256", "use": "sig"})
        keys.append(jwk)
    return {"keys": keys}


def _load_public(pem: str) -> Any:
    return serialization.load_pem_public_key(pem.encode())
