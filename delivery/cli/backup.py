"""``portfolio backup`` and ``portfolio restore``: one archive of the database and the file store."""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import Session

from delivery.cli.context import Context, pass_ctx
from delivery.schema import schema_state
from portfolio.errors import DomainError
from portfolio.services import audit, audit_checks
from portfolio.services import backup as service
from portfolio.services.actors import SYSTEM
from portfolio.words import count_words


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def backup_command(ctx: Context, path: Path) -> None:
    """Write one archive of the database and the file store, with a manifest of SHA-256 hashes.

    SQLite is copied with its online backup API, PostgreSQL with pg_dump (custom format); the
    application may keep running. Keep the printed manifest hash and audit head elsewhere."""
    try:
        report = service.backup(ctx.engine, ctx.file_store, path)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backup written to {report.path}: the {report.backend} database and "
        f"{count_words(report.files, 'file')} ({count_words(report.bytes, 'byte')})."
    )
    click.echo(f"Manifest SHA-256: {report.manifest_sha256}")
    click.echo(f"Audit head: {report.audit_head}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--manifest-sha256",
    metavar="HEX",
    default=None,
    help="The manifest hash `portfolio backup` printed: refuse an archive whose manifest differs.",
)
@pass_ctx
def restore_command(ctx: Context, path: Path, manifest_sha256: str | None) -> None:
    """Restore an archive written by `portfolio backup` into an empty database and file store.

    Every member is checked against the manifest's hashes first: a changed archive is refused
    and nothing is written. Afterwards the audit trail is verified against the head the
    archive recorded; exit 1 if it does not hold."""
    try:
        report = service.restore(ctx.engine, ctx.file_store, path, manifest_sha256=manifest_sha256)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored the {report.backend} database and {count_words(report.files, 'file')} from {path}."
    )
    state = schema_state(ctx.engine)
    if not state["up_to_date"]:
        click.echo(
            f"The restored schema is at {state['current']}, the code needs {state['head']}: run "
            f"`portfolio init`, then `portfolio audit verify --expect {report.audit_head}`."
        )
        return
    with Session(ctx.engine) as session:
        checked = audit.verify(session, expect=audit.Head.parse(report.audit_head))
    with ctx.session() as session:  # kept, so the audit page says when the trail was checked
        audit_checks.record_check(session, actor=SYSTEM, report=checked)
    if not checked.ok:
        for line in checked.breaks:
            click.echo(line, err=True)
        raise click.ClickException("The restored audit trail does not verify.")
    click.echo(
        f"Audit trail intact: {checked.entries} entries, extending the head {report.audit_head}."
    )
