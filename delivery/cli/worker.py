"""``portfolio worker``: a background worker for export jobs on RQ."""

from __future__ import annotations

import click

from delivery.cli.context import Context, pass_ctx
from exports.jobs import QUEUE, run_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@pass_ctx
def worker(ctx: Context, burst: bool) -> None:
    """Run a background worker for export jobs (RQ on PORTFOLIO_REDIS_URL)."""
    url = ctx.settings.get("REDIS_URL")
    if not url:
        click.echo(
            "PORTFOLIO_REDIS_URL is not set: export jobs run in a thread of the web server, "
            "so no separate worker is needed. Set PORTFOLIO_REDIS_URL to run them on RQ "
            "workers started with `portfolio worker`."
        )
        return
    click.echo(f"Working the {QUEUE!r} queue on {url} (Ctrl-C to stop).")
    run_worker(url, burst=burst)
