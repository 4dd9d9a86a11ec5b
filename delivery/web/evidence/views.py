"""Evidence pages: list, detail with versions and history, editor, uploads, submission, downloads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from delivery.web.context import actor, db, file_store
from delivery.web.evidence.conversation import conversation, private_page
from delivery.web.evidence.forms import (
    ClaimsForm,
    ItemForms,
    PrivacyForm,
    SubmitForm,
    UploadForm,
)
from delivery.web.evidence.mapping import mapping_view
from delivery.web.evidence.privacy import privacy_view
from delivery.web.evidence.readings import (
    start_after_commit,
    suggest_after_commit,
    suggest_after_page,
)
from delivery.web.evidence.received import ReceivedRow
from delivery.web.evidence.witness_panel import witness_panel
from delivery.web.forms import PageForm, errors_on, status_of
from delivery.web.handler import page
from delivery.web.nav import around
from mappings.assessment import claims, item_state, plan_evidence
from mappings.assessment.recorded import AUTHORSHIP, read_only_words, recorded_elsewhere
from portfolio.errors import Invalid
from portfolio.models import Evidence, Person
from portfolio.models.evidence import KINDS
from portfolio.services import access
from portfolio.services import evidence as service
from portfolio.services.actors import Actor
from portfolio.services.files import Missing, Store

bp = Blueprint("evidence", __name__)

FIELD_NAMES = service.STAR_SECTIONS + service.WITNESS_FIELDS


def _store() -> Store:
    return file_store()


def _learner(learner_id: int) -> Person:
    person = db().get(Person, learner_id)
    if person is None:
        abort(404)
    access.require_view(db(), actor(), learner_id)
    return person


def _suggest_saved(item: Evidence) -> None:
    """Work out the suggestions of the item's current version once this request has committed."""
    suggest_after_commit([service.current_version(db(), item).id or 0])


def _saved(message: str, item: Evidence) -> str:
    """The message after a save, saying when the text may hold personal data."""
    left = service.scanning.unresolved(db(), service.current_version(db(), item).id or 0)
    if left:
        return f"{message} {PERSONAL_DATA_FOUND}"
    return message


PERSONAL_DATA_FOUND = "It may hold personal data: see what is marked under “Personal data”."


@bp.route("/evidence")
@page()
def index() -> str | Response:
    me = actor()
    if not me.has("learner"):
        return redirect(url_for("home.index"))
    return _listing(me.id)


@bp.route("/learners/<int:learner_id>/evidence")
@page()
def learner_index(learner_id: int) -> str:
    return _listing(learner_id)


STATUS_FILTERS = {"draft": "Drafts", "submitted": "Submitted"}
# an item's decision state (mappings.assessment.item_state) -> the badge that shows it
ITEM_BADGES = {
    item_state.DRAFT: "status-draft",
    item_state.AWAITING: "state-awaiting",
    item_state.ACCEPTED: "state-met",
    item_state.REFERRED: "state-referred",
}


def _plan_asked() -> int | None:
    """The plan the list is narrowed to (``?plan=N``); anything but a plan's number is not
    found, as a plan of someone else is (the service checks that)."""
    value = request.args.get("plan")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        abort(404)
    return int(value)


def _listing(learner_id: int) -> str:
    """The learner's evidence a page at a time: filtered by status, searched by title and text,
    ordered as asked, each item with its decision state in words."""
    # one's own list names the one logged in (read with the log-in): no person read again
    learner: Person | Actor = actor() if learner_id == actor().id else _learner(learner_id)
    status = request.args.get("status")
    if status not in STATUS_FILTERS:
        status = None
    sort = request.args.get("sort", "newest")
    if sort not in service.SORTS:
        sort = "newest"
    query = request.args.get("q", "").strip()[:200]
    shown: dict[str, Any] = {
        "page": request.args.get("page", 1, type=int) or 1,
        "status": status,
        "query": query,
        "sort": sort,
    }
    plan_id, plan_title = _plan_asked(), None
    if plan_id is None:
        listing = service.page_for_learner(db(), actor=actor(), learner_id=learner_id, **shown)
    else:
        plan_title, listing = plan_evidence.evidence_for_plan(
            db(), actor=actor(), learner_id=learner_id, plan_id=plan_id, **shown
        )
    states = item_state.item_states(db(), [(r.id, r.status) for r in listing.rows])
    own = learner_id == actor().id
    kinds = {k: KINDS[k] for k in listing.writable}
    return render_template(
        "evidence/index.html",
        learner=learner,
        listing=listing,
        states=states,
        badges=ITEM_BADGES,
        status=status,
        filters=STATUS_FILTERS,
        query=query,
        sort=sort,
        sorts=service.SORTS,
        own=own,
        kinds=kinds,
        plan_id=plan_id,
        plan_title=plan_title,
        # fifty rows' links to their items: each built around its id, not by url_for each
        item_link=around("evidence.detail", "evidence_id"),
    )


