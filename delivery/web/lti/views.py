"""The LTI 1.3 tool: a VLE course link opens the learner's or assessor's portfolio.

The OpenID Connect third-party-initiated log-in (LTI 1.3 core, section 5.1.1):

1. ``/lti/login``: the platform names itself (``iss``, ``client_id``) and the person
   (``login_hint``). We answer with a redirect to the platform's authorisation endpoint carrying a
   fresh ``state`` and ``nonce``; the browser gets a short-lived cookie, signed with the secret key,
   that ties this state to its nonce and the platform.
2. ``/lti/launch``: the platform posts back a signed ``id_token`` with the ``state``. The cookie
   must be there (the launch belongs to this browser), the token must pass every check
   (:func:`portfolio.services.lti_tokens.read_launch`), its nonce is used once, and an existing
   account is found (:mod:`portfolio.services.lti`). Then the normal server-side log-in session
   begins (:func:`delivery.web.auth.log_in`) and the browser goes to the person's page.

The launch arrives as a cross-site POST, on which browsers do not send ``SameSite=Lax`` cookies:
the state cookie is therefore ``SameSite=None; Secure`` (https, or http://localhost), and lives for
ten minutes on the launch path only (in production, named ``__Host-``, on every path, as such a
cookie must be: no sibling subdomain can set it). The session cookie stays ``Lax``. Pages refuse to be framed
(``frame-ancestors 'none'``), so the VLE must open the tool in a new window (docs/lti.md)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from delivery.lti_urls import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, tool_urls
from delivery.web.auth import log_in
from delivery.web.context import db, extension
from delivery.web.cookies import host_only
from delivery.web.handler import page
from portfolio.models import LtiPlatform
from portfolio.services import lti
from portfolio.services.lti import LaunchRefused
from portfolio.services.lti_tokens import TOOL_KEY_FILE, KeySets, read_launch, tool_jwks

bp = Blueprint("lti", __name__)

STATE_COOKIE = "lti-state-"  # + the state: several launches in several tabs keep apart
STATE_SECONDS = 600
PAGES = {"home": "home.index", "caseload": "caseload.index"}


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-state")


def _keys() -> KeySets:
    found: KeySets = current_app.extensions.setdefault("lti_keys", KeySets())
    return found


def base_url() -> str:
    """The site's address: ``PORTFOLIO_BASE_URL`` when set, else the request's own."""
    return str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def site_tool_urls() -> dict[str, str]:
    return tool_urls(base_url())


def _refused(message: str) -> tuple[str, int]:
    """The page of a launch that logs no one in (403), saying why in plain words; the reason is
    logged too, for the administrator setting the VLE up."""
    current_app.logger.warning("LTI launch refused: %s", message)
    return render_template("lti/refused.html", message=message), 403


@bp.route(LOGIN_PATH, methods=["GET", "POST"])
@page(public=True)
def login() -> tuple[str, int] | Response:
    """Step 1: the platform starts the log-in; we send the browser to its authorisation page."""
    values = request.values
    issuer, hint = values.get("iss", ""), values.get("login_hint", "")
    if not issuer or not hint:
        return _refused("Your VLE's request was incomplete (no issuer or login hint).")
    try:
        platform = lti.find_platform(db(), issuer=issuer, client_id=values.get("client_id"))
    except LaunchRefused as exc:
        return _refused(str(exc))
    deployment = values.get("lti_deployment_id")
    if deployment and deployment not in platform.deployments:
        return _refused(
            "This deployment of the tool in your VLE is not registered here. Ask your centre's "
            "administrator to add its deployment id."
        )
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": base_url() + LAUNCH_PATH,
        "login_hint": hint,
        "state": state,
        "nonce": nonce,
    }
    if values.get("lti_message_hint"):
        params["lti_message_hint"] = values["lti_message_hint"]
    joiner = "&" if "?" in platform.auth_login_url else "?"
    response = redirect(platform.auth_login_url + joiner + urlencode(params))
    name, path = _state_cookie(state)
    response.set_cookie(
        name,
        _signer().dumps({"n": nonce, "p": platform.id}),
        max_age=STATE_SECONDS,
        path=path,
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


@bp.route(LAUNCH_PATH, methods=["POST"])
@page(public=True)
def launch() -> tuple[str, int] | Response:
    """Step 2: the platform posts the signed id_token; the person is logged in and sent on."""
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    form = request.form
    if form.get("error"):
        why = form.get("error_description") or form["error"]
        return _refused(f"Your VLE did not complete the launch: {why}.")
    state, token = form.get("state", ""), form.get("id_token", "")
    if not state or not token:
        return _refused("The launch was incomplete (no state or no token).")
    stored = _state(state)
    if stored is None:
        return _refused(
            "This browser did not start this launch, or started it more than ten minutes ago "
            "(its launch cookie is missing or expired). Go back to your course and open the link "
            "again; if it keeps happening, set the tool to open in a new window."
        )
    try:
        person, where = _check(token, stored)
    except LaunchRefused as exc:
        return _refused(str(exc))
    log_in(person)
    flash(f"Welcome, {person.name}: opened from your VLE.", "info")
    # an IQA who assesses no one sees the caseload of the learners they quality-assure
    args: dict[str, Any] = {"role": "iqa"} if where.role == "iqa" else {}
    response = redirect(url_for(PAGES[where.page], **args), 303)
    name, path = _state_cookie(state)
    response.delete_cookie(name, path=path, secure=True, httponly=True, samesite="None")
    return response


def _state_cookie(state: str) -> tuple[str, str]:
    """The name and path of the state cookie of ``state``: on the launch path only, but in
    production named ``__Host-``, which a browser keeps only on ``Path=/`` (without Domain)."""
    plain = STATE_COOKIE + state
    name = host_only(plain)
    return name, LAUNCH_PATH if name == plain else "/"


def _state(state: str) -> dict[str, Any] | None:
    raw = request.cookies.get(_state_cookie(state)[0])
    if raw is None:
        return None
    try:
        found = _signer().loads(raw, max_age=STATE_SECONDS)
    except BadSignature:
        return None
    return found if isinstance(found, dict) and "n" in found and "p" in found else None


def _registered(platform_id: int) -> LtiPlatform:
    """The platform, read in a short session of its own and closed again: fetching its keys
    over the network must not hold the database's write lock (SQLite: the whole database)."""
    with extension().session_factory() as session:
        platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise LaunchRefused("This VLE is no longer registered here.")
    return platform


