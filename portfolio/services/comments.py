"""The conversation on one evidence item: comments between the learner and their allocated
assessor, besides the feedback on each claim. Everyone who may read the item reads them (IQA and
EQA too); the learner and the allocated assessor write them, never once the learner's personal
data is erased (a new record about them). Each comment is in the item's history and tells the
other party."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import EvidenceComment, Person
from portfolio.services import access, audit, notifications, withdrawals
from portfolio.services.actors import Actor
from portfolio.services.evidence import get_for

MAX_COMMENT = 5_000
# after "The learner's personal data was erased on 7 Dec 2026: "
CLOSED = (
    "what is kept of their evidence is the awarding body's record, and no comment is added to "
    "it: its conversation stays as it was."
)
WRITERS = {"self", "assessor"}


@dataclass(frozen=True)
class CommentRow:
    id: int
    author: str
    author_id: int
    body: str
    created_at: datetime
    by_learner: bool


def may_comment(relation: set[str]) -> bool:
    return bool(relation & WRITERS)


def check_may_comment(session: Session, *, actor: Actor, evidence_id: int) -> None:
    """Raise unless the actor may write on this item (before a form is even read)."""
    _item, rel = get_for(session, actor, evidence_id)
    if not may_comment(rel):
        raise PermissionDenied("Only the learner and their assessor write comments on evidence.")


_COMMENTS = (  # built once: every evidence page shows its comments
    select(EvidenceComment, Person.name)
    .join(Person, col(Person.id) == EvidenceComment.author_id)
    .where(col(EvidenceComment.evidence_id) == bindparam("evidence_id"))
    .order_by(col(EvidenceComment.id))
)


def comments_on(session: Session, *, actor: Actor, evidence_id: int) -> list[CommentRow]:
    """The item's comments, oldest first, for anyone who may read the item."""
    item, _rel = get_for(session, actor, evidence_id)
    rows = session.exec(_COMMENTS, params={"evidence_id": evidence_id}).all()
    return [
        CommentRow(
            c.id or 0, name, c.author_id, c.body, c.created_at, c.author_id == item.learner_id
        )  # fmt: skip
        for c, name in rows
    ]


_PAGE = (  # one page of the API's list: past the last id read, oldest first, one more
    _COMMENTS.where(col(EvidenceComment.id) > bindparam("after_id", type_=Integer)).limit(
        bindparam("limit", type_=Integer)
    )
)


def comments_after(
    session: Session, *, actor: Actor, evidence_id: int, after_id: int | None, limit: int
) -> tuple[list[CommentRow], int | None]:
    """One page of the item's comments, oldest first, for anyone who may read the item: the
    ``limit`` comments after the one with id ``after_id`` (from the first without it), and the
    id of the page's last one while more follow (else None). One statement of ``limit + 1``
    rows past the keyset, whatever the length of the conversation."""
    item, _rel = get_for(session, actor, evidence_id)
    rows = session.exec(
        _PAGE, params={"evidence_id": evidence_id, "after_id": after_id or 0, "limit": limit + 1}
    ).all()
    found = [
        CommentRow(
            c.id or 0, name, c.author_id, c.body, c.created_at, c.author_id == item.learner_id
        )  # fmt: skip
        for c, name in rows[:limit]
    ]
    return found, (found[-1].id if len(rows) > limit else None)


def add(session: Session, *, actor: Actor, evidence_id: int, body: str) -> EvidenceComment:
    """Add the actor's comment (the learner or their allocated assessor) and tell the other
    party: the learner hears from the assessor, the learner's assessors from the learner."""
    item, rel = get_for(session, actor, evidence_id)
    if not may_comment(rel):
        raise PermissionDenied("Only the learner and their assessor write comments on evidence.")
    withdrawals.refuse_if_erased(session, item.learner_id, CLOSED)  # nothing new about them
    text = body.strip()
    if not text:
        raise Invalid("Write your comment.", field="body")
    if len(text) > MAX_COMMENT:
        raise Invalid(f"A comment may be at most {MAX_COMMENT:,} characters.", field="body")
    comment = EvidenceComment(evidence_id=evidence_id, author_id=actor.id, body=text)
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="evidence.comment",
        subject_type="evidence",
        subject_id=evidence_id,
        data={"comment": comment.id, "sha256": hashlib.sha256(text.encode()).hexdigest()},
    )
    others = (
        access.assessors_of(session, item.learner_id) if "self" in rel else {item.learner_id}
    ) - {actor.id}
    if item.submitted_at is None:  # a draft is its author's alone: no one else reads it yet
        others &= {item.created_by}
    notifications.notify_many(
        session,
        person_ids=others,
        text=f"{actor.name} commented on “{item.title}”.",
        link=notifications.evidence_link(evidence_id, "#comments"),
        kind="comment",
    )
    return comment
