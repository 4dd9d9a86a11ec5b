"""``/api/v1/evidence/{id}/witness``: asking the witness of a testimony to confirm it, as the
item's page does (:mod:`delivery.web.evidence.witness_asking`: the same service, refusals and
audit entry, the link on ``PORTFOLIO_BASE_URL`` and the e-mail sent through the outbox once the
request has committed). The link's secret is e-mailed to the witness, never answered here."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v

from delivery.web.api import problems
from delivery.web.api.handler import api_actor, operation
from delivery.web.api.schemas import Strict
from delivery.web.context import db
from delivery.web.evidence import witness_asking
from portfolio.services import witness

bp = Blueprint("api_witness", __name__, url_prefix="/api/v1",
               description="Witnesses asked to confirm their testimonies.")  # fmt: skip
problems.on(bp)


class WitnessRequestIn(Strict):
    email = f.String(
        required=True,
        validate=v.Length(min=1, max=320, error="Give the witness's e-mail address (at most "
                                                "320 characters)."),
        metadata={"description": "The witness's e-mail address: the link is sent there."},
    )  # fmt: skip


class WitnessRequestOut(ma.Schema):
    id = f.Integer(required=True, metadata={"description": "The request's id."})
    evidence_id = f.Integer(required=True)
    witness_email = f.String(required=True)
    version = f.Integer(
        required=True, metadata={"description": "The submitted version the witness will see."}
    )
    version_sha256 = f.String(required=True)
    requested_at = f.DateTime(required=True)
    expires_at = f.DateTime(
        required=True,
        metadata={"description": f"The link works once, until then ({witness.LIFETIME.days} "
                                 "days)."},
    )  # fmt: skip
    replaced = f.List(
        f.Integer(), required=True,
        metadata={"description": "The earlier requests, not answered, whose links this one "
                                 "made stop working."},
    )  # fmt: skip
    detail = f.String(
        required=True, metadata={"description": "What the page says once the witness is asked."}
    )


@bp.route("/evidence/<int:evidence_id>/witness", methods=["POST"])
@operation("evidence")
@bp.arguments(WitnessRequestIn)
@bp.response(201, WitnessRequestOut)
def ask_witness(args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Ask the witness to confirm a testimony

    The learner who owns the witness testimony, or their assessor, gives the witness's e-mail
    address; the witness is e-mailed a link (single use, for 14 days) to a page showing the
    latest submitted version, where they answer whether it is accurate. Earlier links not
    answered stop working. Refused in words (422, nothing written or sent) for another kind of
    evidence, one never submitted, a version the witness already confirmed, an erased item or
    learner, an address that is not one, and where the site sends no e-mail or has no address
    for the link (`PORTFOLIO_BASE_URL`, in production); an IQA or EQA reading the item: 403."""
    actor = api_actor()
    witness.may_ask(db(), actor=actor, evidence_id=evidence_id)  # who asks, before anything
    sent = witness_asking.ask(db(), actor=actor, evidence_id=evidence_id, email=args["email"])
    row = sent.asked.row
    return {
        "id": row.id, "evidence_id": row.evidence_id, "witness_email": row.witness_email,
        "version": row.version_number, "version_sha256": row.version_sha256,
        "requested_at": row.requested_at, "expires_at": row.expires_at,
        "replaced": sent.asked.replaced, "detail": sent.words,
    }  # fmt: skip
