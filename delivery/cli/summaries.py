"""``portfolio summaries refresh``: store today's registration summaries (the nightly job, for
cron in the embedded default; see docs/deploy.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from mappings.assessment import summaries
from portfolio.words import count_words


@click.group("summaries")
def summaries_group() -> None:
    """Store where each registration stands, so the day's first caseload folds no one."""


@summaries_group.command("refresh")
@click.option(
    "--chunk",
    default=summaries.CHUNK,
    show_default=True,
    type=click.IntRange(1),
    help="Registrations worked out and stored per transaction.",
)
@json_option
@pass_ctx
def refresh_command(ctx: Context, chunk: int, as_json: bool) -> None:
    """Work out and store today's summary of every registration that has none. Run it shortly
    after midnight from cron (the RQ scheduler of `portfolio schedule` does it without cron);
    running it again the same day stores nothing twice."""
    zone = ZoneInfo(ctx.settings["TIME_ZONE"])
    # the centre's day: cron's machine may keep UTC, a day behind London from 00:00 to 01:00 BST
    stored = summaries.refresh(ctx.session, datetime.now(zone).date(), chunk=chunk, zone=zone)
    echo_data(
        {"stored": stored},
        as_json=as_json,
        lines=lambda d: [
            f"Stored today's summaries of {count_words(d['stored'], 'registration')}."
        ],
    )
