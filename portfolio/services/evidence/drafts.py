"""Evidence drafts and their immutable submitted versions, with the declaration of authenticity."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Attachment, Evidence, EvidenceVersion
from portfolio.models.base import utcnow
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import access, audit, registrations, withdrawals
from portfolio.services.evidence import hidden, reading, scanning
from portfolio.services.people import Actor, without_controls

STAR_SECTIONS = ("situation", "task", "action", "result")
WITNESS_FIELDS = ("witness_name", "witness_role", "witness_relationship")
MAX_TITLE = 300
MAX_BODY = 200_000
MAX_WITNESS = 200  # each of the witness's name, role and relationship (as the editor's fields)

# Called after a version is submitted, in the same transaction (delivery.wiring registers
# mappings.assessment.declarations.evidence_submitted: the learner is asked to declare again).
SubmitHook = Callable[[Session, Evidence], None]
_SUBMIT_HOOKS: list[SubmitHook] = []


def register_submit_hook(hook: SubmitHook) -> None:
    if hook not in _SUBMIT_HOOKS:
        _SUBMIT_HOOKS.append(hook)


# Why an item stored with ``created_by`` its learner is still not theirs to change, or None
# (delivery.wiring registers mappings.assessment.recorded.written_elsewhere: an item a bundle
# says someone else wrote at the centre that sent it).
ReadOnlyReason = Callable[[Session, Evidence], str | None]
_READ_ONLY: list[ReadOnlyReason] = []


def register_read_only_reason(reason: ReadOnlyReason) -> None:
    if reason not in _READ_ONLY:
        _READ_ONLY.append(reason)


def read_only_reason(session: Session, item: Evidence) -> str | None:
    """Why its author of record may not change ``item`` (None: they may)."""
    return next((said for r in _READ_ONLY if (said := r(session, item))), None)


@dataclass(frozen=True)
class Draft:
    """What a person typed into the editor."""

    kind: str
    title: str
    activity_date: date
    body: str = ""
    fields: dict[str, str] | None = None


def compose_body(kind: str, body: str, fields: dict[str, str]) -> str:
    """The Markdown body: STAR sections become headed sections of the text."""
    if kind != "star_narrative":
        return body
    parts = [f"## {name.title()}\n\n{fields.get(name, '').strip()}" for name in STAR_SECTIONS]
    return "\n\n".join(parts) + ("\n\n" + body.strip() if body.strip() else "")


EARLIEST_ACTIVITY = date(1950, 1, 1)  # before: a mistyped year ("0001", "1026"), not work shown


def _clean(draft: Draft) -> tuple[str, date, str, dict[str, str]]:
    if draft.kind not in KINDS:
        raise Invalid(f"Unknown kind of evidence “{draft.kind}”.")
    title = draft.title.strip()
    if "\x00" not in title:  # a NUL is refused when written, as in any text (docs/concurrency.md)
        title = without_controls(title)  # one line: no breaks, no marks that reorder it
    if not title:
        raise Invalid("A title is required.", field="title")
    if len(title) > MAX_TITLE:
        raise Invalid(f"The title may be at most {MAX_TITLE} characters.", field="title")
    if draft.activity_date > date.today() + timedelta(days=1):
        raise Invalid("The date of the activity cannot be in the future.", field="activity_date")
    if draft.activity_date < EARLIEST_ACTIVITY:
        raise Invalid(
            f"The date of the activity is before {EARLIEST_ACTIVITY.year}: check the year.",
            field="activity_date",
        )
    fields = {k: (v or "").strip() for k, v in (draft.fields or {}).items()}
    if draft.kind == "star_narrative":
        fields = {k: fields.get(k, "") for k in STAR_SECTIONS}
        empty = [k.title() for k in STAR_SECTIONS if not fields[k]]
        if empty:
            raise Invalid(f"A STAR narrative needs every section; empty: {', '.join(empty)}.")
    elif draft.kind == "witness_testimony":
        fields = {k: fields.get(k, "") for k in WITNESS_FIELDS}
        if not all(fields.values()):
            raise Invalid("A witness testimony records the witness's name, role and relationship.")
        for name, value in fields.items():
            if len(value) > MAX_WITNESS:
                what = name.removeprefix("witness_").replace("_", " ")
                raise Invalid(
                    f"The witness's {what} may be at most {MAX_WITNESS} characters.", field=name
                )
    else:
        fields = {}
    body = compose_body(draft.kind, draft.body or "", fields)
    if len(body) > MAX_BODY:
        raise Invalid(f"The text may be at most {MAX_BODY:,} characters.")
    return title, draft.activity_date, body, fields


def version_hash(
    kind: str, title: str, activity: date, body: str, fields: dict[str, Any], files: list[str]
) -> str:
    payload = json.dumps(
        {
            "kind": kind,
            "title": title,
            "activity_date": activity.isoformat(),
            "body": body,
            "fields": fields,
            "attachments": sorted(files),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def may_author(session: Session, actor: Actor, learner_id: int, kind: str) -> None:
    """Raise unless ``actor`` may write evidence of ``kind`` for ``learner_id``."""
    if kind in ASSESSOR_KINDS:
        if actor.id == learner_id:
            raise PermissionDenied(f"{KINDS[kind]}s are written by your assessor, not by you.")
        access.require_assessor(session, actor, learner_id)
        return
    if actor.id != learner_id or not actor.has("learner"):
        raise PermissionDenied(
            "Learners write their own evidence; assessors write observation "
            "records and professional discussions for their learners."
        )


def writable_kinds(relation: set[str] | frozenset[str]) -> tuple[str, ...]:
    """The kinds of evidence someone standing to a learner as ``relation`` (from
    :func:`access.relation`) may write for them, as :func:`may_author` allows: the learner their
    own kinds, the allocated assessor observation records and professional discussions, anyone
    else (an IQA, an EQA) none."""
    kinds: tuple[str, ...] = ()
    if "self" in relation:
        kinds += tuple(k for k in KINDS if k not in ASSESSOR_KINDS)
    if "assessor" in relation:
        kinds += ASSESSOR_KINDS
    return kinds


def create(session: Session, *, actor: Actor, learner_id: int, draft: Draft) -> Evidence:
    may_author(session, actor, learner_id, draft.kind)
    withdrawals.refuse_if_erased(session, learner_id, withdrawals.NOTHING_NEW)  # their assessor
    title, activity, body, fields = _clean(draft)
    item = Evidence(
        learner_id=learner_id,
        kind=draft.kind,
        title=title,
        activity_date=activity,
        created_by=actor.id,
    )
    session.add(item)
    session.flush()
    version = EvidenceVersion(
        evidence_id=item.id or 0,
        number=1,
        title=title,
        activity_date=activity,
        body=body,
        fields=fields,
        created_by=actor.id,
        sha256=version_hash(draft.kind, title, activity, body, fields, []),
    )
    session.add(version)
    session.flush()
    scanning.scan_body(session, item, version)
    log(session, actor, item, "evidence.create", {"kind": draft.kind, "sha256": version.sha256})
    return item


def log(session: Session, actor: Actor, item: Evidence, action: str, data: dict[str, Any]) -> None:
    """One entry of the item's history (its page lists the audit entries about it); it records
    the hash of the item's current version as the action left it."""
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == item.id,
            EvidenceVersion.number == item.current_version,
        )
    ).first()
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="evidence",
        subject_id=item.id,
        data=data,
        rows=[version] if version is not None else [],
    )


