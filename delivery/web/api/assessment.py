"""Claims and decisions (the learner and their assessor map evidence to criteria; the assessor
decides), coverage, and sign-off records with their documents: each read by whoever may see the
learner's portfolio, as on the pages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, send_file
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v
from sqlmodel import col, select
from werkzeug.wrappers import Response

from delivery.web.api import problems
from delivery.web.api.handler import api_actor, operation
from delivery.web.api.schemas import IDS, MAX_ID, Strict
from delivery.web.context import db
from delivery.web.words import centre_zone
from exports.downloads import learner_downloads, signoff_for_download
from exports.signoff import build_signoff_docx
from exports.signoff_view import document_name, signoff_view
from mappings.assessment import claims
from mappings.assessment.coverage_report import coverage_report
from mappings.assessment.models import Claim, SignOffEvidence
from portfolio.models import Criterion, EvidenceVersion, Registration, Standard
from portfolio.services import access
from portfolio.services import evidence as evidence_service

bp = Blueprint("api_assessment", __name__, url_prefix="/api/v1",
               description="Claims, decisions, coverage and sign-offs.")  # fmt: skip
problems.on(bp)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ClaimOut(ma.Schema):
    id = f.Integer(required=True)
    criterion_id = f.Integer(required=True)
    standard = f.String(required=True)
    criterion = f.String(required=True)
    status = f.String(required=True, metadata={"description": "claimed, accepted or referred"})
    method = f.String(allow_none=True, required=True)
    decided_at = f.DateTime(allow_none=True, required=True)
    revision = f.Integer(required=True, metadata={"description": "Send it back when deciding."})


class ClaimList(ma.Schema):
    items = f.List(f.Nested(ClaimOut), required=True)


class SetClaims(Strict):
    criterion_ids = f.List(f.Integer(validate=IDS), required=True,
                           validate=v.Length(max=500))  # fmt: skip


class DecisionIn(Strict):
    decision = f.String(required=True, validate=v.OneOf(claims.DECISIONS))
    method = f.String(required=True, validate=v.Length(min=1, max=16))
    feedback = f.String(load_default="", validate=v.Length(max=20_000))
    revision = f.Integer(required=True, validate=v.Range(min=0, max=MAX_ID))


class DecisionOut(ma.Schema):
    id = f.Integer(required=True)
    claim_id = f.Integer(required=True)
    old_status = f.String(required=True)
    new_status = f.String(required=True)
    method = f.String(required=True)
    feedback = f.String(required=True)
    at = f.DateTime(required=True)


class Counts(ma.Schema):
    met = f.Integer(required=True)
    awaiting = f.Integer(required=True)
    referred = f.Integer(
        required=True,
        metadata={"description": "referred back; not those accepted but not counting"},
    )
    not_counting = f.Integer(
        required=True,
        metadata={"description": "accepted, but by a method (or of an age or date) that does "
                  "not count for the criterion"},
    )  # fmt: skip
    missing = f.Integer(required=True)
    total = f.Integer(required=True)


class CoverageEntry(ma.Schema):
    registration = f.Integer(required=True)
    framework = f.String(required=True)
    framework_version = f.String(required=True)
    standard = f.String(required=True)
    title = f.String(required=True)
    signed_off = f.Boolean(required=True)
    signed_off_at = f.String(allow_none=True, required=True)
    counts = f.Nested(Counts, required=True)


class CoverageOut(ma.Schema):
    learner_id = f.Integer(required=True)
    standards = f.List(f.Nested(CoverageEntry), required=True)


class SignoffOut(ma.Schema):
    id = f.Integer(required=True)
    standard = f.String(required=True)
    title = f.String(required=True)
    document_id = f.String(required=True)
    signed_at = f.DateTime(required=True)
    status = f.String(required=True, metadata={"description": "signed or reopened"})


class FrozenVersion(ma.Schema):
    evidence_id = f.Integer(required=True)
    number = f.Integer(required=True)
    sha256 = f.String(required=True)


class SignoffRecord(SignoffOut):
    learner_id = f.Integer(required=True)
    registration_id = f.Integer(required=True)
    assessor_id = f.Integer(required=True)
    summary = f.String(required=True)
    feedback = f.String(required=True)
    learner_declared_at = f.DateTime(required=True)
    assessor_declared_at = f.DateTime(required=True)
    evidence_set_sha256 = f.String(required=True)
    evidence = f.List(f.Nested(FrozenVersion), required=True)


class SignoffList(ma.Schema):
    items = f.List(f.Nested(SignoffOut), required=True)


def _claims(evidence_id: int) -> dict[str, Any]:
    actor = api_actor()
    item, _rel = evidence_service.get_for(db(), actor, evidence_id)  # may they see it
    if item.created_by != actor.id and evidence_service.latest_submitted(db(), item) is None:
        return {"items": []}  # a draft never submitted: what it is mapped to is its author's
    rows = (
        db()
        .exec(
            select(Claim, Criterion.code, Standard.code)
            .join(Criterion, col(Criterion.id) == Claim.criterion_id)
            .join(Standard, col(Standard.id) == Criterion.standard_id)
            .where(Claim.evidence_id == evidence_id)
            .order_by(col(Claim.id))
        )
        .all()
    )
    return {"items": [
        {"id": c.id, "criterion_id": c.criterion_id, "standard": std, "criterion": code,
         "status": c.status, "method": c.method, "decided_at": c.decided_at,
         "revision": c.revision}
        for c, code, std in rows
    ]}  # fmt: skip


@bp.route("/evidence/<int:evidence_id>/claims")
@operation("read")
@bp.response(200, ClaimList)
def list_claims(evidence_id: int) -> dict[str, Any]:
    """List an item's claims

    The criteria it is mapped to, each with its status and the revision to decide on."""
    return _claims(evidence_id)


@bp.route("/evidence/<int:evidence_id>/claims", methods=["PUT"])
@operation("assess")
@bp.arguments(SetClaims)
@bp.response(200, ClaimList)
def set_claims(args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Map an item to criteria

    Its claims become exactly these criteria (of the learner's standards); decided claims are
    never removed. The learner maps to any of their registrations; an assessor only to those
    they assess (403 otherwise), the others' claims being left as they are."""
    with problems.request_fields(criterion="criterion_ids"):
        claims.set_claims(
            db(), actor=api_actor(), evidence_id=evidence_id, criterion_ids=args["criterion_ids"]
        )
    return _claims(evidence_id)


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@operation("assess")
@bp.arguments(DecisionIn)
@bp.response(201, DecisionOut)
def decide(args: dict[str, Any], claim_id: int) -> Any:
    """Accept or refer a claim

    The learner's allocated assessor, on submitted evidence, with a method of the framework;
    feedback is needed to refer. Send the claim's `revision`: if someone decided meanwhile the
    answer is 409."""
    return claims.decide(
        db(), actor=api_actor(), claim_id=claim_id, expected_revision=args["revision"],
        decision=args["decision"], method=args["method"], feedback=args["feedback"],
    )  # fmt: skip


