"""Holding registrations for a write that changes what their stored summaries say.

A registration summary (``mappings.assessment.summaries``) being stored holds the registrations
it summarises (PostgreSQL: ``FOR SHARE``, in id order) before it reads. A write that changes
what a summary says holds the registrations concerned (``FOR UPDATE``, in id order, one
statement) before it writes and so before its flush deletes their summaries: a summary being
stored meanwhile is waited for and then deleted, and one stored after waits for the write and
reads what it committed. SQLite writes one transaction at a time, so there nothing is held and
no statement is spent.

Lock order, so that no two writers wait for each other in a circle: an evidence item's row
first, then registrations, then files' content (``files.hold_content``), then the audit trail
(``audit.hold_trail``, taken by the first entry recorded).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from portfolio.models import Registration


def _hold(session: Session, condition: ColumnElement[bool]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.exec(
            select(Registration.id)
            .where(condition)
            .order_by(col(Registration.id))
            .with_for_update()
        ).all()


def hold_learners(session: Session, learner_ids: Iterable[int]) -> None:
    """Hold every registration of these learners until this transaction ends: their claims,
    evidence or name are about to change (a version submitted, claims mapped, a rename)."""
    wanted = sorted(set(learner_ids))
    if wanted:
        _hold(session, col(Registration.learner_id).in_(wanted))


def hold_framework(session: Session, framework_id: int) -> None:
    """Hold every registration on this framework version until this transaction ends: what
    their coverage rests on (its rules) is about to change."""
    _hold(session, col(Registration.framework_id) == framework_id)


def hold_registrations(session: Session, registration_ids: Iterable[int]) -> None:
    """Hold these registrations until this transaction ends (in id order, one statement): their
    allocation is about to change for several at once (a reallocation)."""
    wanted = sorted(set(registration_ids))
    if wanted:
        _hold(session, col(Registration.id).in_(wanted))
