"""``portfolio audit``: check the append-only audit trail."""

from __future__ import annotations

import click

from delivery.cli.context import Context, pass_ctx
from portfolio.services import audit


@click.group("audit")
def audit_group() -> None:
    """Check the append-only audit trail."""


@audit_group.command("verify")
@pass_ctx
def verify_audit(ctx: Context) -> None:
    """Verify the hash chain of the audit trail; exit 1 on any break."""
    with ctx.session(write=False) as session:
        report = audit.verify(session)
    if report.ok:
        click.echo(f"Audit trail intact: {report.entries} entries.")
        return
    for line in report.breaks:
        click.echo(line, err=True)
    raise click.ClickException(f"Audit trail broken in {len(report.breaks)} place(s).")
