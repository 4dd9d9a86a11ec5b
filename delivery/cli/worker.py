"""``portfolio worker``: a background worker for export jobs and attachment readings on RQ."""

from __future__ import annotations

import click
from sqlmodel import Session

from delivery.cli.context import Context, pass_ctx
from exports.jobs import QUEUE, run_worker
from mappings.assessment.reading import QUEUE as READINGS
from mappings.assessment.reading import read_all
from portfolio.services.evidence import reading


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--pending",
    is_flag=True,
    help="Read here and now the attachments whose text is still pending, failed or never "
    "queued (after an upgrade, a bundle import or a worker that stopped), then stop.",
)
@pass_ctx
def worker(ctx: Context, burst: bool, pending: bool) -> None:
    """Run a background worker for export jobs and attachment readings (RQ on
    PORTFOLIO_REDIS_URL)."""
    if pending:
        with ctx.session() as session:
            ids = reading.pending(session, stale=True)
            reading.reset(session, ids)
            missing = reading.unread(session)
            reading.queue(session, missing)
            ids = sorted([*ids, *missing])
        engine = ctx.engine
        read_all(lambda: Session(engine, expire_on_commit=False), ids, store_root=ctx.file_store)
        click.echo(f"{len(ids)} attachment(s) read.")
        return
    url = ctx.settings.get("REDIS_URL")
    if not url:
        click.echo(
            "PORTFOLIO_REDIS_URL is not set: export jobs and attachment readings run in a thread "
            "of the web server, so no separate worker is needed. Set PORTFOLIO_REDIS_URL to run "
            "them on RQ workers started with `portfolio worker`."
        )
        return
    click.echo(f"Working the {QUEUE!r} and {READINGS!r} queues on {url} (Ctrl-C to stop).")
    run_worker(url, burst=burst, also=(READINGS,))
