"""In-app notifications: :func:`notify` leaves a person a short text and a link; they list their
own a page at a time (:func:`page_for`), see how many are unread (:func:`unread_count`) and mark them read.

Each notification has a kind (``KINDS``); each person chooses per kind whether it also comes by
e-mail straight away, in a daily digest or not at all (:func:`preferences`,
:func:`set_preferences`). The choice is written on the notification when it is made; those to
send straight away are left in the session (:func:`queued_mail`) for the delivery layer to hand
to the background worker once the request has committed (:mod:`portfolio.services.notice_mail`
sends them).

An erasure rewrites what other people's notifications say of what it erased
(:func:`forget_evidence`, :func:`forget_name`); the rows stay, read or unread."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, case, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NotFound
from portfolio.models import Notification, NotificationPreference, Person
from portfolio.models.base import utcnow
from portfolio.models.notification import KINDS, MODES
from portfolio.paging import Paged
from portfolio.services.actors import Actor

SHOWN = 50  # a page of the list
# every anchor a notification about an evidence item points at (see :func:`evidence_link`)
EVIDENCE_ANCHORS = ("", "#comments")
ERASED_EVIDENCE = "This notification was about evidence whose content has since been erased."
DISCARDED_EVIDENCE = "This notification was about a draft that its author has since discarded."
_MAIL_KEY = "portfolio.mail"
DEFAULT_MODE = "now"

# the kinds each role may be told of (the settings page offers these)
ROLE_KINDS = {
    "learner": ("decision", "referral", "comment", "declaration", "plan", "break"),
    "assessor": ("submission", "signoff_ready", "comment", "iqa_action", "iqa_review", "break"),
    "iqa": ("iqa_response",),
    "eqa": ("eqa_access",),
}


def kinds_for(actor: Actor) -> list[str]:
    """The kinds of notification the actor's roles may bring, in the order of KINDS."""
    wanted = {k for role, kinds in ROLE_KINDS.items() if actor.has(role) for k in kinds}
    return [k for k in KINDS if k in wanted]


def mode_of(session: Session, person_id: int, kind: str) -> str:
    """How the person wants this kind by e-mail: "now", "digest" or "off"."""
    found = session.exec(
        select(NotificationPreference.mode).where(
            NotificationPreference.person_id == person_id, NotificationPreference.kind == kind
        )
    ).first()
    return found or DEFAULT_MODE


def preferences(session: Session, *, actor: Actor) -> dict[str, str]:
    """The actor's choice for each kind their roles may bring (kind -> mode)."""
    chosen = dict(
        session.exec(
            select(NotificationPreference.kind, NotificationPreference.mode).where(
                NotificationPreference.person_id == actor.id
            )
        ).all()
    )
    return {k: chosen.get(k, DEFAULT_MODE) for k in kinds_for(actor)}


def choose(session: Session, *, person_id: int, kind: str, mode: str) -> None:
    """Keep one person's choice for one kind (flushed). "off" also stops what of that kind
    waits unsent (tomorrow's digest, a message not yet handed over), in the same transaction:
    nothing more of it is sent after the person stopped it."""
    if kind not in KINDS:
        raise Invalid(f"Unknown kind of notification “{kind}”.")
    if mode not in MODES:
        raise Invalid("Choose straight away, a daily digest or no e-mail.", field=kind)
    row = session.exec(
        select(NotificationPreference).where(
            NotificationPreference.person_id == person_id, NotificationPreference.kind == kind
        )
    ).first()
    if row is None:
        row = NotificationPreference(person_id=person_id, kind=kind, mode=mode)
    row.mode = mode
    session.add(row)
    session.flush()
    if mode == "off":
        session.execute(
            update(Notification)
            .where(
                col(Notification.person_id) == person_id,
                col(Notification.kind) == kind,
                col(Notification.mailed_at).is_(None),
                col(Notification.mail) != "off",
            )
            .values(mail="off")
            .execution_options(synchronize_session=False)
        )


def set_preferences(session: Session, *, actor: Actor, modes: dict[str, str]) -> None:
    """The actor's choices from the settings page: only kinds their roles may bring."""
    allowed = set(kinds_for(actor))
    for kind, mode in modes.items():
        if kind not in allowed:
            raise Invalid(f"Unknown kind of notification “{kind}”.")
        choose(session, person_id=actor.id, kind=kind, mode=mode)


def queued_mail(session: Session) -> list[int]:
    """The notifications this session made to e-mail straight away (and forget them)."""
    found: list[int] = session.info.pop(_MAIL_KEY, [])
    return found


def evidence_link(evidence_id: int | None, anchor: str = "") -> str:
    """Where a notification about an evidence item points (``anchor``: one of
    ``EVIDENCE_ANCHORS``)."""
    return f"/evidence/{evidence_id}{anchor}"