def _check(token: str, stored: dict[str, Any]) -> tuple[Any, lti.Destination]:
    platform = _registered(int(stored["p"]))
    found = read_launch(token, platform=platform, nonce=str(stored["n"]), keys=_keys())
    session = db()  # the request's one write transaction begins here, once the token is good
    try:
        person, new = lti.person_for_launch(
            session,
            issuer=found.issuer,
            subject=found.subject,
            email=found.email,
            email_links=platform.email_links,
        )
        where = lti.destination(person, staff=found.staff, learner=found.learner)
    except LaunchRefused as exc:  # what an administrator needs to link this person
        current_app.logger.warning(
            "LTI launch of %s subject %s not matched to an account",
            platform.name,
            found.subject,
        )
        raise LaunchRefused(f"{exc} Your user id in {platform.name}: {found.subject}.") from None
    lti.use_nonce(session, issuer=found.issuer, nonce=str(stored["n"]), expires_at=found.expires_at)
    lti.link(
        session,
        person=person,
        issuer=found.issuer,
        subject=found.subject,
        platform=platform.name,
        new=new,
    )
    return person, where


@bp.route(JWKS_PATH)
@page(public=True)
def jwks() -> Response:
    """The tool's public key set (for the platform's "Public keyset URL")."""
    response = jsonify(tool_jwks(Path(current_app.instance_path) / TOOL_KEY_FILE))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
