"""The evidence editor (routes on the evidence blueprint): a new item or a change to one, with its
files and criteria saved in the same request as the text, before the first save too; drafts saved
in the background (``static/editor.js`` posts the form every 20 seconds and when a field loses
focus) and the Markdown previewed without leaving the page. Without script the page still works:
"Preview" and "Save draft" post the whole form."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from delivery.web.context import actor, db, file_store
from delivery.web.evidence.forms import EvidenceForm
from delivery.web.evidence.mapping import STATE_WORDS
from delivery.web.evidence.readings import start_after_commit
from delivery.web.evidence.views import (
    FIELD_NAMES,
    _learner,
    _saved,
    _suggest_saved,
    bp,
)
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from delivery.web.plans import learner_kinds
from delivery.web.words import clock
from mappings.assessment import first_save, plan_writing, plans, rewriting
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.criterion_states import criterion_states
from portfolio.markdown import render_markdown
from portfolio.models import Attachment, Evidence, EvidenceVersion, Person
from portfolio.models.base import utcnow
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import evidence as service


@dataclass(frozen=True)
class Choice:
    criterion_id: int
    code: str
    text: str
    state: str  # met, awaiting, referred or "" (nothing says it yet)


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    choices: tuple[Choice, ...]
    withdrawn_at: date | None = None  # the learner withdrew from its registration: not offered


def checklist(learner_id: int) -> list[Group]:
    """The criteria of the learner's standards, by standard, each with where it stands; for
    an assessor writing a record, those of the registrations they assess."""
    criteria = claimable_criteria(db(), learner_id)
    if learner_id != actor().id:
        criteria = [c for c in criteria if c.assessor_id == actor().id]
    states = criterion_states(db(), learner_id, [(c.framework_id, c.ref) for c in criteria])
    groups: dict[tuple[str, str, date | None], list[Choice]] = defaultdict(list)
    for c in criteria:
        state = states.get(c.criterion_id, "")
        groups[(c.standard_code, c.standard_title, c.withdrawn_at)].append(
            Choice(c.criterion_id, c.code, c.text, state if state in STATE_WORDS else "")
        )
    return [Group(code, title, tuple(cs), left) for (code, title, left), cs in groups.items()]


def _draft(kind: str, form: EvidenceForm) -> service.Draft:
    return service.Draft(
        kind=kind,
        title=form.title.data or "",
        activity_date=form.activity_date.data,  # required by the form
        body=form.body.data or "",
        fields={name: getattr(form, name).data or "" for name in FIELD_NAMES},
    )


def _uploads(form: EvidenceForm) -> list[first_save.Upload]:
    return [first_save.Upload(f.filename or "upload", f.stream) for f in form.uploads]


def _max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def _kind(learner_id: int) -> str:
    default = "reflective_account" if learner_id == actor().id else ASSESSOR_KINDS[0]
    kind = request.args.get("kind", default)
    if kind not in KINDS:
        abort(404)
    return kind


def _message(saved: str, form: EvidenceForm, files: int) -> str:
    parts = [f"{files} file{'s' if files != 1 else ''} attached"] if files else []
    if form.ticked:
        n = len(form.ticked)
        parts.append(f"{n} criteri{'on' if n == 1 else 'a'} mapped")
    return f"{saved[:-1]}: {' and '.join(parts)}." if parts else saved


def _editor(
    form: EvidenceForm,
    kind: str,
    learner: Person | None,
    item: Evidence | None,
    preview: str | None,
    plan: plan_writing.WritingPlan | None = None,
    said: rewriting.Feedback | None = None,
    version: EvidenceVersion | None = None,  # the item's current version, read already
) -> tuple[str, int]:
    learner_id = (learner.id or 0) if learner is not None else 0
    files: list[Attachment] = []
    if item is not None:
        version = version or service.current_version(db(), item)
        files = service.attachments_of(db(), version.id or 0)
        if said is None:  # the page came back with a problem: read it again
            said = rewriting.feedback_on(db(), item.id or 0)
    autosave = None
    if item is None:
        autosave = url_for(
            "evidence.autosave_new", learner_id=learner_id, kind=kind, plan=plan and plan.id
        )
    elif item.status == "draft":
        autosave = url_for("evidence.autosave", evidence_id=item.id)
    groups = checklist(learner_id)
    ticked = set(form.criterion.data or [])
    page_html = render_template(
        "evidence/edit.html",
        form=form,
        kind=kind,
        kind_label=KINDS[kind],
        learner=learner,
        preview=preview,
        item=item,
        files=files,
        files_lost=bool(form.uploads) and form.status != 200,
        groups=groups,
        state_words=STATE_WORDS,
        ticked=ticked,
        ticked_counts={
            g.code: sum(1 for c in g.choices if c.criterion_id in ticked) for g in groups
        },
        autosave_url=autosave,
        preview_url=url_for("evidence.preview", kind=kind),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        plan=plan,
        plan_kinds=_other_kinds(kind, plan) if plan and not plan.refused and item is None else {},
        said=said,
    )
    return page_html, form.status


def _other_kinds(kind: str, plan: plan_writing.WritingPlan) -> dict[str, str]:
    """The writer's other kinds, to write for the same plan instead (the editor's links): the
    learner's own kinds, or the other kind the assessor writes."""
    kinds = {k: KINDS[k] for k in ASSESSOR_KINDS} if plan.by_assessor else learner_kinds()
    return {k: label for k, label in kinds.items() if k != kind}


