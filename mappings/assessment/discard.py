"""Discarding a draft: an item its author started (the editor saves one as soon as a title is
typed) and no longer wants, taken away whole while it is still nobody's record.

Only its author may discard it, and only while it has never been submitted: no version declared,
no claim decided, no VACSR judgement, no sign-off freezing it, no witness asked, nothing a bundle
brought, no comment in its conversation, not erased. Anything else is the record and stays
(refused in words). Its rows go in one transaction with one ``evidence.discard`` entry naming
what was discarded (kind, title's hash, versions, files) and recording the versions and claims
removed; a notification anyone has that points at it says the draft was discarded and links
nothing (:func:`portfolio.services.notifications.forget_discarded`, as an erasure rewrites those
about erased evidence); its files leave the store after the commit, each only if no other row
uses it then, as an erasure's do (:func:`portfolio.services.files.delete_on_commit`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, exists
from sqlmodel import Session, col, select

from mappings.assessment.models import (
    AssessmentPlanEvidence,
    Claim,
    Decision,
    Judgement,
    ReceivedRecord,
    SignOffEvidence,
    VersionSuggestions,
)
from portfolio.errors import Conflict
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Evidence,
    EvidenceComment,
    EvidenceVersion,
    PrivacyFinding,
    PrivacyScan,
    WitnessConfirmation,
)
from portfolio.services import audit, files, notifications
from portfolio.services import evidence as evidence_service
from portfolio.services.audit_about import DISCARD
from portfolio.services.people import Actor

SUBMITTED = (
    "“{title}” has been submitted, so it is part of the learner's record and cannot be "
    "discarded: edit it to make a new version instead."
)


def discarded_words(title: str) -> str:
    """What the page and the API say once a draft is discarded."""
    return f"Draft “{title}” discarded."


@dataclass(frozen=True)
class Discarded:
    """What was discarded: the item's id, learner and title, and how many files went with it."""

    evidence_id: int
    learner_id: int
    title: str
    files: int


def _why_kept(session: Session, item: Evidence, version_ids: list[int]) -> str | None:
    """Why the item is part of the record (so it stays), or None while it is a mere draft."""
    title = item.title
    if item.erased_at is not None:
        return "This item was erased; what is left of it is kept as the record of the erasure."
    if item.status != "draft" or item.submitted_at is not None:
        return SUBMITTED.format(title=title)
    declared = select(EvidenceVersion.id).where(
        col(EvidenceVersion.id).in_(version_ids), col(EvidenceVersion.declared_at).is_not(None)
    )
    if session.exec(declared).first() is not None:
        return SUBMITTED.format(title=title)
    decided = (
        select(Claim.id)
        .where(Claim.evidence_id == item.id)
        .where(
            (col(Claim.status) != "claimed") | exists().where(col(Decision.claim_id) == Claim.id)
        )
    )
    if session.exec(decided).first() is not None:
        return f"Claims of “{title}” have been decided, so it is part of the record."
    checks = (
        (select(Judgement.id).where(Judgement.evidence_id == item.id), "judged by an assessor"),
        (
            select(SignOffEvidence.signoff_id).where(
                col(SignOffEvidence.version_id).in_(version_ids)
            ),
            "part of a sign-off",
        ),
        (
            select(ReceivedRecord.id).where(ReceivedRecord.evidence_id == item.id),
            "part of a bundle from another centre",
        ),
        (
            select(WitnessConfirmation.id).where(WitnessConfirmation.evidence_id == item.id),
            "sent to a witness to confirm",
        ),
        (
            select(EvidenceComment.id).where(EvidenceComment.evidence_id == item.id),
            "discussed in its comments",
        ),
    )
    for query, what in checks:
        if session.exec(query).first() is not None:
            return f"“{title}” has been {what}, so it is part of the record and is kept."
    return None


def discard(
    session: Session, *, actor: Actor, evidence_id: int, store: files.Store | None
) -> Discarded:
    """Take away a draft its author no longer wants, whole (flushed, not committed); its files
    leave ``store`` after the commit when no other row uses them. NotFound or PermissionDenied
    for an item that is not the actor's; Conflict, writing nothing, for one that is part of the
    record."""
    item = evidence_service.for_author(session, actor, evidence_id, lock=True)
    versions = list(
        session.exec(
            select(EvidenceVersion)
            .where(EvidenceVersion.evidence_id == item.id)
            .order_by(col(EvidenceVersion.number))
        )
    )
    version_ids = [v.id or 0 for v in versions]
    reason = _why_kept(session, item, version_ids)
    if reason is not None:
        raise Conflict(reason)
    attached = list(
        session.exec(
            select(Attachment)
            .where(col(Attachment.version_id).in_(version_ids))
            .order_by(col(Attachment.id))
        )
    )
    shas = sorted({a.sha256 for a in attached})
    files.hold_content(session, shas)  # after the item, as an upload and an erasure hold them
    claim_ids = list(session.exec(select(Claim.id).where(Claim.evidence_id == item.id)))
    discarded = Discarded(item.id or 0, item.learner_id, item.title, len(attached))
    audit.record(
        session,
        actor=actor,
        action=DISCARD,
        subject_type="evidence",
        subject_id=item.id,
        data={
            "kind": item.kind,
            # never the title itself: the trail is append-only and the draft was its author's
            "title_sha256": hashlib.sha256(item.title.encode("utf-8")).hexdigest(),
            "versions": [{"number": v.number, "sha256": v.sha256} for v in versions],
            "files": shas,
            "claims": len(claim_ids),
        },
        removed=[("evidenceversion", i) for i in version_ids]
        + [("claim", i or 0) for i in claim_ids],
    )
    notifications.forget_discarded(session, item.id or 0)  # their link would lead nowhere
    _delete_rows(session, item, versions, attached)
    if store is not None:
        held = select(Attachment.sha256).where(
            col(Attachment.sha256).in_(shas), col(Attachment.erased_at).is_(None)
        )  # as an erasure asks: an erased file's row holds nothing in the store
        left = set(session.exec(held))
        for sha in shas:
            if sha not in left:
                files.delete_on_commit(session, store, sha)
    return discarded


def _delete_rows(
    session: Session,
    item: Evidence,
    versions: list[EvidenceVersion],
    attached: list[Attachment],
) -> None:
    """Every row of the draft, those that refer to others first."""
    version_ids = [v.id or 0 for v in versions]
    attachment_ids = [a.id or 0 for a in attached]
    by_version = col(PrivacyFinding.version_id).in_(version_ids)
    statements = (
        delete(AttachmentReading).where(col(AttachmentReading.attachment_id).in_(attachment_ids)),
        delete(PrivacyFinding).where(by_version),
        delete(PrivacyScan).where(col(PrivacyScan.version_id).in_(version_ids)),
        delete(VersionSuggestions).where(col(VersionSuggestions.version_id).in_(version_ids)),
        delete(Attachment).where(col(Attachment.id).in_(attachment_ids)),
        delete(Claim).where(col(Claim.evidence_id) == item.id),
        delete(AssessmentPlanEvidence).where(col(AssessmentPlanEvidence.evidence_id) == item.id),
        delete(EvidenceVersion).where(col(EvidenceVersion.id).in_(version_ids)),
        delete(Evidence).where(col(Evidence.id) == item.id),
    )
    for statement in statements:
        session.execute(statement.execution_options(synchronize_session=False))
    for row in (item, *versions, *attached):
        session.expunge(row)  # gone: never flushed again
