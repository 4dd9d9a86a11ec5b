"""The daily jobs: today's registration summaries shortly after midnight, and the retention rules.

Where they run is the deploy's choice, as for export jobs:

- **RQ** (``PORTFOLIO_REDIS_URL`` set): ``portfolio schedule`` runs RQ's cron scheduler, which
  puts each job on the :data:`QUEUE` queue at its time in the centre's time zone
  (``PORTFOLIO_TIME_ZONE``); ``portfolio worker`` runs it, with RQ's retries.
- **Embedded** (no Redis): the web server runs the summaries in a daemon thread of its own
  (:func:`start_nightly_thread`); cron may run ``portfolio summaries refresh`` and
  ``portfolio retention apply`` instead.

Both jobs can run again at any time: the summaries store only those not yet worked out today,
and the retention rules erase only what is still due.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from mappings.assessment import completion, summaries
from mappings.privacy.retention import Rules, apply
from portfolio import config as settings
from portfolio.db import make_engine, unit_of_work
from portfolio.services.actors import SYSTEM
from portfolio.services.stores import open_store

if TYPE_CHECKING:
    from rq.cron import CronScheduler

log = logging.getLogger(__name__)

QUEUE = "portfolio-daily"
SUMMARIES_AT = "5 0 * * *"  # 00:05 in the centre's time zone, after the day has changed
RETENTION_AT = "30 2 * * *"  # 02:30, when nobody is at work
ONE_HOUR = 3600


def _conf(database_url: str) -> dict[str, Any]:
    """The worker's configuration (its ``PORTFOLIO_*`` variables) for this database."""
    conf = settings.from_env()
    conf["DATABASE_URL"] = database_url
    return settings.finish(conf)


def _unit(engine: Engine) -> summaries.Unit:
    return partial(unit_of_work, lambda: Session(engine, expire_on_commit=False))


def refresh_summaries_task(database_url: str) -> int:
    """The RQ entry point of the nightly summaries: how many registrations' were stored (the
    day each was completed said in the centre's time zone, ``PORTFOLIO_TIME_ZONE``)."""
    zone = ZoneInfo(_conf(database_url)["TIME_ZONE"])
    engine = make_engine(database_url)
    try:
        # the centre's day, which the scheduler queued it on: the worker's clock may be UTC's
        stored = summaries.refresh(_unit(engine), datetime.now(zone).date(), zone=zone)
    finally:
        engine.dispose()
    log.info("stored today's summaries of %d registration(s)", stored)
    return stored


def apply_retention_task(database_url: str) -> dict[str, Any]:
    """The RQ entry point of the daily retention rules (as ``portfolio retention apply``): what
    was erased."""
    conf = _conf(database_url)
    engine = make_engine(database_url)
    try:
        with unit_of_work(lambda: Session(engine, expire_on_commit=False)) as session:
            result = apply(
                session,
                actor=SYSTEM,
                rules=Rules.from_config(conf),
                store=open_store(conf["FILE_STORE"], conf),
                zone=ZoneInfo(conf["TIME_ZONE"]),
            )
    finally:
        engine.dispose()
    erased = result.as_dict()["erased"]
    log.info("retention rules applied: %s", erased)
    return dict(erased)


def cron(connection: Any, database_url: str, *, queue: str = QUEUE) -> CronScheduler:
    """RQ's cron scheduler with the two daily jobs registered (not yet started)."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection, name=f"portfolio-{os.getpid()}")
    scheduler.register(
        refresh_summaries_task,
        queue,
        args=(database_url,),
        cron=SUMMARIES_AT,
        job_timeout=ONE_HOUR,
        name="portfolio-summaries",
    )
    scheduler.register(
        apply_retention_task,
        queue,
        args=(database_url,),
        cron=RETENTION_AT,
        job_timeout=ONE_HOUR,
        name="portfolio-retention",
    )
    return scheduler


def use_time_zone(zone: str) -> None:
    """Read cron times (and ``date.today()``) in ``zone``, the centre's, in this process."""
    os.environ["TZ"] = zone
    time.tzset()


def run_scheduler(redis_url: str, database_url: str, zone: str) -> None:
    """Put the daily jobs on RQ at their times until stopped (``portfolio schedule``)."""
    from redis import Redis

    use_time_zone(zone)
    cron(Redis.from_url(redis_url), database_url).start()  # type: ignore[no-untyped-call]


def seconds_to_next(now: datetime, *, hour: int = 0, minute: int = 5) -> float:
    """Seconds from ``now`` (local) to the next ``hour:minute``."""
    due = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due <= now:
        due += timedelta(days=1)
    return (due - now).total_seconds()


def start_nightly_thread(
    session_factory: Callable[[], Session],
    *,
    clock: Callable[[], datetime] = datetime.now,
    zone: ZoneInfo = completion.CENTRE,
) -> threading.Thread:
    """The embedded default's nightly summaries: a daemon thread of the web server that stores
    them at 00:05 every night (this process's local time, which its ``TZ`` sets); ``zone`` is
    the centre's time zone (``TIME_ZONE``), in which a registration's completion day is said."""

    def run() -> None:
        while True:
            time.sleep(seconds_to_next(clock()))
            try:
                today = datetime.now(zone).date()  # the centre's, whatever TZ says
                summaries.refresh(partial(unit_of_work, session_factory), today, zone=zone)
            except Exception:  # noqa: BLE001 - a background thread has nobody else to tell
                log.exception("storing the nightly summaries failed")

    thread = threading.Thread(target=run, name="nightly-summaries", daemon=True)
    thread.start()
    return thread
