"""``portfolio two-step``: the keys that encrypt two-step secrets in the database (README,
"Configuration"; docs/sessions.md, "Two-step verification")."""

from __future__ import annotations

from typing import Any

import click
from sqlmodel import col, select

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.models import Person
from portfolio.sealing import new_key
from portfolio.services import two_step
from portfolio.services.actors import SYSTEM
from portfolio.words import count_words


@click.group("two-step")
def two_step_group() -> None:
    """Encrypt the stored two-step secrets; make a key to encrypt them with."""


@two_step_group.command("seal")
@json_option
@pass_ctx
def seal_command(ctx: Context, as_json: bool) -> None:
    """Encrypt every two-step secret still stored plain, and encrypt again under the first key
    of PORTFOLIO_ENCRYPTION_KEYS each one under an older key, in one transaction. Run it after
    upgrading and after putting a new key first; then the old key can be dropped. Exit 1 when
    some secret no key opens (named: an administrator resets their two-step verification)."""
    with ctx.session() as session:
        done = two_step.seal_all(session, actor=SYSTEM)
        emails = session.exec(
            select(Person.email)
            .where(col(Person.id).in_(done.unreadable))
            .order_by(col(Person.email))
        ).all()
    data = {
        "plain": done.plain,
        "older_key": done.older,
        "current": done.current,
        "unreadable": list(emails),
    }

    def lines(d: dict[str, Any]) -> list[str]:
        shown = [
            f"Sealed {count_words(d['plain'] + d['older_key'], 'two-step secret')} under the first key "
            f"({d['plain']} stored plain, {d['older_key']} under an older key); "
            f"{d['current']} already were."
        ]
        if d["unreadable"]:
            shown.append(
                f"{len(d['unreadable'])} cannot be decrypted with the keys in use (was the key "
                "or the secret key changed?); an administrator resets their two-step "
                "verification on their page: " + ", ".join(d["unreadable"])
            )
        return shown

    echo_data(data, as_json=as_json, lines=lines)
    if emails:
        raise click.exceptions.Exit(1)


@two_step_group.command("new-key")
def new_key_command() -> None:
    """Print a new random key for PORTFOLIO_ENCRYPTION_KEYS (put it first to rotate, keep the
    old one after it until `portfolio two-step seal` has run)."""
    click.echo(new_key())
