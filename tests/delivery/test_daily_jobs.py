"""The daily jobs through RQ with a real Redis, on a committed database (the worker's own engine
reads it): the nightly summaries and the retention rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from delivery.schedule import apply_retention_task, cron, refresh_summaries_task
from mappings.assessment.models import RegistrationSummary
from portfolio.models import Evidence, Person, Registration
from portfolio.models.base import utcnow
from portfolio.services import registrations
from portfolio.services.actors import SYSTEM
from portfolio.services.files import FileStore
from tests.conftest import migrated_database, run_queued_jobs
from tests.exports.export_case import build_case
from tests.mappings.test_coverage_web import _add_learners

REDIS_URL = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def engine(backend: str, tmp_path) -> Iterator[Engine]:
    """This module's own database, committed to (shadows the shared rolled-back one)."""
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def queue():
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (and CI is unset)")
    q = Queue(f"test-daily-{uuid.uuid4().hex[:8]}", connection=conn)
    yield q
    q.delete(delete_jobs=True)


def _work(queue) -> None:
    run_queued_jobs([queue], queue.connection)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_the_nightly_summaries_run_through_the_queue(
    engine, session, queue, make_person, make_registration, make_evidence
) -> None:
    assessor, iqa = make_person("assessor"), make_person("iqa")
    _add_learners(session, 4, assessor, iqa, make_registration, make_evidence)
    every = set(session.exec(select(Registration.id)).all())
    session.commit()  # ends the read: the worker's writes are seen afterwards
    job = queue.enqueue(refresh_summaries_task, _url(engine))
    _work(queue)
    assert job.get_status() == "finished", job.latest_result()
    assert job.return_value() == len(every)
    rows = session.exec(select(RegistrationSummary)).all()
    assert {r.registration_id for r in rows} == every
    assert {r.computed_on for r in rows} == {date.today()}


def test_the_scheduler_puts_the_summaries_on_the_queue_the_worker_runs(
    engine, session, queue, make_person, make_registration
) -> None:
    reg = make_registration(assessor=make_person("assessor"))
    scheduler = cron(queue.connection, _url(engine), queue=queue.name)
    [summaries_job] = [j for j in scheduler.get_jobs() if j.name == "portfolio-summaries"]
    summaries_job.enqueue(queue.connection)  # what the scheduler does at 00:05
    session.commit()
    _work(queue)
    stored = session.exec(select(RegistrationSummary)).all()
    assert [(r.registration_id, r.computed_on) for r in stored] == [(reg.id, date.today())]


def test_the_retention_rules_run_through_the_queue(
    engine, session, queue, tmp_path, monkeypatch, make_person, make_registration, make_evidence
) -> None:
    root = tmp_path / "files"
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(root))
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    store = FileStore(root)
    case = build_case(session, store, make_person, make_registration, make_evidence)
    registrations.remove_person(session, actor=SYSTEM, person_id=case.learner.id)
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=4 * 366)
    session.add(learner)
    session.commit()
    job = queue.enqueue(apply_retention_task, _url(engine))
    _work(queue)
    assert job.get_status() == "finished", job.latest_result()
    assert job.return_value()["items"] == 2
    session.expire_all()
    assert session.get(Evidence, case.account_id).erased_at is not None
    again = queue.enqueue(apply_retention_task, _url(engine))
    _work(queue)
    assert again.return_value()["items"] == 0  # nothing is due twice


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_nightly_summaries_are_the_centres_day(
    engine, session, queue, make_person, make_registration, monkeypatch, zone
) -> None:
    """The worker's clock may be UTC's: the job stores the day in PORTFOLIO_TIME_ZONE, the day
    the scheduler queued it on (UTC+14 and UTC-11 are on different days at any moment)."""
    make_registration(assessor=make_person("assessor"))
    session.commit()
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", zone)
    job = queue.enqueue(refresh_summaries_task, _url(engine))
    _work(queue)
    assert job.get_status() == "finished", job.latest_result()
    rows = session.exec(select(RegistrationSummary)).all()
    assert rows and {r.computed_on for r in rows} == {datetime.now(ZoneInfo(zone)).date()}
