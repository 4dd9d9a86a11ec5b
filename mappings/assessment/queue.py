"""The marking queue: every submitted item of an assessor's learners that has claims awaiting
their decision (on a framework they assess the learner on, the learner not withdrawn from it, the
claim's standard not signed off), oldest submission first, a page at a time, in three queries however
long it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment.completion import signed_off_sql
from mappings.assessment.models import Claim
from portfolio.errors import PermissionDenied
from portfolio.models import Criterion, Evidence, Person, Registration, Standard
from portfolio.models.evidence import KINDS
from portfolio.paging import Paged, clamp
from portfolio.services.people import Actor

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueRow:
    evidence_id: int
    title: str
    kind: str
    kind_label: str
    learner_id: int
    learner_name: str
    submitted_at: datetime
    awaiting: int  # claims of the item awaiting a decision
    standards: tuple[str, ...]  # codes of the standards those claims are about, in order


MarkingQueue = Paged[QueueRow]


# a claim waits for the assessor of the learner's registration on the claim's framework (a
# learner on two frameworks may have two assessors), unless the learner withdrew from it: its
# claims are not decided until an administrator reinstates it; nor while the claim's standard is
# signed off (every standard of a completed registration is): the sign-off froze its claims, none
# is decided until it is reopened; nor once the learner's personal data is erased (what is kept
# of their evidence is the awarding body's record: nothing more is decided on it)
_LEARNER = aliased(Person)
_ASSESSED = (
    and_(
        col(Registration.learner_id) == Evidence.learner_id,
        col(Registration.framework_id) == Standard.framework_id,
        col(Registration.withdrawn_at).is_(None),
        ~signed_off_sql(col(Registration.id), col(Standard.id)),
        exists().where(
            col(_LEARNER.id) == Registration.learner_id, col(_LEARNER.erased_at).is_(None)
        ),
    ),
)


def _waiting(query: Any) -> Any:
    """``query`` (from Evidence) joined to its claims and the registration each is decided on."""
    return (
        query.join(Claim, col(Claim.evidence_id) == Evidence.id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Registration, *_ASSESSED)
    )


def _statements(by_learner: bool) -> tuple[Any, Any]:
    """The count and the page of waiting items, built once (building costs more than running)."""
    where = [
        col(Evidence.submitted_at).is_not(None),
        col(Registration.assessor_id) == bindparam("assessor_id"),
        col(Claim.status) == "claimed",
    ]
    if by_learner:
        where.append(col(Evidence.learner_id) == bindparam("learner_id"))
    count = _waiting(sa_select(func.count(func.distinct(col(Evidence.id)))).select_from(Evidence))
    shown = (
        col(Evidence.id),
        col(Evidence.title),
        col(Evidence.kind),
        col(Evidence.learner_id),
        col(Person.name),
        col(Evidence.submitted_at),
    )
    rows = (
        _waiting(sa_select(*shown, func.count(col(Claim.id))).select_from(Evidence))
        .join(Person, col(Person.id) == Evidence.learner_id)
        .where(*where)
        .group_by(*shown)
        .order_by(col(Evidence.submitted_at), col(Evidence.id))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count.where(*where), rows


_QUEUE = {False: _statements(False), True: _statements(True)}
_STANDARDS = (
    _waiting(sa_select(col(Claim.evidence_id), col(Standard.code)).select_from(Evidence))
    .where(
        col(Claim.evidence_id).in_(bindparam("ids", expanding=True)),
        col(Claim.status) == "claimed",
        col(Registration.assessor_id) == bindparam("assessor_id"),
    )
    .distinct()
    .order_by(col(Claim.evidence_id), col(Standard.code))
)


def marking_queue(
    session: Session,
    *,
    actor: Actor,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    learner_id: int | None = None,
) -> MarkingQueue:
    """The actor's queue (their own learners only), or one learner's part of it."""
    if not actor.has("assessor"):
        raise PermissionDenied("The marking queue is an assessor's.")
    count, select_rows = _QUEUE[learner_id is not None]
    params: dict[str, Any] = {"assessor_id": actor.id, "learner_id": learner_id}
    connection = session.connection()
    total = int(connection.execute(count, params).scalar_one())
    page = clamp(page, total, per_page)
    params.update(limit=per_page, offset=(page - 1) * per_page)
    found: Sequence[Any] = connection.execute(select_rows, params).all()
    standards: dict[int, list[str]] = defaultdict(list)
    if found:
        ids = [r[0] for r in found]
        for eid, code in connection.execute(_STANDARDS, {"ids": ids, "assessor_id": actor.id}):
            standards[eid].append(code)
    return MarkingQueue(
        rows=[
            QueueRow(
                evidence_id=eid,
                title=title,
                kind=kind,
                kind_label=KINDS.get(kind, "Evidence"),
                learner_id=lid,
                learner_name=name,
                submitted_at=submitted,
                awaiting=awaiting,
                standards=tuple(standards[eid]),
            )
            for eid, title, kind, lid, name, submitted, awaiting in found
        ],
        total=total,
        page=page,
        per_page=per_page,
    )
