"""Open Badges: the learner's downloads, and what anyone may check without logging in.

Public (no log-in): the verification page of a badge by its address, the page where a badge
file is pasted to be checked, the centre's key set at ``/.well-known/jwks.json``, its issuer
profile, the achievements badges name, and the revocation status lists. The learner and the
staff who may see their portfolio download the badge itself (.jwt) and its JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Blueprint, current_app, make_response, render_template, request
from werkzeug.wrappers import Response
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from delivery.web.context import actor, db
from delivery.web.forms import PageForm
from delivery.web.handler import page
from exports.badges import credential as vc
from exports.badges import issue as badges
from exports.badges import jose
from exports.badges.verify import Verdict, verify_id, verify_token
from portfolio.services.keys import ensure_key

bp = Blueprint("badges", __name__)


class VerifyForm(PageForm):
    token = TextAreaField(
        "The badge (the text of the .jwt file)",
        validators=[
            DataRequired(message="Paste the text of the badge file."),
            Length(max=200_000, message="A badge is far shorter than this."),
        ],
    )
    check = SubmitField("Check this badge")


def signing_key() -> Ed25519PrivateKey:
    """The centre's Ed25519 key (``SIGNING_KEY``), made once when there is none."""
    key, _made = ensure_key(Path(current_app.config["SIGNING_KEY"]))
    return key


def site() -> badges.Site:
    """This site as badges name it: ``BASE_URL`` when set, else the address asked for."""
    base = current_app.config.get("BASE_URL") or request.url_root
    return badges.Site(
        base_url=str(base).rstrip("/"), centre_name=str(current_app.config["CENTRE_NAME"])
    )


def _keys() -> dict[str, Any]:
    return jose.key_set(signing_key().public_key())


def _json(data: dict[str, Any], mimetype: str = "application/json") -> Response:
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    response.mimetype = mimetype
    response.headers["Access-Control-Allow-Origin"] = "*"  # for verifiers in a browser
    return response


@bp.route("/.well-known/jwks.json")
@page(public=True)
def jwks() -> Response:
    return _json(_keys(), "application/jwk-set+json")


@bp.route("/badges/issuer")
@page(public=True)
def issuer() -> Response:
    return _json({"@context": vc.CONTEXT, **vc.issuer_profile(site().issuer)})


@bp.route("/badges/achievements/<int:standard_id>")
@page(public=True)
def achievement(standard_id: int) -> Response:
    found = badges.achievement_of(db(), standard_id=standard_id, site=site())
    return _json({"@context": vc.CONTEXT, **found})


@bp.route("/badges/status/<int:number>")
@page(public=True)
def status_list(number: int) -> Response:
    token = badges.status_list_token(db(), number=number, key=signing_key(), site=site())
    response = make_response(token)
    response.mimetype = "application/vc+jwt"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _verdict_page(verdict: Verdict | None, form: VerifyForm, status: int = 200) -> tuple[str, int]:
    html = render_template("badges/verify.html", verdict=verdict, form=form)
    return html, status


@bp.route("/badges/verify", methods=["GET", "POST"])
@page(public=True)
def verify() -> tuple[str, int]:
    form = VerifyForm()
    if not form.validate_on_submit():
        return _verdict_page(None, form, 422 if form.is_submitted() else 200)
    return _verdict_page(verify_token(db(), form.token.data or "", _keys()), form)


@bp.route("/badges/<credential_uuid>")
@page(public=True)
def show(credential_uuid: str) -> tuple[str, int]:
    verdict = verify_id(db(), credential_uuid, _keys())
    return _verdict_page(verdict, VerifyForm(formdata=None))


@bp.route("/badges/<credential_uuid>/badge.jwt")
@page()
def download_jwt(credential_uuid: str) -> Response:
    badge = badges.badge_to_download(db(), actor=actor(), credential_uuid=credential_uuid)
    response = make_response(badge.token)
    response.mimetype = "application/vc+jwt"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="badge-{badge.credential_uuid}.jwt"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/badges/<credential_uuid>/badge.json")
@page()
def download_json(credential_uuid: str) -> Response:
    badge = badges.badge_to_download(db(), actor=actor(), credential_uuid=credential_uuid)
    stored = jose.unverified(badge.token)
    response = _json(jose.credential_of(stored.claims))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
