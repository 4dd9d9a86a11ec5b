"""``portfolio schedule``: put the daily jobs on RQ at their times (see delivery/schedule.py)."""

from __future__ import annotations

import click

from delivery.cli.context import Context, pass_ctx
from delivery.schedule import QUEUE, RETENTION_AT, SUMMARIES_AT, run_scheduler


@click.command("schedule")
@pass_ctx
def schedule(ctx: Context) -> None:
    """Queue the daily jobs on RQ at their times in the centre's time zone: today's registration
    summaries after midnight and the retention rules at night (`portfolio worker` runs them)."""
    url = ctx.settings.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "PORTFOLIO_REDIS_URL is not set: without RQ the web server stores the summaries in "
            "a thread of its own each night; run `portfolio retention apply` from cron."
        )
    zone = ctx.settings["TIME_ZONE"]
    click.echo(
        f"Queueing on “{QUEUE}” at {url}, in {zone}: the summaries at “{SUMMARIES_AT}” and the "
        f"retention rules at “{RETENTION_AT}” (cron fields; Ctrl-C to stop)."
    )
    run_scheduler(url, ctx.url, zone)
