"""``portfolio export``: sign-off records, portfolio bundles and cohort reports, written to files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import click
from sqlmodel import Session, select

from delivery.cli.context import Context, pass_ctx
from exports.bundle import write_bundle
from exports.leap2a import write_leap2a
from exports.reports import cohort_coverage, format_of, render, signoff_register
from exports.signoff import build_signoff_docx
from exports.signoff_view import find_registration, signoff_view
from portfolio.errors import NotFound
from portfolio.models import Person
from portfolio.services.keys import ensure_key, fingerprint
from portfolio.services.people import SYSTEM, normalise_email

OUTPUT = click.Path(dir_okay=False, path_type=Path)


@click.group("export")
def export_group() -> None:
    """Export sign-off records, portfolio bundles, Leap2A and reports."""


def _write_atomically(output: Path, data: bytes) -> None:
    tmp = output.with_name(f".{output.name}.part")
    tmp.write_bytes(data)
    tmp.replace(output)


@export_group.command("signoff")
@click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
@click.option("--standard", required=True, help="Standard code, e.g. SE03.")
@click.option("-o", "--output", type=OUTPUT, required=True)
@pass_ctx
def export_signoff(ctx: Context, learner_id: int, standard: str, output: Path) -> None:
    """Write the sign-off record (.docx) of a signed-off standard."""
    with ctx.session(write=False) as session:
        reg_id = find_registration(session, learner_id=learner_id, standard_code=standard)
        view = signoff_view(
            session,
            registration_id=reg_id,
            standard_code=standard,
            centre=ctx.settings["CENTRE_NAME"],
        )
        data = build_signoff_docx(view)
    _write_atomically(output, data)
    click.echo(f"Wrote {output}: record {view.document_id} ({len(data)} bytes).")


@export_group.command("bundle")
@click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
@click.option("-o", "--output", type=OUTPUT, required=True)
@pass_ctx
def export_bundle(ctx: Context, learner_id: int, output: Path) -> None:
    """Write a learner's portable portfolio bundle (.zip), signed with the centre's key."""
    tmp = output.with_name(f".{output.name}.part")
    try:
        with ctx.session(write=False) as session, tmp.open("wb") as out:
            key, _ = ensure_key(Path(ctx.settings["SIGNING_KEY"]))
            manifest = write_bundle(
                session,
                ctx.file_store,
                learner_id,
                out,
                centre=ctx.settings["CENTRE_NAME"],
                signing_key=key,
            )
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(
        f"Wrote {output}: {len(manifest['evidence'])} evidence items, "
        f"{len(manifest['signoffs'])} sign-offs, {len(manifest['files'])} files; "
        f"signed with the key {fingerprint(key.public_key())}."
    )


def learner_by_email(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(Person.email == normalise_email(email))).first()
    if person is None or not person.has_role("learner"):
        raise NotFound(f"No learner has the e-mail address {email}.")
    return person


@export_group.command("leap2a")
@click.option("--learner", "email", required=True, help="The learner's e-mail address.")
@click.option("-o", "--output", required=True, help="FILE.zip, or - for standard output.")
@pass_ctx
def export_leap2a(ctx: Context, email: str, output: str) -> None:
    """Write a learner's portfolio as a Leap2A zip (leap2a.xml and files/), for Mahara."""
    to_stdout = output == "-"
    target = Path(output)
    tmp = target.with_name(f".{target.name}.part")
    try:
        with ctx.session(write=False) as session:
            learner = learner_by_email(session, email)
            if to_stdout:
                spool = io.BytesIO()
                written = write_leap2a(
                    session, ctx.file_store, learner.id or 0, spool, actor=SYSTEM
                )
            else:
                with tmp.open("wb") as out:
                    written = write_leap2a(
                        session, ctx.file_store, learner.id or 0, out, actor=SYSTEM
                    )
        if to_stdout:
            click.echo(spool.getvalue(), nl=False)  # bytes: written to the binary stream
            return
        tmp.replace(target)
    finally:
        if not to_stdout:
            tmp.unlink(missing_ok=True)
    click.echo(
        f"Wrote {target}: {written.items} evidence items, {written.files} files, "
        f"{written.standards} standards claimed."
    )


def _report_format(output: Path) -> str:
    try:
        return format_of(output.name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-o") from exc


@export_group.command("coverage")
@click.option("--cohort", "cohort_id", required=True, type=int, help="Cohort id.")
@click.option("-o", "--output", type=OUTPUT, required=True, help="FILE.csv or FILE.xlsx.")
@pass_ctx
def export_coverage(ctx: Context, cohort_id: int, output: Path) -> None:
    """Write a cohort's coverage (one row per learner per standard) as CSV or .xlsx."""
    fmt = _report_format(output)
    with ctx.session(write=False) as session:
        report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort_id)
    _write_atomically(output, render(report, fmt))
    click.echo(f"Wrote {output}: {len(report.rows)} rows.")


@export_group.command("register")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("-o", "--output", type=OUTPUT, required=True, help="FILE.csv or FILE.xlsx.")
@pass_ctx
def export_register(ctx: Context, start: datetime, end: datetime, output: Path) -> None:
    """Write the register of sign-offs made in a period (both days included)."""
    fmt = _report_format(output)
    with ctx.session(write=False) as session:
        report = signoff_register(session, actor=SYSTEM, start=start.date(), end=end.date())
    _write_atomically(output, render(report, fmt))
    click.echo(f"Wrote {output}: {len(report.rows)} sign-offs.")
