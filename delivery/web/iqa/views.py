"""Quality assurance pages: the IQA's cycles, plans, coverage grid and sample reviews; the
assessor's actions; the administrator's EQA grants; the EQA's read-only views.

IQA pages are for the role iqa and only the IQA's own cycles; actions for the assessor concerned
(and the IQA who set them); EQA pages for people holding a live grant."""

from __future__ import annotations

import io
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlmodel import col, select
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.coverage.chart_data import iqa_grid_chart
from delivery.web.forms import PageForm, errors_on, options, per_row
from delivery.web.handler import page
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
from delivery.web.iqa.paging import sample_page
from delivery.web.words import centre_zone, sample_kind_phrase, when
from exports.iqa_report import ZONE, report_for_cycle
from mappings.quality.actions import (
    actions_for_assessor,
    actions_set_by,
    close_action,
    respond_action,
)
from mappings.quality.beyond import reason_words
from mappings.quality.cycles import create_cycle, get_cycle, list_cycles
from mappings.quality.eqa import (
    CLOSED_SAID,
    ended_grants_of,
    ended_words,
    eqa_grants_of,
    grant_eqa,
    list_grants,
    revoke_eqa,
)
from mappings.quality.models import Sample, SamplingCycle
from mappings.quality.plan import add_sample, drop_sample, plan_cycle, plan_page
from mappings.quality.review import review_sample
from mappings.quality.reviewed import reviews_of_my_decisions
from mappings.quality.samples import SampleView, sample_view
from mappings.quality.strategy import get_strategy, save_strategy
from mappings.quality.words import outcome_words
from portfolio.services import people
from portfolio.words import count_words, day_end

bp = Blueprint("iqa", __name__)
bp.add_app_template_filter(reason_words, "reason_words")
bp.add_app_template_filter(outcome_words, "outcome_words")


# ---------------------------------------------------------------- IQA dashboard, strategy, cycles


@bp.route("/iqa")
@page("iqa")
def index() -> str:
    me = actor()
    return render_template(
        "iqa/index.html",
        cycles=list_cycles(db(), me),
        actions=actions_set_by(db(), actor=me),
    )


@bp.route("/iqa/strategy", methods=["GET", "POST"])
@page("iqa")
def strategy() -> tuple[str, int] | Response:
    current = get_strategy(db())
    form = StrategyForm()
    if request.method == "GET":
        form.rate_new.data = round(current.plan.rate("new") * 100)
        form.rate_standard.data = round(current.plan.rate("standard") * 100)
        form.rate_under_review.data = round(current.plan.rate("under_review") * 100)
        form.interim.data, form.summative.data = current.interim, current.summative
        form.bump.data = current.plan.bump_on_disagreement
    if form.validate_on_submit():
        with errors_on(form):
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
            flash("The sampling strategy was saved; new cycles use it.", "success")
            return redirect(url_for("iqa.strategy"))
    html = render_template("iqa/strategy.html", form=form, dimensions=current.plan.dimensions)
    return html, form.status


@bp.route("/iqa/cycles/new", methods=["GET", "POST"])
@page("iqa")
def cycle_new() -> tuple[str, int] | Response:
    form = CycleForm()
    if form.validate_on_submit():
        with errors_on(form):
            cycle = create_cycle(
                db(),
                actor=actor(),
                name=form.name.data or "",
                start=form.start.data,
                end=form.end.data,
                seed=form.seed.data,
                zone=centre_zone(),  # the cycle's days are the centre's
            )
            flash(f"Cycle {cycle.name} created: plan its sample next.", "success")
            return redirect(url_for("iqa.cycle", cycle_id=cycle.id))
    return render_template("iqa/cycle_new.html", form=form), form.status


def _plan_page(cycle_id: int, failed: PageForm | None = None) -> tuple[str, int]:
    """The plan of a cycle with its forms; ``failed`` is one shown again with its errors."""
    page_data = plan_page(db(), actor=actor(), cycle_id=cycle_id)
    add_form = (
        failed if isinstance(failed, AddSampleForm) else AddSampleForm(prefix="add", formdata=None)
    )
    add_form.decision.choices = options(
        (c.key, f"{c.learner_name}, {c.standard_code} ({sample_kind_phrase(c.kind)}), "
                f"assessed by {page_data.facts.assessor_names.get(c.assessor_id, '?')}")
        for c in page_data.candidates
    )  # fmt: skip
    shown = sample_page(
        page_data.samples,
        request.args.get("page", type=int),
        show=failed.row if isinstance(failed, ButtonForm) else None,
    )
    html = render_template(
        "iqa/plan.html",
        page=page_data,
        samples=shown,
        grid_chart=iqa_grid_chart(page_data.grid),
        plan_form=failed
        if isinstance(failed, PlanForm)
        else PlanForm(prefix="plan", formdata=None),
        add_form=add_form,
        drop_forms=per_row(ButtonForm, [s.id for s, *_ in shown.rows], failed, prefix="drop"),
    )
    return html, failed.status if failed is not None else 200


