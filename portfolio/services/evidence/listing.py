"""Reading evidence: a learner's list a page at a time, and one item with its versions and history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import NotFound
from portfolio.models import Attachment, AuditEntry, Evidence, EvidenceVersion
from portfolio.models.evidence import KINDS
from portfolio.paging import Paged
from portfolio.services import access
from portfolio.services.evidence.drafts import attachments_of, get_for
from portfolio.services.people import Actor


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


# one page of a learner's evidence, newest activity first, and where it sits in the whole
EvidencePage = Paged[EvidenceRow]


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
        attachments=attachments_of(session, version.id or 0),
        history=history,
        relation=rel,
        can_edit=item.created_by == actor.id,
    )