def notify(
    session: Session, *, person_id: int, text: str, link: str = "", kind: str = "other"
) -> Notification | None:
    """Leave ``person_id`` a notification of ``kind``; None (nothing added) when the same text
    and link already wait unread, so repeated events do not pile up. Whether and when it is
    e-mailed follows the person's choice for the kind (no address, no e-mail)."""
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
    person = session.get(Person, person_id)
    reachable = person is not None and person.email and person.removed_at is None
    mode = mode_of(session, person_id, kind) if reachable else "off"
    row = Notification(person_id=person_id, text=text, link=link, kind=kind, mail=mode)
    session.add(row)
    session.flush()
    if mode == "now":
        session.info.setdefault(_MAIL_KEY, []).append(row.id)
    return row


def notify_many(
    session: Session, *, person_ids: set[int], text: str, link: str = "", kind: str = "other"
) -> int:
    """:func:`notify` each of these people; how many were told."""
    return sum(
        notify(session, person_id=p, text=text, link=link, kind=kind) is not None
        for p in sorted(person_ids)
    )


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


# built once: a page of a person's notifications, newest first, each with how many they have
_PAGE = (
    sa_select(Notification, func.count().over())
    .where(col(Notification.person_id) == bindparam("person_id"))
    .order_by(col(Notification.id).desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_ALL = (
    sa_select(func.count())
    .select_from(Notification)
    .where(col(Notification.person_id) == bindparam("person_id"))
)


def page_for(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = SHOWN
) -> Paged[Notification]:
    """A page of the actor's own notifications, newest first, in one statement however many
    they have; a page past the end is the last (the count alone is read for it first)."""
    page = max(1, page)
    params = {"person_id": actor.id, "limit": per_page, "offset": (page - 1) * per_page}
    rows = session.execute(_PAGE, params).all()
    total = int(rows[0][1]) if rows else 0
    if not rows and page > 1:
        total = int(session.execute(_ALL, params).scalar_one())
        page = max(1, -(-total // per_page))
        params["offset"] = (page - 1) * per_page
        rows = session.execute(_PAGE, params).all() if total else []
    return Paged([r[0] for r in rows], total, page, per_page)


# built once, run on the connection: every page's header shows the count
_UNREAD = (
    sa_select(func.count())
    .select_from(Notification)
    .where(
        col(Notification.person_id) == bindparam("person_id"), col(Notification.read_at).is_(None)
    )
)


def unread_count(session: Session, *, actor: Actor) -> int:
    return int(session.connection().execute(_UNREAD, {"person_id": actor.id}).scalar_one())


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


def no_longer_needed(session: Session, *, person_id: int, kind: str, link_prefix: str) -> int:
    """What asked ``person_id`` to act at a link starting with ``link_prefix`` (of ``kind``) and
    can no longer be done: marked read, and not e-mailed if it is not yet (a digest to come
    would ask again); how many were unread or unsent."""
    escaped = link_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pending = col(Notification.mailed_at).is_(None)
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.person_id) == person_id,
            col(Notification.kind) == kind,
            col(Notification.link).like(f"{escaped}%", escape="\\"),
            col(Notification.read_at).is_(None) | (pending & (col(Notification.mail) != "off")),
        )
        .values(
            read_at=func.coalesce(Notification.read_at, utcnow()),
            mail=case((pending, literal("off")), else_=Notification.mail),
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_evidence(session: Session, evidence_ids: Sequence[int]) -> int:
    """Replace the text of every notification pointing at these items (their content erased:
    the texts name the items' titles and who wrote on them) with ``ERASED_EVIDENCE``; how many
    were rewritten."""
    links = [evidence_link(i, a) for i in evidence_ids for a in EVIDENCE_ANCHORS]
    if not links:
        return 0
    result = session.execute(
        update(Notification)
        .where(col(Notification.link).in_(links), col(Notification.text) != ERASED_EVIDENCE)
        .values(text=ERASED_EVIDENCE)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_discarded(session: Session, evidence_id: int) -> int:
    """Rewrite every notification pointing at a draft being discarded (anyone's, any anchor):
    the item and its page go, so each says ``DISCARDED_EVIDENCE`` and links nothing (a person's
    notifications are kept, as an erasure keeps them); how many were rewritten."""
    links = [evidence_link(evidence_id, a) for a in EVIDENCE_ANCHORS]
    result = session.execute(
        update(Notification)
        .where(col(Notification.link).in_(links))
        .values(text=DISCARDED_EVIDENCE, link="")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_name(session: Session, name: str, placeholder: str) -> int:
    """Put ``placeholder`` for ``name`` in anyone's notifications (an erased person): the texts
    that name a person begin with the name of whoever acted or is spoken of ("Lee Learner's
    registration ..."), so only that beginning changes (a short name inside someone else's is left
    alone); how many were rewritten."""
    name = " ".join(name.split())  # as :func:`notify` wrote it
    if not name or name == placeholder:
        return 0
    rest = func.substr(col(Notification.text), len(name) + 1)
    result = session.execute(
        update(Notification)
        .where(
            or_(
                col(Notification.text).startswith(name + " ", autoescape=True),
                col(Notification.text).startswith(name + "'s ", autoescape=True),
            )
        )
        .values(text=literal(placeholder) + rest)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
