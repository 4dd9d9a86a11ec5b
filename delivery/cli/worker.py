"""``portfolio worker``: a background worker for export jobs, attachment readings and suggestions
on RQ."""

from __future__ import annotations

import threading

import click
from sqlmodel import Session, select

from delivery.cli.context import Context, pass_ctx
from delivery.schedule import QUEUE as DAILY
from exports.jobs import QUEUE, run_worker
from mappings.assessment import stored
from mappings.assessment.mailing import QUEUE as MAIL
from mappings.assessment.reading import QUEUE as READINGS
from mappings.assessment.reading import read_all
from mappings.assessment.relearn import relearn
from mappings.assessment.suggestions import start_warming
from portfolio.models import Framework
from portfolio.services import notice_mail
from portfolio.services.evidence import reading
from portfolio.words import count_words


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--pending",
    is_flag=True,
    help="Read here and now the attachments whose text is still pending, failed or never "
    "queued, and work out the suggestions of versions that have none or those of another engine "
    "version (after an upgrade, a bundle import or a worker that stopped) and of evidence awaiting "
    "a decision whose suggestions are behind their framework's decisions, then stop.",
)
@pass_ctx
def worker(ctx: Context, burst: bool, pending: bool) -> None:
    """Run a background worker for export jobs, attachment readings, suggestions and e-mail (RQ on
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
        click.echo(f"{count_words(len(ids), 'attachment')} read.")
        with ctx.session(write=False) as session:
            versions = stored.due(session)
        ran = stored.compute_all(lambda: Session(engine, expire_on_commit=False), versions)
        with ctx.session(write=False) as session:
            frameworks = [i or 0 for i in session.exec(select(Framework.id)).all()]
        for framework_id in frameworks:  # evidence awaiting a decision, behind what was learnt
            ran += relearn(lambda: Session(engine, expire_on_commit=False), [framework_id])
        click.echo(f"Suggestions worked out for {count_words(ran, 'evidence version')}.")
        return
    url = ctx.settings.get("REDIS_URL")
    if not url:
        click.echo(
            "PORTFOLIO_REDIS_URL is not set: export jobs and attachment readings run in a thread "
            "of the web server, so no separate worker is needed. Set PORTFOLIO_REDIS_URL to run "
            "them on RQ workers started with `portfolio worker`."
        )
        return
    notice_mail.warn_without_site(ctx.settings)  # it sends the notifications' e-mail
    click.echo(
        f"Working the “{QUEUE}”, “{READINGS}”, “{stored.QUEUE}”, “{MAIL}” and “{DAILY}” queues on "
        f"{url} (Ctrl-C to stop)."
    )
    engine = ctx.engine
    ended = threading.Event()
    if ctx.settings.get("WARM_SUGGESTIONS"):
        # jobs run in forked children: they find the engines built and add the newest decisions
        start_warming(lambda: Session(engine, expire_on_commit=False), every=60, stop=ended)
    try:
        run_worker(url, burst=burst, also=(READINGS, stored.QUEUE, MAIL, DAILY))
    finally:  # a burst's jobs are done (or the worker was stopped): warm no more
        ended.set()
