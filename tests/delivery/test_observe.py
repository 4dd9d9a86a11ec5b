"""What an operator watches: liveness and readiness, request ids, JSON request logs, Prometheus
metrics, and the administrators' page of failed background work."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from pythonjsonlogger.json import JsonFormatter
from sqlmodel import select

from delivery.web.observe import LOG_FIELDS
from exports import failures
from exports.jobs import QUEUE as EXPORTS
from exports.models import ExportJob
from portfolio.errors import PermissionDenied
from portfolio.models import Attachment, EvidenceVersion
from portfolio.models.evidence import AttachmentReading
from tests.conftest import actor_of, run_queued_jobs

REDIS = "redis://127.0.0.1:6379/11"


def test_healthz_is_liveness_and_readyz_checks_the_database(app, client, monkeypatch) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200

    def broken(*_args, **_kwargs):
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(app.extensions["portfolio"].engine, "connect", broken)
    assert client.get("/healthz").status_code == 200  # the process still answers
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["database"] is False


def test_readyz_checks_the_configured_redis(app, client) -> None:
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    body = client.get("/readyz")
    assert body.status_code == 503
    assert body.get_json()["redis"] is False and "Error" in body.get_json()["redis_error"]
    app.config["REDIS_URL"] = REDIS
    body = client.get("/readyz")
    assert body.status_code == 200 and body.get_json()["redis"] is True


def test_every_request_has_an_id_and_one_json_log_line(client, auth, caplog) -> None:
    person = auth.login("assessor")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portfolio.requests"):
        given = client.get("/marking", headers={"X-Request-ID": "proxy-id-123"})
        made = client.get("/marking", headers={"X-Request-ID": "not a token; <b>"})
    assert given.headers["X-Request-ID"] == "proxy-id-123"
    assert made.headers["X-Request-ID"] != "not a token; <b>"
    assert len(made.headers["X-Request-ID"]) == 32
    records = [r for r in caplog.records if r.name == "portfolio.requests"]
    assert [r.request_id for r in records] == ["proxy-id-123", made.headers["X-Request-ID"]]
    line = json.loads(JsonFormatter(LOG_FIELDS).format(records[0]))
    assert line["person"] == person.id and line["route"] == "marking.index"
    assert line["method"] == "GET" and line["status"] == 200 and line["ms"] >= 0
    assert line["request_id"] == "proxy-id-123"


def test_metrics_count_requests_by_route_and_jobs_by_queue(app, client, session, auth) -> None:
    admin = auth.login("admin")
    client.get("/admin/people")
    session.add(ExportJob(kind="cohort_signoffs", status="failed", created_by=admin.id))
    session.add(ExportJob(kind="cohort_signoffs", status="queued", created_by=admin.id))
    session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert "portfolio_http_request_duration_seconds_count{" in text
    assert 'route="admin.people"' in text
    assert f'portfolio_jobs_failed{{queue="{EXPORTS}"}} 1.0' in text
    assert f'portfolio_jobs_waiting{{queue="{EXPORTS}"}} 1.0' in text
    app.config["METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert allowed.status_code == 200


@pytest.fixture
def failed_reading(session, make_person, make_evidence):
    learner = make_person("learner")
    item = make_evidence(learner, submit=False)
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id)
    ).first()
    attachment = Attachment(
        version_id=version.id, sha256="0" * 64, filename="notes.pdf", mime="application/pdf",
        size=10,
    )  # fmt: skip
    session.add(attachment)
    session.flush()
    session.add(
        AttachmentReading(
            attachment_id=attachment.id, status="failed", error="Traceback\nPdfReadError: EOF"
        )
    )
    session.commit()
    return attachment


def test_admin_sees_failed_work_and_reads_an_attachment_again(
    client, session, auth, failed_reading, monkeypatch
) -> None:
    started: list[list[int]] = []
    monkeypatch.setattr("delivery.web.jobs.start", started.append)
    auth.login("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "notes.pdf" in page and "PdfReadError: EOF" in page and "Traceback" not in page
    response = client.post(f"/admin/jobs/readings/{failed_reading.id}/again")
    assert response.status_code == 302
    assert started == [[failed_reading.id]]
    row = session.exec(
        select(AttachmentReading).where(AttachmentReading.attachment_id == failed_reading.id)
    ).one()
    session.refresh(row)
    assert row.status == "pending"
    again = client.post(f"/admin/jobs/readings/{failed_reading.id}/again")
    assert again.status_code == 422 and "Only a failed reading" in again.get_data(as_text=True)


def test_a_page_with_nothing_failed_says_so_in_words(client, auth) -> None:
    auth.login("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No export has failed." in page and "Every attachment was read." in page
    assert "None." not in page


def test_only_administrators_see_failures(session, make_person) -> None:
    with pytest.raises(PermissionDenied):
        failures.failures(session, actor=actor_of(make_person("assessor")), redis_url=None)


def _explode() -> None:
    raise RuntimeError("the worker's database went away")


def test_jobs_rq_gave_up_on_are_listed_and_put_back(session, make_person) -> None:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(REDIS)
    queue = Queue(EXPORTS, connection=connection)
    queue.empty()
    queue.failed_job_registry.cleanup()
    job = queue.enqueue(_explode, description=f"test job {uuid.uuid4().hex[:6]}")
    try:
        run_queued_jobs([queue], connection)
        admin = actor_of(make_person("admin"))
        found = failures.failures(session, actor=admin, redis_url=REDIS)
        listed = [j for j in found.rq if j.id == job.id]
        assert listed and listed[0].error == "RuntimeError: the worker's database went away"
        assert listed[0].queue == "Exports"
        failures.requeue_rq(actor=admin, redis_url=REDIS, job_id=job.id)
        assert job.id in queue.job_ids
    finally:
        queue.empty()
        for job_id in queue.failed_job_registry.get_job_ids():
            queue.failed_job_registry.remove(job_id, delete_job=True)
