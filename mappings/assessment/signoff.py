"""Signing a standard off when coverage is complete, freezing the evidence behind it, reopening.

The sign-off form first asks :func:`standing_to_sign` (by learner and standard code): it loads the
learner's standing once and decides access from it, before the form is read, and the form's
data then go with that standing to :func:`sign_off_standing`, which loads nothing again.
Reopening works the same way (:func:`signoff_to_reopen`, :func:`reopen_standard`). Strangers to
the learner are told nothing (NotFound); others who may see the portfolio are refused
(PermissionDenied). :func:`sign_off` and :func:`reopen` work by registration or sign-off id.

Sign-off needs two declarations: the learner's, made by them over exactly the evidence set being
signed (:mod:`mappings.assessment.declarations`), and the assessor's. The record keeps each one's
person, time and wording, and the audit trail's head as it stood just before the sign-off entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_
from sqlmodel import Session, col, select

from mappings.assessment import holds, notices
from mappings.assessment.declarations import ASSESSOR_WORDING, current_declaration
from mappings.assessment.evidence_set import basis_versions, hash_of
from mappings.assessment.evidence_set import (
    evidence_set_hash as evidence_set_hash,  # re-exported for callers
)
from mappings.assessment.models import LearnerDeclaration, SignOff, SignOffEvidence
from mappings.assessment.standing import Standing, find_standard, load_standings
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import (
    Attachment,
    Evidence,
    EvidenceVersion,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.models.base import utcnow
from portfolio.refs import EvidenceRef
from portfolio.services import access, audit
from portfolio.services.evidence import version_hash
from portfolio.services.people import Actor
from portfolio.services.withdrawals import KEPT_EVIDENCE, erased_words, refuse_if_erased
from portfolio.words import day_words


@dataclass(frozen=True)
class SignOffResult:
    signoff: SignOff
    versions: int


def _assesses(actor: Actor, registration: Registration) -> bool:
    return registration.assessor_id == actor.id and actor.has("assessor")


def _may_reopen(actor: Actor, registration: Registration) -> bool:
    return _assesses(actor, registration) or (registration.iqa_id == actor.id and actor.has("iqa"))


def _require_assessor(actor: Actor, registration: Registration) -> None:
    if not _assesses(actor, registration):
        raise PermissionDenied("Only the learner's allocated assessor signs standards off.")


def _require_reopener(actor: Actor, registration: Registration) -> None:
    if not _may_reopen(actor, registration):
        raise PermissionDenied(
            "Only the assessor or the IQA of this learner may reopen a sign-off."
        )


def standing_to_sign(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    code: str,
    today: date | None = None,
    registration_id: int | None = None,
) -> Standing:
    """The learner's standing holding standard ``code`` (in ``registration_id``, by default their
    first holding it), loaded once, if the actor may sign it off: only the registration's
    allocated assessor may. Pass it to :func:`sign_off_standing`."""
    # the whole framework: the badge issued with the sign-off reads its CASE identifiers
    standing = find_standard(
        session, learner_id, code, today, whole=True, registration_id=registration_id
    )
    if standing is None or not _assesses(actor, standing.registration):
        access.require_view(session, actor, learner_id)  # strangers are told nothing
    if standing is None:
        raise NotFound(f"The learner is not registered on {code}.")
    _require_assessor(actor, standing.registration)
    return standing


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
    found = load_standings(session, [registration_id], today, whole=True)  # as above
    if not found:
        raise NotFound("No such registration.")
    return sign_off_standing(
        session,
        actor=actor,
        standing=found[0],
        standard_code=standard_code,
        summary=summary,
        feedback=feedback,
        assessor_declaration=assessor_declaration,
    )


def _refuse_if_withdrawn(standing: Standing, withdrawn: date | None) -> None:
    if standing.learner.erased_at is not None:  # sign-offs recorded before the erasure stay
        raise Invalid(f"{erased_words(standing.learner.erased_at)}: {KEPT_EVIDENCE}")
    if withdrawn is not None:  # sign-offs recorded before the withdrawal stay as they are
        raise Invalid(
            f"The learner withdrew from {standing.framework.title} on {day_words(withdrawn)}: its "
            "standards are not signed off unless an administrator reinstates the registration."
        )


def _no_one_else_signed(session: Session, standing: Standing, standard_id: int, code: str) -> None:
    """Hold the registration until this transaction ends (PostgreSQL: its row, FOR UPDATE;
    SQLite writes one transaction at a time anyway), then ask again whether the standard is
    signed off: the standing was read before, so two tabs signing at once would both see it
    unsigned and both sign. On PostgreSQL, the claims behind the standard are read again too,
    with the audit trail held: a claim decided (say referred), or set awaiting a decision again by
    a new version of its evidence, while the sign-off waited would otherwise be signed over."""
    registration_id = standing.registration.id or 0
    # a withdrawal committed while this waited for the row is read here, at no cost
    _refuse_if_withdrawn(standing, holds.hold_registration(session, registration_id))
    if holds.concurrent(session):  # an erasure committed while this waited (it holds the row)
        refuse_if_erased(session, standing.learner.id or 0, KEPT_EVIDENCE)
    if holds.signed_now(session, registration_id, standard_id):
        raise Conflict(
            f"{code} was signed off while you were looking at it; reload to see the sign-off."
        )
    if not holds.concurrent(session):
        return
    if not holds.still_registered(session, registration_id, standard_id):
        raise Conflict(
            f"{code} was taken off the learner's registration while you were looking at it; "
            "reload to see their standards."
        )
    # writes in flight that hold the trail (a new version submitted, its decided claims awaiting a
    # decision again) are committed once it is held: their claims are read as they left them
    audit.hold_trail(session)
    mine = [c for c in standing.coverage.criteria if c.criterion.standard == code]
    seen = {
        (check.claim.evidence_id, check.claim.criterion_id, check.claim.status, check.claim.method)
        for c in mine
        for check in c.claims
    }
    now = holds.claim_states(session, standing.learner.id or 0, [c.criterion.id for c in mine])
    if now != seen:
        raise Conflict(
            f"The decisions on {code}'s claims changed while you were looking at it; reload to "
            "see them, then sign it off if it is still complete."
        )


def sign_off_standing(
    session: Session,
    *,
    actor: Actor,
    standing: Standing,
    standard_code: str,
    summary: str,
    feedback: str = "",
    assessor_declaration: bool,
) -> SignOffResult:
    """Sign off a standard of the standing given, as it was loaded: every rule is checked against
    it (the permission again, from the registration it holds, at no cost) and nothing is loaded
    twice."""
    _require_assessor(actor, standing.registration)
    _refuse_if_withdrawn(standing, standing.registration.withdrawn_at)
    found = standing.standard(standard_code)
    if found is None:
        raise NotFound(f"The learner is not registered on {standard_code}.")
    info, cov = found
    if info.signoff is not None:
        raise Invalid(f"{standard_code} is already signed off.")
    _no_one_else_signed(session, standing, info.id, standard_code)
    if not cov.complete:
        raise Invalid(
            f"{standard_code} cannot be signed off: {cov.total - cov.met} of {cov.total} "
            "criteria are not yet met."
        )
    if not assessor_declaration:
        raise Invalid("Signing off needs your declaration as assessor.")
    if not summary.strip():
        raise Invalid("Write a summary of your judgement.")
    basis = basis_versions(session, standing, standard_code)
    digest = hash_of(basis)
    declared = _learner_declaration(session, standing, info.id, standard_code, digest)
    trail = audit.head(session)  # the trail as it stood when the standard was signed off
    now = utcnow()
    record = SignOff(
        registration_id=standing.registration.id or 0,
        standard_id=info.id,
        assessor_id=actor.id,
        document_id=f"SO-{uuid.uuid4().hex[:12].upper()}",
        summary=summary.strip(),
        feedback=feedback.strip(),
        learner_declaration_id=declared.id,
        learner_id=declared.learner_id,
        learner_declared_at=declared.declared_at,
        learner_wording=declared.wording,
        assessor_declared_at=now,
        assessor_wording=ASSESSOR_WORDING,
        signed_at=now,
        evidence_set_sha256=digest,
        audit_entries=trail.entries,
        audit_head_sha256=trail.hash,
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
        actor=actor,
        action="standard.signoff",
        subject_type="signoff",
        subject_id=record.id,
        data={
            "registration": standing.registration.id,
            "standard": standard_code,
            "evidence_set_sha256": record.evidence_set_sha256,
        },
        rows=[record],
    )
    notices.signed_off(session, actor=actor, registration=standing.registration, standard=info)
    return SignOffResult(signoff=record, versions=len(basis))


def _learner_declaration(
    session: Session, standing: Standing, standard_id: int, code: str, digest: str
) -> LearnerDeclaration:
    """The learner's declaration over exactly this evidence set, or a clear refusal."""
    declared = current_declaration(
        session,
        registration_id=standing.registration.id or 0,
        standard_id=standard_id,
        evidence_set_sha256=digest,
    )
    if declared is None:
        raise Invalid(
            f"{code} cannot be signed off yet: {standing.learner.name} has not confirmed "
            "their declaration for the evidence behind it as it stands now. They are asked on "
            "their home page."
        )
    return declared


