"""``portfolio init``: create the database or migrate it to the newest schema."""

from __future__ import annotations

import click

from delivery.cli.context import Context, pass_ctx
from delivery.schema import schema_state, upgrade


@click.command("init")
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    upgrade(ctx.engine)
    state = schema_state(ctx.engine)
    click.echo(
        f"Database ready at schema {state['current']} ({ctx.engine.url.render_as_string()})."
    )
