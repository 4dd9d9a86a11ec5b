"""Evidence: drafts, immutable submitted versions, attachments, the declaration of authenticity."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, BinaryIO

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Attachment, AuditEntry, Evidence, EvidenceVersion
from portfolio.models.base import utcnow
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import access, audit
from portfolio.services.files import FileStore
from portfolio.services.people import Actor
from portfolio.services.sniff import extract_text, sniff

STAR_SECTIONS = ("situation", "task", "action", "result")
WITNESS_FIELDS = ("witness_name", "witness_role", "witness_relationship")
MAX_TITLE = 300
MAX_BODY = 200_000


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


def _clean(draft: Draft) -> tuple[str, date, str, dict[str, str]]:
    if draft.kind not in KINDS:
        raise Invalid(f"Unknown kind of evidence {draft.kind!r}.")
    title = draft.title.strip()
    if not title:
        raise Invalid("A title is required.")
    if len(title) > MAX_TITLE:
        raise Invalid(f"The title may be at most {MAX_TITLE} characters.")
    if draft.activity_date > date.today() + timedelta(days=1):
        raise Invalid("The date of the activity cannot be in the future.")
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
    if kind in ASSESSOR_KINDS and actor.id != learner_id:
        access.require_assessor(session, actor, learner_id)
        return
    if actor.id != learner_id or not actor.has("learner"):
        raise PermissionDenied(
            "Learners write their own evidence; assessors write observation "
            "records and professional discussions for their learners."
        )


def create(session: Session, *, actor: Actor, learner_id: int, draft: Draft) -> Evidence:
    may_author(session, actor, learner_id, draft.kind)
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
    audit.record(
        session,
        actor=actor,
        action="evidence.create",
        subject_type="evidence",
        subject_id=item.id,
        data={"kind": draft.kind, "sha256": version.sha256},
    )
    return item


def get_for(session: Session, actor: Actor, evidence_id: int) -> tuple[Evidence, set[str]]:
    """The item and how the actor stands to it; NotFound for anything the actor may not see."""
    item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound("No such evidence.")
    rel = access.require_view(session, actor, item.learner_id)
    return item, rel


def for_author(session: Session, actor: Actor, evidence_id: int) -> Evidence:
    """The item, if ``actor`` wrote it (NotFound/PermissionDenied otherwise)."""
    item, _rel = get_for(session, actor, evidence_id)
    if item.created_by != actor.id:
        raise PermissionDenied("Only the author may change this evidence.")
    return item


def current_version(session: Session, item: Evidence) -> EvidenceVersion:
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == item.id, EvidenceVersion.number == item.current_version
        )
    ).one()
    return version


def _attachments(session: Session, version_id: int) -> list[Attachment]:
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.version_id == version_id)
            .order_by(col(Attachment.id))
        )
    )


def _rehash(session: Session, item: Evidence, version: EvidenceVersion) -> None:
    files = [a.sha256 for a in _attachments(session, version.id or 0)]
    version.sha256 = version_hash(
        item.kind, version.title, version.activity_date, version.body, version.fields, files
    )
    session.add(version)


def update(
    session: Session, *, actor: Actor, evidence_id: int, expected_version: int, draft: Draft
) -> Evidence:
    """Change a draft in place; editing a submitted item makes a new draft version."""
    item = for_author(session, actor, evidence_id)
    if item.current_version != expected_version:
        raise Conflict(
            "This evidence was changed elsewhere since you opened it; "
            "your text is below: reload, then apply your changes again."
        )
    if draft.kind != item.kind:
        raise Invalid("The kind of evidence cannot change.")
    title, activity, body, fields = _clean(draft)
    version = _writable_version(session, actor, item)
    version.title, version.activity_date, version.body, version.fields = (
        title,
        activity,
        body,
        fields,
    )
    item.title, item.activity_date, item.updated_at = title, activity, utcnow()
    _rehash(session, item, version)
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="evidence.edit",
        subject_type="evidence",
        subject_id=item.id,
        data={"version": version.number, "sha256": version.sha256},
    )
    return item


def _writable_version(session: Session, actor: Actor, item: Evidence) -> EvidenceVersion:
    """The current version if still a draft, else a new draft version copying it."""
    version = current_version(session, item)
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
    for a in _attachments(session, version.id or 0):
        session.add(
            Attachment(
                version_id=new.id or 0,
                sha256=a.sha256,
                filename=a.filename,
                mime=a.mime,
                size=a.size,
                text=a.text,
            )
        )
    item.current_version = new.number
    item.status = "draft"
    session.add(item)
    session.flush()
    return new


def attach(
    session: Session,
    *,
    actor: Actor,
    store: FileStore,
    evidence_id: int,
    filename: str,
    stream: BinaryIO,
    max_bytes: int,
) -> Attachment:
    """Store an upload under its hash, checked by content, and attach it to the draft version."""
    item = for_author(session, actor, evidence_id)
    display = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "upload"
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        from portfolio.services.files import TooLarge

        raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    kind = sniff(data, display)
    text = extract_text(data, kind.mime, display)
    import io

    stored = store.put(io.BytesIO(data), max_bytes=max_bytes)
    version = _writable_version(session, actor, item)
    attachment = Attachment(
        version_id=version.id or 0,
        sha256=stored.sha256,
        filename=display,
        mime=kind.mime,
        size=stored.size,
        text=text,
    )
    session.add(attachment)
    session.flush()
    _rehash(session, item, version)
    item.updated_at = utcnow()
    session.add(item)
    audit.record(
        session,
        actor=actor,
        action="evidence.attach",
        subject_type="evidence",
        subject_id=item.id,
        data={"file": stored.sha256, "name": display, "mime": kind.mime},
    )
    return attachment


def submit(session: Session, *, actor: Actor, evidence_id: int, declaration: bool) -> Evidence:
    """Submit the current version with the author's declaration of authenticity."""
    item = for_author(session, actor, evidence_id)
    if item.status == "submitted":
        raise Invalid("This version is already submitted.")
    if not declaration:
        raise Invalid("Submitting needs your declaration that this is your own work.")
    version = current_version(session, item)
    now = utcnow()
    version.declared_at = now
    _rehash(session, item, version)
    item.status, item.submitted_at, item.updated_at = "submitted", now, now
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="evidence.submit",
        subject_type="evidence",
        subject_id=item.id,
        data={"version": version.number, "sha256": version.sha256},
    )
    return item


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    kind: str
    kind_label: str
    title: str
    activity_date: date
    status: str
    version: int
    attachments: int
    updated_at: Any