def _plan(learner_id: int) -> plan_writing.WritingPlan | None:
    """The plan a new item is written for (``?plan=``): the learner's own, or one of theirs the
    writer is its allocated assessor of (404 otherwise)."""
    plan_id = request.args.get("plan", type=int)
    if plan_id is None:
        return None
    return plan_writing.plan_for_writing(
        db(), actor=actor(), plan_id=plan_id, learner_id=learner_id
    )


def _link(plan: plan_writing.WritingPlan | None, item: Evidence) -> None:
    """Link a new item to the open plan it was written for (the service checks the item is the
    learner's own, or the assessor's record for the learner of their plan); a plan that ended
    while they wrote takes no link, and the item is saved all the same, the writer told."""
    if plan is None:
        return
    if plan.open:
        plans.link_evidence(db(), actor=actor(), plan_id=plan.id, evidence_id=item.id or 0)
    else:
        flash(f"It is not linked to the plan “{plan.title}”: it has ended.", "warning")


@bp.route("/learners/<int:learner_id>/evidence/new", methods=["GET", "POST"])
@page()
def new(learner_id: int) -> tuple[str, int] | Response:
    learner = _learner(learner_id)
    kind = _kind(learner_id)
    service.may_author(db(), actor(), learner_id, kind)
    plan = _plan(learner_id)
    form = EvidenceForm()
    if request.method == "GET" and plan is not None and plan.open and not plan.refused:
        form.criterion.data = plan.criterion_ids  # ticked for the learner to confirm
    preview = None
    if form.validate_on_submit():
        draft = _draft(kind, form)
        if form.preview.data:
            preview = service.compose_body(kind, draft.body, draft.fields or {})
        else:
            checked = first_save.check_uploads(_uploads(form), _max_bytes())
            with errors_on(form):
                item = first_save.create_with(
                    db(),
                    actor=actor(),
                    store=file_store(),
                    learner_id=learner_id,
                    draft=draft,
                    uploads=checked.uploads,
                    criterion_ids=form.ticked,
                    max_bytes=_max_bytes(),
                )
                _link(plan, item)
                return _saved_draft(item, form, checked)
    return _editor(form, kind, learner, None, preview, plan)


def _saved_draft(item: Evidence, form: EvidenceForm, checked: first_save.Checked) -> Response:
    """After a draft is saved: its page, or, when files were refused (the text, the files that
    could be attached and the criteria are saved), its editor again naming every refused file."""
    if checked.uploads:
        start_after_commit()  # read the files' text
    _suggest_saved(item)
    message = _saved(_message("Draft saved.", form, len(checked.uploads)), item)
    if checked.refused:
        flash(f"{message} Not attached: {' '.join(checked.refused)}", "warning")
        return redirect(url_for("evidence.edit", evidence_id=item.id))
    flash(message, "success")
    return redirect(url_for("evidence.detail", evidence_id=item.id))


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@page()
def edit(evidence_id: int) -> tuple[str, int] | Response:
    editing = service.for_editing(db(), actor=actor(), evidence_id=evidence_id)
    item, version = editing.item, editing.version
    form = EvidenceForm()
    preview = None
    said = None  # what the assessor said, with the item's claims (one statement)
    if request.method == "GET":
        said = rewriting.feedback_on(db(), evidence_id)
        form.title.data = item.title
        form.activity_date.data = version.activity_date
        form.body.data = "" if item.kind == "star_narrative" else version.body
        for name in FIELD_NAMES:
            getattr(form, name).data = version.fields.get(name, "")
        form.expected_version.data = str(item.current_version)
        form.expected_hash.data = version.sha256
        form.criterion.data = list(said.claimed)
    elif form.validate_on_submit():
        draft = _draft(item.kind, form)
        if form.preview.data:
            preview = service.compose_body(item.kind, draft.body, draft.fields or {})
        else:
            checked = first_save.check_uploads(_uploads(form), _max_bytes())
            with errors_on(form):
                if item.status == "draft":  # its text is saved, with the files that may be
                    return _saved_draft(_update(item, form, draft, checked.uploads), form, checked)
                if checked.refused:  # a new version is made whole or not at all
                    raise checked.refusal
                item = _update(item, form, draft, checked.uploads)
                start_after_commit()  # a new version copies the files, new files: their readings
                _suggest_saved(item)
                flash(_saved(_message("Saved.", form, len(checked.uploads)), item), "success")
                return redirect(url_for("evidence.detail", evidence_id=evidence_id))
    learner = db().get(Person, item.learner_id)
    return _editor(form, item.kind, learner, item, preview, said=said, version=version)