# ---------------------------------------------------------------- one item and its forms


def _item_page(
    evidence_id: int, number: int | None = None, failed: PageForm | list[PageForm] | None = None
) -> tuple[str, int]:
    """The page of one item; ``failed`` is the form (or forms) of the request, shown again with
    what was typed and their errors."""
    info = service.detail(
        db(), actor=actor(), evidence_id=evidence_id, number=number, check_read_only=False
    )
    if info.private:  # a draft the reader did not write: that it exists, not what it says
        return private_page(info, failed)
    mapping = mapping_view(
        db(),
        actor=actor(),
        item=info.item,
        version=info.version,
        relation=info.relation,
        attachments=info.attachments,
    )
    if mapping.suggestions_due:  # computed in the background; this page shows what is stored
        suggest_after_page([info.version.id or 0])
    recorded = _recorded(info.item.id or 0, mapping.received)
    if recorded and info.can_edit:  # its learner's by record, written by someone elsewhere
        said = recorded[min(recorded)]
        info = replace(info, can_edit=False, read_only=read_only_words(said))
    forms = ItemForms.build(mapping, failed)
    forms.submit.worded_for(info.item.kind)
    privacy = privacy_view(
        db(),
        item=info.item,
        version=info.version,
        can_edit=info.can_edit,
        attachments=info.attachments,
        readings={i: f.status for i, f in mapping.files.items()},
    )
    html = render_template(
        "evidence/detail.html",
        info=info,
        kind_label=KINDS[info.item.kind],
        forms=forms,
        mapping=mapping,
        privacy=privacy,
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        comment_form=forms.comment,
        witness=witness_panel(db(), info, failed),
        recorded=recorded,
        **conversation(info),
    )
    return html, status_of(*([failed] if isinstance(failed, PageForm) else failed or []))


def _recorded(evidence_id: int, received: list[ReceivedRow]) -> dict[int, str]:
    """Version number -> who wrote it at the centre that sent it, in words (read only for an
    item with such a record among those received)."""
    if not any(r.kind == AUTHORSHIP for r in received):
        return {}
    found = recorded_elsewhere(db(), [evidence_id])
    return {number: said.words for (_, number), said in found.items()}


@bp.route("/evidence/<int:evidence_id>")
@bp.route("/evidence/<int:evidence_id>/versions/<int:number>")
@page()
def detail(evidence_id: int, number: int | None = None) -> tuple[str, int]:
    return _item_page(evidence_id, number)


@bp.route("/evidence/<int:evidence_id>/claims", methods=["POST"])
@page()
def set_claims(evidence_id: int) -> tuple[str, int] | Response:
    form = ClaimsForm()
    if form.validate_on_submit():
        with errors_on(form):
            added, removed = claims.set_claims(
                db(), actor=actor(), evidence_id=evidence_id, criterion_ids=sorted(form.ticked)
            )
            flash(f"Mapping saved: {len(added)} added, {len(removed)} removed.", "success")
            anchor = "#criteria-heading"
            return redirect(url_for("evidence.detail", evidence_id=evidence_id) + anchor)
    return _item_page(evidence_id, failed=form)


