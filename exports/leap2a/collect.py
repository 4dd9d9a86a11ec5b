"""The database side of a Leap2A export: one learner's evidence, as it stands now, with its files
and the criteria it is claimed against, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim
from mappings.assessment.recorded import recorded_elsewhere
from portfolio.models import Attachment, Evidence, EvidenceVersion, Person
from portfolio.models.framework import Criterion, Framework, Standard


@dataclass(frozen=True)
class ClaimedCriterion:
    framework_uri: str
    framework_title: str
    standard_id: int
    standard_code: str
    standard_title: str
    code: str
    text: str
    status: str  # claimed | accepted | referred
    # whether the engine had suggested the criterion when it was claimed (None: not, or a claim
    # made before this was recorded), with its score and whether the suggestion was strong
    suggested_engine: str | None = None
    suggested_score: float | None = None
    suggested_strong: bool | None = None


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    status: str
    title: str
    activity_date: date
    body: str
    fields: dict[str, str]
    author: str
    created_at: datetime
    updated_at: datetime
    attachments: list[Attachment]
    claims: list[ClaimedCriterion] = field(default_factory=list)


def framework_uri(framework: Framework) -> str:
    """A URI naming one version of a framework: the scheme of its criteria's categories."""
    from urllib.parse import quote

    return (
        f"urn:x-competence-portfolio:framework:{quote(framework.code)}:{quote(framework.version)}"
    )


def _authors(session: Session, rows: list[tuple[Evidence, EvidenceVersion]]) -> dict[int, str]:
    """Evidence id -> the name of who wrote the version written out: the item's author, or, for
    a version its bundle says someone of another centre wrote, that name as text (never the
    learner's)."""
    names = {
        p.id: p.name
        for p in session.exec(
            select(Person).where(col(Person.id).in_({e.created_by for e, _ in rows}))
        )
    }
    elsewhere = recorded_elsewhere(session, [e.id or 0 for e, _ in rows])
    return {
        e.id or 0: said.author
        if (said := elsewhere.get((e.id or 0, v.number)))
        else names.get(e.created_by, "")
        for e, v in rows
    }


def collect_items(session: Session, learner_id: int) -> list[Item]:
    """Every evidence item of the learner as the learner may read it, with its files and claims
    (whoever exports it: an administrator exports it for the learner).

    A version not yet submitted is its author's alone (as on the pages and in bundles): each
    item is written at its newest version that was submitted or that the learner wrote, and an
    item with neither (an assessor's record not yet submitted) is left out."""
    visible = session.exec(
        select(Evidence, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.evidence_id) == Evidence.id)
        .where(
            Evidence.learner_id == learner_id,
            col(EvidenceVersion.number) <= Evidence.current_version,
            or_(
                col(EvidenceVersion.declared_at).is_not(None),
                col(Evidence.created_by) == learner_id,
            ),
        )
        .order_by(col(Evidence.id), col(EvidenceVersion.number).desc())
    ).all()
    newest: dict[int, tuple[Evidence, EvidenceVersion]] = {}
    for e, v in visible:
        newest.setdefault(e.id or 0, (e, v))
    rows = list(newest.values())
    version_ids = [v.id for _, v in rows]
    files: dict[int, list[Attachment]] = defaultdict(list)
    for a in session.exec(
        select(Attachment)
        .where(
            col(Attachment.version_id).in_(version_ids),
            col(Attachment.erased_at).is_(None),  # an erased file is gone from the store
        )
        .order_by(col(Attachment.id))
    ):
        files[a.version_id].append(a)
    claimed: dict[int, list[ClaimedCriterion]] = defaultdict(list)
    for claim, criterion, standard, framework in session.exec(
        select(Claim, Criterion, Standard, Framework)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(col(Claim.evidence_id).in_([e.id for e, _ in rows]))
        .order_by(col(Standard.position), col(Criterion.position), col(Criterion.id))
    ):
        claimed[claim.evidence_id].append(
            ClaimedCriterion(
                framework_uri=framework_uri(framework),
                framework_title=f"{framework.title} (version {framework.version})",
                standard_id=standard.id or 0,
                standard_code=standard.code,
                standard_title=standard.title,
                code=criterion.code,
                text=criterion.text,
                status=claim.status,
                suggested_engine=claim.suggested_engine,
                suggested_score=claim.suggested_score,
                suggested_strong=claim.suggested_strong,
            )
        )
    authors = _authors(session, rows)
    return [
        Item(
            id=e.id or 0,
            kind=e.kind,
            # an earlier version, written because the newer one is someone else's draft
            status=e.status if v.number == e.current_version else "submitted",
            title=v.title,
            activity_date=v.activity_date,
            body=v.body,
            fields={str(k): str(x) for k, x in v.fields.items()},
            author=authors.get(e.id or 0, ""),
            created_at=e.created_at,
            updated_at=e.updated_at,
            attachments=files[v.id or 0],
            claims=claimed[e.id or 0],
        )
        for e, v in rows
    ]
