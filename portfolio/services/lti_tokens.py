"""LTI 1.3 launches checked: the platform's id_token (a JWT signed RS256 with a key from the
platform's JWKS), and the tool's own key set.

Checked with PyJWT (signature, ``iss``, ``aud``, ``exp``, ``iat``, required claims) and here: the
nonce we sent, ``azp`` when several audiences are named, one of the platform's deployment ids,
the message type ``LtiResourceLinkRequest`` and LTI version 1.3.0. Any failure is a
:class:`~portfolio.services.lti.LaunchRefused` in plain words."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key

from portfolio.models import LtiPlatform
from portfolio.services.lti import LaunchRefused

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
STAFF_ROLES = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor"})
LEEWAY_SECONDS = 60  # clocks of the platform and the tool may differ a little
MAX_AHEAD_SECONDS = (
    86_400  # a launch claiming a longer life is refused (and a year past 9999 is no 500)
)
JWKS_MAX_BYTES = 1_000_000
JWKS_TTL_SECONDS = 300
# a key id not in the kept set fetches the set again, but not more often than this: tokens with
# made-up key ids must not turn the tool into a stream of requests at the platform
JWKS_REFETCH_SECONDS = 30
TOOL_KEY_FILE = "lti-tool-key.pem"


@dataclass(frozen=True)
class Launch:
    """What a checked launch says: who (issuer and subject), their e-mail, and their role."""

    issuer: str
    subject: str
    email: str | None
    name: str
    deployment_id: str
    expires_at: datetime
    staff: bool
    learner: bool
    context_title: str


def _roles(claims: dict[str, Any]) -> tuple[bool, bool]:
    """(staff, learner) from the LTI roles: context roles (membership), short names too."""
    staff = learner = False
    for role in claims.get(CLAIM + "roles") or []:
        if not isinstance(role, str):
            continue
        short = role.removeprefix(MEMBERSHIP).split("#")[-1].split("/")[-1]
        in_context = role.startswith(MEMBERSHIP) or "#" not in role and "/" not in role
        if role.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"):
            staff = True  # sub-roles of Instructor (TeachingAssistant, Grader…)
        elif in_context and short in STAFF_ROLES:
            staff = True
        elif in_context and short == "Learner":
            learner = True
    return staff, learner


def read_launch(
    token: str, *, platform: LtiPlatform, nonce: str, keys: KeySets, now: float | None = None
) -> Launch:
    """The launch an id_token carries, once every check has passed."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise LaunchRefused("The launch did not carry a readable token from your VLE.") from None
    if header.get("alg") != "RS256":
        raise LaunchRefused("The launch was not signed the way LTI 1.3 requires (RS256).")
    key = keys.key(platform.jwks_url, str(header.get("kid") or ""))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused(
            "The launch has expired. Go back to your course and open the link again."
        ) from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused("The launch's signature does not match your VLE's keys.") from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused("The launch was meant for another tool (wrong audience).") from None
    except jwt.InvalidIssuerError:
        raise LaunchRefused("The launch came from another VLE than the one it named.") from None
    except jwt.PyJWTError as exc:
        raise LaunchRefused(f"The launch could not be checked: {exc}.") from None
    return _launch(claims, platform=platform, nonce=nonce)