@bp.route("/iqa/cycles/<int:cycle_id>")
@page("iqa")
def cycle(cycle_id: int) -> tuple[str, int]:
    return _plan_page(cycle_id)


@bp.route("/iqa/cycles/<int:cycle_id>/plan", methods=["POST"])
@page("iqa")
def plan(cycle_id: int) -> tuple[str, int] | Response:
    get_cycle(db(), actor(), cycle_id)  # 404 for someone else's cycle
    form = PlanForm(prefix="plan")
    if form.validate_on_submit():
        with errors_on(form):
            result = plan_cycle(db(), actor=actor(), cycle_id=cycle_id, seed=form.seed.data)
            samples, seed = len(result.plan.samples), result.cycle.seed
            flash(
                f"Planned {count_words(samples, 'sample')} with sampling number {seed}.", "success"
            )
            return redirect(url_for("iqa.cycle", cycle_id=cycle_id))
    return _plan_page(cycle_id, form)


@bp.route("/iqa/cycles/<int:cycle_id>/add", methods=["POST"])
@page("iqa")
def add(cycle_id: int) -> tuple[str, int] | Response:
    get_cycle(db(), actor(), cycle_id)
    form = AddSampleForm(prefix="add")
    form.decision.choices = options([(form.decision.data or "", "")])  # the service checks it
    if form.validate_on_submit():
        with errors_on(form):
            add_sample(
                db(),
                actor=actor(),
                cycle_id=cycle_id,
                decision_key=form.decision.data or "",
                reason=form.reason.data or "",
            )
            flash(f"Added {form.decision.data} to the sample.", "success")
            return redirect(url_for("iqa.cycle", cycle_id=cycle_id))
    return _plan_page(cycle_id, form)


@bp.route("/iqa/samples/<int:sample_id>/drop", methods=["POST"])
@page("iqa")
def drop(sample_id: int) -> tuple[str, int] | Response:
    sample = db().get(Sample, sample_id)
    if sample is None:
        abort(404)
    cycle_id = get_cycle(db(), actor(), sample.cycle_id).id or 0
    form = ButtonForm(prefix="drop", row=sample_id)
    if form.validate_on_submit():
        with errors_on(form):
            dropped = drop_sample(db(), actor=actor(), sample_id=sample_id)
            flash(f"Dropped {dropped.decision_key} from the sample.", "success")
            back = request.args.get("page", type=int)  # the page of samples it was dropped on
            return redirect(url_for("iqa.cycle", cycle_id=cycle_id, page=back))
    return _plan_page(cycle_id, form)


@bp.route("/iqa/cycles/<int:cycle_id>/grid")
@page("iqa")
def grid(cycle_id: int) -> str:
    page_data = plan_page(db(), actor=actor(), cycle_id=cycle_id)
    return render_template(
        "iqa/grid.html", page=page_data, grid=page_data.grid, chart=iqa_grid_chart(page_data.grid)
    )


