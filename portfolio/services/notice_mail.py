"""Notifications by e-mail: one message for each notification to send straight away
(:func:`send_now`, run by the background worker) and one daily digest per person of what they
chose to have in a digest (:func:`send_digests`, run by ``portfolio notifications digest``).

Each row is claimed (``mailed_at`` set) in the transaction that sends it, so a message goes once
however often a job or the command runs; a send that fails rolls back and stays unsent.

Every message carries a link to stop that kind of e-mail that works without logging in: a token
signed with the site's secret key (:func:`token`), also given in the ``List-Unsubscribe`` header
for one-click unsubscribing (RFC 8058).

Links are made on the site's address, ``PORTFOLIO_BASE_URL`` (``portfolio serve`` sets its own
outside production). Without it nothing is sent, in any environment: these messages go outside a
request (a worker, a thread, the daily command), so there is no request's address to fall back on,
and a link such as ``/evidence/7`` does not work in a mail program. An error is logged and the
notifications stay unsent, in the app as ever, for ``portfolio notifications digest`` to send
once the address is set: nothing is lost."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NotFound
from portfolio.models import Notification, NotificationPreference, Person
from portfolio.models.base import utcnow
from portfolio.models.notification import KINDS
from portfolio.services import mail
from portfolio.services.notifications import choose

log = logging.getLogger(__name__)
# a session to use in a ``with`` block (a Session, or the command line's session of one command)
SessionFactory = Callable[[], AbstractContextManager[Session]]
DIGEST = "digest"  # the token of a digest: every kind the person has in their digest
SUBJECT_CHARS = 90


@dataclass(frozen=True)
class MailContext:
    """What sending needs: the SMTP settings, the site's address and its secret key."""

    settings: mail.MailSettings
    base_url: str
    secret: str
    site: str = "Competence Portfolio"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailContext:
        return cls(
            settings=mail.MailSettings.from_config(config),
            base_url=str(config.get("BASE_URL") or "").rstrip("/"),
            secret=str(config["SECRET_KEY"]),
        )


def _signature(secret: str, payload: str) -> str:
    key = hashlib.sha256(b"portfolio.unsubscribe:" + secret.encode("utf-8")).digest()
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def token(secret: str, person_id: int, kind: str) -> str:
    """The token of the unsubscribe link for one person and one kind (or ``DIGEST``)."""
    payload = f"{person_id}.{kind}"
    return f"{payload}.{_signature(secret, payload)}"


def read_token(secret: str, value: str) -> tuple[int, str]:
    """The person and kind of a token, or Invalid for one this site did not sign."""
    person, _, rest = value.partition(".")
    kind, _, signature = rest.partition(".")
    payload = f"{person}.{kind}"
    good = hmac.compare_digest(signature.encode(), _signature(secret, payload).encode())
    if not good or not person.isdigit() or (kind not in KINDS and kind != DIGEST):
        raise Invalid("This unsubscribe link is not valid; choose on your account settings page.")
    return int(person), kind


def what_token_stops(session: Session, *, secret: str, value: str) -> tuple[Person, str]:
    """Whom a token is for and, in words, what it stops (NotFound/Invalid otherwise)."""
    person_id, kind = read_token(secret, value)
    person = session.get(Person, person_id)
    if person is None or person.removed_at is not None:
        raise NotFound("No such person.")
    return person, "your daily digest" if kind == DIGEST else f"e-mail about {KINDS[kind].lower()}"


def unsubscribe(session: Session, *, secret: str, value: str) -> tuple[Person, str]:
    """Stop the e-mail a token names (idempotent): its kind, or with a digest's token every
    kind the person has in their digest. The person and what stopped, in words."""
    person, words = what_token_stops(session, secret=secret, value=value)
    _, kind = read_token(secret, value)
    if kind == DIGEST:
        kinds = session.exec(
            select(NotificationPreference.kind).where(
                NotificationPreference.person_id == person.id,
                NotificationPreference.mode == "digest",
            )
        ).all()
    else:
        kinds = [kind]
    for k in kinds:
        choose(session, person_id=person.id or 0, kind=k, mode="off")
    return person, words


NO_SITE = (
    "PORTFOLIO_BASE_URL is not set: no notification e-mail is sent, its links would not work; "
    "the notifications stay unsent for `portfolio notifications digest` once it is set"
)


def warn_without_site(config: Mapping[str, Any]) -> bool:
    """At start-up (the web app, the worker): one warning when mail is configured
    (``MAIL_HOST``) and the site's address (``BASE_URL``) is not, saying what to set; True if
    it warned. ``portfolio serve`` sets its own address outside production, so only production
    warns under it; elsewhere (a worker, another WSGI server) any environment does."""
    if not config.get("MAIL_HOST") or config.get("BASE_URL"):
        return False
    production = config.get("ENV") == "production"
    log.warning(
        "PORTFOLIO_MAIL_HOST is set but PORTFOLIO_BASE_URL is not set: no notification e-mail is "
        "sent (its links would not work), the notifications wait unsent for `portfolio "
        "notifications digest`%s. Set PORTFOLIO_BASE_URL to the site's address, for example "
        "https://portfolio.example.org.",
        "; nor is any password-reset, invitation or witness e-mail sent in production"
        if production
        else "",
    )
    return True


def _no_site(ctx: MailContext) -> bool:
    """True (and the reason logged) when no link in an e-mail could work: no site's address."""
    if ctx.base_url:
        return False
    log.error(NO_SITE)
    return True


def _url(ctx: MailContext, path: str) -> str:
    return ctx.base_url + path if path.startswith("/") else path


