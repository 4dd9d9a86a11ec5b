"""``portfolio badges``: issue the Open Badges of sign-offs that have none, check a badge file."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from exports.badges import issue as badges
from exports.badges import jose
from exports.badges.verify import verify_token
from portfolio.errors import DomainError
from portfolio.services.keys import ensure_key
from portfolio.words import count_words


@click.group("badges")
def badges_group() -> None:
    """Issue and check Open Badges 3.0 of signed-off standards."""


def _base_url(ctx: Context, given: str | None) -> str:
    base = given or ctx.settings.get("BASE_URL")
    if not base:
        raise click.ClickException(
            "Badges name the site's address: set PORTFOLIO_BASE_URL or pass --base-url."
        )
    return str(base).rstrip("/")


@badges_group.command("issue")
@click.option("--base-url", default=None, help="The site's address; default PORTFOLIO_BASE_URL.")
@json_option
@pass_ctx
def issue_command(ctx: Context, base_url: str | None, as_json: bool) -> None:
    """Issue a badge for every standing sign-off that has none (signed before badges existed)."""
    site = badges.Site(base_url=_base_url(ctx, base_url), centre_name=ctx.settings["CENTRE_NAME"])
    try:
        key, _made = ensure_key(Path(ctx.settings["SIGNING_KEY"]))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    with ctx.session() as session:
        issued = badges.issue_missing(session, key=key, site=site)
        data = {
            "issued": len(issued),
            "badges": [site.credential_url(b.credential_uuid) for b in issued],
        }
    echo_data(
        data,
        as_json=as_json,
        lines=lambda d: [f"{count_words(d['issued'], 'badge')} issued", *d["badges"]],
    )


@badges_group.command("verify")
@click.argument("token_file", type=click.File("rb"))
@json_option
@pass_ctx
def verify_command(ctx: Context, token_file: BinaryIO, as_json: bool) -> None:
    """Check a badge file (.jwt): genuine and standing, withdrawn, or not to be trusted."""
    try:
        token = token_file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{token_file.name} is not a badge: a badge file is UTF-8 text ({exc.reason} at byte "
            f"{exc.start})."
        ) from None
    try:
        key, _made = ensure_key(Path(ctx.settings["SIGNING_KEY"]))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    with ctx.session(write=False) as session:
        verdict = verify_token(session, token, jose.key_set(key.public_key()))
    data = {
        "state": verdict.state,
        "headline": verdict.headline,
        "reason": verdict.reason,
        "achievement": verdict.achievement,
        "learner": verdict.learner,
    }
    echo_data(
        data,
        as_json=as_json,
        lines=lambda d: [d["headline"], *([d["reason"]] if d["reason"] else [])],
    )
    if verdict.state != "valid":
        raise SystemExit(1)
