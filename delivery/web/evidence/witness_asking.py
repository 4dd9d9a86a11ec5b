"""Asking the witness of a testimony to confirm it, for the evidence page's form
(:mod:`delivery.web.evidence.witness`) and the API (``POST /api/v1/evidence/{id}/witness``)
alike: the request (:func:`portfolio.services.witness.request`, which checks who may ask and
what), its link on ``PORTFOLIO_BASE_URL`` and the e-mail, sent through the outbox once the
request has committed. Any refusal is raised in words before anything is sent; the caller's
rollback takes back what was written."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlmodel import Session

from delivery.web import outbox
from delivery.web.words import centre_zone
from portfolio.errors import Invalid
from portfolio.models import Evidence, Person
from portfolio.services import witness
from portfolio.services.actors import Actor

NO_MAIL = (
    "The site cannot send e-mail yet, so the witness cannot be asked: tell your centre's "
    "administrator."
)
NO_LINK = "This site's address is not set (PORTFOLIO_BASE_URL): no link."


def link_for(token: str) -> str | None:
    """The witness's link (:func:`delivery.web.outbox.site_link`)."""
    return outbox.site_link("witness.answer", "witness", token=token)


@dataclass(frozen=True)
class Sent:
    """A request made and its e-mail left to send after the commit; ``words``: what the page
    flashes (to whom, for how long, which version, which earlier links stop working)."""

    asked: witness.Asked
    words: str


def ask(session: Session, *, actor: Actor, evidence_id: int, email: str) -> Sent:
    """Ask the witness of the item at ``email``: Invalid (in words) where the site sends no
    e-mail or can make no link, and every refusal of :func:`portfolio.services.witness.request`."""
    if not current_app.config.get("MAIL_HOST"):
        raise Invalid(NO_MAIL)
    asked = witness.request(
        session, actor=actor, evidence_id=evidence_id, email=email, zone=centre_zone()
    )
    row = asked.row
    link = link_for(asked.token)
    if link is None:
        raise Invalid(NO_LINK)
    item = session.get(Evidence, evidence_id)
    learner = session.get(Person, item.learner_id) if item is not None else None
    subject, body = witness.message(
        learner=learner.name if learner is not None else "A learner",
        title=item.title if item is not None else "",
        link=link,
        asked_by=actor.name,
        site=str(current_app.config.get("CENTRE_NAME") or "Competence Portfolio"),
    )
    outbox.send_later(row.witness_email, subject, body)
    earlier = (
        " The earlier link, not answered, no longer works."
        if len(asked.replaced) == 1
        else f" The {len(asked.replaced)} earlier links, not answered, no longer work."
    )
    words = (
        f"We have e-mailed {row.witness_email} a link to confirm the testimony; it works "
        f"once, for {witness.LIFETIME.days} days. {asked.shown}"
        + (earlier if asked.replaced else "")
    )
    return Sent(asked=asked, words=words)