def _launch(claims: dict[str, Any], *, platform: LtiPlatform, nonce: str) -> Launch:
    if int(claims["exp"]) > time.time() + MAX_AHEAD_SECONDS:  # a VLE's launch lives minutes
        raise LaunchRefused(
            "The launch says it stays valid for more than a day, which no VLE's launch does. "
            "Go back to your course and open the link again."
        )
    if not isinstance(claims.get("nonce"), str) or not _same(claims["nonce"], nonce):
        raise LaunchRefused(
            "The launch does not belong to this log-in (the nonce differs). Go back to your "
            "course and open the link again."
        )
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != platform.client_id:
        raise LaunchRefused("The launch was meant for another tool (wrong audience).")
    if claims.get(CLAIM + "message_type") != "LtiResourceLinkRequest":
        raise LaunchRefused("Only course links can be launched here (not this kind of message).")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchRefused("Only LTI 1.3 launches are accepted.")
    deployment = claims.get(CLAIM + "deployment_id")
    if not isinstance(deployment, str) or deployment not in platform.deployments:
        raise LaunchRefused(
            "This deployment of the tool in your VLE is not registered here. Ask your centre's "
            "administrator to add its deployment id."
        )
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise LaunchRefused("The launch did not say who you are (no subject).")
    email = claims.get("email")
    staff, learner = _roles(claims)
    context = claims.get(CLAIM + "context") or {}
    return Launch(
        issuer=platform.issuer,
        subject=subject,
        email=email if isinstance(email, str) else None,
        name=str(claims.get("name") or ""),
        deployment_id=deployment,
        expires_at=datetime.fromtimestamp(int(claims["exp"]) + LEEWAY_SECONDS, tz=UTC),
        staff=staff,
        learner=learner,
        context_title=str(context.get("title") or "") if isinstance(context, dict) else "",
    )


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# ---------------------------------------------------------------- the platforms' keys


def fetch_json(url: str) -> dict[str, Any]:
    """A JSON document from ``url`` (a platform's JWKS), read with a timeout and a size cap."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - https, or local
        body = answer.read(JWKS_MAX_BYTES + 1)
    if len(body) > JWKS_MAX_BYTES:
        raise ValueError("key set too large")
    try:
        found = json.loads(body)
    except RecursionError:  # thousands of [ or {: Python's reader gives up
        raise ValueError("its arrays and objects are nested too deeply") from None
    if not isinstance(found, dict):
        raise ValueError("not a key set")
    return found


class KeySets:
    """The platforms' public keys, fetched from their JWKS URLs and kept a few minutes; a key id
    not in the kept set makes one fresh fetch (the platform rotated its keys), at most once every
    :data:`JWKS_REFETCH_SECONDS`."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]] = fetch_json) -> None:
        self._fetch = fetch
        self._kept: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _get(self, url: str, *, fresh: bool) -> dict[str, Any]:
        with self._lock:
            kept = self._kept.get(url)
        if kept is not None:
            age = time.monotonic() - kept[0]
            if age < (JWKS_REFETCH_SECONDS if fresh else JWKS_TTL_SECONDS):
                return kept[1]
        try:
            found = self._fetch(url)
        except (OSError, ValueError) as exc:
            raise LaunchRefused(
                f"Your VLE's public keys could not be read ({exc}). Try again in a moment."
            ) from None
        with self._lock:
            self._kept[url] = (time.monotonic(), found)
        return found

    def key(self, url: str, kid: str) -> Any:
        for fresh in (False, True):
            for jwk in self._get(url, fresh=fresh).get("keys") or []:
                if isinstance(jwk, dict) and (not kid or jwk.get("kid") == kid):
                    try:
                        return jwt.PyJWK(jwk, algorithm="RS256").key
                    except jwt.PyJWTError:
                        continue
        raise LaunchRefused("The launch's signature does not match your VLE's keys.")


# ---------------------------------------------------------------- the tool's own key


def tool_key(path: Path) -> RSAPrivateKey:
    """The tool's RSA key (for signing requests to a platform's services), made on first use
    in the instance folder with mode 0600 and never overwritten."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = generate_private_key(public_exponent=65537, key_size=2048)
        pem = made.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made meanwhile by another process: theirs is kept
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA key")
    return key


def tool_jwks(path: Path) -> dict[str, Any]:
    """The tool's public key set (what a platform's "Public keyset URL" points at)."""
    public = tool_key(path).public_key()
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    members = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    # RFC 7638 thumbprint: the required members in order, no spaces, SHA-256, base64url
    thumbprint = jwt.utils.base64url_encode(hashlib.sha256(members.encode()).digest()).decode()
    jwk.update({"kid": thumbprint, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}