def signoff_to_reopen(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    code: str,
    registration_id: int | None = None,
) -> SignOff | None:
    """The current sign-off of the learner's standard ``code`` in ``registration_id`` (by default
    their first holding it; None when it is not signed off), if the actor may reopen it: the
    registration's assessor or IQA. One query, no coverage."""
    which = [] if registration_id is None else [col(Registration.id) == registration_id]
    row = session.exec(
        select(Registration, SignOff)
        .join(RegistrationStandard, col(RegistrationStandard.registration_id) == Registration.id)
        .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
        .outerjoin(
            SignOff,
            and_(
                col(SignOff.registration_id) == Registration.id,
                col(SignOff.standard_id) == Standard.id,
                col(SignOff.status) == "signed",
            ),
        )
        .where(Registration.learner_id == learner_id, Standard.code == code, *which)
        .order_by(col(Registration.id), col(SignOff.id).desc())
    ).first()
    if row is None or not _may_reopen(actor, row[0]):
        access.require_view(session, actor, learner_id)  # strangers are told nothing
    if row is None:
        raise NotFound(f"The learner is not registered on {code}.")
    registration, current = row
    _require_reopener(actor, registration)
    return current


def reopen_standard(
    session: Session, *, actor: Actor, current: SignOff | None, code: str, reason: str
) -> SignOff:
    """Reopen the sign-off found by :func:`signoff_to_reopen`; the reason is logged."""
    if current is None:
        raise NotFound(f"{code} is not signed off.")
    return reopen(session, actor=actor, signoff_id=current.id or 0, reason=reason)


