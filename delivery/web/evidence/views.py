"""Evidence pages: list, detail with versions and history, editor, uploads, submission, downloads."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.evidence.forms import EvidenceForm, PlainForm, SubmitForm, UploadForm
from portfolio.models import Person
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import access
from portfolio.services import evidence as service
from portfolio.services.files import FileStore

bp = Blueprint("evidence", __name__)

FIELD_NAMES = service.STAR_SECTIONS + service.WITNESS_FIELDS


def _store() -> FileStore:
    return FileStore(current_app.config["FILE_STORE"])


def _learner(learner_id: int) -> Person:
    person = db().get(Person, learner_id)
    if person is None:
        abort(404)
    access.require_view(db(), actor(), learner_id)
    return person


def _draft(kind: str, form: EvidenceForm) -> service.Draft:
    return service.Draft(
        kind=kind,
        title=form.title.data or "",
        activity_date=form.activity_date.data,
        body=form.body.data or "",
        fields={name: getattr(form, name).data or "" for name in FIELD_NAMES},
    )


@bp.route("/evidence")
@login_required
def index() -> str | Response:
    me = actor()
    if not me.has("learner"):
        return redirect(url_for("home.index"))
    return _listing(me.id)


@bp.route("/learners/<int:learner_id>/evidence")
@login_required
def learner_index(learner_id: int) -> str:
    return _listing(learner_id)


STATUS_FILTERS = {"draft": "Drafts", "submitted": "Submitted"}


def _listing(learner_id: int) -> str:
    learner = _learner(learner_id)
    status = request.args.get("status")
    if status not in STATUS_FILTERS:
        status = None
    listing = service.page_for_learner(
        db(),
        actor=actor(),
        learner_id=learner_id,
        page=request.args.get("page", 1, type=int) or 1,
        status=status,
    )
    own = learner_id == actor().id
    writable = [k for k in KINDS if (k not in ASSESSOR_KINDS) == own]
    kinds = {k: KINDS[k] for k in writable}
    return render_template(
        "evidence/index.html",
        learner=learner,
        listing=listing,
        status=status,
        filters=STATUS_FILTERS,
        own=own,
        kinds=kinds,
    )


@bp.route("/learners/<int:learner_id>/evidence/new", methods=["GET", "POST"])
@login_required
def new(learner_id: int) -> str | Response:
    learner = _learner(learner_id)
    default = "reflective_account" if learner_id == actor().id else ASSESSOR_KINDS[0]
    kind = request.args.get("kind", default)
    if kind not in KINDS:
        abort(404)
    service.may_author(db(), actor(), learner_id, kind)
    form = EvidenceForm()
    preview = None
    if form.validate_on_submit():
        draft = _draft(kind, form)
        if form.preview.data:
            preview = service.compose_body(kind, draft.body, draft.fields or {})
        else:
            item = service.create(db(), actor=actor(), learner_id=learner_id, draft=draft)
            db().commit()
            flash("Draft saved.", "success")
            return redirect(url_for("evidence.detail", evidence_id=item.id))
    return render_template(
        "evidence/edit.html",
        form=form,
        kind=kind,
        kind_label=KINDS[kind],
        learner=learner,
        preview=preview,
        item=None,
    )


@bp.route("/evidence/<int:evidence_id>")
@bp.route("/evidence/<int:evidence_id>/versions/<int:number>")
@login_required
def detail(evidence_id: int, number: int | None = None) -> str:
    from delivery.web.evidence.mapping import mapping_view

    info = service.detail(db(), actor=actor(), evidence_id=evidence_id, number=number)
    learner = db().get(Person, info.item.learner_id)
    mapping = mapping_view(
        db(),
        actor=actor(),
        item=info.item,
        version=info.version,
        relation=info.relation,
        attachments=info.attachments,
    )
    return render_template(
        "evidence/detail.html",
        info=info,
        learner=learner,
        kind_label=KINDS[info.item.kind],
        upload_form=UploadForm(),
        submit_form=SubmitForm(),
        plain_form=PlainForm(),
        mapping=mapping,
        max_mb=current_app.config["MAX_UPLOAD_MB"],
    )


@bp.route("/evidence/<int:evidence_id>/claims", methods=["POST"])
@login_required
def set_claims(evidence_id: int) -> Response:
    from mappings.assessment import claims

    if not PlainForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("criterion") if v.isdigit()]
    added, removed = claims.set_claims(
        db(), actor=actor(), evidence_id=evidence_id, criterion_ids=ids
    )
    db().commit()
    flash(f"Mapping saved: {len(added)} added, {len(removed)} removed.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id) + "#criteria-heading")


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@login_required
def decide(claim_id: int) -> Response:
    from mappings.assessment import claims
    from mappings.assessment.models import Claim

    if not PlainForm().validate_on_submit():
        abort(400)
    claim = db().get(Claim, claim_id)
    if claim is None:
        abort(404)
    evidence_id = claim.evidence_id
    revision = request.form.get("revision", "")
    claims.decide(
        db(),
        actor=actor(),
        claim_id=claim_id,
        expected_revision=int(revision) if revision.isdigit() else -1,
        decision=request.form.get("decision", ""),
        method=request.form.get("method", ""),
        feedback=request.form.get("feedback", ""),
    )
    db().commit()
    flash("Decision recorded.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id) + f"#claim-{claim_id}")


@bp.route("/evidence/<int:evidence_id>/judgement", methods=["POST"])
@login_required
def judge(evidence_id: int) -> Response:
    from mappings.assessment import claims

    if not PlainForm().validate_on_submit():
        abort(400)
    flags = {name: request.form.get(name) == "y" for name in claims.VACSR}
    claims.judge(
        db(), actor=actor(), evidence_id=evidence_id, flags=flags, note=request.form.get("note", "")
    )
    db().commit()
    flash("VACSR judgement recorded.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id) + "#vacsr-heading")


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@login_required
def edit(evidence_id: int) -> str | Response:
    info = service.detail(db(), actor=actor(), evidence_id=evidence_id)
    if not info.can_edit:
        abort(403)
    item, version = info.item, info.version
    form = EvidenceForm()
    preview = None
    if request.method == "GET":
        form.title.data = item.title
        form.activity_date.data = version.activity_date
        form.body.data = "" if item.kind == "star_narrative" else version.body
        for name in FIELD_NAMES:
            getattr(form, name).data = version.fields.get(name, "")
        form.expected_version.data = str(item.current_version)
    elif form.validate_on_submit():
        draft = _draft(item.kind, form)
        if form.preview.data:
            preview = service.compose_body(item.kind, draft.body, draft.fields or {})
        else:
            service.update(
                db(),
                actor=actor(),
                evidence_id=evidence_id,
                expected_version=int(form.expected_version.data or 0),
                draft=draft,
            )
            db().commit()
            flash("Saved.", "success")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id))
    learner = db().get(Person, item.learner_id)
    return render_template(
        "evidence/edit.html",
        form=form,
        kind=item.kind,
        kind_label=KINDS[item.kind],
        learner=learner,
        preview=preview,
        item=item,
    )


@bp.route("/evidence/<int:evidence_id>/attachments", methods=["POST"])
@login_required
def attach(evidence_id: int) -> Response:
    service.for_author(db(), actor(), evidence_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash("Choose a file to upload.", "error")
        return redirect(url_for("evidence.detail", evidence_id=evidence_id))
    upload = form.file.data
    service.attach(
        db(),
        actor=actor(),
        store=_store(),
        evidence_id=evidence_id,
        filename=upload.filename or "upload",
        stream=upload.stream,
        max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
    )
    db().commit()
    flash("File attached.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id))


@bp.route("/evidence/<int:evidence_id>/submit", methods=["POST"])
@login_required
def submit(evidence_id: int) -> Response:
    form = SubmitForm()
    service.submit(
        db(),
        actor=actor(),
        evidence_id=evidence_id,
        declaration=bool(form.validate_on_submit() and form.declaration.data),
    )
    db().commit()
    flash("Submitted for assessment.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id))


@bp.route("/files/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    from flask import send_file

    attachment = service.attachment_for(db(), actor=actor(), attachment_id=attachment_id)
    path = _store().path(attachment.sha256)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.mime,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
