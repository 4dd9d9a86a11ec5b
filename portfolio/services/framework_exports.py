"""A loaded framework version (or one of its standards) written out: JSON, CSV, .docx, CASE 1.1."""

from __future__ import annotations

from sqlmodel import Session

from framework.spec import FrameworkFormatError
from portfolio.errors import Invalid, NotFound
from portfolio.models import Framework
from portfolio.services.frameworks import load_spec, resolve

FORMATS = ("json", "csv", "docx", "case")


def export(session: Session, code: str, fmt: str, *, version: str | None = None) -> bytes:
    """A framework (or one standard, by its code) in one of :data:`FORMATS`, found by code."""
    fw, standard_code = resolve(session, code, version)
    return export_by_id(session, fw.id or 0, fmt, standard_code=standard_code)


def export_by_id(
    session: Session, framework_id: int, fmt: str, *, standard_code: str | None = None
) -> bytes:
    """A framework version (or one of its standards) in json, csv, docx or (whole) case."""
    spec = load_spec(session, framework_id)
    if fmt == "case":
        if standard_code is not None:
            raise Invalid("CASE export is for a whole framework, not one standard.")
        from framework.export_case import framework_to_case_json

        fw = session.get(Framework, framework_id)
        assert fw is not None
        changed = fw.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            return framework_to_case_json(spec, changed=changed).encode("utf-8")
        except FrameworkFormatError as exc:
            raise Invalid(str(exc)) from exc
    if standard_code is not None:
        spec.standards = [s for s in spec.standards if s.code == standard_code]
        if not spec.standards:
            raise NotFound(f"No standard “{standard_code}” in this framework.")
    if fmt == "json":
        from framework.export_json import framework_to_json

        return framework_to_json(spec).encode("utf-8")
    if fmt == "csv":
        from framework.export_csv import framework_to_csv

        return framework_to_csv(spec).encode("utf-8")
    if fmt == "docx":
        from framework.export_docx import framework_to_docx

        return framework_to_docx(spec)
    raise Invalid(f"Unknown export format “{fmt}”: use json, csv, docx or case.")
