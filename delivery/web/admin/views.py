"""Administrator pages: people, cohorts and registrations. Every route is for administrators only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from delivery.web.admin import invites
from delivery.web.admin.forms import (
    NO_CHOICE,
    AllocationFields,
    AllocationForm,
    BreakForm,
    DetailsForm,
    EndBreakForm,
    InviteForm,
    PasswordResetForm,
    PersonForm,
    RegistrationForm,
    ReinstateForm,
    RemoveForm,
    TwoStepResetForm,
    WithdrawForm,
)
from delivery.web.context import actor, db
from delivery.web.forms import errors_on, options, status_of
from delivery.web.handler import page
from delivery.web.outbox import send_later
from delivery.web.words import ASSESSOR_STATUSES, centre_zone, status_words
from mappings.assessment import plan_reads
from portfolio.models import Framework, Person
from portfolio.services import (
    catalogue,
    cohorts,
    learner_numbers,
    people,
    registration_rows,
    registrations,
    two_step,
)
from portfolio.services.frameworks import list_frameworks

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMIN = "admin"


# ---------------------------------------------------------------- people


@bp.route("/people", endpoint="people", methods=["GET", "POST"])
@page(ADMIN)
def people_index() -> tuple[str, int] | Response:
    form = PersonForm(invite=invites.mail_on())  # on by default where e-mail is set up
    if form.validate_on_submit():
        with errors_on(form):
            person = people.create_person(
                db(),
                actor=actor(),
                name=form.name.data or "",
                email=form.email.data or "",
                roles=list(form.roles.data or []),
                password=form.password.data or None,
                site=form.site.data or "Main site",
            )
            invites.after_adding(person, bool(form.invite.data))
            return redirect(url_for("admin.person", person_id=person.id))
    search = request.args.get("q", "").strip()[:200]
    listed = people.people_page(db(), search=search, page=request.args.get("page", 1, type=int))
    html = render_template(
        "admin/people.html",
        rows=listed.rows,
        listed=listed,
        page_url=lambda n: url_for("admin.people", q=search or None, page=n),
        form=form,
        search=search,
        mail_on=invites.mail_on(),
        no_mail_site=invites.NO_MAIL_SITE,
    )
    return html, form.status


def _details_saved(changed: Person, old_email: str) -> str:
    """What the administrator is told once a person's details are saved: an invitation sent
    to the address just changed no longer works (the service used it up)."""
    said = f"Saved the details of {changed.name}."
    if changed.email != old_email and not changed.password_hash:
        said += " The invitation sent to the old address no longer works: invite them again."
    return said


def _save_details(dt_form: DetailsForm, target: Person) -> Response:
    """The details form's writes, in one transaction: the details, then (a learner's, or a
    former learner's who has one) the ULN; the redirect back to the person's page."""
    old_email, had_uln = target.email, target.uln
    changed = people.update_person(
        db(),
        actor=actor(),
        person_id=target.id or 0,
        name=dt_form.name.data or "",
        email=dt_form.email.data or "",
        roles=list(dt_form.roles.data or []),
        site=dt_form.site.data or "",
    )
    if changed.has_role("learner") or had_uln:  # the box is shown to learners only
        learner_numbers.set_uln(
            db(), actor=actor(), person_id=target.id or 0, uln=dt_form.uln.data or ""
        )
    flash(_details_saved(changed, old_email), "success")
    return redirect(url_for("admin.person", person_id=target.id))


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@page(ADMIN)
def person(person_id: int) -> tuple[str, int] | Response:
    found = two_step.person_with_state(db(), person_id=person_id)
    if found is None:
        abort(404)
    target, two_step_on = found
    name = target.name
    dt_form = DetailsForm(prefix="dt")
    pw_form = PasswordResetForm(prefix="pw")
    rm_form = RemoveForm(prefix="rm")
    ts_form = TwoStepResetForm(prefix="ts")
    inv_form = InviteForm(prefix="inv")
    if not dt_form.save.data:  # shown as the person is, also beside another form's error
        shown = {"name": target.name, "email": target.email, "site": target.site}
        shown["uln"] = target.uln or ""
        dt_form.process(formdata=None, data={**shown, "roles": sorted(target.role_set)})
    if dt_form.save.data and dt_form.validate_on_submit():
        with errors_on(dt_form):
            return _save_details(dt_form, target)
    if pw_form.reset.data and pw_form.validate_on_submit():
        with errors_on(pw_form):
            said = "reset." if target.password_hash else "set: tell them it."  # none till now
            people.set_password(
                db(), actor=actor(), person_id=person_id, password=pw_form.password.data or ""
            )
            flash(f"The password of {name} was {said}", "success")
            return redirect(url_for("admin.person", person_id=person_id))
    if (done := _mailed_writes(person_id, name, ts_form, inv_form)) is not None:
        return done
    if rm_form.remove.data and rm_form.validate_on_submit():
        with errors_on(rm_form):
            registrations.remove_person(db(), actor=actor(), person_id=person_id)
            flash(f"{name} was removed; their records are kept.", "success")
            return redirect(url_for("admin.people"))
    listed = registration_rows.page_of_person(
        db(), zone=centre_zone(), actor=actor(), person_id=person_id,
        page=request.args.get("page", 1, type=int) or 1,
    )  # fmt: skip
    rows = listed.rows  # a page of them: an assessor may have hundreds of learners
    plans = (
        plan_reads.plans_paged(db(), actor=actor(), learner_id=person_id, today=date.today())
        if target.has_role("learner")
        else None
    )
    return render_template(
        "admin/person.html",
        person=target,
        roles=sorted(target.role_set),
        # only an assessor has one: it sets how much of their work the IQA samples
        assessor_status=status_words(
            ASSESSOR_STATUSES.get(target.assessor_status, target.assessor_status)
        )
        if target.has_role("assessor")
        else None,
        removable=target.removed_at is None and target.id != actor().id,
        # an assessor or IQA, or someone whose role was taken away and who still has learners
        reallocatable=target.has_role("assessor")
        or target.has_role("iqa")
        or bool(listed.assessed or listed.assured),
        rows=rows,
        registrations=listed,
        plans=plans,
        **_row_forms([r.id for r in rows]),
        dt_form=dt_form,
        pw_form=pw_form,
        rm_form=rm_form,
        ts_form=ts_form,
        two_step_on=two_step_on,
        inv_form=inv_form,
        invitation=invites.state_of(target),
    ), status_of(dt_form, pw_form, rm_form, ts_form, inv_form)


def _mailed_writes(
    person_id: int, name: str, ts_form: TwoStepResetForm, inv_form: InviteForm
) -> Response | None:
    """The person's page's writes that e-mail them (after the commit): a reset of two-step
    verification, an invitation to set their password. The redirect, or None."""
    if ts_form.reset_two_step.data and ts_form.validate_on_submit():
        with errors_on(ts_form):
            reset = two_step.reset(db(), actor=actor(), person_id=person_id)
            subject, body = two_step.reset_message(
                name=reset.name, site=str(current_app.config["CENTRE_NAME"])
            )
            send_later(reset.email, subject, body)
            flash(f"Two-step verification of {name} was reset; they were e-mailed.", "success")
            return redirect(url_for("admin.person", person_id=person_id))
    if inv_form.invite.data and inv_form.validate_on_submit():
        with errors_on(inv_form):
            sent = invites.send(person_id)
            flash(
                f"{name} was e-mailed an invitation to set their password."
                if sent
                else "No link can be made: PORTFOLIO_BASE_URL is not set.",
                "success",
            )
            return redirect(url_for("admin.person", person_id=person_id))
    return None


def _row_forms(ids: list[int]) -> dict[str, dict[int, Any]]:
    """The withdrawal and break forms of the registrations on the page (a page of them)."""
    kinds = {"withdraw_forms": WithdrawForm, "reinstate_forms": ReinstateForm,
             "break_forms": BreakForm, "end_break_forms": EndBreakForm}  # fmt: skip
    return {name: {i: cls(formdata=None, row=i) for i in ids} for name, cls in kinds.items()}


# ---------------------------------------------------------------- registrations


@dataclass(frozen=True)
class Choices:
    """The people and cohorts the registration forms offer (the learner is typed, not offered:
    there may be thousands), loaded in a fixed number of queries."""

    assessors: list[SelectChoice]
    iqas: list[SelectChoice]
    cohorts: list[SelectChoice]


def _choices(keep: int | None = None) -> Choices:
    """The choices; of the cohorts, the open ones and ``keep`` (the registration's own, which
    the edit form offers even when closed, so saving it unchanged works)."""

    def of(role: str) -> list[SelectChoice]:  # the few who hold it, judged in SQL
        return options(
            (p.id or 0, f"{p.name} ({p.email})") for p in people.people_with_role(db(), role)
        )

    def label(c: cohorts.CohortRow) -> str:
        return f"{c.name} ({c.site}, closed)" if c.closed_at else f"{c.name} ({c.site})"

    return Choices(
        assessors=of("assessor"),
        iqas=of("iqa"),
        cohorts=options(
            [(NO_CHOICE, "(none)"), *((c.id, label(c)) for c in cohorts.offered(db(), keep=keep))]
        ),
    )


def _learner_email(learner_id: int | None) -> str | None:
    """The log-in of the learner whose page opened the form (``?learner=<id>``), to fill it in."""
    found = db().get(Person, learner_id) if learner_id else None
    usable = found is not None and found.removed_at is None and found.has_role("learner")
    return found.email if usable and found is not None else None


def _fill(form: AllocationFields, choices: Choices, framework_id: int) -> None:
    standards = catalogue.standard_titles(db(), framework_id)
    form.standards.choices = options((code, f"{code} {title}") for code, title in standards)
    form.assessor_id.choices = choices.assessors
    form.iqa_id.choices = choices.iqas
    form.cohort_id.choices = choices.cohorts


def _framework_label(fw: Framework) -> str:
    return f"{fw.code} version {fw.version}: {fw.title}"


@bp.route("/registrations", endpoint="registrations", methods=["GET", "POST"])
@page(ADMIN)
def registrations_index() -> tuple[str, int] | Response:
    versions = list_frameworks(db())
    wanted = request.form.get("framework_id") or request.args.get("framework", "")
    # by default the one loaded last: a centre that has just loaded its own registers on it
    latest = max(versions, key=lambda f: f.id or 0, default=None)
    chosen = next((f for f in versions if str(f.id) == wanted), latest)
    form = RegistrationForm()
    if request.method == "GET" and not form.learner_email.data:
        form.learner_email.data = _learner_email(request.args.get("learner", type=int))
    choices = _choices()
    if chosen is not None:
        _fill(form, choices, chosen.id or 0)
        form.framework_id.data = str(chosen.id)
    if chosen is not None and form.validate_on_submit():
        with errors_on(form):
            learner = people.learner_by_email(db(), form.learner_email.data or "")
            registrations.register(
                db(),
                actor=actor(),
                learner_id=learner.id or 0,
                framework_id=chosen.id or 0,
                standard_codes=list(form.standards.data or []),
                assessor_id=form.assessor_id.data,
                iqa_id=form.iqa_id.data,
                cohort_id=form.cohort_id.data or None,
                start_date=form.start_date.data,
                planned_end=form.planned_end.data,
            )
            said = f"{chosen.title} (version {chosen.version})"
            flash(f"Registered {learner.name} on {said}.", "success")
            return redirect(url_for("admin.registrations"))
    listed = registration_rows.page_of_all(
        db(), actor=actor(), page=request.args.get("page", 1, type=int), zone=centre_zone()
    )
    return render_template(
        "admin/registrations.html",
        rows=listed.rows,
        listed=listed,
        page_url=lambda n: url_for("admin.registrations", page=n),
        form=form,
        versions=[(f.id, _framework_label(f)) for f in versions],
        chosen=chosen,
        chosen_label=_framework_label(chosen) if chosen else "",
    ), form.status


@bp.route("/registrations/<int:registration_id>", methods=["GET", "POST"])
@page(ADMIN)
def registration(registration_id: int) -> tuple[str, int] | Response:
    found = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor(), registration_id=registration_id
    )
    if not found:
        abort(404)
    row = found[0]
    form = AllocationForm()
    _fill(form, _choices(keep=row.cohort_id), row.framework_id)
    if request.method == "GET":
        form.standards.data = row.standards
        form.assessor_id.data = row.assessor_id or NO_CHOICE
        form.iqa_id.data = row.iqa_id or NO_CHOICE
        form.cohort_id.data = row.cohort_id or NO_CHOICE
        form.planned_end.data = row.planned_end
        form.awarding_body_ref.data = row.awarding_body_ref or ""
    if form.validate_on_submit():
        with errors_on(form):
            registrations.update_allocation(
                db(),
                actor=actor(),
                registration_id=registration_id,
                assessor_id=form.assessor_id.data,
                iqa_id=form.iqa_id.data,
                standard_codes=list(form.standards.data or []),
                cohort_id=form.cohort_id.data or None,
                planned_end=form.planned_end.data,
            )
            learner_numbers.set_awarding_ref(
                db(),
                actor=actor(),
                registration_id=registration_id,
                ref=form.awarding_body_ref.data or "",
            )
            flash(f"Saved the registration of {row.learner}.", "success")
            return redirect(url_for("admin.registrations"))
    return render_template("admin/registration.html", row=row, form=form), form.status
