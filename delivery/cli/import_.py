"""``portfolio import``: import portfolio bundles (the module is named ``import_`` because
``import`` is a Python keyword)."""

from __future__ import annotations

from pathlib import Path

import click

from delivery.cli.context import Context, pass_ctx
from delivery.cli.export import learner_by_email
from exports.bundle import import_bundle
from exports.leap2a import import_leap2a
from portfolio.errors import DomainError
from portfolio.services.keys import load_public_key
from portfolio.services.people import SYSTEM, Actor


@click.group("import")
def import_group() -> None:
    """Import portfolio bundles and Leap2A files."""


@import_group.command("bundle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "keys",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A sending centre's public key (PEM, from its `portfolio key show`); repeatable. "
    "The bundle's decisions count only when one of these verifies its signature.",
)
@pass_ctx
def import_bundle_command(ctx: Context, path: Path, keys: tuple[Path, ...]) -> None:
    """Import a portfolio bundle: every hash checked first; refused if already imported."""
    try:
        trusted = [load_public_key(k) for k in keys]
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint="--trust") from exc
    with ctx.session() as session:
        report = import_bundle(session, ctx.file_store, path, SYSTEM, trusted=trusted)
    click.echo(report.message)
    for line in report.frameworks_imported:
        click.echo(f"  framework imported: {line}")
    for email in report.people_created:
        click.echo(f"  person created (no password yet): {email}")


@import_group.command("leap2a")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--learner", "email", required=True, help="The learner's e-mail address.")
@pass_ctx
def import_leap2a_command(ctx: Context, path: Path, email: str) -> None:
    """Import a Leap2A file (leap2a.xml, or a zip with its files) as the learner's drafts."""
    max_bytes = int(ctx.settings["MAX_UPLOAD_MB"]) * 1024 * 1024
    with ctx.session() as session:
        learner = learner_by_email(session, email)
        report = import_leap2a(
            session,
            ctx.file_store,
            actor=Actor.of(learner),
            learner_id=learner.id or 0,
            data=path.read_bytes(),
            max_bytes=max_bytes,
        )
    click.echo(report.message)
    for evidence_id, title in report.items:
        click.echo(f"  draft {evidence_id}: {title}")
    for warning in report.warnings:
        click.echo(f"  warning: {warning}")
