"""``portfolio cohort``: add, list, close and reopen cohorts."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.errors import NotFound
from portfolio.models import Cohort
from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from portfolio.words import day_words, local


@click.group("cohort")
def cohort_group() -> None:
    """Create, list, close and reopen cohorts."""


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
        lines=lambda d: [f"Added cohort “{d['name']}” at {d['site']} (id {d['id']})."],
    )


@cohort_group.command("list")
@json_option
@pass_ctx
def list_cohorts(ctx: Context, as_json: bool) -> None:
    """List cohorts (id, name, site, registrations, and the day each closed one was closed)."""
    zone = ZoneInfo(ctx.settings["TIME_ZONE"])
    with ctx.session(write=False) as session:
        rows = [
            {"id": c.id, "name": c.name, "site": c.site, "registrations": c.registrations,
             "closed_on": local(c.closed_at, zone).date() if c.closed_at else None}
            for c in registrations.list_cohorts(session)
        ]  # fmt: skip
    echo_data(rows, as_json=as_json, lines=_cohort_lines)


def _cohort_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["No cohorts yet."]
    heading = f"{'Id':>5}  {'Name':<32} {'Site':<20} {'Registrations':>13}  State"
    return [
        heading,
        *(
            f"{r['id']:>5}  {r['name']:<32} {r['site']:<20} {r['registrations']:>13}  "
            + (f"Closed on {day_words(r['closed_on'])}" if r["closed_on"] else "Open")
            for r in rows
        ),
    ]


def _closing(ctx: Context, cohort_id: int, as_json: bool, reopen: bool) -> None:
    zone = ZoneInfo(ctx.settings["TIME_ZONE"])
    change = cohorts.reopen_cohort if reopen else cohorts.close_cohort
    with ctx.session() as session:
        try:
            cohort: Cohort = change(session, actor=SYSTEM, cohort_id=cohort_id)
        except NotFound as gone:  # a page says it in words; here the id was typed
            raise NotFound(f"There is no cohort with id {cohort_id}.") from gone
        closed = local(cohort.closed_at, zone).date() if cohort.closed_at else None
        data = {"id": cohort.id, "name": cohort.name, "site": cohort.site, "closed_on": closed}
    said = (
        f"Reopened the cohort “{data['name']}”: the registration forms offer it again."
        if reopen
        else f"Closed the cohort “{data['name']}”: no new registration goes into it; its "
        "learners stay in it."
    )
    echo_data(data, as_json=as_json, lines=lambda d: [said])


@cohort_group.command("close")
@click.option("--id", "cohort_id", type=int, required=True, help="The cohort's id.")
@json_option
@pass_ctx
def close_cohort(ctx: Context, cohort_id: int, as_json: bool) -> None:
    """Close a finished cohort: offered to no new registration; its learners stay in it."""
    _closing(ctx, cohort_id, as_json, reopen=False)


@cohort_group.command("reopen")
@click.option("--id", "cohort_id", type=int, required=True, help="The cohort's id.")
@json_option
@pass_ctx
def reopen_cohort(ctx: Context, cohort_id: int, as_json: bool) -> None:
    """Reopen a closed cohort."""
    _closing(ctx, cohort_id, as_json, reopen=True)
