"""Erase evidence items: their content and files go, their record stays.

Of each item the titles, bodies and kind-specific fields of every version, the files'
names, extracted text and readings, the personal-data findings' text, the stored suggestions and
the text of every comment on it (the learner's and the assessor's) are erased, and so is the
text of every notification pointing at it (anyone's: it names the item's title); the rows stay, with every version's SHA-256 (so sign-offs, which froze versions by
hash, still check), the claims, decisions, judgements and sign-offs. Each file leaves the store
once the transaction commits, unless an item not erased still holds the same file, or an upload
of the same content made under way refers to it by then (the erasure holds its items and their
files' content, :func:`portfolio.services.files.hold_content`, before it looks).

Each item erased appends one ``evidence.erase`` entry to the audit trail recording the versions'
new row hashes (so ``portfolio audit verify`` still passes) and, as data, why, when and the
SHA-256 of what was erased: never the content itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from mappings.assessment.models import AssessmentPlan, VersionSuggestions
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Evidence,
    EvidenceComment,
    EvidenceVersion,
    PrivacyFinding,
    WitnessConfirmation,
)
from portfolio.models.base import utcnow
from portfolio.services import audit, files, notifications, registration_holds
from portfolio.services.actors import Actor

ERASED = "[erased]"

# Called in an erasure's transaction with the people whose data it erases and why ("request",
# "retention"), so that higher layers forget what they keep of them (delivery.wiring.configure
# registers the exports' files); each says how many things it forgot.
ForgetHook = Callable[[Session, Actor, Sequence[int], str], int]
_FORGET_HOOKS: dict[str, ForgetHook] = {}


def register_forget_hook(name: str, hook: ForgetHook) -> None:
    """Register ``hook`` under ``name`` (registering a name again replaces its hook)."""
    _FORGET_HOOKS[name] = hook


def forget_people(session: Session, *, actor: Actor, person_ids: Sequence[int], reason: str) -> int:
    """Erase the words of the assessment plans set these people as learners, then run every
    registered hook for them (not on a dry run); how many things went."""
    return _forget_plans(session, person_ids) + sum(
        hook(session, actor, person_ids, reason) for _, hook in sorted(_FORGET_HOOKS.items())
    )


def _forget_plans(session: Session, person_ids: Sequence[int]) -> int:
    """A plan's title, what to do and why it was closed are about its learner: they go, and the
    plan stays (who set it, when, its due date, criteria and evidence) as a record of work set."""
    result = session.execute(
        update(AssessmentPlan)
        .where(col(AssessmentPlan.learner_id).in_(list(person_ids)))
        .values(title=ERASED, body="", close_reason="")
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Erased:
    """What was erased (or, on a dry run, would be)."""

    items: int
    versions: int
    files: int  # attachments erased
    removed_files: int  # files leaving the store (none another item still holds)


def _versions(session: Session, evidence_ids: Sequence[int]) -> dict[int, list[EvidenceVersion]]:
    """Every version of these items, by item, oldest first (one statement)."""
    found: dict[int, list[EvidenceVersion]] = defaultdict(list)
    if evidence_ids:
        for v in session.exec(
            select(EvidenceVersion)
            .where(col(EvidenceVersion.evidence_id).in_(evidence_ids))
            .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
        ):
            found[v.evidence_id].append(v)
    return found


def _attachments(session: Session, version_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """The attachments of these versions, by version (one statement)."""
    found: dict[int, list[Attachment]] = defaultdict(list)
    if version_ids:
        for a in session.exec(
            select(Attachment)
            .where(col(Attachment.version_id).in_(version_ids))
            .order_by(col(Attachment.id))
        ):
            found[a.version_id].append(a)
    return found


def erase_items(
    session: Session,
    *,
    actor: Actor,
    evidence_ids: Sequence[int],
    reason: str,
    store: files.Store | None,
    dry_run: bool = False,
    hold_learners: Sequence[int] = (),
) -> Erased:
    """Erase the content and files of these items (those not erased already); flushed, the
    files deleted from ``store`` after the commit. ``reason`` is recorded ("retention",
    "request"). The caller checks who may. What is read takes a fixed number of statements
    however many items (a dry run writes nothing). ``hold_learners``: learners whose
    registrations the caller is about to change (an erased person is renamed), held after the
    items and before their files' content, in the order every writer takes them."""
    query = (
        select(Evidence)
        .where(col(Evidence.id).in_(sorted(set(evidence_ids))), col(Evidence.erased_at).is_(None))
        .order_by(col(Evidence.id))
    )
    # the items' rows, then their files' content, are held before anything is written: in the
    # order an upload holds them (its item, then the content), so the two never wait in a circle
    items = list(session.exec(query if dry_run else query.with_for_update()))
    by_item = _versions(session, [i.id or 0 for i in items])
    by_version = _attachments(session, [v.id or 0 for vs in by_item.values() for v in vs])
    if not dry_run:
        registration_holds.hold_learners(session, hold_learners)
        files.hold_content(
            session, {a.sha256 for attached in by_version.values() for a in attached}
        )
    count_versions = count_files = 0
    hashes: set[str] = set()
    now = utcnow()
    for item in items:
        versions = by_item.get(item.id or 0, [])
        attached = [a for v in versions for a in by_version.get(v.id or 0, [])]
        count_versions += len(versions)
        count_files += len(attached)
        hashes.update(a.sha256 for a in attached)
        if dry_run:
            continue
        _erase_rows(session, item, versions, attached, now)
        audit.record(
            session,
            actor=actor,
            action="evidence.erase",
            subject_type="evidence",
            subject_id=item.id,
            data={
                "reason": reason,
                "versions": [{"number": v.number, "sha256": v.sha256} for v in versions],
                "files": sorted({a.sha256 for a in attached}),
            },
            rows=versions,
        )
    leaving = _unheld(session, hashes, exclude=[i.id or 0 for i in items] if dry_run else [])
    if not dry_run:
        notifications.forget_evidence(session, [i.id or 0 for i in items])
    if not dry_run and store is not None:
        for sha in leaving:
            files.delete_on_commit(session, store, sha)
    return Erased(len(items), count_versions, count_files, len(leaving))


