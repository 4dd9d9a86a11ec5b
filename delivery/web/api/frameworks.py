"""``/api/v1/frameworks``: the frameworks loaded (anyone with a token that may read), one with its
standards and criteria, and importing a file (administrators; a dry run unless told otherwise)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from delivery.web.api import paging, problems, schemas
from delivery.web.api.handler import api_actor, operation
from delivery.web.context import db
from delivery.web.framework_formats import read_as
from framework.parse import parse
from framework.spec import FrameworkFormatError
from portfolio.errors import Invalid, NotFound
from portfolio.models import Framework
from portfolio.services import catalogue, frameworks

bp = Blueprint("api_frameworks", __name__, url_prefix="/api/v1/frameworks",
               description="Frameworks: standards and their criteria.")  # fmt: skip
problems.on(bp)
MAX_FRAMEWORK_BYTES = 20 * 1024 * 1024


@bp.route("")
@operation("read")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, schemas.FrameworkPage)
def list_frameworks(args: dict[str, Any]) -> dict[str, Any]:
    """List the frameworks loaded

    Every version of every framework, by code, with its counts of standards and criteria; paged
    by keyset (the cursor holds the last framework's code and id)."""
    found, last = frameworks.summaries_after(
        db(), after=paging.after(args, "frameworks", str), limit=args["limit"]
    )
    return paging.keyset_body(found, "frameworks", last)


@bp.route("/<int:framework_id>")
@operation("read")
@bp.response(200, schemas.FrameworkDetail)
def show_framework(framework_id: int) -> dict[str, Any]:
    """Show one framework version

    Its standards with their criteria (performance, knowledge...) in order, each criterion with
    its `id`: the one `PUT /evidence/{id}/claims` and a plan's `criterion_ids` take."""
    fw = db().get(Framework, framework_id)
    if fw is None:
        raise NotFound("No such framework.")
    data = asdict(frameworks.load_spec(db(), framework_id))
    data["id"] = fw.id
    ids = catalogue.criterion_ids(db(), framework_id)
    for standard in data["standards"]:
        for criterion in standard["criteria"]:
            criterion["id"] = ids[standard["code"], criterion["code"]]
    return data


def _unreadable(exc: FrameworkFormatError, data: bytes, name: str, fmt: str) -> str:
    """Why the file was refused, saying which format it was read as (``fmt``, or the one
    detected from the file) and what to send instead, as the upload page says it."""
    said = str(exc).rstrip(".")
    if exc.place == "spreadsheet":  # a workbook: the message says what to import instead
        return f"The file could not be read: {said}."
    if fmt == "auto":
        todo = "If it is a framework file in another format, give its format as `fmt`."
    else:
        todo = "Check that the file is in that format, or leave out `fmt` (or send fmt=auto)."
    return f"The file could not be read{read_as(exc, [(name, data)], fmt)}: {said}. {todo}"


@bp.route("/import", methods=["POST"])
@operation("admin")
@bp.arguments(schemas.FrameworkImportArgs, location="query")
@bp.arguments(schemas.FrameworkFile, location="files")
@bp.response(200, schemas.ImportResult)
def import_framework(args: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Import a framework file

    The file is read in its format (NOS text or .docx, topic guide, CASE, NOS JSON, CSV, JSON);
    with `dry_run` (the default) nothing is saved and the answer says what would be imported.
    Different content under a version already loaded is refused unless `new_version`."""
    upload = files["file"]
    data = upload.stream.read(MAX_FRAMEWORK_BYTES + 1)
    if len(data) > MAX_FRAMEWORK_BYTES:
        raise Invalid("A framework file may be at most 20 MB.", field="file")
    name = upload.filename or "upload"
    try:
        spec = parse(
            data,
            name,
            args["fmt"],
            code=args["code"] or None,
            title=args["title"] or None,
        )
    except FrameworkFormatError as exc:
        raise Invalid(_unreadable(exc, data, name, args["fmt"]), field="file") from exc
    result = frameworks.import_framework(
        db(),
        actor=api_actor(),
        spec=spec,
        new_version=args["new_version"],
        dry_run=args["dry_run"],
    )
    return {**asdict(result), "message": result.message}
