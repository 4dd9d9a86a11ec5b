"""``portfolio key``: the centre's bundle-signing key, whose public half other centres trust."""

from __future__ import annotations

from pathlib import Path

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.errors import DomainError
from portfolio.services.keys import fingerprint, load_private_key, public_pem


@click.group("key")
def key_group() -> None:
    """Show the centre's bundle-signing key."""


@key_group.command("show")
@json_option
@pass_ctx
def show(ctx: Context, as_json: bool) -> None:
    """Print the public key (PEM) that other centres pass to `portfolio import bundle --trust`."""
    path = Path(ctx.settings["SIGNING_KEY"])
    try:
        public = load_private_key(path).public_key()
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    data = {
        "algorithm": "Ed25519",
        "fingerprint": fingerprint(public),
        "public_key": public_pem(public),
    }
    echo_data(data, as_json=as_json, lines=lambda d: [d["public_key"].rstrip("\n")])
