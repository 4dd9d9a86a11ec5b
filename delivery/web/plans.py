"""Assessment plans: the assessor sets one from the learner's page, changes it, marks it done or
closes it; everyone who may read the portfolio reads it; the learner writes evidence for it
(the evidence editor, ``?plan=``). The services check who may do what."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from delivery.web.context import actor, db
from delivery.web.forms import DayField, PageForm, errors_on, options, status_of
from delivery.web.handler import page
from mappings.assessment import plan_reads, plans
from mappings.assessment.plan_state import ANY_KIND, record_words, written_by_assessor
from portfolio.models import Person
from portfolio.models.evidence import KINDS
from portfolio.services.evidence.drafts import writable_kinds

bp = Blueprint("plans", __name__)


class PlanForm(PageForm):
    title = StringField(
        "Title",
        validators=[DataRequired(message="Give the plan a title."), Length(max=200)],
    )
    body = TextAreaField(
        "What to do",
        validators=[DataRequired(message="Say what the learner should do."), Length(max=20_000)],
    )
    due_on = DayField("Due by", said="Give the day the plan is due.")
    # every kind of evidence, in words, from the one list of them; the service checks the choice
    evidence_kind = SelectField(
        "Kind of evidence asked for",
        choices=options([("", ANY_KIND), *KINDS.items()]),
        default="",
        validate_choice=False,
    )
    criteria = SelectMultipleField("Criteria", coerce=int, validate_choice=False)
    save = SubmitField("Set the plan")


class DoneForm(PageForm):
    done = SubmitField("Mark done")


class CloseForm(PageForm):
    reason = TextAreaField(
        "Why close it",
        validators=[DataRequired(message="Say why the plan is closed."), Length(max=500)],
    )
    close = SubmitField("Close the plan")


def _chosen(learner_id: int) -> tuple[list[plan_reads.Assessed], plan_reads.Assessed]:
    """The registrations the actor assesses and the one the form is for (``?registration=``)."""
    mine = plan_reads.assessed_registrations(db(), actor=actor(), learner_id=learner_id)
    if not mine:
        abort(403)
    wanted = request.args.get("registration", type=int)
    for reg in mine:
        if reg.registration_id == wanted:
            return mine, reg
    active = [r for r in mine if r.withdrawn_at is None]
    return mine, (active or mine)[0]


def _form_page(
    form: PlanForm, learner: Person, chosen: plan_reads.Assessed, **extra: object
) -> tuple[str, int]:
    targets = plan_reads.targets_of(db(), chosen.registration_id)
    groups: dict[str, list[plan_reads.Target]] = {}
    for t in targets:
        groups.setdefault(f"{t.standard} {t.standard_title}", []).append(t)
    html = render_template(
        "plans/edit.html",
        form=form,
        learner=learner,
        chosen=chosen,
        groups=groups,
        ticked=set(form.criteria.data or []),
        **extra,
    )
    return html, status_of(form)


@bp.route("/learners/<int:learner_id>/plans/new", methods=["GET", "POST"])
@page("assessor")
def new(learner_id: int) -> tuple[str, int] | Response:
    learner = db().get(Person, learner_id)
    if learner is None:
        abort(404)
    mine, chosen = _chosen(learner_id)
    form = PlanForm()
    if form.validate_on_submit():
        with errors_on(form):
            plan = plans.set_plan(
                db(),
                actor=actor(),
                registration_id=chosen.registration_id,
                title=form.title.data or "",
                body=form.body.data or "",
                criterion_ids=form.criteria.data or [],
                due_on=form.due_on.data,
                evidence_kind=form.evidence_kind.data or None,
            )
            flash(f"Plan set for {learner.name}.", "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return _form_page(form, learner, chosen, registrations=mine)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@page("assessor")
def edit(plan_id: int) -> tuple[str, int] | Response:
    shown = plan_reads.plan_page(db(), actor=actor(), plan_id=plan_id, today=date.today())
    if not shown.may_assess:
        abort(403)
    learner = db().get(Person, shown.learner_id)
    mine, chosen = _chosen(shown.learner_id)
    chosen = next((r for r in mine if r.registration_id == shown.registration_id), chosen)
    form = PlanForm()
    form.save.label.text = "Save changes"
    if request.method == "GET":
        form.title.data, form.body.data, form.due_on.data = shown.title, shown.body, shown.due_on
        form.evidence_kind.data = shown.evidence_kind or ""
        form.criteria.data = plan_reads.criterion_ids_of(db(), plan_id)
    elif form.validate_on_submit():
        with errors_on(form):
            plans.edit_plan(
                db(),
                actor=actor(),
                plan_id=plan_id,
                title=form.title.data or "",
                body=form.body.data or "",
                criterion_ids=form.criteria.data or [],
                due_on=form.due_on.data,
                evidence_kind=form.evidence_kind.data or None,
            )
            flash("Plan changed.", "success")
            return redirect(url_for("plans.detail", plan_id=plan_id))
    assert learner is not None
    return _form_page(form, learner, chosen, plan=shown)


def learner_kinds() -> dict[str, str]:
    """The kinds a learner writes for their own plan (a reflective account first), as the
    editor allows them: it checks the kind again."""
    return {k: KINDS[k] for k in writable_kinds({"self"})}


def _detail(
    plan_id: int, done: DoneForm | None = None, close: CloseForm | None = None
) -> tuple[str, int]:
    shown = plan_reads.plan_page(db(), actor=actor(), plan_id=plan_id, today=date.today())
    kinds = learner_kinds() if shown.may_write else {}
    html = render_template(
        "plans/detail.html",
        plan=shown,
        done=done or DoneForm(),
        close=close or CloseForm(),
        kinds=kinds,
        # the learner's choice starts at the kind asked for if they write it themselves
        chosen=shown.evidence_kind if shown.evidence_kind in kinds else "reflective_account",
        # the record the assessor writes, which the learner adds supporting evidence to
        assessor_writes=written_by_assessor(shown.evidence_kind),
        record=record_words(shown.evidence_kind),
    )
    return html, status_of(done, close)


@bp.route("/learners/<int:learner_id>/plans")
@page()
def index(learner_id: int) -> str:
    """Every plan the learner was set, 50 a page: open ones soonest due first, then ended ones,
    most recently ended first; for whoever may read their plans (the service checks)."""
    learner = db().get(Person, learner_id)
    if learner is None:
        abort(404)
    shown = plan_reads.plans_paged(
        db(),
        actor=actor(),
        learner_id=learner_id,
        today=date.today(),
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "plans/index.html", learner=learner, plans=shown, own=learner_id == actor().id,
        administrator=actor().has("admin"),  # back to the learner's page of the administrators
    )  # fmt: skip


@bp.route("/plans/<int:plan_id>")
@page()
def detail(plan_id: int) -> tuple[str, int]:
    return _detail(plan_id)


@bp.route("/plans/<int:plan_id>/done", methods=["POST"])
@page("assessor")
def done(plan_id: int) -> tuple[str, int] | Response:
    plans.require_assessing(db(), actor=actor(), plan_id=plan_id)
    form = DoneForm()
    if form.validate_on_submit():
        with errors_on(form):
            plans.mark_done(db(), actor=actor(), plan_id=plan_id)
            flash("Plan marked done.", "success")
            return redirect(url_for("plans.detail", plan_id=plan_id))
    return _detail(plan_id, done=form)


@bp.route("/plans/<int:plan_id>/close", methods=["POST"])
@page("assessor")
def close(plan_id: int) -> tuple[str, int] | Response:
    plans.require_assessing(db(), actor=actor(), plan_id=plan_id)  # before the form's errors
    form = CloseForm()
    if form.validate_on_submit():
        with errors_on(form):
            plans.close_plan(db(), actor=actor(), plan_id=plan_id, reason=form.reason.data or "")
            flash("Plan closed.", "success")
            return redirect(url_for("plans.detail", plan_id=plan_id))
    return _detail(plan_id, close=form)
