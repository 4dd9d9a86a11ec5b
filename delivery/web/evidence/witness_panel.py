"""The witness-confirmation part of a witness testimony's page: each request to the witness and
its answer, in words, and (for the learner and their assessor) the form that asks the witness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlmodel import Session
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Length

from delivery.web.forms import PageForm
from delivery.web.words import centre_zone
from portfolio.services import witness
from portfolio.services.evidence import EvidenceDetail
from portfolio.services.witness_confirmed import confirmation_of, confirmed_words


class WitnessRequestForm(PageForm):
    id_prefix = "witness-"
    email = EmailField(
        "The witness's e-mail address",
        validators=[
            DataRequired(message="Give the witness's e-mail address."),
            Length(max=320, message="An e-mail address is at most 320 characters."),
        ],
    )
    send = SubmitField("E-mail the witness a link to confirm")


@dataclass
class WitnessPanel:
    lines: list[str] = field(default_factory=list)
    earlier: int = 0  # requests before those listed, counted but not read
    form: WitnessRequestForm | None = None  # None: this reader does not ask
    # why the learner or assessor cannot ask yet (with a form) or at all (without), in words
    cannot_ask: str = ""
    shown: str = ""  # which version the witness will see, in words
    # who confirmed the latest submitted version and when, in words, in place of the form (the
    # witness is not asked again about it), with how a new version can be asked about
    confirmed: str = ""
    days: int = witness.LIFETIME.days


def witness_panel(
    session: Session, info: EvidenceDetail, failed: PageForm | Sequence[PageForm] | None
) -> WitnessPanel | None:
    """None for anything but a witness testimony (no statement is run for other kinds)."""
    if info.item.kind != witness.KIND or info.private:
        return None
    found, earlier = witness.newest_statuses(
        session, evidence_id=info.item.id or 0, version_number=info.version.number
    )
    zone = centre_zone()
    panel = WitnessPanel(lines=[witness.words(s, zone) for s in found], earlier=earlier)
    if not ({"self", "assessor"} & info.relation) or info.item.erased_at is not None:
        return panel
    if info.learner_erased_at is not None:  # what is kept is the awarding body's record
        panel.cannot_ask = witness.closed_words(info.learner_erased_at)
        return panel
    given = [failed] if isinstance(failed, PageForm) else list(failed or [])
    panel.form = next(
        (f for f in given if isinstance(f, WitnessRequestForm)),
        WitnessRequestForm(formdata=None),
    )
    submitted = [v for v in info.versions if v.declared_at is not None]
    if not submitted:
        panel.cannot_ask = witness.NOT_SUBMITTED
        return panel
    shows = max(submitted, key=lambda v: v.number)
    draft, yours = info.item.current_version > shows.number, "self" in info.relation
    learner = info.learner_name or "the learner"
    confirmed = confirmation_of(session, shows)
    if confirmed is not None:
        panel.confirmed = confirmed_words(
            confirmed, shows, draft=draft, yours=yours, learner=learner, zone=zone
        )
        return panel
    panel.shown = witness.shown_words(shows, draft=draft, yours=yours, learner=learner, zone=zone)
    if not current_app.config.get("MAIL_HOST"):
        panel.cannot_ask = "This site sends no e-mail yet, so the witness cannot be asked."
    return panel