def get_for(
    session: Session, actor: Actor, evidence_id: int, *, lock: bool = False
) -> tuple[Evidence, set[str]]:
    """The item and how the actor stands to it; NotFound for anything the actor may not see.
    ``lock``: read as committed now and held until this transaction ends (see :func:`for_author`)."""
    if lock:
        item = session.get(Evidence, evidence_id, with_for_update=True, populate_existing=True)
    else:
        item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound("No such evidence.")
    rel = access.require_view(session, actor, item.learner_id)
    hidden.require_shown(item, actor)  # an assessor's record never submitted, to its learner
    return item, rel


def latest_submitted(session: Session, item: Evidence) -> EvidenceVersion | None:
    """The newest version of the item that was submitted (None if it never was)."""
    return session.exec(
        select(EvidenceVersion)
        .where(
            EvidenceVersion.evidence_id == item.id,
            col(EvidenceVersion.declared_at).is_not(None),
        )
        .order_by(col(EvidenceVersion.number).desc())
        .limit(1)
    ).first()


def for_author(session: Session, actor: Actor, evidence_id: int, *, lock: bool = False) -> Evidence:
    """The item, if ``actor`` wrote it (NotFound/PermissionDenied otherwise). ``lock``, for a
    write: its row is held until this transaction ends (PostgreSQL: FOR UPDATE; SQLite writes one
    transaction at a time anyway) and read as committed after any other writer's, so a save, an
    upload or a submit that raced another (a double click, an autosave during the submit) sees
    what the other did instead of changing a version just submitted."""
    item, _rel = get_for(session, actor, evidence_id, lock=lock)
    if item.created_by != actor.id:
        raise PermissionDenied("Only the author may change this evidence.")
    if (reason := read_only_reason(session, item)) is not None:
        raise PermissionDenied(reason)
    return item


def current_version(session: Session, item: Evidence) -> EvidenceVersion:
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == item.id, EvidenceVersion.number == item.current_version
        )
    ).one()
    return version


_ATTACHMENTS = (  # built once: every evidence page lists its version's files
    select(Attachment)
    .where(col(Attachment.version_id) == bindparam("version_id"))
    .order_by(col(Attachment.id))
)


def attachments_of(session: Session, version_id: int) -> list[Attachment]:
    """The files of one version, in the order they were attached."""
    return list(session.exec(_ATTACHMENTS, params={"version_id": version_id}))


def rehash(session: Session, item: Evidence, version: EvidenceVersion) -> None:
    files = [a.sha256 for a in attachments_of(session, version.id or 0)]
    version.sha256 = version_hash(
        item.kind, version.title, version.activity_date, version.body, version.fields, files
    )
    session.add(version)


