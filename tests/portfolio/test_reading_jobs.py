"""Readings outside the web process, on a committed database: RQ with a real Redis, and
``portfolio worker --pending`` for attachments left pending."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from delivery.cli.main import main
from mappings.assessment import reading as jobs
from portfolio.models import AttachmentReading
from portfolio.services import evidence, people
from portfolio.services.actors import SYSTEM
from portfolio.services.evidence.reading import queued
from portfolio.services.files import FileStore
from tests.conftest import actor_of, migrated_database, run_queued_jobs

REDIS_URL = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEXT = b"Notes of a vocational profile, read by a worker."


@dataclass
class Fresh:
    engine: Engine
    url: str
    store: Path
    attachment_id: int


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[Fresh]:
    """A committed database with one attachment whose reading is pending."""
    with migrated_database(backend, tmp_path) as engine:
        store = tmp_path / "files"
        with Session(engine, expire_on_commit=False) as s:
            learner = people.create_person(
                s,
                actor=SYSTEM,
                name="Lee",
                email=f"lee-{uuid.uuid4().hex[:6]}@test.example",
                roles="learner",
                password="a long enough password",
                site="Main",
            )
            actor = actor_of(learner)
            item = evidence.create(
                s,
                actor=actor,
                learner_id=learner.id or 0,
                draft=evidence.Draft(
                    kind="reflective_account",
                    title="Notes",
                    activity_date=date(2026, 1, 5),
                    body="Body.",
                ),
            )
            attachment = evidence.attach(
                s,
                actor=actor,
                store=FileStore(store),
                evidence_id=item.id or 0,
                filename="notes.txt",
                stream=io.BytesIO(TEXT),
                max_bytes=1024 * 1024,
            )
            assert queued(s) == [attachment.id]
            s.commit()
        url = engine.url.render_as_string(hide_password=False)
        yield Fresh(engine, url, store, attachment.id or 0)


def _reading(fresh: Fresh) -> AttachmentReading:
    with Session(fresh.engine) as s:
        return s.exec(select(AttachmentReading)).one()


def test_a_reading_runs_on_rq_with_a_real_redis(fresh: Fresh) -> None:
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
    queue = f"test-readings-{uuid.uuid4().hex[:8]}"
    ids = jobs.enqueue_rq(
        REDIS_URL,
        [fresh.attachment_id],
        database_url=fresh.url,
        store_root=fresh.store,
        queue=queue,
    )
    q = Queue(queue, connection=conn)
    assert ids[0] in q.job_ids
    assert _reading(fresh).status == "pending"
    run_queued_jobs([q], conn)
    row = _reading(fresh)
    assert row.status == "done" and row.text == TEXT.decode()
    q.delete(delete_jobs=True)


def test_worker_pending_reads_what_was_left(fresh: Fresh, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(fresh.store))
    r = CliRunner().invoke(main, ["--db", fresh.url, "worker", "--pending"])
    assert r.exit_code == 0, r.output
    assert "1 attachment read" in r.output
    row = _reading(fresh)
    assert row.status == "done" and row.text == TEXT.decode()
    r = CliRunner().invoke(main, ["--db", fresh.url, "worker", "--pending"])
    assert "0 attachments read" in r.output
    with Session(fresh.engine) as s:  # an attachment that never had a reading (a bundle's)
        s.delete(s.exec(select(AttachmentReading)).one())
        s.commit()
    r = CliRunner().invoke(main, ["--db", fresh.url, "worker", "--pending"])
    assert "1 attachment read" in r.output and _reading(fresh).status == "done"
