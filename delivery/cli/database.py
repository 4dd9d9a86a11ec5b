"""``portfolio init``: create the database or migrate it to the newest schema, and make the
centre's signing key when it has none."""

from __future__ import annotations

from pathlib import Path

import click

from delivery.cli.context import Context, pass_ctx
from delivery.schema import schema_state, upgrade
from portfolio.services.keys import ensure_key, fingerprint


@click.command("init")
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    upgrade(ctx.engine)
    state = schema_state(ctx.engine)
    click.echo(
        f"Database ready at schema {state['current']} ({ctx.engine.url.render_as_string()})."
    )
    path = Path(ctx.settings["SIGNING_KEY"])
    key, made = ensure_key(path)
    what = "Made the centre's signing key" if made else "The centre's signing key is"
    click.echo(f"{what} {fingerprint(key.public_key())} at {path}.")