CHANGED_ELSEWHERE = (
    "This evidence was changed elsewhere since you opened it (in another tab or on another "
    "device?), so nothing was saved: reload it, then apply your changes again."
)


def update(
    session: Session,
    *,
    actor: Actor,
    evidence_id: int,
    expected_version: int,
    draft: Draft,
    expected_hash: str | None = None,
) -> Evidence:
    """Change a draft in place; editing a submitted item makes a new draft version.

    ``expected_hash``: the SHA-256 of the draft as the editor loaded it (or as its last
    background save left it). A draft changes in place, so its version number does not tell two
    tabs apart: the hash does, and the later save is refused instead of overwriting the other."""
    item = for_author(session, actor, evidence_id, lock=True)
    if item.current_version != expected_version:
        raise Conflict(CHANGED_ELSEWHERE)
    if item.submitted_at is not None:  # its activity date counts in stored summaries
        registrations.hold_learner(session, item.learner_id)
    current = current_version(session, item)
    if expected_hash is not None and item.status == "draft" and current.sha256 != expected_hash:
        raise Conflict(CHANGED_ELSEWHERE)
    if draft.kind != item.kind:
        raise Invalid("The kind of evidence cannot change.")
    title, activity, body, fields = _clean(draft)
    version = writable_version(session, actor, item, current)
    version.title, version.activity_date, version.body, version.fields = (
        title,
        activity,
        body,
        fields,
    )
    item.title, item.activity_date, item.updated_at = title, activity, utcnow()
    rehash(session, item, version)
    session.add(item)
    session.flush()
    scanning.scan_body(session, item, version)
    log(
        session, actor, item, "evidence.edit", {"version": version.number, "sha256": version.sha256}
    )
    return item


def autosave(
    session: Session,
    *,
    actor: Actor,
    evidence_id: int,
    expected_version: int,
    draft: Draft,
    expected_hash: str | None = None,
) -> bool:
    """Save a draft in the background, as the editor does every few seconds: only an item still
    a draft (a submitted one changes when its author saves, making a new version), and only when
    the text changed. True when something was written."""
    item = for_author(session, actor, evidence_id, lock=True)
    if item.status != "draft":
        raise Invalid("Only a draft is saved automatically: press “Save” to make a new version.")
    title, activity, body, fields = _clean(draft)
    version = current_version(session, item)
    if item.current_version == expected_version and (
        version.title,
        version.activity_date,
        version.body,
        version.fields,
    ) == (title, activity, body, fields):
        return False
    update(
        session,
        actor=actor,
        evidence_id=evidence_id,
        expected_version=expected_version,
        draft=draft,
        expected_hash=expected_hash,
    )
    return True


def writable_version(
    session: Session, actor: Actor, item: Evidence, current: EvidenceVersion | None = None
) -> EvidenceVersion:
    """The current version (``current``, when the caller has read it) if still a draft, else a
    new draft version copying it."""
    version = current or current_version(session, item)
    if item.status == "draft":
        return version
    new = EvidenceVersion(
        evidence_id=item.id or 0,
        number=version.number + 1,
        title=version.title,
        activity_date=version.activity_date,
        body=version.body,
        fields=dict(version.fields),
        sha256=version.sha256,
        created_by=actor.id,
    )
    session.add(new)
    session.flush()
    copies = [
        Attachment(
            version_id=new.id or 0,
            sha256=a.sha256,
            filename=a.filename,
            mime=a.mime,
            size=a.size,
            text=a.text,
        )
        for a in attachments_of(session, version.id or 0)
    ]
    session.add_all(copies)
    session.flush()
    reading.queue(session, [a.id or 0 for a in copies])  # the same files: read by reuse
    item.current_version = new.number
    item.status = "draft"
    session.add(item)
    session.flush()
    scanning.scan_body(session, item, new)
    return new


def submit(session: Session, *, actor: Actor, evidence_id: int, declaration: bool) -> Evidence:
    """Submit the current version with the author's declaration of authenticity. Its body and
    the files read so far are scanned for personal data first (what was not scanned yet), and a
    version with findings neither replaced nor confirmed is refused with the question."""
    item = for_author(session, actor, evidence_id, lock=True)
    if item.status == "submitted":
        raise Invalid("This version is already submitted.")
    if not declaration:
        raise Invalid(
            "Submitting needs your declaration that this is your own work.", field="declaration"
        )
    registrations.hold_learner(session, item.learner_id)  # before any write, as decisions do
    version = current_version(session, item)
    scanning.ensure_scanned(session, item, version)
    left = scanning.unresolved(session, version.id or 0)
    if left:
        raise Invalid(scanning.unresolved_message(left))
    now = utcnow()
    version.declared_at = now
    rehash(session, item, version)
    item.status, item.submitted_at, item.updated_at = "submitted", now, now
    session.add(item)
    session.flush()
    log(
        session,
        actor,
        item,
        "evidence.submit",
        {"version": version.number, "sha256": version.sha256},
    )
    for hook in _SUBMIT_HOOKS:
        hook(session, item)
    return item
