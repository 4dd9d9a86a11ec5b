"""The administrator's page moving a person's learners to another assessor or IQA at once (they
leave, or are off sick). Its route is on the administrator blueprint; the person page links to it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import (
    NO_CHOICE,
    ReallocateAssessorForm,
    ReallocateForm,
    ReallocateIqaForm,
)
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import errors_on, status_of
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.models import Person
from portfolio.services import people, reallocation, registrations
from portfolio.services.registrations import RegistrationRow
from portfolio.words import day_words


def _label(row: RegistrationRow) -> str:
    withdrawn = f" (withdrawn on {day_words(row.withdrawn_at)})" if row.withdrawn_at else ""
    return f"{row.learner}: {row.framework}{withdrawn}"


def _prepare(form: ReallocateForm, rows: list[RegistrationRow], others: list[Person]) -> None:
    """Offer ``rows`` (all ticked unless this form was posted) and the people to move them to."""
    form.registration_ids.choices = [(r.id, _label(r)) for r in rows]
    target = next(f for name, f in form._fields.items() if name.startswith("to_"))
    target.choices = [(NO_CHOICE, "(choose)")] + [
        (p.id or 0, f"{p.name} ({p.email})") for p in others
    ]
    if not form.move.data:  # shown fresh, also beside the other form's error
        form.registration_ids.data = [r.id for r in rows]
        target.data = NO_CHOICE


def _moved(done: reallocation.Reallocated, to: str | None, label: str) -> str:
    if not done.moved:
        return f"No learners moved: the ticked ones already had {to} as their {label}."
    moved = f"{reallocation.learners_words(done.moved)} moved to {to}"
    return f"{moved}." if label == "assessor" else f"{moved} as their {label}."


@bp.route("/people/<int:person_id>/reallocate", methods=["GET", "POST"])
@page(ADMIN)
def reallocate(person_id: int) -> tuple[str, int] | Response:
    person = db().get(Person, person_id)
    if person is None:
        abort(404)
    rows = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor(), person_id=person_id
    )
    assessed = [r for r in rows if r.assessor_id == person_id]
    assured = [r for r in rows if r.iqa_id == person_id]
    everyone = [p for p in people.list_people(db()) if p.active and p.id != person_id]
    as_form = ReallocateAssessorForm(prefix="as")
    iq_form = ReallocateIqaForm(prefix="iq")
    _prepare(as_form, assessed, [p for p in everyone if p.has_role("assessor")])
    _prepare(iq_form, assured, [p for p in everyone if p.has_role("iqa")])
    # each form moves one kind of work: its field, the service's argument and the person's role
    for form, role, label in ((as_form, "assessor", "assessor"), (iq_form, "iqa", "IQA")):
        if form.move.data and form.validate_on_submit():
            with errors_on(form):
                done = reallocation.reallocate(
                    db(),
                    actor=actor(),
                    registration_ids=list(form.registration_ids.data or []),
                    **{f"to_{role}_id": form[f"to_{role}_id"].data},
                )
                flash(_moved(done, getattr(done, role), label), "success")
                return redirect(url_for("admin.person", person_id=person_id))
    html = render_template(
        "admin/reallocate.html",
        person=person,
        assessed=assessed,
        assured=assured,
        as_form=as_form,
        iq_form=iq_form,
    )
    return html, status_of(as_form, iq_form)