@bp.route("/learners/<int:learner_id>/coverage")
@operation("read")
@bp.response(200, CoverageOut)
def coverage(learner_id: int) -> dict[str, Any]:
    """A learner's coverage

    Per standard: criteria met, awaiting a decision, referred, accepted but not counting (by a
    method, or of an age or date, that does not count) and missing; signed off or not."""
    access.require_view(db(), api_actor(), learner_id)
    _learner, entries = coverage_report(db(), learner_id=learner_id)
    return {"learner_id": learner_id, "standards": entries}


@bp.route("/learners/<int:learner_id>/signoffs")
@operation("read")
@bp.response(200, SignoffList)
def list_signoffs(learner_id: int) -> dict[str, Any]:
    """List a learner's sign-off records"""
    info = learner_downloads(db(), actor=api_actor(), learner_id=learner_id)
    return {"items": [
        {"id": s.signoff_id, "standard": s.code, "title": s.title, "document_id": s.document_id,
         "signed_at": s.signed_at, "status": s.status}
        for s in info.signoffs
    ]}  # fmt: skip


@bp.route("/signoffs/<int:signoff_id>")
@operation("read")
@bp.response(200, SignoffRecord)
def show_signoff(signoff_id: int) -> dict[str, Any]:
    """Show a sign-off record

    Who signed which standard off and when, both declarations, and the evidence versions
    frozen by it (by hash)."""
    record = signoff_for_download(db(), actor=api_actor(), signoff_id=signoff_id)
    standard = db().get(Standard, record.standard_id)
    registration = db().get(Registration, record.registration_id)
    frozen = (
        db()
        .exec(
            select(EvidenceVersion.evidence_id, EvidenceVersion.number, SignOffEvidence.sha256)
            .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
            .where(SignOffEvidence.signoff_id == signoff_id)
            .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
        )
        .all()
    )
    return {
        "id": record.id, "standard": getattr(standard, "code", ""),
        "title": getattr(standard, "title", ""), "document_id": record.document_id,
        "signed_at": record.signed_at, "status": record.status,
        "learner_id": getattr(registration, "learner_id", 0),
        "registration_id": record.registration_id, "assessor_id": record.assessor_id,
        "summary": record.summary, "feedback": record.feedback,
        "learner_declared_at": record.learner_declared_at,
        "assessor_declared_at": record.assessor_declared_at,
        "evidence_set_sha256": record.evidence_set_sha256,
        "evidence": [{"evidence_id": e, "number": n, "sha256": h} for e, n, h in frozen],
    }  # fmt: skip


@bp.route("/signoffs/<int:signoff_id>/document")
@operation("read")
@bp.doc(
    responses={
        "200": {
            "description": "The sign-off record as a Word document.",
            "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
def signoff_document(signoff_id: int) -> Response:
    """Download a sign-off record

    The record of the standard signed off: every criterion with the evidence, methods and dates
    behind it, and both declarations."""
    record = signoff_for_download(db(), actor=api_actor(), signoff_id=signoff_id)
    view = signoff_view(
        db(),
        record.id or 0,
        centre=str(current_app.config.get("CENTRE_NAME") or ""),
        zone=centre_zone(),
    )
    import io

    return send_file(io.BytesIO(build_signoff_docx(view)), mimetype=DOCX, as_attachment=True,
                     download_name=document_name(view), max_age=0)  # fmt: skip
