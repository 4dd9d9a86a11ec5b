"""``portfolio cohort``: add and list cohorts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.services import registrations
from portfolio.services.people import SYSTEM


@click.group("cohort")
def cohort_group() -> None:
    """Create and list cohorts."""


@cohort_group.command("add")
@click.option("--name", required=True, help="Cohort name (unique).")
@click.option("--site", default="Main site", show_default=True, help="Assessment site.")
@json_option
@pass_ctx
def add_cohort(ctx: Context, name: str, site: str, as_json: bool) -> None:
    """Add a cohort."""
    with ctx.session() as session:
        cohort = registrations.create_cohort(session, actor=SYSTEM, name=name, site=site)
        data = {"id": cohort.id, "name": cohort.name, "site": cohort.site}
    echo_data(
        data,
        as_json=as_json,
        lines=lambda d: [f"Added cohort {d['name']} at {d['site']} (id {d['id']})."],
    )


@cohort_group.command("list")
@json_option
@pass_ctx
def list_cohorts(ctx: Context, as_json: bool) -> None:
    """List cohorts (id, name, site, registrations)."""
    with ctx.session(write=False) as session:
        rows = [asdict(c) for c in registrations.list_cohorts(session)]
    echo_data(rows, as_json=as_json, lines=_cohort_lines)


def _cohort_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["No cohorts yet."]
    heading = f"{'Id':>5}  {'Name':<32} {'Site':<20} Registrations"
    return [
        heading,
        *(f"{r['id']:>5}  {r['name']:<32} {r['site']:<20} {r['registrations']:>13}" for r in rows),
    ]