def reopen(session: Session, *, actor: Actor, signoff_id: int, reason: str) -> SignOff:
    """Reopen a signed standard; the reason is logged. The assessor or the learner's IQA may."""
    record = session.get(SignOff, signoff_id)
    if record is None:
        raise NotFound("No such sign-off.")
    registration = session.get(Registration, record.registration_id)
    assert registration is not None
    _require_reopener(actor, registration)
    return _reopen(
        session, actor=actor, record=record, reason=reason, learner=registration.learner_id
    )


def _reopen(
    session: Session, *, actor: Actor, record: SignOff, reason: str, learner: int
) -> SignOff:
    if holds.concurrent(session):  # held, and read as committed after another reopening
        holds.hold_registration(session, record.registration_id)  # as a sign-off holds it
        session.refresh(record, with_for_update=True)
    # read once held (an erasure holds the row too): the evidence a reopened sign-off no longer
    # rested on would be erased, the record of someone who asked for their data to go changed
    refuse_if_erased(session, learner, KEPT_EVIDENCE)
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
        actor=actor,
        action="standard.reopen",
        subject_type="signoff",
        subject_id=record.id,
        data={"reason": record.reopen_reason},
        rows=[record],
    )
    standard = session.get(Standard, record.standard_id)
    assert standard is not None
    notices.reopened(session, actor=actor, learner_id=learner, standard=standard)
    return record


def frozen_evidence_intact(session: Session, signoff_id: int) -> list[str]:
    """Problems with the frozen evidence set of a sign-off (empty when it is intact)."""
    rows = session.exec(
        select(SignOffEvidence, EvidenceVersion, Evidence)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(SignOffEvidence.signoff_id == signoff_id)
    ).all()
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
            problems.append(f"{EvidenceRef(item.id or 0, version.number)} changed after sign-off")
    return problems
