"""Signing a standard off when coverage is complete, freezing the evidence behind it, reopening."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from mappings.assessment.models import SignOff, SignOffEvidence
from mappings.assessment.standing import Standing, load_standings
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Evidence, EvidenceVersion, Registration
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.people import Actor


def evidence_set_hash(items: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over the sorted, de-duplicated (evidence version ref, content SHA-256) pairs.

    The pairs are hashed as canonical JSON (``[["E1v1","ab…"],…]``), so no choice of ref can
    make two different sets hash alike.
    """
    pairs: set[tuple[str, str]] = set()
    for ref, digest in items:
        digest = digest.strip().lower()
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError(f"not a SHA-256 hex digest for {ref!r}: {digest!r}")
        pairs.add((ref, digest))
    blob = json.dumps(sorted(pairs), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _standing(session: Session, registration_id: int, today: date | None) -> Standing:
    found = load_standings(session, [registration_id], today)
    if not found:
        raise NotFound("No such registration.")
    return found[0]


def _basis_versions(
    session: Session, standing: Standing, standard_code: str
) -> list[tuple[str, EvidenceVersion]]:
    """The evidence versions whose accepted claims meet the standard's criteria."""
    refs = {
        ref
        for cov in standing.coverage.criteria
        if cov.criterion.standard == standard_code and cov.state == "met"
        for ref in cov.basis
    }
    pairs = {(int(ref[1:].split("v")[0]), int(ref.split("v")[1])): ref for ref in refs}
    if not pairs:
        return []
    ids = {eid for eid, _ in pairs}
    versions = session.exec(
        select(EvidenceVersion).where(col(EvidenceVersion.evidence_id).in_(ids))
    ).all()
    return sorted(
        (pairs[(v.evidence_id, v.number)], v)
        for v in versions
        if (v.evidence_id, v.number) in pairs
    )


@dataclass(frozen=True)
class SignOffResult:
    signoff: SignOff
    versions: int


def sign_off(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    standard_code: str,
    summary: str,
    feedback: str = "",
    assessor_declaration: bool,
    today: date | None = None,
) -> SignOffResult:
    """Sign a standard off. Refused unless the actor assesses the learner and coverage is complete."""
    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFound("No such registration.")
    if reg.assessor_id != actor.id or not actor.has("assessor"):
        raise PermissionDenied("Only the learner's allocated assessor signs standards off.")
    standing = _standing(session, registration_id, today)
    found = standing.standard(standard_code)
    if found is None:
        raise NotFound(f"The learner is not registered on {standard_code}.")
    info, cov = found
    if info.signoff is not None:
        raise Invalid(f"{standard_code} is already signed off.")
    if not cov.complete:
        raise Invalid(
            f"{standard_code} cannot be signed off: {cov.total - cov.met} of {cov.total} "
            "criteria are not yet met."
        )
    if not assessor_declaration:
        raise Invalid("Signing off needs your declaration as assessor.")
    if not summary.strip():
        raise Invalid("Write a summary of your judgement.")
    basis = _basis_versions(session, standing, standard_code)
    declared = [v.declared_at for _, v in basis if v.declared_at is not None]
    if not declared:
        raise Invalid("No evidence behind this standard carries the learner's declaration.")
    now = utcnow()
    record = SignOff(
        registration_id=registration_id,
        standard_id=info.id,
        assessor_id=actor.id,
        document_id=f"SO-{uuid.uuid4().hex[:12].upper()}",
        summary=summary.strip(),
        feedback=feedback.strip(),
        learner_declared_at=max(declared),
        assessor_declared_at=now,
        signed_at=now,
        evidence_set_sha256=evidence_set_hash((ref, v.sha256) for ref, v in basis),
    )
    session.add(record)
    session.flush()
    for _ref, v in basis:
        session.add(
            SignOffEvidence(signoff_id=record.id or 0, version_id=v.id or 0, sha256=v.sha256)
        )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="standard.signoff",
        subject_type="signoff",
        subject_id=record.id,
        data={
            "registration": registration_id,
            "standard": standard_code,
            "evidence_set_sha256": record.evidence_set_sha256,
        },
    )
    return SignOffResult(signoff=record, versions=len(basis))


def reopen(session: Session, *, actor: Actor, signoff_id: int, reason: str) -> SignOff:
    """Reopen a signed standard; the reason is logged. The assessor or the learner's IQA may."""
    record = session.get(SignOff, signoff_id)
    if record is None:
        raise NotFound("No such sign-off.")
    reg = session.get(Registration, record.registration_id)
    assert reg is not None
    allowed = (reg.assessor_id == actor.id and actor.has("assessor")) or (
        reg.iqa_id == actor.id and actor.has("iqa")
    )
    if not allowed:
        raise PermissionDenied(
            "Only the assessor or the IQA of this learner may reopen a sign-off."
        )
    if record.status != "signed":
        raise Invalid("This sign-off is already reopened.")
    if not reason.strip():
        raise Invalid("Reopening a signed standard needs a reason.")
    record.status = "reopened"
    record.reopened_at = utcnow()
    record.reopened_by = actor.id
    record.reopen_reason = reason.strip()
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="standard.reopen",
        subject_type="signoff",
        subject_id=signoff_id,
        data={"reason": record.reopen_reason},
    )
    return record


def frozen_evidence_intact(session: Session, signoff_id: int) -> list[str]:
    """Problems with the frozen evidence set of a sign-off (empty when it is intact)."""
    rows = session.exec(
        select(SignOffEvidence, EvidenceVersion, Evidence)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(SignOffEvidence.signoff_id == signoff_id)
    ).all()
    from portfolio.models import Attachment
    from portfolio.services.evidence import version_hash

    files_of: dict[int, list[str]] = {}
    version_ids = [version.id for _, version, _ in rows]
    for version_id, digest in session.exec(
        select(Attachment.version_id, Attachment.sha256).where(
            col(Attachment.version_id).in_(version_ids)
        )
    ):
        files_of.setdefault(version_id, []).append(digest)
    problems = []
    for frozen, version, item in rows:
        # recompute from content, so a silent change to the stored row is caught too
        actual = version_hash(
            item.kind,
            version.title,
            version.activity_date,
            version.body,
            version.fields,
            files_of.get(version.id or 0, []),
        )
        if actual != frozen.sha256:
            problems.append(f"E{item.id}v{version.number} changed after sign-off")
    return problems