@bp.route("/evidence/<int:evidence_id>/attachments", methods=["POST"])
@page()
def attach(evidence_id: int) -> tuple[str, int] | Response:
    service.for_author(db(), actor(), evidence_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with errors_on(form):
            service.attach(
                db(),
                actor=actor(),
                store=_store(),
                evidence_id=evidence_id,
                filename=upload.filename or "upload",
                stream=upload.stream,
                max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
            )
            start_after_commit()
            flash("File attached; its text is being read.", "success")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id))
    return _item_page(evidence_id, failed=form)


@bp.route("/evidence/<int:evidence_id>/submit", methods=["POST"])
@page()
def submit(evidence_id: int) -> tuple[str, int] | Response:
    """Submit with the declaration; the criteria ticked on the page are saved with it, in the
    same transaction, so that nothing ticked is lost for want of pressing "Save mapping"."""
    service.for_author(db(), actor(), evidence_id)
    form = SubmitForm()
    mapped = ClaimsForm()
    if form.validate_on_submit():
        if mapped.was_on_page and not mapped.ticked:
            mapped.fail(Invalid(NOTHING_TICKED, field="criterion"))
            return _item_page(evidence_id, failed=[mapped, form])
        with errors_on(mapped):
            if mapped.was_on_page:
                claims.set_claims(
                    db(),
                    actor=actor(),
                    evidence_id=evidence_id,
                    criterion_ids=sorted(mapped.ticked),
                )
        if mapped.failure is not None:
            return _item_page(evidence_id, failed=[mapped, form])
        with errors_on(form):
            item = service.submit(
                db(),
                actor=actor(),
                evidence_id=evidence_id,
                declaration=bool(form.declaration.data),
            )
            _suggest_saved(item)
            flash("Submitted for assessment.", "success")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id))
    return _item_page(evidence_id, failed=[form, mapped])


@bp.route("/evidence/<int:evidence_id>/personal-data", methods=["POST"])
@page()
def personal_data(evidence_id: int) -> tuple[str, int] | Response:
    """Check the draft for personal data again, or replace one finding with a placeholder, or
    confirm it is intended: one action, one transaction."""
    service.for_author(db(), actor(), evidence_id)
    form = PrivacyForm()
    if form.validate_on_submit():
        action = form.action.data
        with errors_on(form):
            anchor = "#privacy-heading"
            if action == "check":
                left = service.personal.check(db(), actor=actor(), evidence_id=evidence_id)
                flash(
                    f"Checked: {service.scanning.counted([f.kind for f in left])} to replace "
                    "or confirm."
                    if left
                    else "Checked: nothing left to replace or confirm.",
                    "success",
                )
            elif action == "replace":
                new = service.personal.replace(
                    db(), actor=actor(), evidence_id=evidence_id, finding_id=form.finding_id
                )
                _suggest_saved(service.for_author(db(), actor(), evidence_id))
                flash(f"Replaced with “{new}”; the draft is saved.", "success")
            elif action == "confirm":
                service.personal.confirm(
                    db(), actor=actor(), evidence_id=evidence_id, finding_id=form.finding_id
                )
                flash("Confirmed as intended.", "success")
            else:
                raise Invalid("Choose what to do about the personal data.")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id) + anchor)
    return _item_page(evidence_id, failed=form)


NOTHING_TICKED = "Tick the criteria this evidence shows before you submit it."


@bp.route("/files/<int:attachment_id>")
@page()
def download(attachment_id: int) -> Response:
    from flask import send_file

    attachment = service.attachment_for(db(), actor=actor(), attachment_id=attachment_id)
    try:  # streamed in chunks from the disk or the bucket, never read whole
        source = _store().open(attachment.sha256)
    except Missing:
        abort(404)
    response = send_file(
        source,
        mimetype=attachment.mime,
        as_attachment=True,
        download_name=service.display_name(attachment.filename),  # one line, as a header is
        max_age=0,
        etag=attachment.sha256,  # the content address: the same name is always the same bytes
        conditional=False,  # made conditional below, once the size is known
    )
    response.content_length = attachment.size
    try:  # in place: a Range gets 206, a matching ETag 304
        response.make_conditional(
            request.environ, accept_ranges=True, complete_length=attachment.size
        )
    except Exception:  # a range past the end (416): let the file (or S3 connection) go
        source.close()
        raise
    if response.status_code == 304:  # nothing is sent: let it go too
        source.close()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
