"""The administrator's page moving a person's learners to another assessor or IQA at once (they
leave, or are off sick). Its route is on the administrator blueprint; the person page links to it.
Each list shows PAGE_SIZE learners a page; a form moves all of them (but those unticked on its
page) or only those ticked on its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import (
    NO_CHOICE,
    ReallocateAssessorForm,
    ReallocateForm,
    ReallocateIqaForm,
)
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import errors_on, options, status_of
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.models import Person
from portfolio.services import people, reallocation, registration_rows
from portfolio.services.registration_rows import PersonRegistrations, RegistrationRow
from portfolio.words import day_words

PAGE_SIZE = 50


def _label(row: RegistrationRow) -> str:
    withdrawn = f" (withdrawn on {day_words(row.withdrawn_at)})" if row.withdrawn_at else ""
    return f"{row.learner}: {row.framework}{withdrawn}"


def _prepare(form: ReallocateForm, found: PersonRegistrations, others: list[Person]) -> None:
    """Offer a page of learners (all ticked unless this form was posted), all of them or the
    ticked, and the people to move them to."""
    form.registration_ids.choices = options((r.id, _label(r)) for r in found.rows)
    every = reallocation.learners_words(found.total)
    form.scope.choices = options(
        [
            (
                "all",
                f"All {every}, but those unticked below" if found.total > 1 else f"The {every}",
            ),
            (
                "ticked",
                "Only the learners ticked below" + (" (this page)" if found.pages > 1 else ""),
            ),
        ]
    )
    target = next(f for name, f in form._fields.items() if name.startswith("to_"))
    target.choices = options(
        [(NO_CHOICE, "(choose)"), *((p.id or 0, f"{p.name} ({p.email})") for p in others)]
    )
    if not form.move.data:  # shown fresh, also beside the other form's error
        form.registration_ids.data = [r.id for r in found.rows]
        target.data = NO_CHOICE
        form.scope.data = "all"


def _shown(form: ReallocateForm, found: PersonRegistrations) -> None:
    """What the page shows, for the next post: its learners' ids and how many there are."""
    form.shown.data = ",".join(str(r.id) for r in found.rows)
    form.expected.data = str(found.total)


def _moved(done: reallocation.Reallocated, to: str | None, label: str) -> str:
    if not done.moved:
        return f"No learners moved: the ticked ones already had {to} as their {label}."
    moved = f"{reallocation.learners_words(done.moved)} moved to {to}"
    return f"{moved}." if label == "assessor" else f"{moved} as their {label}."


def _move(form: ReallocateForm, person_id: int, role: str) -> reallocation.Reallocated:
    """The one service call of a posted form: every learner but the unticked, or the ticked."""
    ticked = list(form.registration_ids.data or [])
    kept = [i for i in form.shown_ids() if i not in set(ticked)]  # unticked on the page shown
    to_id = form[f"to_{role}_id"].data
    if form.scope.data != "all":
        return reallocation.reallocate(
            db(), actor=actor(), registration_ids=ticked, **{f"to_{role}_id": to_id}
        )
    return reallocation.reallocate_every(
        db(), actor=actor(), from_id=person_id, to_id=to_id, iqa=role == "iqa",
        keep=kept, expected=form.expected_count(),
    )  # fmt: skip


@bp.route("/people/<int:person_id>/reallocate", methods=["GET", "POST"])
@page(ADMIN)
def reallocate(person_id: int) -> tuple[str, int] | Response:
    person = db().get(Person, person_id)
    if person is None:
        abort(404)
    numbers = {key: request.args.get(key, 1, type=int) or 1 for key in ("as_page", "iq_page")}
    assessed, assured = (
        registration_rows.page_of_person(
            db(),
            zone=centre_zone(),
            actor=actor(),
            person_id=person_id,
            role=role,
            page=numbers[key],
            per_page=PAGE_SIZE,
            standards=False,
        )
        for role, key in (("assessor", "as_page"), ("iqa", "iq_page"))
    )
    # who may take the work: assessors and IQAs alone, read in SQL (never every learner)
    staff = people.people_with_role(db(), "assessor", "iqa")
    everyone = [p for p in staff if p.active and p.id != person_id]
    as_form = ReallocateAssessorForm(prefix="as")
    iq_form = ReallocateIqaForm(prefix="iq")
    _prepare(as_form, assessed, [p for p in everyone if p.has_role("assessor")])
    _prepare(iq_form, assured, [p for p in everyone if p.has_role("iqa")])
    # each form moves one kind of work: its field, the service's argument and the person's role
    for form, role, label in ((as_form, "assessor", "assessor"), (iq_form, "iqa", "IQA")):
        if form.move.data and form.validate_on_submit():
            with errors_on(form):
                done = _move(form, person_id, role)
                flash(_moved(done, getattr(done, role), label), "success")
                return redirect(url_for("admin.person", person_id=person_id))
    _shown(as_form, assessed)
    _shown(iq_form, assured)

    def page_url(key: str) -> Callable[[int], str]:
        def url(n: int) -> str:
            args: dict[str, Any] = {**numbers, key: n}
            return url_for("admin.reallocate", person_id=person_id, **args)

        return url

    html = render_template(
        "admin/reallocate.html",
        person=person,
        assessed=assessed,
        assured=assured,
        as_form=as_form,
        iq_form=iq_form,
        as_url=page_url("as_page"),
        iq_url=page_url("iq_page"),
    )
    return html, status_of(as_form, iq_form)
