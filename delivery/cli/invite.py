"""``--invite`` of ``portfolio people add`` and ``portfolio people import``: the invitation to set
one's password that the admin pages send (:mod:`portfolio.services.invitations`), made in the
command's transaction and e-mailed once it has committed. Asked for where e-mail or the site's
address (for the link) is not set up, the command stops before anything is written."""

from __future__ import annotations

import logging

import click
from sqlmodel import Session

from delivery.cli.context import Context
from portfolio.services import invitations, mail
from portfolio.services.people import SYSTEM
from portfolio.words import role_words

log = logging.getLogger(__name__)
RESET_PATH = "/password/reset/"  # the web's account.reset route

Message = tuple[str, str, str]  # address, subject, body


def check(ctx: Context) -> None:
    """Refuse ``--invite`` before anything is written when no invitation could be sent."""
    conf = ctx.settings
    if not conf.get("MAIL_HOST"):
        raise click.ClickException(
            "E-mail is not set up here (PORTFOLIO_MAIL_HOST), so no invitation can be sent; "
            "nothing was saved. Set up e-mail, or leave out --invite and give them a password "
            "(--password-file, or on their page)."
        )
    if not conf.get("BASE_URL"):
        raise click.ClickException(
            "An invitation's link needs the site's address (PORTFOLIO_BASE_URL), which is not "
            "set; nothing was saved."
        )


def make(ctx: Context, session: Session, ids: list[int] | tuple[int, ...]) -> list[Message]:
    """Invite these people in the command's transaction; the messages to send once it commits."""
    centre = str(ctx.settings.get("CENTRE_NAME") or "")
    base = str(ctx.settings["BASE_URL"]).rstrip("/")
    messages = []
    for person_id in ids:
        person, token = invitations.invite(session, actor=SYSTEM, person_id=person_id)
        subject, body = invitations.message(
            name=person.name,
            centre=centre,
            roles=role_words(person.roles).lower(),
            link=f"{base}{RESET_PATH}{token}",
        )
        messages.append((person.email, subject, body))
    return messages


def send(ctx: Context, messages: list[Message]) -> int:
    """E-mail the invitations (after the commit); how many went. Each one that could not be sent
    is said on standard error: the person stays added, and is invited again from their page."""
    settings = mail.MailSettings.from_config(ctx.settings)
    sent = 0
    for to, subject, body in messages:
        try:
            mail.send(settings, to=to, subject=subject, body=body)
        except Exception as exc:  # noqa: BLE001 - what was written stands; say what was not sent
            log.warning("could not send the invitation to %s", to, exc_info=True)
            click.echo(
                f"Could not e-mail the invitation to {to} ({exc}): they were added; invite them "
                'again from their page ("Invite again").',
                err=True,
            )
        else:
            sent += 1
    return sent
