"""Whom an audit entry is about: the person its subject belongs to, found when the entry is
written (:func:`portfolio.services.audit.record`) and kept on the entry (``about_id``), so the
search "about whom" is one range of one index however long the trail is.

A person is about themselves; a registration, an evidence item, a claim, a sign-off, a learner's
declaration, an assessment plan, an IQA sample or action, an attachment and an Open Badge are
about their learner; an external QA grant is about the person granted. Anything else (a
framework, a cohort, a sampling cycle, the centre's settings) belongs to no one person. The
tables are described with SQLAlchemy's lightweight ``table()`` because their models live in
higher layers; migration 0043 fills in the entries written before with the same paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Integer, column, func, literal, or_, select, table
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from portfolio.models import AuditEntry

# the action that takes a draft away whole (mappings.assessment.discard): its rows are deleted, and
# on SQLite before migration 0051 (AUTOINCREMENT) a new row could be given its id, so an entry up
# to it is about the discarded draft. Kept for that history: a database upgraded from before 0051
# can hold an item that was given a discarded draft's id then.
DISCARD = "evidence.discard"


def discarded_since(entry: Any, *, not_by: int | None = None) -> Any:
    """Whether a draft was discarded at or after ``entry`` (an AuditEntry, or an alias of it)
    whose subject is that draft's evidence item (``not_by``: by someone other than that person):
    a SQL condition. Such an entry is about the discarded draft, whatever item holds its id now."""
    gone = aliased(AuditEntry)
    conditions = [
        col(entry.subject_type) == "evidence",
        col(gone.subject_type) == "evidence",
        col(gone.subject_id) == col(entry.subject_id),
        col(gone.action) == DISCARD,
        col(gone.id) >= col(entry.id),
    ]
    if not_by is not None:
        conditions.append(col(gone.actor_id) != not_by)
    return select(col(gone.id)).where(*conditions).exists()


def _t(name: str, *columns: str) -> Any:
    return table(name, column("id", Integer()), *(column(c, Integer()) for c in columns))


_REGISTRATION = _t("registration", "learner_id")
_EVIDENCE = _t("evidence", "learner_id")
_VERSION = _t("evidenceversion", "evidence_id")
_SAMPLE = _t("iqa_sample", "learner_id")
# subject types whose row names its person in a column of its own
_OWN_COLUMN = {
    "registration": ("registration", "learner_id"),
    "evidence": ("evidence", "learner_id"),
    "learner_declaration": ("learner_declaration", "learner_id"),
    "assessment_plan": ("assessment_plan", "learner_id"),
    "iqa_sample": ("iqa_sample", "learner_id"),
    "badge": ("badge", "learner_id"),
    "eqa_access": ("eqa_access", "person_id"),
}
# subject types that reach their learner through a row they belong to
_THROUGH = {
    "claim": ("claim", "evidence_id", _EVIDENCE),
    "signoff": ("signoff", "registration_id", _REGISTRATION),
    "iqa_action": ("iqa_action", "sample_id", _SAMPLE),
}
KINDS: tuple[str, ...] = ("person", *_OWN_COLUMN, *_THROUGH, "attachment")


def owner(subject_type: str, subject_id: Any) -> Any:
    """The id of the person the subject (``subject_type``, ``subject_id``) belongs to as a SQL
    scalar expression (``subject_id`` a value or a column), or None when a subject of that type
    belongs to no one person."""
    if subject_type == "person":
        return subject_id
    if subject_type in _OWN_COLUMN:
        name, person = _OWN_COLUMN[subject_type]
        row = _t(name, person)
        return select(row.c[person]).where(row.c.id == subject_id).scalar_subquery()
    if subject_type in _THROUGH:
        name, link, parent = _THROUGH[subject_type]
        row = _t(name, link)
        return (
            select(parent.c.learner_id)
            .join(row, row.c[link] == parent.c.id)
            .where(row.c.id == subject_id)
            .scalar_subquery()
        )
    if subject_type == "attachment":
        item = _t("attachment", "version_id")
        return (
            select(_EVIDENCE.c.learner_id)
            .join(_VERSION, _VERSION.c.evidence_id == _EVIDENCE.c.id)
            .join(item, item.c.version_id == _VERSION.c.id)
            .where(item.c.id == subject_id)
            .scalar_subquery()
        )
    return None


def about(subject_type: str, subject_id: int | None) -> Any:
    """What a new entry about (``subject_type``, ``subject_id``) records as whom it is about: the
    subject's person as the database holds it now or, when the subject is already gone (the
    entry records its removal), whom the newest earlier entry about it named. A SQL expression
    written into the entry's INSERT (no statement of its own), a plain id, or None."""
    if subject_id is None:
        return None
    found = owner(subject_type, literal(subject_id, Integer()))
    if found is None or subject_type == "person":
        return subject_id if subject_type == "person" else None
    e = AuditEntry
    earlier = (
        select(col(e.about_id))
        .where(
            col(e.subject_type) == subject_type,
            col(e.subject_id) == subject_id,
            col(e.about_id).is_not(None),
        )
        .order_by(col(e.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(found, earlier)


# subject types whose rows are never deleted and never change person: an entry about one names
# exactly the person its subject names now. (A claim or an IQA sample can be deleted, and on SQLite
# its id given to a new row of someone else's (an IQA sample's still; a claim's before migration
# 0051, whose history a database upgraded from before keeps); an entry about a row since deleted
# named the person of the entry before it: those cannot be recomputed without doubt.)
STABLE: tuple[str, ...] = (
    "person", "registration", "evidence", "learner_declaration", "assessment_plan", "signoff",
)  # fmt: skip


def mismatches(session: Session) -> Iterator[tuple[int, str, int | None, int]]:
    """The entries about a :data:`STABLE` subject that do not name its person (``about_id`` is
    not in the hash chain, so ``audit verify`` recomputes it here): id, action, whom the entry
    names (None: no one) and whom the subject names, in the order of the trail. One statement
    per subject type, each reading the trail's entries of that type once."""
    e = AuditEntry
    for kind in STABLE:
        now = owner(kind, col(e.subject_id))
        query = (
            select(col(e.id), col(e.action), col(e.about_id), now)
            .where(
                col(e.subject_type) == kind,
                now.is_not(None),
                or_(col(e.about_id).is_(None), col(e.about_id) != now),
                # about a draft discarded since: a new row may hold its id (given before 0051)
                ~discarded_since(e),
            )
            .order_by(col(e.id))
        )
        yield from session.execute(query)  # a Row unpacks as the tuple
