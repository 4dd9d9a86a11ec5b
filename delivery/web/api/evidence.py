"""``/api/v1/.../evidence``: a learner's evidence (the learner, their allocated assessor and IQA,
an EQA with a live grant: what the pages show each), writing a draft, uploading a file to it,
submitting it with the declaration and discarding it while it was never submitted (its author)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, send_file
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from delivery.web.api import paging, problems, schemas
from delivery.web.api.handler import api_actor, operation
from delivery.web.context import db, file_store
from delivery.web.evidence.readings import start_after_commit, suggest_after_commit
from mappings.assessment import plan_evidence
from mappings.assessment.discard import discard as discard_draft
from mappings.assessment.discard import discarded_words
from portfolio.errors import NotFound
from portfolio.models import Evidence
from portfolio.services import evidence as service
from portfolio.services.files import Missing

bp = Blueprint("api_evidence", __name__, url_prefix="/api/v1",
               description="Evidence: drafts, files and submissions.")  # fmt: skip
problems.on(bp)

ITEM_FIELDS = ["id", "learner_id", "kind", "title", "activity_date", "status", "current_version",
               "created_at", "updated_at", "submitted_at"]  # fmt: skip
VERSION_FIELDS = ["number", "title", "activity_date", "sha256", "created_at", "declared_at"]
FILE_FIELDS = ["id", "filename", "mime", "size", "sha256", "created_at"]


def _detail(evidence_id: int) -> dict[str, Any]:
    info = service.detail(db(), actor=api_actor(), evidence_id=evidence_id)
    data = schemas.plain(info.item, ITEM_FIELDS)
    data["body"], data["current_hash"] = info.version.body, info.version.sha256
    data["fields"] = dict(info.version.fields or {})
    data["attachments"] = [schemas.plain(a, FILE_FIELDS) for a in info.attachments]
    data["versions"] = [_version(info.item, v) for v in info.versions]
    return data


def _version(item: Evidence, version: Any) -> dict[str, Any]:
    """A version as listed: one not yet submitted is its author's alone, and its hash (a digest
    of its text, which changes with each save) is not given to anyone else, as its text is not."""
    data = schemas.plain(version, VERSION_FIELDS)
    if service.is_private(item, version, api_actor()):
        data["sha256"] = ""
    return data


def _suggest(item: Evidence) -> None:
    suggest_after_commit([service.current_version(db(), item).id or 0])


@bp.route("/learners/<int:learner_id>/evidence")
@operation("read")
@bp.arguments(schemas.EvidenceListArgs, location="query")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, schemas.EvidencePage)
def list_evidence(args: dict[str, Any], page_args: dict[str, Any], learner_id: int) -> Any:
    """List a learner's evidence

    Optionally only drafts or submitted items, only those holding every word of `q`, only
    those written for one of the learner's plans (`plan`), in the order `sort`. Paged by
    keyset: the cursor holds the last item's place in that order, so every page costs what the
    first does and an item written meanwhile neither repeats nor hides another."""
    sort = args["sort"]  # its key: a title in lower case, or an activity date
    parse: Callable[[str], Any] = str if sort == "title" else date.fromisoformat
    shown: dict[str, Any] = {
        "after": paging.after(page_args, sort, parse),
        "limit": page_args["limit"], "status": args["status"], "query": args["q"], "sort": sort,
    }  # fmt: skip
    actor, plan_id = api_actor(), args["plan"]
    if plan_id is None:
        rows, last = service.page_after(db(), actor=actor, learner_id=learner_id, **shown)
    else:
        rows, last = plan_evidence.evidence_after_for_plan(
            db(), actor=actor, learner_id=learner_id, plan_id=plan_id, **shown
        )
    if last is None:
        return paging.keyset_body(rows, sort, None)
    key = last[0] if sort == "title" else last[0].isoformat()
    return paging.keyset_body(rows, sort, (str(key), last[1]))


@bp.route("/learners/<int:learner_id>/evidence", methods=["POST"])
@operation("evidence")
@bp.arguments(schemas.NewEvidence)
@bp.response(201, schemas.EvidenceDetail)
def create_evidence(args: dict[str, Any], learner_id: int) -> dict[str, Any]:
    """Write a new draft

    Learners write their own evidence; an assessor writes observation records and professional
    discussions for their learners."""
    draft = service.Draft(
        kind=args["kind"],
        title=args["title"],
        activity_date=args["activity_date"],
        body=args["body"],
        fields=args["fields"] or None,
    )
    item = service.create(db(), actor=api_actor(), learner_id=learner_id, draft=draft)
    _suggest(item)
    return _detail(item.id or 0)


@bp.route("/evidence/<int:evidence_id>")
@operation("read")
@bp.response(200, schemas.EvidenceDetail)
def show_evidence(evidence_id: int) -> dict[str, Any]:
    """Show one evidence item

    Its current version's text and files, and its versions."""
    return _detail(evidence_id)


