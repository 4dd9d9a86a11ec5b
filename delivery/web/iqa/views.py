"""Quality assurance pages: the IQA's cycles, plans, coverage grid and sample reviews; the
assessor's actions; the administrator's EQA grants; the EQA's read-only views.

IQA pages are for the role iqa and only the IQA's own cycles; actions for the assessor concerned
(and the IQA who set them); EQA pages for people holding a live grant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.iqa.forms import (
    AddSampleForm,
    ButtonForm,
    CycleForm,
    GrantForm,
    PlanForm,
    RespondForm,
    ReviewForm,
    StrategyForm,
)
from mappings.quality.actions import (
    actions_for_assessor,
    actions_set_by,
    close_action,
    respond_action,
)
from mappings.quality.cycles import create_cycle, get_cycle, list_cycles
from mappings.quality.eqa import eqa_grants_of, grant_eqa, list_grants, revoke_eqa
from mappings.quality.models import SamplingCycle
from mappings.quality.plan import add_sample, drop_sample, plan_cycle, plan_page
from mappings.quality.review import review_sample
from mappings.quality.samples import SampleView, sample_view
from mappings.quality.strategy import get_strategy, save_strategy
from portfolio.errors import Invalid
from portfolio.services import people

bp = Blueprint("iqa", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def roles(*allowed: str) -> Callable[[F], F]:
    """Log-in required, then one of the roles: 403 for everyone else."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not any(actor().has(r) for r in allowed):
                abort(403)
            return view(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap


def _failed(error: Invalid) -> str:
    db().rollback()
    return str(error)


# ---------------------------------------------------------------- IQA dashboard, strategy, cycles


@bp.route("/iqa")
@roles("iqa")
def index() -> str:
    me = actor()
    return render_template(
        "iqa/index.html",
        cycles=list_cycles(db(), me),
        actions=actions_set_by(db(), actor=me),
    )


@bp.route("/iqa/strategy", methods=["GET", "POST"])
@roles("iqa")
def strategy() -> tuple[str, int] | Response:
    current = get_strategy(db())
    form = StrategyForm()
    if request.method == "GET":
        form.rate_new.data = round(current.plan.rate("new") * 100)
        form.rate_standard.data = round(current.plan.rate("standard") * 100)
        form.rate_under_review.data = round(current.plan.rate("under_review") * 100)
        form.interim.data, form.summative.data = current.interim, current.summative
        form.bump.data = current.plan.bump_on_disagreement
    error = None
    if form.validate_on_submit():
        try:
            save_strategy(
                db(),
                actor=actor(),
                rates={
                    "new": float(form.rate_new.data or 0) / 100,
                    "standard": float(form.rate_standard.data or 0) / 100,
                    "under_review": float(form.rate_under_review.data or 0) / 100,
                },
                interim=bool(form.interim.data),
                summative=bool(form.summative.data),
                bump_on_disagreement=bool(form.bump.data),
            )
        except Invalid as exc:
            error = _failed(exc)
        else:
            db().commit()
            flash("The sampling strategy was saved; new cycles use it.", "success")
            return redirect(url_for("iqa.strategy"))
    status = 422 if error or form.errors else 200
    return render_template(
        "iqa/strategy.html", form=form, error=error, dimensions=current.plan.dimensions
    ), status


@bp.route("/iqa/cycles/new", methods=["GET", "POST"])
@roles("iqa")
def cycle_new() -> tuple[str, int] | Response:
    form = CycleForm()
    error = None
    if form.validate_on_submit():
        try:
            cycle = create_cycle(
                db(),
                actor=actor(),
                name=form.name.data or "",
                start=form.start.data,
                end=form.end.data,
                seed=form.seed.data,
            )
        except Invalid as exc:
            error = _failed(exc)
        else:
            db().commit()
            flash(f"Cycle {cycle.name} created: plan its sample next.", "success")
            return redirect(url_for("iqa.cycle", cycle_id=cycle.id))
    status = 422 if error or form.errors else 200
    return render_template("iqa/cycle_new.html", form=form, error=error), status


def _plan_page(cycle_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    page = plan_page(db(), actor=actor(), cycle_id=cycle_id)
    add_form = AddSampleForm(prefix="add")
    add_form.decision.choices = [
        (c.key, f"{c.key}: {c.kind} {c.standard_code}, {c.learner_name}, "
                f"{page.facts.assessor_names.get(c.assessor_id, '?')}")
        for c in page.candidates
    ]  # fmt: skip
    return render_template(
        "iqa/plan.html",
        page=page,
        plan_form=PlanForm(prefix="plan"),
        add_form=add_form,
        drop_form=ButtonForm(prefix="drop"),
        error=error,
    ), status


@bp.route("/iqa/cycles/<int:cycle_id>")
@roles("iqa")
def cycle(cycle_id: int) -> tuple[str, int]:
    return _plan_page(cycle_id)


@bp.route("/iqa/cycles/<int:cycle_id>/plan", methods=["POST"])
@roles("iqa")
def plan(cycle_id: int) -> tuple[str, int] | Response:
    get_cycle(db(), actor(), cycle_id)  # 404 for someone else's cycle
    form = PlanForm(prefix="plan")
    if not form.validate_on_submit():
        return _plan_page(cycle_id, "The seed must be a whole number.", 422)
    try:
        result = plan_cycle(db(), actor=actor(), cycle_id=cycle_id, seed=form.seed.data)
    except Invalid as exc:
        return _plan_page(cycle_id, _failed(exc), 422)
    db().commit()
    flash(f"Planned {len(result.plan.samples)} samples with seed {result.cycle.seed}.", "success")
    return redirect(url_for("iqa.cycle", cycle_id=cycle_id))


@bp.route("/iqa/cycles/<int:cycle_id>/add", methods=["POST"])
@roles("iqa")
def add(cycle_id: int) -> tuple[str, int] | Response:
    get_cycle(db(), actor(), cycle_id)
    form = AddSampleForm(prefix="add")
    form.decision.choices = [(form.decision.data or "", "")]  # checked by the service
    if not form.validate_on_submit():
        return _plan_page(cycle_id, "Choose a decision to add.", 422)
    try:
        add_sample(
            db(),
            actor=actor(),
            cycle_id=cycle_id,
            decision_key=form.decision.data or "",
            reason=form.reason.data or "",
        )
    except Invalid as exc:
        return _plan_page(cycle_id, _failed(exc), 422)
    db().commit()
    flash(f"Added {form.decision.data} to the sample.", "success")
    return redirect(url_for("iqa.cycle", cycle_id=cycle_id))


@bp.route("/iqa/samples/<int:sample_id>/drop", methods=["POST"])
@roles("iqa")
def drop(sample_id: int) -> Response:
    form = ButtonForm(prefix="drop")
    if not form.validate_on_submit():
        abort(400)
    try:
        sample = drop_sample(db(), actor=actor(), sample_id=sample_id)
    except Invalid as exc:
        flash(_failed(exc), "error")
        return redirect(request.referrer or url_for("iqa.index"))
    db().commit()
    flash(f"Dropped {sample.decision_key} from the sample.", "success")
    return redirect(url_for("iqa.cycle", cycle_id=sample.cycle_id))


@bp.route("/iqa/cycles/<int:cycle_id>/grid")
@roles("iqa")
def grid(cycle_id: int) -> str:
    page = plan_page(db(), actor=actor(), cycle_id=cycle_id)
    return render_template("iqa/grid.html", page=page, grid=page.grid)


# ---------------------------------------------------------------- one sample


def _checks(view: SampleView) -> dict[int, tuple[bool, str]]:
    found = {}
    for d in view.decisions:
        choice = request.form.get(f"check-{d.id}", "")
        if choice in ("agree", "disagree"):
            found[d.id] = (choice == "agree", request.form.get(f"note-{d.id}", ""))
    return found


@bp.route("/iqa/samples/<int:sample_id>", methods=["GET", "POST"])
@roles("iqa")
def sample(sample_id: int) -> tuple[str, int] | Response:
    view = sample_view(db(), actor=actor(), sample_id=sample_id)
    form = ReviewForm()
    error = None
    if form.validate_on_submit():
        actions = [
            (text or "", due)
            for text, due in ((form.action1.data, form.due1.data), (form.action2.data, form.due2.data))
            if (text or "").strip()
        ]  # fmt: skip
        try:
            if any(due is None for _, due in actions):
                raise Invalid("Give every action a due date.")
            review_sample(
                db(),
                actor=actor(),
                sample_id=sample_id,
                outcome=form.outcome.data or "",
                feedback=form.feedback.data or "",
                checks=_checks(view),
                actions=[(t, d) for t, d in actions if d is not None],
                reopen=bool(form.reopen.data),
            )
        except Invalid as exc:
            error = _failed(exc)
        else:
            db().commit()
            flash("Review recorded.", "success")
            return redirect(url_for("iqa.sample", sample_id=sample_id))
    status = 422 if error or form.errors else 200
    return render_template(
        "iqa/sample.html", view=view, form=form, error=error, read_only=False
    ), status


# ---------------------------------------------------------------- actions


@bp.route("/iqa/actions")
@roles("assessor", "iqa")
def actions() -> str:
    me = actor()
    return render_template(
        "iqa/actions.html",
        mine=actions_for_assessor(db(), actor=me) if me.has("assessor") else [],
        set_by_me=actions_set_by(db(), actor=me) if me.has("iqa") else [],
        respond_form=RespondForm(prefix="respond"),
        close_form=ButtonForm(prefix="close"),
    )


@bp.route("/iqa/actions/<int:action_id>/respond", methods=["POST"])
@roles("assessor")
def respond(action_id: int) -> Response:
    form = RespondForm(prefix="respond")
    form.validate_on_submit()  # an empty response is refused by the service, after whose it is
    try:
        respond_action(db(), actor=actor(), action_id=action_id, response=form.response.data or "")
    except Invalid as exc:
        flash(_failed(exc), "error")
        return redirect(url_for("iqa.actions"))
    db().commit()
    flash("Response sent to the IQA.", "success")
    return redirect(url_for("iqa.actions"))


@bp.route("/iqa/actions/<int:action_id>/close", methods=["POST"])
@roles("iqa")
def close(action_id: int) -> Response:
    if not ButtonForm(prefix="close").validate_on_submit():
        abort(400)
    try:
        close_action(db(), actor=actor(), action_id=action_id)
    except Invalid as exc:
        flash(_failed(exc), "error")
        return redirect(url_for("iqa.actions"))
    db().commit()
    flash("Action closed.", "success")
    return redirect(url_for("iqa.actions"))


# ---------------------------------------------------------------- EQA grants (administrators)


@bp.route("/admin/eqa", methods=["GET", "POST"])
@roles("admin")
def eqa_grants() -> tuple[str, int] | Response:
    form = GrantForm(prefix="grant")
    form.person.choices = [(p.id or 0, p.name) for p in people.list_people(db(), role="eqa")]
    form.cycle.choices = [
        (c.id or 0, c.name)
        for c in db().exec(select(SamplingCycle).order_by(col(SamplingCycle.name))).all()
    ]
    error = None
    if form.validate_on_submit():
        expires = datetime.combine(form.expires.data + timedelta(days=1), time.min, tzinfo=UTC)
        try:
            grant_eqa(
                db(),
                actor=actor(),
                person_id=form.person.data or 0,
                cycle_id=form.cycle.data or 0,
                expires_at=expires,
            )
        except Invalid as exc:
            error = _failed(exc)
        else:
            db().commit()
            flash("Read-only access granted.", "success")
            return redirect(url_for("iqa.eqa_grants"))
    status = 422 if error or form.errors else 200
    return render_template(
        "iqa/eqa_grants.html",
        rows=list_grants(db(), actor=actor()),
        form=form,
        revoke_form=ButtonForm(prefix="revoke"),
        error=error,
    ), status


@bp.route("/admin/eqa/<int:grant_id>/revoke", methods=["POST"])
@roles("admin")
def eqa_revoke(grant_id: int) -> Response:
    if not ButtonForm(prefix="revoke").validate_on_submit():
        abort(400)
    revoke_eqa(db(), actor=actor(), grant_id=grant_id)
    db().commit()
    flash("Access ended.", "success")
    return redirect(url_for("iqa.eqa_grants"))


# ---------------------------------------------------------------- EQA read-only views


@bp.route("/eqa")
@roles("eqa")
def eqa_index() -> str:
    return render_template("iqa/eqa_index.html", grants=eqa_grants_of(db(), actor=actor()))


@bp.route("/eqa/samples/<int:sample_id>")
@roles("eqa")
def eqa_sample(sample_id: int) -> str:
    view = sample_view(db(), actor=actor(), sample_id=sample_id)
    return render_template("iqa/sample.html", view=view, form=None, error=None, read_only=True)