def _erase_rows(
    session: Session,
    item: Evidence,
    versions: Sequence[EvidenceVersion],
    attached: Sequence[Attachment],
    now: datetime,
) -> None:
    ids = [v.id or 0 for v in versions]
    item.title = ERASED
    item.erased_at = now
    session.add(item)
    for v in versions:
        v.title = ERASED
        v.body = ""
        v.fields = {}
        session.add(v)
    for a in attached:
        a.filename = ERASED
        a.text = ""
        a.erased_at = now
        session.add(a)
    session.flush()
    if attached:
        session.execute(
            update(AttachmentReading)
            .where(col(AttachmentReading.attachment_id).in_([a.id for a in attached]))
            .values(text="", error="", suggestions=[])
        )
    session.execute(
        update(PrivacyFinding).where(col(PrivacyFinding.version_id).in_(ids)).values(text="")
    )
    session.execute(delete(VersionSuggestions).where(col(VersionSuggestions.version_id).in_(ids)))
    session.execute(
        update(EvidenceComment)
        .where(col(EvidenceComment.evidence_id) == item.id)
        .values(body=ERASED)
    )
    session.execute(  # the witness's address and words go with the testimony; the answer stays
        update(WitnessConfirmation)
        .where(col(WitnessConfirmation.evidence_id) == item.id)
        .values(witness_email=ERASED, comment="")
    )
    session.flush()


def _unheld(session: Session, hashes: set[str], *, exclude: Sequence[int]) -> list[str]:
    """The files no attachment still held (not erased) references, besides items ``exclude``
    (those a dry run would erase)."""
    if not hashes:
        return []
    query = select(Attachment.sha256).where(
        col(Attachment.sha256).in_(sorted(hashes)), col(Attachment.erased_at).is_(None)
    )
    if exclude:
        query = query.join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id).where(
            col(EvidenceVersion.evidence_id).not_in(exclude)
        )
    held = set(session.exec(query))
    return sorted(hashes - held)