REPORT_MIMES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.route("/iqa/cycles/<int:cycle_id>/report.<fmt>")
@page("iqa")
def report(cycle_id: int, fmt: str) -> Response:
    """The cycle's plan with outcomes (.xlsx, .csv) or its sample reports (.docx), as the
    command ``portfolio iqa report`` writes them."""
    if fmt not in REPORT_MIMES:
        abort(404)
    cycle = get_cycle(db(), actor(), cycle_id)
    data = report_for_cycle(db(), cycle, fmt, current_app.config.get("TIME_ZONE") or ZONE)
    stem = "iqa-sample-reports" if fmt == "docx" else "iqa-plan"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cycle.name).strip("-").lower() or str(cycle_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=REPORT_MIMES[fmt],
        as_attachment=True,
        download_name=f"{stem}-{slug}.{fmt}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- one sample


def _checks(view: SampleView) -> dict[int, tuple[str, str]]:
    """Each decision's check as submitted (agree or disagree, and a note); none at first."""
    return {
        d.id: (request.form.get(f"check-{d.id}", ""), request.form.get(f"note-{d.id}", ""))
        for d in view.decisions
    }


@bp.route("/iqa/samples/<int:sample_id>", methods=["GET", "POST"])
@page("iqa")
def sample(sample_id: int) -> tuple[str, int] | Response:
    view = sample_view(db(), actor=actor(), sample_id=sample_id)
    form = ReviewForm()
    checks = _checks(view)
    if request.method == "POST" and form.agree_rest.data:
        checks = {i: (choice or "agree", note) for i, (choice, note) in checks.items()}
    names = {
        d.id: f"{d.criterion} ({d.evidence_title}, version {d.version})" for d in view.decisions
    }
    valid = form.validate_on_submit()
    if request.method == "POST" and not form.require_checks(checks, names):
        valid = False
    if valid:
        with errors_on(form):
            review_sample(
                db(),
                actor=actor(),
                sample_id=sample_id,
                outcome=form.outcome.data or "",
                feedback=form.feedback.data or "",
                checks={
                    decision_id: (choice == "agree", note)
                    for decision_id, (choice, note) in checks.items()
                    if choice in ("agree", "disagree")
                },
                actions=form.actions,
                reopen=bool(form.reopen.data),
            )
            flash("Review recorded.", "success")
            return redirect(url_for("iqa.sample", sample_id=sample_id))
    html = render_template("iqa/sample.html", view=view, form=form, checks=checks, read_only=False)
    return html, form.status


# ---------------------------------------------------------------- actions


def _actions_page(failed: PageForm | None = None) -> tuple[str, int]:
    me = actor()
    mine = actions_for_assessor(db(), actor=me) if me.has("assessor") else []
    set_by_me = actions_set_by(db(), actor=me) if me.has("iqa") else []
    # the IQA's reviews of the assessor's own sampled decisions, a page at a time
    number = request.args.get("reviews", 1, type=int) or 1
    reviews = reviews_of_my_decisions(db(), actor=me, page=number) if me.has("assessor") else None
    html = render_template(
        "iqa/actions.html",
        mine=mine,
        set_by_me=set_by_me,
        reviews=reviews,
        respond_forms=per_row(RespondForm, [r.action.id for r in mine], failed, prefix="respond"),
        close_forms=per_row(ButtonForm, [r.action.id for r in set_by_me], failed, prefix="close"),
    )
    return html, failed.status if failed is not None else 200


@bp.route("/iqa/actions")
@page("assessor", "iqa")
def actions() -> tuple[str, int]:
    return _actions_page()


@bp.route("/iqa/actions/<int:action_id>/respond", methods=["POST"])
@page("assessor")
def respond(action_id: int) -> tuple[str, int] | Response:
    form = RespondForm(prefix="respond", row=action_id)
    if form.validate_on_submit():
        with errors_on(form):
            respond_action(
                db(), actor=actor(), action_id=action_id, response=form.response.data or ""
            )
            flash("Response sent to the IQA.", "success")
            return redirect(url_for("iqa.actions"))
    return _actions_page(form)


@bp.route("/iqa/actions/<int:action_id>/close", methods=["POST"])
@page("iqa")
def close(action_id: int) -> tuple[str, int] | Response:
    form = ButtonForm(prefix="close", row=action_id)
    if form.validate_on_submit():
        with errors_on(form):
            close_action(db(), actor=actor(), action_id=action_id)
            flash("Action closed.", "success")
            return redirect(url_for("iqa.actions"))
    return _actions_page(form)


# ---------------------------------------------------------------- EQA grants (administrators)


def _grants_page(form: GrantForm, failed: PageForm | None = None) -> tuple[str, int]:
    rows = list_grants(db(), actor=actor())
    html = render_template(
        "iqa/eqa_grants.html",
        rows=rows,
        form=form,
        revoke_forms=per_row(ButtonForm, [r.grant.id for r in rows], failed, prefix="revoke"),
    )
    return html, (failed or form).status


def _grant_form(formdata: bool = True) -> GrantForm:
    form = GrantForm(prefix="grant") if formdata else GrantForm(prefix="grant", formdata=None)
    form.person.choices = options((p.id or 0, p.name) for p in people.people_with_role(db(), "eqa"))
    form.cycle.choices = options(
        (c.id or 0, c.name)
        for c in db().exec(select(SamplingCycle).order_by(col(SamplingCycle.name))).all()
    )
    return form


@bp.route("/admin/eqa", methods=["GET", "POST"])
@page("admin")
def eqa_grants() -> tuple[str, int] | Response:
    form = _grant_form()
    if form.validate_on_submit():
        zone = centre_zone()
        with errors_on(form):
            grant_eqa(
                db(),
                actor=actor(),
                person_id=form.person.data or 0,
                cycle_id=form.cycle.data or 0,
                expires_at=day_end(form.expires.data, zone),
                zone=zone,
            )
            flash("Read-only access granted.", "success")
            return redirect(url_for("iqa.eqa_grants"))
    return _grants_page(form)


@bp.route("/admin/eqa/<int:grant_id>/revoke", methods=["POST"])
@page("admin")
def eqa_revoke(grant_id: int) -> tuple[str, int] | Response:
    form = ButtonForm(prefix="revoke", row=grant_id)
    if form.validate_on_submit():
        with errors_on(form):
            revoke_eqa(db(), actor=actor(), grant_id=grant_id, zone=centre_zone())
            flash("Access ended.", "success")
            return redirect(url_for("iqa.eqa_grants"))
    return _grants_page(_grant_form(formdata=False), form)


# ---------------------------------------------------------------- EQA read-only views


@bp.route("/eqa")
@page("eqa")
def eqa_index() -> str:
    grants = eqa_grants_of(db(), actor=actor())
    ended = [
        ended_words(g, name, when, centre_zone())
        for g, name in ended_grants_of(db(), actor=actor(), live=grants)
    ]
    return render_template("iqa/eqa_index.html", grants=grants, ended=ended, closed=CLOSED_SAID)


@bp.route("/eqa/samples/<int:sample_id>")
@page("eqa")
def eqa_sample(sample_id: int) -> str:
    view = sample_view(db(), actor=actor(), sample_id=sample_id)
    return render_template("iqa/sample.html", view=view, form=None, checks={}, read_only=True)