PAGE_SIZE = 50


@dataclass(frozen=True)
class EvidencePage:
    """One page of a learner's evidence, newest activity first, and where it sits in the whole."""

    rows: list[EvidenceRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def window(self, edge: int = 2, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first and last few and those around this one; None where
        a run of pages is left out."""
        shown: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n <= edge or n > self.pages - edge or abs(n - self.page) <= around:
                shown.append(n)
            elif shown[-1] is not None:
                shown.append(None)
        return shown


def _listing_statements(by_status: bool) -> tuple[Any, Any]:
    """The count and the page query of a learner's evidence, built once (building costs more
    than running them)."""
    where = [col(Evidence.learner_id) == bindparam("learner_id")]
    if by_status:
        where.append(col(Evidence.status) == bindparam("status"))
    files = (
        sa_select(func.count(col(Attachment.id)))
        .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
        .where(
            col(EvidenceVersion.evidence_id) == Evidence.id,
            col(EvidenceVersion.number) == Evidence.current_version,
        )
        .scalar_subquery()
    )
    count = sa_select(func.count(col(Evidence.id))).where(*where)
    rows = (
        sa_select(
            col(Evidence.id),
            col(Evidence.kind),
            col(Evidence.title),
            col(Evidence.activity_date),
            col(Evidence.status),
            col(Evidence.current_version),
            files,
            col(Evidence.updated_at),
        )
        .where(*where)
        .order_by(col(Evidence.activity_date).desc(), col(Evidence.id).desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, rows


_LISTING = {False: _listing_statements(False), True: _listing_statements(True)}


def page_for_learner(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    status: str | None = None,
) -> EvidencePage:
    """One page of a learner's evidence in two queries, however many items there are."""
    access.require_view(session, actor, learner_id)
    count, select_rows = _LISTING[status is not None]
    params: dict[str, Any] = {"learner_id": learner_id, "status": status}
    connection = session.connection()
    total = int(connection.execute(count, params).scalar_one())
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # plain rows, not ORM objects, and only the page asked for
    params.update(limit=per_page, offset=(page - 1) * per_page)
    rows: Sequence[Any] = connection.execute(select_rows, params).all()
    return EvidencePage(
        rows=[
            EvidenceRow(
                id=eid,
                kind=kind,
                kind_label=KINDS[kind],
                title=title,
                activity_date=activity,
                status=status_,
                version=version,
                attachments=n or 0,
                updated_at=updated,
            )
            for eid, kind, title, activity, status_, version, n, updated in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


@dataclass
class EvidenceDetail:
    item: Evidence
    version: EvidenceVersion
    versions: list[EvidenceVersion]
    attachments: list[Attachment]
    history: list[AuditEntry]
    relation: set[str]
    can_edit: bool


def detail(
    session: Session, *, actor: Actor, evidence_id: int, number: int | None = None
) -> EvidenceDetail:
    item, rel = get_for(session, actor, evidence_id)
    versions = list(
        session.exec(
            select(EvidenceVersion)
            .where(EvidenceVersion.evidence_id == evidence_id)
            .order_by(col(EvidenceVersion.number))
        )
    )
    wanted = number or item.current_version
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise NotFound("No such version.")
    history = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.subject_type == "evidence", AuditEntry.subject_id == evidence_id)
            .order_by(col(AuditEntry.id))
        )
    )
    return EvidenceDetail(
        item=item,
        version=version,
        versions=versions,
        attachments=_attachments(session, version.id or 0),
        history=history,
        relation=rel,
        can_edit=item.created_by == actor.id,
    )


def attachment_for(session: Session, *, actor: Actor, attachment_id: int) -> Attachment:
    """An attachment the actor may download (NotFound otherwise)."""
    row = session.exec(
        select(Attachment, Evidence.learner_id)
        .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound("No such file.")
    attachment, learner_id = row
    access.require_view(session, actor, learner_id)
    return attachment