def _update(
    item: Evidence, form: EvidenceForm, draft: service.Draft, uploads: Sequence[first_save.Upload]
) -> Evidence:
    return first_save.update_with(
        db(),
        actor=actor(),
        store=file_store(),
        evidence_id=item.id or 0,
        expected_version=int(form.expected_version.data or 0),
        expected_hash=form.expected_hash.data or None,
        draft=draft,
        uploads=uploads,
        criterion_ids=form.ticked,
        max_bytes=_max_bytes(),
    )


# ---------------------------------------------------------------- in the background (editor.js)


def _not_saved(form: PageForm) -> tuple[dict[str, Any], int]:
    """Why the background save did not happen, in words, with the status the form would have."""
    problems = [message for _anchor, message in form.problems]
    reason = problems[0] if problems else "the form could not be read"
    return {"error": f"Not saved automatically: {reason}"}, form.status


@bp.route("/evidence/<int:evidence_id>/autosave", methods=["POST"])
@page()
def autosave(evidence_id: int) -> tuple[dict[str, Any], int]:
    """Save the text of a draft (not its files nor criteria) while the author writes."""
    item = service.for_author(db(), actor(), evidence_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _not_saved(form)
    with errors_on(form):
        service.autosave(
            db(),
            actor=actor(),
            evidence_id=evidence_id,
            expected_version=int(form.expected_version.data or 0),
            expected_hash=form.expected_hash.data or None,
            draft=_draft(item.kind, form),
        )
    if form.failure is not None:
        return _not_saved(form)
    return {
        "saved": f"Saved at {clock(item.updated_at or utcnow())}",
        "hash": service.current_version(db(), item).sha256,  # the page's own next save expects it
    }, 200


@bp.route("/learners/<int:learner_id>/evidence/autosave", methods=["POST"])
@page()
def autosave_new(learner_id: int) -> tuple[dict[str, Any], int]:
    """The first background save of a new item: it becomes a draft; the answer tells the page
    where the item now lives, so that what follows (and "Save draft") changes that draft."""
    _learner(learner_id)
    kind = _kind(learner_id)
    service.may_author(db(), actor(), learner_id, kind)
    plan = _plan(learner_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _not_saved(form)
    with errors_on(form):
        item = service.create(db(), actor=actor(), learner_id=learner_id, draft=_draft(kind, form))
        _link(plan, item)
        return {
            "saved": f"Saved at {clock(item.created_at)}",
            "version": item.current_version,
            "hash": service.current_version(db(), item).sha256,
            "edit_url": url_for("evidence.edit", evidence_id=item.id),
            "autosave_url": url_for("evidence.autosave", evidence_id=item.id),
            "discard_url": url_for("evidence.discard", evidence_id=item.id),
        }, 200
    return _not_saved(form)


class PreviewForm(PageForm):
    """The text of the editor, for its preview (the other fields are ignored)."""

    body = TextAreaField(validators=[Optional(), Length(max=200_000)])
    situation = TextAreaField(validators=[Optional()])
    task = TextAreaField(validators=[Optional()])
    action = TextAreaField(validators=[Optional()])
    result = TextAreaField(validators=[Optional()])
    witness_name = TextAreaField(validators=[Optional()])
    witness_role = TextAreaField(validators=[Optional()])
    witness_relationship = TextAreaField(validators=[Optional()])


@bp.route("/evidence/preview", methods=["POST"])
@page()
def preview() -> tuple[str, int]:
    """The editor's Markdown as the evidence page shows it (raw HTML off), as a fragment of HTML
    for the page to put in place. It reads and writes nothing of anyone's evidence."""
    kind = request.args.get("kind", "reflective_account")
    if kind not in KINDS:
        abort(404)
    form = PreviewForm()
    if not form.validate_on_submit():
        return render_template("evidence/_preview.html", failed=True), 422
    fields = {name: getattr(form, name).data or "" for name in FIELD_NAMES}
    text = service.compose_body(kind, form.body.data or "", fields)
    html = render_template("evidence/_preview.html", rendered=render_markdown(text))
    return html, 200
