"""``portfolio import``: import portfolio bundles (the module is named ``import_`` because
``import`` is a Python keyword)."""

from __future__ import annotations

from pathlib import Path

import click

from delivery.cli.context import Context, pass_ctx
from exports.bundle import import_bundle
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM


@click.group("import")
def import_group() -> None:
    """Import portfolio bundles."""


@import_group.command("bundle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def import_bundle_command(ctx: Context, path: Path) -> None:
    """Import a portfolio bundle: every hash checked first; refused if already imported."""
    with ctx.session() as session:
        report = import_bundle(session, FileStore(ctx.file_store), path, SYSTEM)
    click.echo(report.message)
    for line in report.frameworks_imported:
        click.echo(f"  framework imported: {line}")
    for email in report.people_created:
        click.echo(f"  person created (no password yet): {email}")
