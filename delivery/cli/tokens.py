"""``portfolio tokens``: personal access tokens for the JSON API, made for a person by e-mail,
listed and revoked. The secret is printed once, when the token is made; only its SHA-256 is kept."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlmodel import col, select

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.errors import NotFound
from portfolio.models import ApiToken, Person
from portfolio.services import tokens
from portfolio.services.people import SYSTEM, normalise_email


@click.group("tokens")
def tokens_group() -> None:
    """Make, list and revoke personal access tokens for the API."""


def _row(token: ApiToken, email: str) -> dict[str, Any]:
    return {
        "id": token.id,
        "person": email,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": sorted(token.scope_set),
        "state": tokens.state(token),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


@tokens_group.command("create")
@click.option("--email", required=True, help="The person the token acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(list(tokens.SCOPES)),
    help="What it may do (repeat for several).",
)
@click.option(
    "--days", type=int, default=None, help="How many days it works (default: until revoked)."
)
@json_option
@pass_ctx
def create_token(
    ctx: Context, email: str, name: str, scopes: tuple[str, ...], days: int | None, as_json: bool
) -> None:
    """Make a token for a person and print its secret (shown this once)."""
    with ctx.session() as session:
        person = session.exec(select(Person).where(Person.email == normalise_email(email))).first()
        if person is None or person.id is None:
            raise NotFound(f"No person with e-mail {email}.")
        made = tokens.create(
            session, actor=SYSTEM, person_id=person.id, name=name, scopes=scopes, days=days
        )
        data = {**_row(made.token, person.email), "token": made.secret}
    echo_data(data, as_json=as_json, lines=lambda d: [
        f"Made token {d['id']} ({d['name']}) for {d['person']}: {', '.join(d['scopes'])}.",
        "Its secret, shown only now:",
        d["token"],
    ])  # fmt: skip


@tokens_group.command("list")
@click.option("--email", default=None, help="Only this person's tokens.")
@json_option
@pass_ctx
def list_tokens(ctx: Context, email: str | None, as_json: bool) -> None:
    """List tokens (id, person, name, scopes, state; never their secrets)."""
    zone = ZoneInfo(ctx.settings["TIME_ZONE"])
    with ctx.session(write=False) as session:
        person_id = None
        if email is not None:
            person_id = (
                session.exec(
                    select(Person.id).where(Person.email == normalise_email(email))
                ).first()
                or -1
            )
        found = tokens.list_for(session, actor=SYSTEM, person_id=person_id)
        people = dict(  # only the tokens' people, not everyone's
            session.exec(
                select(Person.id, Person.email).where(
                    col(Person.id).in_(sorted({t.person_id for t in found}))
                )
            ).all()
        )
        rows = [_row(t, people.get(t.person_id, "?")) for t in found]
        states = [tokens.state_words(t, zone) for t in found]
    echo_data(rows, as_json=as_json, lines=lambda rs: _token_lines(rs, states))


def _token_lines(rows: list[dict[str, Any]], states: list[str]) -> list[str]:
    """A heading, then one line per token: its state as the tokens page says it."""
    if not rows:
        return ["No tokens yet."]
    return [
        f"{'Id':>5}  {'Person':<32} {'Name':<24} {'May':<28} State",
        *(
            f"{r['id']:>5}  {r['person']:<32} {r['name']:<24} {' '.join(r['scopes']):<28} {said}"
            for r, said in zip(rows, states, strict=True)
        ),
    ]


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@json_option
@pass_ctx
def revoke_token(ctx: Context, token_id: int, as_json: bool) -> None:
    """Revoke a token: it stops working at once."""
    with ctx.session() as session:
        token = tokens.revoke(session, actor=SYSTEM, token_id=token_id)
        email = getattr(session.get(Person, token.person_id), "email", "?")
        data = _row(token, email)
    echo_data(data, as_json=as_json, lines=lambda d: [f"Revoked token {d['id']} ({d['name']})."])
