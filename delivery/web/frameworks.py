"""Framework pages: browse versions, standards and criteria, search, download; admins upload.

An upload is parsed and dry-run first; the preview shows what would be imported. The bytes wait
in the instance folder under a random token (the client never names a path) until the admin
confirms or cancels, and are deleted then.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import ConfirmImportForm, UploadFrameworkForm
from delivery.web.context import actor, after_commit, db
from delivery.web.forms import errors_on
from delivery.web.framework_formats import read_as
from delivery.web.handler import page
from framework.parse.combine import parse_files
from framework.parse.warning_groups import group_warnings
from framework.spec import FrameworkFormatError, FrameworkSpec
from portfolio.errors import Invalid, NotFound
from portfolio.models import Framework
from portfolio.services import catalogue, framework_exports, frameworks
from portfolio.services.framework_add import add_standards
from portfolio.services.frameworks import ImportResult

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")

EXPORTS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "case": "application/json",
}
# (format, button label, file name ending); a CASE package is for a whole framework only
FRAMEWORK_FORMATS = (("json", "JSON"), ("csv", "CSV"), ("docx", "DOCX"), ("case", "CASE 1.1"))
STANDARD_FORMATS = FRAMEWORK_FORMATS[:3]
SUFFIX = {"case": "case.json"}
KIND_HEADINGS = (
    ("performance", "Performance criteria", "You must be able to:"),
    ("knowledge", "Knowledge and understanding", "You need to know and understand:"),
    ("assessment", "Assessment criteria", "Marking points:"),
)
TOKEN = re.compile(r"^[0-9a-f]{32}$")
PENDING_HOURS = 24


def _framework(framework_id: int) -> Framework:
    fw = db().get(Framework, framework_id)
    if fw is None:
        abort(404)
    return fw


# ---------------------------------------------------------------- browsing


PAGE_SIZE = 50  # frameworks a page


@bp.route("")
@page()
def index() -> str:
    """The frameworks by code, a page at a time by keyset (``?after=`` the id of the last of the
    page before, ``?before=`` the id of the first of the page after), through the service the
    API pages with: any page costs what the first does, how many there are said with one count."""
    after, before = request.args.get("after", type=int), request.args.get("before", type=int)
    at = frameworks.position_of
    rows, more = frameworks.summaries_after(
        db(),
        after=at(after) if after is not None and before is None else None,
        before=at(before) if before is not None else None,
        limit=PAGE_SIZE,
    )
    paged = after is not None or before is not None
    older = (more is not None) if before is not None else paged  # something precedes this page
    newer = before is not None or more is not None  # something follows it
    return render_template(
        "frameworks/index.html",
        rows=rows,
        total=catalogue.total_words(db()),
        can_upload=actor().has("admin"),
        paged=paged,
        previous_url=url_for(".index", before=rows[0]["id"]) if rows and older else None,
        next_url=url_for(".index", after=rows[-1]["id"]) if rows and newer else None,
    )


@dataclass(frozen=True)
class StandardLine:
    code: str
    title: str
    urn: str
    performance: int
    knowledge: int
    assessment: int


def _standard_lines(spec: FrameworkSpec) -> list[StandardLine]:
    def count(criteria: list[Any], kind: str) -> int:
        return sum(1 for c in criteria if c.kind == kind)

    return [
        StandardLine(
            code=s.code,
            title=s.title,
            urn=s.urn,
            performance=count(s.criteria, "performance"),
            knowledge=count(s.criteria, "knowledge"),
            assessment=count(s.criteria, "assessment"),
        )
        for s in spec.standards
    ]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


@bp.route("/<int:framework_id>")
@page()
def show(framework_id: int) -> str:
    fw = _framework(framework_id)
    spec = frameworks.load_spec(db(), framework_id)
    return render_template(
        "frameworks/show.html",
        fw=fw,
        spec=spec,
        overview=_paragraphs(spec.overview),
        standards=_standard_lines(spec),
        # the CASE package's UUID and web address are for other systems, not facts people read:
        # apart, collapsed; a URN people use (an NOS suite's "LSI SE") stays by the code
        urn=_urn_for_people(fw.urn),
        metadata=sorted((k, v) for k, v in spec.metadata.items() if k != "identifier"),
        case_identifier=spec.metadata.get("identifier", ""),
        address="" if _urn_for_people(fw.urn) else fw.urn,
        formats=FRAMEWORK_FORMATS,
        newest=frameworks.find_framework(db(), fw.code),  # this one, or a newer version
    )


STANDARD_FACTS = (
    ("urn", "Original URN"),
    ("version", "Version"),
    ("date_approved", "Date approved"),
    ("review_date", "Indicative review date"),
    ("validity", "Validity"),
    ("status", "Status"),
    ("originating_organisation", "Originating organisation"),
    ("occupations", "Relevant occupations"),
    ("keywords", "Key words"),
)


@bp.route("/<int:framework_id>/standards/<code>")
@page()
def standard(framework_id: int, code: str) -> str:
    try:
        detail = catalogue.standard_detail(db(), framework_id, code)
    except NotFound:
        abort(404)
    std = detail.standard
    groups = [
        (heading, lead, [c for c in detail.criteria if c.kind == kind])
        for kind, heading, lead in KIND_HEADINGS
    ]
    return render_template(
        "frameworks/standard.html",
        fw=detail.framework,
        std=std,
        overview=_paragraphs(std.overview),
        groups=[g for g in groups if g[2]],
        facts=[(label, getattr(std, name)) for name, label in STANDARD_FACTS if getattr(std, name)],
        formats=STANDARD_FORMATS,
    )


@bp.route("/search")
@page()
def search() -> str:
    query = request.args.get("q", "")[:200]
    result = catalogue.search_criteria(db(), query)
    return render_template("frameworks/search.html", query=query, result=result)


def _attachment(data: bytes, fmt: str, *parts: str) -> Response:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts)).strip("_") or "framework"
    response = Response(data, mimetype=EXPORTS[fmt])
    suffix = SUFFIX.get(fmt, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{suffix}"'
    return response


@bp.route("/<int:framework_id>/download/<fmt>")
@page()
def download(framework_id: int, fmt: str) -> Response:
    fw = _framework(framework_id)
    if fmt not in EXPORTS:
        abort(404)
    data = framework_exports.export_by_id(db(), fw.id or 0, fmt)
    return _attachment(data, fmt, fw.code, f"v{fw.version}")


@bp.route("/<int:framework_id>/standards/<code>/download/<fmt>")
@page()
def standard_download(framework_id: int, code: str, fmt: str) -> Response:
    fw = _framework(framework_id)
    if fmt not in dict(STANDARD_FORMATS):
        abort(404)
    try:
        data = framework_exports.export_by_id(db(), fw.id or 0, fmt, standard_code=code)
    except NotFound:
        abort(404)
    return _attachment(data, fmt, fw.code, f"v{fw.version}", code)


# ---------------------------------------------------------------- upload


def _pending_dir() -> Path:
    folder = Path(current_app.instance_path) / "framework-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stash(files: list[tuple[str, bytes]], meta: dict[str, Any]) -> str:
    """Keep uploaded files (one after the other in one file; names and sizes in the JSON)."""
    folder = _pending_dir()
    cutoff = time.time() - PENDING_HOURS * 3600
    for old in folder.iterdir():  # forget previews nobody confirmed
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    meta = {**meta, "files": [[name, len(data)] for name, data in files]}
    (folder / f"{token}.bin").write_bytes(b"".join(data for _, data in files))
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def _unstash(token: str) -> tuple[list[tuple[str, bytes]], dict[str, Any]] | None:
    if not TOKEN.fullmatch(token):
        return None
    folder = _pending_dir()
    try:
        meta: dict[str, Any] = json.loads((folder / f"{token}.json").read_text("utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("actor_id") != actor().id or not isinstance(meta.get("files"), list):
        return None
    files, at = [], 0
    for name, size in meta["files"]:
        files.append((str(name), data[at : at + int(size)]))
        at += int(size)
    return files, meta


def _discard(token: str) -> None:
    if TOKEN.fullmatch(token):
        for suffix in (".bin", ".json"):
            (_pending_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _parse(files: list[tuple[str, bytes]], meta: dict[str, Any]) -> FrameworkSpec:
    """The framework in the uploaded files; a file that cannot be read is refused (Invalid)."""
    try:
        return parse_files(
            files,
            meta["fmt"],
            code=meta.get("code") or None,
            title=meta.get("title") or None,
        )
    except FrameworkFormatError as exc:
        raise Invalid(_unreadable(exc, files, str(meta["fmt"])), field="file") from exc


def _unreadable(exc: FrameworkFormatError, files: list[tuple[str, bytes]], fmt: str) -> str:
    """Why a file was refused, saying which format it was read as (the one chosen, or the one
    detected) and what to try: a file of another kind fails on a detail of the format it was
    taken for, which alone does not tell the administrator what went wrong."""
    said = str(exc).rstrip(".")
    if exc.place == "spreadsheet":
        # a workbook goes to the .docx reader only to be recognised: the message says what it
        # is and what to import instead, and naming the Word format would only mislead
        return f"The file could not be read: {said}."
    if fmt == "auto":
        todo = "If it is a framework file in another format, choose its format under “Format”."
    else:
        todo = "Check that the file is in that format, or choose “Detect from the file”."
    return f"The file could not be read{read_as(exc, files, fmt)}: {said}. {todo}"


def _load(spec: FrameworkSpec, meta: dict[str, Any], *, dry_run: bool) -> ImportResult:
    """Import the uploaded framework, or add its standards to the one loaded (``meta["add"]``)."""
    if meta.get("add"):
        return add_standards(db(), actor=actor(), spec=spec, dry_run=dry_run)
    return frameworks.import_framework(
        db(), actor=actor(), spec=spec, new_version=bool(meta.get("new_version")), dry_run=dry_run
    )


def _said(result: ImportResult) -> str:
    """The outcome in the words of the upload page, whose tick boxes choose what to do."""
    form = UploadFrameworkForm(formdata=None)
    return result.said(
        new_version=f"tick “{form.new_version.label.text}”",
        add=f"tick “{form.add.label.text}”",
    )


def _urn_for_people(urn: str) -> str:
    """A framework's URN where people read it, or "" when it is a web address (a CASE package's
    URI, ending in its UUID): that is for other systems."""
    return "" if "://" in urn else urn


def _preview(files: list[tuple[str, bytes]], meta: dict[str, Any]) -> str:
    """Read and dry-run an upload; the page that shows what would be imported."""
    spec = _parse(files, meta)
    result = _load(spec, meta, dry_run=True)
    confirm = None
    if result.status in ("would_create", "would_add_version", "would_add"):
        confirm = ConfirmImportForm(formdata=None, token=_stash(files, meta))
    return render_template(
        "frameworks/preview.html",
        spec=spec,
        urn=_urn_for_people(spec.urn),
        result=result,
        said=_said(result),
        filename=", ".join(name for name, _ in files),
        standards=_standard_lines(spec),
        warnings=group_warnings(result.warnings),
        confirm=confirm,
    )


@bp.route("/upload", methods=["GET", "POST"])
@page("admin")
def upload() -> tuple[str, int] | str:
    form = UploadFrameworkForm()
    if form.validate_on_submit():
        files = [(f.filename or "upload", f.read()) for f in form.file.data]
        meta: dict[str, Any] = {
            "fmt": form.fmt.data or "auto",
            "code": (form.code.data or "").strip(),
            "title": (form.title.data or "").strip(),
            "new_version": bool(form.new_version.data),
            "add": bool(form.add.data),
            "actor_id": actor().id,
        }
        with errors_on(form):
            if meta["add"] and meta["new_version"]:
                raise Invalid("Choose either a new version or adding standards, not both.")
            return _preview(files, meta)
    return render_template("frameworks/upload.html", form=form), form.status


@bp.route("/upload/confirm", methods=["POST"])
@page("admin")
def upload_confirm() -> tuple[str, int] | Response:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data or ""
    pending = _unstash(token)
    if pending is None:
        flash("That upload has expired or was already handled; upload the file again.", "error")
        return redirect(url_for("frameworks.upload"))
    files, meta = pending
    if form.cancel.data:
        _discard(token)
        flash("Upload cancelled; nothing was imported.", "info")
        return redirect(url_for("frameworks.upload"))
    upload_form = UploadFrameworkForm(
        formdata=None,
        fmt=meta["fmt"],
        code=meta.get("code"),
        title=meta.get("title"),
        new_version=meta.get("new_version"),
        add=meta.get("add"),
    )
    with errors_on(upload_form):
        result = _load(_parse(files, meta), meta, dry_run=False)
        after_commit(lambda: _discard(token))
        ok = result.status in ("created", "new_version", "added")
        flash(_said(result), "success" if ok else "info")
        if result.framework_id is not None:
            return redirect(url_for("frameworks.show", framework_id=result.framework_id))
        return redirect(url_for("frameworks.index"))
    _discard(token)
    return render_template("frameworks/upload.html", form=upload_form), upload_form.status
