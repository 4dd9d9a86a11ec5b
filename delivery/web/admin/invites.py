"""Invitations to set one's password (:mod:`portfolio.services.invitations`) from the
administrator's pages: on adding a person and "Invite again" on their page. The e-mail goes
after the commit; without e-mail set up the pages say what to do instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, flash

from delivery.web.context import actor, db
from delivery.web.outbox import reset_link, send_all_later
from delivery.web.words import centre_zone, role_words
from portfolio.models import Person
from portfolio.services import invitations
from portfolio.words import day_words

# what an administrator can pass on to whoever runs the site, the setting named for them
NO_MAIL_SITE = (
    "The site cannot send e-mail: ask whoever runs it to set the mail server "
    "(the PORTFOLIO_MAIL_HOST setting)"
)
NO_MAIL = (
    f"{NO_MAIL_SITE}. Until then no invitation can be sent: set a password for them on their "
    "page and tell them it, or ask them to be given one."
)
# after an import, for the one person or the many people it added
NO_MAIL_IMPORTED = (
    f"{NO_MAIL_SITE}. Until then no invitation can be sent: set the new person's password on "
    "their page and tell them it.",
    f"{NO_MAIL_SITE}. Until then no invitation can be sent: set the new people's passwords on "
    "their pages and tell each theirs.",
)


def mail_on() -> bool:
    return bool(current_app.config.get("MAIL_HOST"))


def send(person_id: int) -> bool:
    """Invite the person (in the request's transaction) and e-mail the link once it commits;
    whether a link could be made (no ``PORTFOLIO_BASE_URL`` in production: none)."""
    return send_many([person_id]) == 1


def send_many(ids: list[int] | tuple[int, ...]) -> int:
    """Invite these people and e-mail them, in one thread, once the request commits; how many
    links could be made."""
    centre = str(current_app.config["CENTRE_NAME"])
    messages = []
    for person_id in ids:
        person, token = invitations.invite(db(), actor=actor(), person_id=person_id)
        link = reset_link(token)
        if link is None:
            continue
        subject, body = invitations.message(
            name=person.name, centre=centre, roles=role_words(person.roles).lower(), link=link
        )
        messages.append((person.email, subject, body))
    send_all_later(messages)
    return len(messages)


def after_adding(person: Person, wanted: bool) -> None:
    """The flash after adding a person, inviting them when the administrator chose to."""
    added = f"Added {person.name} as {role_words(person.roles).lower()}"
    if mail_on() and wanted and send(person.id or 0):
        flash(f"{added}; they were e-mailed an invitation to set their password.", "success")
    elif person.password_hash:  # the administrator chose it on the form
        flash(f"{added}, with the password you set: tell them it.", "success")
    elif not mail_on():
        flash(f"{added}. {NO_MAIL}", "success")
    else:
        flash(f"{added}. They have no password yet: invite them or set one below.", "success")


def after_import(ids: tuple[int, ...], wanted: bool) -> str:
    """Invite the people a CSV import added, when the administrator chose to; what to say."""
    if not ids:
        return ""
    one = len(ids) == 1
    if not mail_on():
        return NO_MAIL_IMPORTED[0 if one else 1]
    if not wanted:
        if one:
            return "The new person has no password yet: invite them or set one on their page."
        return "The new people have no password yet: invite them or set one on their pages."
    sent = send_many(ids)
    return f"{sent} {'was' if sent == 1 else 'were'} e-mailed an invitation to set their password."


@dataclass(frozen=True)
class InviteState:
    """What the person's page says of their invitation."""

    invited_on: str | None  # "3 Dec 2026"
    waiting: bool  # no password set yet
    mail_on: bool
    no_mail: str = NO_MAIL


def state_of(person: Person) -> InviteState:
    """Read only for someone with no password yet (once they have one, the invitation is done
    with, and the page costs no more than it did)."""
    waiting = not person.password_hash
    day: date | None = (
        invitations.invited_on(db(), person.id or 0, zone=centre_zone()) if waiting else None
    )
    return InviteState(
        invited_on=day_words(day) if day else None,
        waiting=waiting,
        mail_on=mail_on(),
    )
