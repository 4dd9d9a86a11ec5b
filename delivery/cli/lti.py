"""``portfolio lti``: register VLE platforms for LTI 1.3 launches, list them, print the tool's
addresses to enter in the VLE."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click
from sqlmodel import Session

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from delivery.lti_urls import tool_urls
from portfolio.errors import NotFound
from portfolio.models import Person
from portfolio.models.lti import EMAIL_LINKS, LtiPlatform
from portfolio.services import lti
from portfolio.services.people import SYSTEM


@click.group("lti")
def lti_group() -> None:
    """Register VLE platforms whose course links open portfolios (LTI 1.3)."""


@lti_group.command("add-platform")
@click.option("--name", required=True, help="A name for people, e.g. Moodle.")
@click.option("--issuer", required=True, help="The platform ID (`iss`), e.g. Moodle's address.")
@click.option("--client-id", required=True, help="The client ID the platform gave the tool.")
@click.option(
    "--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeat for several."
)
@click.option("--auth-login-url", required=True, help="The platform's authentication request URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option(
    "--email-links",
    type=click.Choice(EMAIL_LINKS),
    default="learners",
    show_default=True,
    help="Whose unlinked accounts its launches may find by e-mail: none, learners, or staff "
    "(learners, assessors and IQAs; only for a VLE whose addresses the centre controls).",
)
@json_option
@pass_ctx
def add_platform(
    ctx: Context,
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    email_links: str,
    as_json: bool,
) -> None:
    """Register a platform: its launches are accepted from now on."""
    with ctx.session() as session:
        platform = lti.add_platform(
            session,
            actor=SYSTEM,
            name=name,
            issuer=issuer,
            client_id=client_id,
            deployment_ids=list(deployment_ids),
            auth_login_url=auth_login_url,
            token_url=token_url,
            jwks_url=jwks_url,
            email_links=email_links,
        )
        row = {"id": platform.id, "name": platform.name, "issuer": platform.issuer}
    echo_data(
        row,
        as_json=as_json,
        lines=lambda r: [f"Registered {r['name']} ({r['issuer']}), id {r['id']}."],
    )


@lti_group.command("remove-platform")
@click.argument("platform_id", type=int)
@pass_ctx
def remove_platform(ctx: Context, platform_id: int) -> None:
    """Remove a platform: its launches are refused from now on (people's links are kept)."""
    with ctx.session() as session:
        gone = lti.remove_platform(session, actor=SYSTEM, platform_id=platform_id)
        click.echo(f"Removed {gone.name} ({gone.issuer}).")


@lti_group.command("unlink")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@pass_ctx
def unlink(ctx: Context, person_id: int) -> None:
    """Forget a person's stored VLE subjects: their next launch is matched by e-mail again."""
    with ctx.session() as session:
        who = _person(session, person_id)
        count = lti.unlink(session, actor=SYSTEM, person_id=person_id)
    subjects = "subject" if count == 1 else "subjects"
    click.echo(
        f"Forgot {count} stored VLE {subjects} of {who}: their next launch is matched by e-mail "
        "again."
    )


@lti_group.command("link")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@click.option("--platform", "platform_id", type=int, required=True, help="From `lti list`.")
@click.option(
    "--subject", required=True, help="The VLE's id for the person (`sub`; Moodle: the user id)."
)
@pass_ctx
def link(ctx: Context, person_id: int, platform_id: int, subject: str) -> None:
    """Link a person of a VLE to an account here: their launches then open it."""
    with ctx.session() as session:
        who = _person(session, person_id)
        lti.link_subject(
            session, actor=SYSTEM, person_id=person_id, platform_id=platform_id, subject=subject
        )
        vle = getattr(session.get(LtiPlatform, platform_id), "name", "VLE")
    click.echo(
        f"Linked the {vle} user {subject} to {who}: their launches from {vle} open this account."
    )


def _person(session: Session, person_id: int) -> str:
    """The person by name with the id given: "Jo Learner (person 5)"."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with the id {person_id}.")
    return f"{person.name} (person {person_id})"


@lti_group.command("list")
@json_option
@pass_ctx
def list_platforms(ctx: Context, as_json: bool) -> None:
    """List registered platforms (id, name, issuer, client id, deployments, people linked)."""
    with ctx.session(write=False) as session:
        rows = [asdict(p) for p in lti.list_platforms(session)]
    echo_data(rows, as_json=as_json, lines=_lines)


def _lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["No platform registered."]
    return [
        f"{r['id']:>4}  {r['name']:<20} {r['issuer']:<40} client {r['client_id']}  "
        f"deployments {', '.join(r['deployment_ids'])}  people linked {r['linked_people']}  "
        f"e-mail links {r['email_links']}"
        for r in rows
    ]


@lti_group.command("urls")
@click.option("--base-url", help="The site's address (default: PORTFOLIO_BASE_URL).")
@json_option
@pass_ctx
def urls(ctx: Context, base_url: str | None, as_json: bool) -> None:
    """Print the tool's addresses to enter in the VLE (Moodle's tool set-up)."""
    base = base_url or ctx.settings.get("BASE_URL")
    if not base:
        raise click.ClickException(
            "Give --base-url or set PORTFOLIO_BASE_URL to the site's address."
        )
    found = tool_urls(str(base))
    labels = {
        "tool_url": "Tool URL",
        "initiate_login_url": "Initiate login URL",
        "redirection_uri": "Redirection URI(s)",
        "public_keyset_url": "Public keyset URL",
    }
    echo_data(found, as_json=as_json, lines=lambda d: [f"{labels[k]}: {v}" for k, v in d.items()])
