"""A VLE simulated for the LTI tests: its own RSA keys, its JWKS served over real HTTP on
loopback, and the id_tokens it would post back after the OIDC log-in."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)


def new_key() -> RSAPrivateKey:
    return generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Platform:
    """A Moodle site as the tool sees it."""

    key: RSAPrivateKey
    jwks_url: str = ""
    kid: str = "moodle-key-1"
    issuer: str = "https://moodle.test"
    client_id: str = "tool-client-1"
    deployment: str = "1"
    auth_login_url: str = "https://moodle.test/mod/lti/auth.php"
    token_url: str = "https://moodle.test/mod/lti/token.php"
    served: dict[str, Any] = field(default_factory=dict)  # the JWKS it publishes
    launcher: dict[str, Any] = field(default_factory=dict)  # who follows the course link

    def publish(self) -> None:
        """Serve the public half of the platform's key at its JWKS URL."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        self.served["keys"] = [jwk]

    def claims(self, *, nonce: str, sub: str, email: str | None, roles: list[str]) -> dict:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Someone",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment,
            CLAIM + "target_link_uri": "https://localhost/lti/launch",
            CLAIM + "resource_link": {"id": "42", "title": "My portfolio"},
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": "7", "title": "Supported employment, cohort 3"},
        }
        if email is not None:
            claims["email"] = email
        return claims

    def id_token(
        self,
        *,
        nonce: str,
        sub: str = "moodle-user-17",
        email: str | None = None,
        roles: list[str] | None = None,
        key: RSAPrivateKey | None = None,
        without: tuple[str, ...] = (),
        **changes: Any,
    ) -> str:
        """The token the platform posts to the tool's launch URL; ``changes`` override claims
        (``lti_x`` is the LTI claim ``x``), ``without`` leaves claims out; ``key`` signs with
        another key under the same key id."""
        claims = self.claims(nonce=nonce, sub=sub, email=email, roles=roles or [LEARNER])
        for name, value in changes.items():
            claims[CLAIM + name[len("lti_") :] if name.startswith("lti_") else name] = value
        for name in without:
            claims.pop(name, None)
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@contextmanager
def serving(platform: Platform) -> Iterator[Platform]:
    """The platform's JWKS on a real HTTP server on loopback, for as long as the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            body = json.dumps(platform.served).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    platform.jwks_url = f"http://127.0.0.1:{server.server_address[1]}/jwks"
    platform.publish()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