def _unsubscribe_url(ctx: MailContext, person_id: int, kind: str) -> str:
    return _url(ctx, f"/notifications/unsubscribe/{token(ctx.secret, person_id, kind)}")


def _headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _short(text: str) -> str:
    return text if len(text) <= SUBJECT_CHARS else text[: SUBJECT_CHARS - 1].rstrip() + "…"


def one_message(
    ctx: MailContext, person: Person, row: Notification
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and headers of the e-mail of one notification."""
    stop = _unsubscribe_url(ctx, person.id or 0, row.kind)
    lines = [f"Hello {person.name},", "", row.text, ""]
    if row.link:
        lines += ["Open it:", _url(ctx, row.link), ""]
    lines += [
        "-- ",
        f"You have this e-mail because you chose e-mail about {KINDS[row.kind].lower()}.",
        f"Stop e-mail about {KINDS[row.kind].lower()}: {stop}",
        f"Choose what you are sent: {_url(ctx, '/account')}",
    ]
    return f"{ctx.site}: {_short(row.text)}", "\n".join(lines), _headers(stop)


def digest_message(
    ctx: MailContext, person: Person, rows: Sequence[Notification]
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and headers of one person's daily digest."""
    stop = _unsubscribe_url(ctx, person.id or 0, DIGEST)
    count = f"{len(rows)} notification" + ("" if len(rows) == 1 else "s")
    lines = [f"Hello {person.name},", "", f"Your daily digest: {count}.", ""]
    for row in rows:
        lines.append(f"- {row.text}")
        if row.link:
            lines.append(f"  {_url(ctx, row.link)}")
    lines += ["", "-- ", "Stop these digests:", stop]
    for kind in sorted({r.kind for r in rows}):
        lines.append(f"Stop e-mail about {KINDS[kind].lower()}: "
                     f"{_unsubscribe_url(ctx, person.id or 0, kind)}")  # fmt: skip
    lines.append(f"Choose what you are sent: {_url(ctx, '/account')}")
    return f"{ctx.site}: your daily digest ({count})", "\n".join(lines), _headers(stop)


def _claim(session: Session, ids: Sequence[int], now: datetime) -> bool:
    """Mark these unsent rows sent in this transaction; False if another run took any, or the
    person stopped that e-mail meanwhile (the row is "off" now)."""
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.id).in_(ids),
            col(Notification.mailed_at).is_(None),
            col(Notification.mail) != "off",
        )
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == len(ids)  # type: ignore[attr-defined]


def _send_claimed(
    session_factory: SessionFactory,
    ctx: MailContext,
    person_id: int,
    ids: Sequence[int],
    build: Any,
) -> bool:
    """Claim these rows of one person, send what ``build`` makes of them and commit; False (and
    nothing kept) when another run had them or sending failed."""
    with session_factory() as session:
        try:
            if not _claim(session, ids, utcnow()):
                session.rollback()
                return False
            person = session.get(Person, person_id)
            rows = list(session.exec(select(Notification).where(col(Notification.id).in_(ids))
                                     .order_by(col(Notification.id))))  # fmt: skip
            if person is None or not person.email or person.removed_at is not None:
                session.commit()  # nobody to write to: nothing to retry
                return False
            subject, body, headers = build(ctx, person, rows)
            mail.send(ctx.settings, to=person.email, subject=subject, body=body, headers=headers)
            session.commit()
            return True
        except Exception:  # noqa: BLE001 - a background job has nobody else to tell
            session.rollback()
            log.exception("could not e-mail notifications %s", list(ids))
            return False


def send_now(session_factory: SessionFactory, ids: Iterable[int], ctx: MailContext) -> int:
    """E-mail each of these notifications chosen for straight away, once; how many were sent
    (none without the site's address: they stay unsent)."""
    ids = list(ids)
    if not ids or _no_site(ctx):
        return 0
    sent = 0
    for notification_id in ids:
        with session_factory() as session:
            row = session.get(Notification, notification_id)
            if row is None or row.mail != "now" or row.mailed_at is not None:
                continue
            person_id = row.person_id
        single = lambda c, p, rows: one_message(c, p, rows[0])  # noqa: E731
        sent += _send_claimed(session_factory, ctx, person_id, [notification_id], single)
    return sent


def unsent(session: Session, mode: str, before: datetime) -> dict[int, list[int]]:
    """The unsent notifications of ``mode`` made before ``before``, by person."""
    found: dict[int, list[int]] = {}
    for notification_id, person_id in session.exec(
        select(Notification.id, Notification.person_id)
        .where(
            Notification.mail == mode,
            col(Notification.mailed_at).is_(None),
            col(Notification.created_at) <= before,
        )
        .order_by(col(Notification.id))
    ):
        found.setdefault(person_id, []).append(notification_id or 0)
    return found


def send_digests(
    session_factory: SessionFactory, ctx: MailContext, now: datetime | None = None
) -> tuple[int, int]:
    """One e-mail per person with their unsent digest notifications made up to ``now``, and
    again any notification for straight away still unsent (a job that failed or was lost).
    Running it again sends nothing new; without the site's address, nothing (all stays
    unsent). (digests sent, single messages sent)."""
    if _no_site(ctx):
        return 0, 0
    now = now or utcnow()
    with session_factory() as session:
        digests = unsent(session, "digest", now)
        singles = [i for ids in unsent(session, "now", now).values() for i in ids]
    sent = sum(
        _send_claimed(session_factory, ctx, person_id, ids, digest_message)
        for person_id, ids in digests.items()
    )
    return sent, send_now(session_factory, singles, ctx)
