"""A small LTI Advantage platform for tests: a real HTTP server on 127.0.0.1 with an OAuth 2 token
endpoint that verifies the tool's signed client assertion against the tool's public key, and a line
item /scores endpoint that checks the bearer token and records each score."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt


@dataclass
class Platform:
    tool_public_pem: str = ""
    client_id: str = "deesc-tool"
    fail_scores_with: int | None = None  # answer every score POST with this status
    scores: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    server: ThreadingHTTPServer | None = None
    private_pem: str = ""
    public_pem: str = ""
    kid: str = "platform-key-1"

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def jwks(self) -> dict[str, Any]:
        from jwcrypto.jwk import JWK

        jwk = JWK.from_pem(self.public_pem.encode()).export_public(as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def id_token(self, claims: dict[str, Any], *, private_pem: str | None = None) -> str:
        """An id_token signed with the platform's key (or another key, to forge one)."""
        return jwt.encode(claims, private_pem or self.private_pem, algorithm="RS256", headers={"kid": self.kid})

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any] | None = None) -> None:
                raw = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path == "/jwks":
                    self._reply(200, platform.jwks())
                    return
                self._reply(404)

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path == "/token":
                    platform.token_requests += 1
                    form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    try:
                        claims = jwt.decode(
                            form.get("client_assertion", ""),
                            platform.tool_public_pem,
                            algorithms=["RS256"],
                            audience=platform.url + "/token",
                        )
                    except jwt.PyJWTError as exc:
                        self._reply(401, {"error": "invalid_client", "error_description": str(exc)})
                        return
                    if claims.get("iss") != platform.client_id or form.get("grant_type") != "client_credentials":
                        self._reply(400, {"error": "invalid_grant"})
                        return
                    token = secrets.token_hex(8)
                    platform.tokens.add(token)
                    self._reply(
                        200,
                        {
                            "access_token": token,
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "scope": form.get("scope", ""),
                        },
                    )
                    return
                if self.path.split("?", 1)[0].endswith("/scores"):
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if bearer not in platform.tokens:
                        self._reply(401, {"error": "bad token"})
                        return
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        self._reply(415, {"error": "wrong media type"})
                        return
                    if platform.fail_scores_with:
                        self._reply(platform.fail_scores_with, {"error": "refused"})
                        return
                    platform.scores.append({"path": self.path, **json.loads(raw)})
                    self._reply(200, {})
                    return
                self._reply(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
