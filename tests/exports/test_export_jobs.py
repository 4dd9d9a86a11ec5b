"""Bulk export jobs on a real, committed database: in a thread, and on RQ with a real Redis."""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session, select

from exports import jobs
from exports.bundle import import_bundle, write_bundle
from exports.models import ExportJob
from mappings.assessment.models import SignOff, SignOffEvidence
from portfolio.errors import Invalid, NotFound
from portfolio.models import Person, Registration
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of, migrated_database, run_queued_jobs
from tests.exports.conftest import make_view
from tests.exports.export_case import build_case

REDIS_URL = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class Fresh:
    engine: Engine
    url: str
    cohort_id: int
    assessor: Person
    document_id: str


KEY = Ed25519PrivateKey.generate()  # the sending centre's, trusted by the receiving one


@pytest.fixture
def fresh(
    backend, tmp_path, session, make_person, make_registration, make_evidence
) -> Iterator[Fresh]:
    """A committed database holding a signed-off learner in a cohort (brought over by bundle)."""
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    cohort = registrations.create_cohort(
        session, actor=SYSTEM, name=f"Jobs {uuid.uuid4().hex[:6]}", site="North"
    )
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    bundle = tmp_path / "b.zip"
    with bundle.open("wb") as out:
        write_bundle(session, store, case.learner.id, out, signing_key=KEY)
    with migrated_database(backend, tmp_path) as engine:
        with Session(engine, expire_on_commit=False) as s:
            trusted = [KEY.public_key()]
            report = import_bundle(
                s, FileStore(tmp_path / "files2"), bundle, SYSTEM, trusted=trusted
            )
            s.commit()
            # a bundle gives no cohort and no role: the receiving centre places and allocates
            ours = registrations.create_cohort(s, actor=SYSTEM, name=cohort.name, site="North")
            registration = s.exec(
                select(Registration).where(Registration.learner_id == report.learner_id)
            ).one()
            registration.cohort_id = cohort_id = ours.id or 0
            assessor = s.exec(select(Person).where(Person.email == case.assessor.email)).one()
            assessor.roles = "assessor"
            s.add_all([registration, assessor])
            s.commit()
        url = engine.url.render_as_string(hide_password=False)
        yield Fresh(engine, url, cohort_id, assessor, case.signoff.document_id)


def _job(fresh: Fresh) -> int:
    with Session(fresh.engine) as s:
        job = jobs.create_cohort_job(s, actor=actor_of(fresh.assessor), cohort_id=fresh.cohort_id)
        s.commit()
        return job.id or 0


def _finished(fresh: Fresh, job_id: int, instance: Path) -> ExportJob:
    with Session(fresh.engine) as s:
        job = s.get(ExportJob, job_id)
        assert job is not None
    assert job.status == "done", job.error
    assert (job.done, job.total) == (1, 1)
    with zipfile.ZipFile(instance / job.result_path) as zf:
        [name] = zf.namelist()
    assert fresh.document_id in name
    return job


def test_job_runs_in_a_thread(fresh, tmp_path) -> None:
    job_id = _job(fresh)
    instance = tmp_path / "instance"
    jobs.start_thread(
        lambda: Session(fresh.engine, expire_on_commit=False),
        job_id,
        instance_path=instance,
        centre="Northfield",
    )
    jobs.wait_for_threads()
    _finished(fresh, job_id, instance)


def test_failed_job_retried_overwrites_its_file(fresh, tmp_path, monkeypatch) -> None:
    job_id = _job(fresh)
    instance = tmp_path / "instance"
    factory = lambda: Session(fresh.engine, expire_on_commit=False)  # noqa: E731
    monkeypatch.setattr(jobs, "lay_out", lambda view: 1 / 0)
    jobs.run_job(factory, job_id, instance_path=instance, centre="X")
    with Session(fresh.engine) as s:
        job = s.get(ExportJob, job_id)
        assert job.status == "failed" and "ZeroDivisionError" in job.error
        with pytest.raises(NotFound):  # only its creator (or an administrator) sees a job
            jobs.job_for(s, actor=actor_of(Person(id=10**6, name="x", email="x")), job_id=job_id)
        jobs.retry_job(s, actor=actor_of(fresh.assessor), job_id=job_id)
        s.commit()
        with pytest.raises(Invalid, match="Only a failed export"):  # queued again, not failed
            jobs.retry_job(s, actor=actor_of(fresh.assessor), job_id=job_id)
        s.rollback()
    monkeypatch.undo()
    for _ in range(2):  # run it twice: the same file is overwritten
        jobs.run_job(factory, job_id, instance_path=instance, centre="X")
        _finished(fresh, job_id, instance)
        with Session(fresh.engine) as s:
            job = s.get(ExportJob, job_id)
            job.status = "failed"
            s.commit()
    assert [p.name for p in (instance / "exports").iterdir()] == [f"job-{job_id}.zip"]


