"""In-app notifications: :func:`notify` leaves a person a short text and a link; they list their
own (:func:`list_for`), see how many are unread (:func:`unread_count`) and mark them read."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portfolio.errors import NotFound
from portfolio.models import Notification
from portfolio.models.base import utcnow
from portfolio.services.actors import Actor

SHOWN = 50


def notify(session: Session, *, person_id: int, text: str, link: str = "") -> Notification | None:
    """Leave ``person_id`` a notification; None (nothing added) when the same text and link
    already wait unread, so repeated events do not pile up."""
    text = " ".join(text.split())
    waiting = session.exec(
        select(Notification.id).where(
            Notification.person_id == person_id,
            Notification.text == text,
            Notification.link == link,
            col(Notification.read_at).is_(None),
        )
    ).first()
    if waiting is not None:
        return None
    row = Notification(person_id=person_id, text=text, link=link)
    session.add(row)
    session.flush()
    return row


def list_for(session: Session, *, actor: Actor, limit: int = SHOWN) -> list[Notification]:
    """The actor's own notifications, newest first."""
    return list(
        session.exec(
            select(Notification)
            .where(Notification.person_id == actor.id)
            .order_by(col(Notification.id).desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, *, actor: Actor) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == actor.id, col(Notification.read_at).is_(None))
        ).one()
    )


def mark_read(session: Session, *, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read; another person's is not found."""
    row = session.get(Notification, notification_id)
    if row is None or row.person_id != actor.id:
        raise NotFound("No such notification.")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
    return row


def mark_all_read(session: Session, *, actor: Actor) -> int:
    result = session.execute(
        update(Notification)
        .where(col(Notification.person_id) == actor.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def mark_link_read(session: Session, *, person_id: int, link: str) -> None:
    """Mark read what pointed a person at ``link`` once they have done what it asked."""
    session.execute(
        update(Notification)
        .where(
            col(Notification.person_id) == person_id,
            col(Notification.link) == link,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