@bp.route("/evidence/<int:evidence_id>", methods=["PUT"])
@operation("evidence")
@bp.arguments(schemas.EvidenceEdit)
@bp.response(200, schemas.EvidenceDetail)
def edit_evidence(args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Change a draft

    Its author replaces its title, date and text; changing a submitted item makes a new draft
    version. Send the `current_version` and `current_hash` you read: if the item changed since
    (a draft changes in place: its hash tells), the answer is 409 and nothing is overwritten."""
    actor = api_actor()
    kind = service.for_author(db(), actor, evidence_id).kind
    draft = service.Draft(
        kind=kind,
        title=args["title"],
        activity_date=args["activity_date"],
        body=args["body"],
        fields=args["fields"] or None,
    )
    item = service.update(
        db(), actor=actor, evidence_id=evidence_id,
        expected_version=args["current_version"], draft=draft,
        expected_hash=args["current_hash"],
    )  # fmt: skip
    _suggest(item)
    return _detail(evidence_id)


@bp.route("/evidence/<int:evidence_id>/attachments", methods=["POST"])
@operation("evidence")
@bp.arguments(schemas.UploadFile, location="files")
@bp.response(201, schemas.Attachment)
def upload(files: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Attach a file to a draft

    The file is checked by its content (PDF, Word, images, audio, video...); its text is read
    in the background. Attaching to a submitted item starts a new draft version."""
    upload = files["file"]
    attachment = service.attach(
        db(),
        actor=api_actor(),
        store=file_store(),
        evidence_id=evidence_id,
        filename=upload.filename or "upload",
        stream=upload.stream,
        max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
    )
    start_after_commit()
    return schemas.plain(attachment, FILE_FIELDS)


@bp.route("/evidence/<int:evidence_id>/submit", methods=["POST"])
@operation("evidence")
@bp.arguments(schemas.SubmitArgs)
@bp.response(200, schemas.EvidenceDetail)
def submit(args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Submit a draft for assessment

    With the author's declaration that it is their own work; refused while personal data found
    in it is neither replaced nor confirmed."""
    item = service.submit(
        db(), actor=api_actor(), evidence_id=evidence_id, declaration=args["declaration"]
    )
    _suggest(item)
    return _detail(evidence_id)


@bp.route("/evidence/<int:evidence_id>/discard", methods=["POST"])
@operation("evidence")
@bp.response(200, schemas.Discarded)
def discard(evidence_id: int) -> dict[str, Any]:
    """Discard a draft

    Its author takes away a draft they no longer want, whole: its text, versions, files and
    ticked criteria (as the page's "Discard this draft"); it cannot be brought back. Refused in
    words (409), writing nothing, once it is part of the record: submitted, a claim decided,
    judged, signed off, sent to a witness, brought by a bundle, commented on, erased. Asked again,
    the item is gone: 404."""
    done = discard_draft(db(), actor=api_actor(), evidence_id=evidence_id, store=file_store())
    return {
        "id": done.evidence_id,
        "learner_id": done.learner_id,
        "title": done.title,
        "files": done.files,
        "detail": discarded_words(done.title),
    }


@bp.route("/attachments/<int:attachment_id>")
@operation("read")
@bp.doc(
    responses={
        "200": {
            "description": "The file as it was uploaded (its type as found from its content).",
            "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                "format": "binary"}}},
        }
    }
)  # fmt: skip
def download(attachment_id: int) -> Response:
    """Download an attached file

    For whoever may see the evidence it belongs to."""
    attachment = service.attachment_for(db(), actor=api_actor(), attachment_id=attachment_id)
    try:
        source = file_store().open(attachment.sha256)
    except Missing as exc:
        raise NotFound("The file is missing from the store.") from exc
    return send_file(source, mimetype="application/octet-stream", as_attachment=True,
                     download_name=attachment.filename, max_age=0)  # fmt: skip