def test_job_reads_and_writes_a_batch_at_a_time(fresh, tmp_path, monkeypatch) -> None:
    """Read a page of sign-offs at a time (even ties on the signing time cross the pages
    whole), the job writes the very zip it writes in one batch, and counts every record."""
    with Session(fresh.engine) as s:
        [record] = s.exec(select(SignOff)).all()
        frozen = s.exec(select(SignOffEvidence).where(SignOffEvidence.signoff_id == record.id))
        rows = [(f.version_id, f.sha256) for f in frozen]
        data = record.model_dump(exclude={"id", "document_id"})
        for n in range(4):  # the same standard signed again (reopened), at the very same time
            copy = SignOff(**data, document_id=f"{record.document_id}-{n}")
            s.add(copy)
            s.flush()
            s.add_all(SignOffEvidence(signoff_id=copy.id, version_id=v, sha256=h) for v, h in rows)
        s.commit()
    factory = lambda: Session(fresh.engine, expire_on_commit=False)  # noqa: E731
    contents = []
    for batch in (50, 2, 1):
        monkeypatch.setattr(jobs, "BATCH", batch)
        job_id = _job(fresh)
        jobs.run_job(factory, job_id, instance_path=tmp_path / "instance", centre="X")
        with Session(fresh.engine) as s:
            job = s.get(ExportJob, job_id)
            assert job is not None and job.status == "done", job and job.error
            assert (job.done, job.total) == (5, 5)
        with zipfile.ZipFile(tmp_path / "instance" / job.result_path) as zf:
            contents.append([(name, zf.read(name)) for name in zf.namelist()])
    assert len(contents[0]) == 5 and len({name for name, _ in contents[0]}) == 5
    assert contents[0] == contents[1] == contents[2]


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (and CI is unset)")
    return conn


def test_job_runs_on_rq_with_a_real_redis(fresh, tmp_path) -> None:
    from rq import Queue

    conn = _redis_or_skip()
    queue = f"test-exports-{uuid.uuid4().hex[:8]}"
    job_id = _job(fresh)
    instance = tmp_path / "instance"
    rq_id = jobs.enqueue_rq(
        REDIS_URL,
        job_id,
        database_url=fresh.url,
        instance_path=instance,
        centre="Northfield",
        queue=queue,
    )
    q = Queue(queue, connection=conn)
    assert rq_id in q.job_ids
    run_queued_jobs([q], conn)
    _finished(fresh, job_id, instance)
    q.delete(delete_jobs=True)


def test_job_leaves_no_laid_out_document_waiting_for_the_collector(
    fresh, tmp_path, monkeypatch
) -> None:
    """A python-docx document is a reference cycle holding lxml trees whose memory the collector
    cannot see: the job collects each one as soon as it is written, not at some later full
    collection (dozens of them were 60-70 MB of the bulk export's peak)."""
    import gc
    import weakref

    import exports.signoff

    made: list[weakref.ref] = []
    real = exports.signoff.Document

    def tracked(*args, **kwargs):
        doc = real(*args, **kwargs)
        made.append(weakref.ref(doc))
        return doc

    monkeypatch.setattr(exports.signoff, "Document", tracked)
    factory = lambda: Session(fresh.engine, expire_on_commit=False)  # noqa: E731
    job_id = _job(fresh)
    was_enabled = gc.isenabled()
    gc.disable()  # only what the job collects itself
    try:
        jobs.run_job(factory, job_id, instance_path=tmp_path / "instance", centre="X")
        alive = [ref for ref in made if ref() is not None]
    finally:
        if was_enabled:
            gc.enable()
    _finished(fresh, job_id, tmp_path / "instance")
    assert len(made) == 1 and alive == []
    # laid out without the job's collection, the same document outlives its function
    view = make_view()
    gc.disable()
    try:
        exports.signoff.build_signoff_docx(view)
        assert made[-1]() is not None
    finally:
        if was_enabled:
            gc.enable()
    gc.collect()
    assert made[-1]() is None


def test_a_job_runs_with_the_roles_its_owner_holds_when_it_runs(fresh, tmp_path) -> None:
    """Queued by an assessor who has lost the role before it ran: the records of the learners
    they assessed are not written, and the job says why in words."""
    job_id = _job(fresh)
    with Session(fresh.engine) as s:
        person = s.get(Person, fresh.assessor.id)
        person.roles = "learner"
        s.add(person)
        s.commit()
    instance = tmp_path / "instance"
    factory = lambda: Session(fresh.engine, expire_on_commit=False)  # noqa: E731
    jobs.run_job(factory, job_id, instance_path=instance, centre="X")
    with Session(fresh.engine) as s:
        job = s.get(ExportJob, job_id)
    assert job.status == "failed" and job.error.startswith("The person who asked for this export")
    assert not (instance / job.result_path).exists()
    with Session(fresh.engine) as s:  # the role given back: the same job runs as before
        person = s.get(Person, fresh.assessor.id)
        person.roles = "assessor"
        s.add(person)
        jobs.retry_job(s, actor=actor_of(person), job_id=job_id)
        s.commit()
    jobs.run_job(factory, job_id, instance_path=instance, centre="X")
    _finished(fresh, job_id, instance)
