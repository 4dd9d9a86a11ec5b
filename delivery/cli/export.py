"""``portfolio export``: sign-off records, portfolio bundles and cohort reports, written to files."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TypeVar
from zoneinfo import ZoneInfo

import click
from sqlmodel import Session, select

from delivery.cli.context import (
    DAY,
    Context,
    F,
    is_stdout,
    json_option,
    output_option,
    pass_ctx,
    report_written,
    write_chunks,
    write_output,
)
from exports.bundle import write_bundle
from exports.leap2a import write_leap2a
from exports.reports import (
    Cell,
    ReportStream,
    cohort_coverage_stream,
    format_of,
    render_chunks,
    signoff_register_stream,
)
from exports.signoff import build_signoff_docx
from exports.signoff_view import find_registration, signoff_view
from portfolio.errors import NotFound
from portfolio.models import Person
from portfolio.services.keys import ensure_key, fingerprint
from portfolio.services.people import SYSTEM, normalise_email
from portfolio.words import count_words

T = TypeVar("T")


@click.group("export")
def export_group() -> None:
    """Export sign-off records, portfolio bundles, Leap2A and reports."""


@export_group.command("signoff")
@click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
@click.option("--standard", required=True, help="Standard code, e.g. SE03.")
@output_option("The .docx file")
@json_option
@pass_ctx
def export_signoff(
    ctx: Context, learner_id: int, standard: str, output: Path, as_json: bool
) -> None:
    """Write the sign-off record (.docx) of a signed-off standard."""
    with ctx.session(write=False) as session:
        reg_id = find_registration(session, learner_id=learner_id, standard_code=standard)
        view = signoff_view(
            session,
            registration_id=reg_id,
            standard_code=standard,
            centre=ctx.settings["CENTRE_NAME"],
            zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
        )
        data = build_signoff_docx(view)
    write_output(output, data)
    report_written(
        output,
        {"record": view.document_id, "bytes": len(data)},
        f"Wrote {output}: record {view.document_id} ({len(data)} bytes).",
        as_json=as_json,
    )


@export_group.command("bundle")
@click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
@output_option("The .zip file")
@json_option
@pass_ctx
def export_bundle(ctx: Context, learner_id: int, output: Path, as_json: bool) -> None:
    """Write a learner's portable portfolio bundle (.zip), signed with the centre's key."""
    key, _ = ensure_key(Path(ctx.settings["SIGNING_KEY"]))
    with ctx.session(write=False) as session:
        manifest = _streamed(
            output,
            lambda out: write_bundle(
                session,
                ctx.file_store,
                learner_id,
                out,
                centre=ctx.settings["CENTRE_NAME"],
                signing_key=key,
                zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
            ),
        )
    counts = {k: len(manifest[k]) for k in ("evidence", "signoffs", "files")}
    key_name = fingerprint(key.public_key())
    report_written(
        output,
        {**counts, "key": key_name},
        f"Wrote {output}: {count_words(counts['evidence'], 'evidence item')}, "
        f"{count_words(counts['signoffs'], 'sign-off')}, {count_words(counts['files'], 'file')}; "
        f"signed with the key {key_name}.",
        as_json=as_json,
    )


def learner_by_email(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(Person.email == normalise_email(email))).first()
    if person is None or not person.has_role("learner"):
        raise NotFound(f"No learner has the e-mail address {email}.")
    return person


@export_group.command("leap2a")
@click.option("--learner", "email", required=True, help="The learner's e-mail address.")
@output_option("FILE.zip")
@json_option
@pass_ctx
def export_leap2a(ctx: Context, email: str, output: Path, as_json: bool) -> None:
    """Write a learner's portfolio as a Leap2A zip (leap2a.xml and files/), for Mahara."""
    with ctx.session(write=False) as session:
        learner = learner_by_email(session, email)
        written = _streamed(
            output,
            lambda out: write_leap2a(session, ctx.file_store, learner.id or 0, out, actor=SYSTEM),
        )
    report_written(
        output,
        {"evidence": written.items, "files": written.files, "standards": written.standards},
        f"Wrote {output}: {count_words(written.items, 'evidence item')}, "
        f"{count_words(written.files, 'file')}, {count_words(written.standards, 'standard')} "
        "claimed.",
        as_json=as_json,
    )


def _streamed(output: Path, write: Callable[[BinaryIO], T]) -> T:
    """Run ``write`` on a file beside ``output`` renamed into place when complete (a reader never
    sees half a zip), or on memory sent to standard output for ``-`` (a zip is finished by seeking
    back, which a pipe cannot do); what ``write`` returns."""
    if is_stdout(output):
        buffer = io.BytesIO()
        result = write(buffer)
        write_output(output, buffer.getvalue())
        return result
    tmp = output.with_name(f".{output.name}.part")
    try:
        with tmp.open("wb") as out:
            result = write(out)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _report_format(output: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    if is_stdout(output):
        raise click.UsageError("With -o - say which format: --format csv or --format xlsx.")
    try:
        return format_of(output.name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-o") from exc


def _write_report(output: Path, report: ReportStream, fmt: str) -> int:
    """Write the report as its rows are read (a chunk of the database at a time); the rows."""
    count = 0

    def counted() -> Iterator[tuple[Cell, ...]]:
        nonlocal count
        for row in report.rows:
            count += 1
            yield row

    write_chunks(output, render_chunks(replace(report, rows=counted()), fmt))
    return count


def _format_option(command: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx"]),
        default=None,
        help="Default: from the file name's ending.",
    )(command)


@export_group.command("coverage")
@click.option("--cohort", "cohort_id", required=True, type=int, help="Cohort id.")
@output_option("FILE.csv or FILE.xlsx")
@_format_option
@json_option
@pass_ctx
def export_coverage(
    ctx: Context, cohort_id: int, output: Path, fmt: str | None, as_json: bool
) -> None:
    """Write a cohort's coverage (one row per learner per standard) as CSV or .xlsx."""
    chosen = _report_format(output, fmt)
    zone = ZoneInfo(ctx.settings["TIME_ZONE"])  # the day a standard was signed off is the centre's
    with ctx.session(write=False) as session:
        report = cohort_coverage_stream(session, actor=SYSTEM, cohort_id=cohort_id, zone=zone)
        rows = _write_report(output, report, chosen)
    report_written(output, {"rows": rows}, f"Wrote {output}: {rows} rows.", as_json=as_json)


@export_group.command("register")
@click.option("--from", "start", required=True, type=DAY, help="First day of the period.")
@click.option("--to", "end", required=True, type=DAY, help="Last day of the period (included).")
@output_option("FILE.csv or FILE.xlsx")
@_format_option
@json_option
@pass_ctx
def export_register(
    ctx: Context, start: datetime, end: datetime, output: Path, fmt: str | None, as_json: bool
) -> None:
    """Write the register of sign-offs made in a period (both days included)."""
    chosen = _report_format(output, fmt)
    with ctx.session(write=False) as session:
        report = signoff_register_stream(
            session,
            actor=SYSTEM,
            start=start.date(),
            end=end.date(),
            zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
        )
        rows = _write_report(output, report, chosen)
    report_written(
        output, {"signoffs": rows}, f"Wrote {output}: {rows} sign-offs.", as_json=as_json
    )
