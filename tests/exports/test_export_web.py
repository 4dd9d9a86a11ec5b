"""Download pages and buttons: who may fetch which export, and the bulk export job pages."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from exports import jobs, reports
from mappings.privacy.requests import erase_person
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD, actor_of
from tests.exports.export_case import (
    build_case,
    docx_text,
    records_in,
    signed_off_at_the_edge_of_a_day,
    signed_on,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def case(app, session, make_person, make_registration, make_evidence):
    app.config["EXPORTS_INLINE"] = True
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Web cohort", site="North")
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    case.cohort_id = cohort.id  # type: ignore[attr-defined]
    return case


def _as(auth, client, who):
    auth.logout()
    auth.login(who)
    return client


def test_learner_downloads_page_and_record(client, auth, case) -> None:
    _as(auth, client, case.learner)
    page = client.get(f"/learners/{case.learner.id}/downloads").get_data(as_text=True)
    assert case.signoff.document_id in page
    assert f"/signoffs/{case.signoff.id}/record.docx" in page
    assert f"/learners/{case.learner.id}/bundle.zip" in page
    r = client.get(f"/signoffs/{case.signoff.id}/record.docx")
    assert r.status_code == 200 and r.mimetype == DOCX
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert case.signoff.document_id in text


def test_signoff_record_access(client, auth, case, make_person) -> None:
    url = f"/signoffs/{case.signoff.id}/record.docx"
    for who, status in (
        (case.learner, 200),
        (case.assessor, 200),
        (case.iqa, 200),
        (make_person("learner"), 404),
        (make_person("assessor"), 404),
        (make_person("iqa"), 404),
    ):
        assert _as(auth, client, who).get(url).status_code == status, who.roles
    assert client.get("/signoffs/999999/record.docx").status_code == 404
    auth.logout()
    assert client.get(url).status_code == 302  # log in first


def test_bundle_download_access(client, auth, case, make_person) -> None:
    url = f"/learners/{case.learner.id}/bundle.zip"
    for who, status in (
        (case.learner, 200),
        (case.assessor, 200),
        (case.iqa, 404),
        (make_person("learner"), 404),
        (make_person("admin"), 404),
    ):
        r = _as(auth, client, who).get(url)
        assert r.status_code == status, who.roles
        if status == 200:
            with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
                assert "manifest.json" in zf.namelist() and "index.html" in zf.namelist()
    # the IQA's downloads page offers the record but not the bundle
    page = _as(auth, client, case.iqa).get(f"/learners/{case.learner.id}/downloads")
    assert page.status_code == 200 and "bundle.zip" not in page.get_data(as_text=True)


def test_cohort_reports_access_and_content(client, auth, case, make_person, session) -> None:
    cid = case.cohort_id
    for who, status in (
        (make_person("admin"), 200),
        (case.assessor, 200),
        (case.iqa, 200),
        (make_person("assessor"), 404),
        (case.learner, 403),
    ):
        c = _as(auth, client, who)
        assert c.get(f"/cohorts/{cid}/downloads").status_code == status, who.roles
        assert c.get(f"/cohorts/{cid}/coverage.csv").status_code == status, who.roles
    _as(auth, client, make_person("admin"))
    r = client.get(f"/cohorts/{cid}/coverage.csv")
    assert r.is_streamed and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=coverage-cohort-")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    whole = reports.render(reports.cohort_coverage(session, actor=SYSTEM, cohort_id=cid), "csv")
    assert r.data == whole  # sent as written, a page of registrations at a time: the same bytes
    csv_text = r.data.decode("utf-8-sig")
    assert case.learner.email in csv_text and "SE03" in csv_text
    book = load_workbook(io.BytesIO(client.get(f"/cohorts/{cid}/coverage.xlsx").data))
    assert book.active.max_row == 3  # header, SE01, SE03
    assert client.get(f"/cohorts/{cid}/coverage.pdf").status_code == 404
    assert client.get("/exports/register.csv").status_code == 200  # the last 30 days
    day = signed_on(case).isoformat()
    r = client.get(f"/exports/register.csv?from={day}&to={day}")
    assert r.status_code == 200 and case.signoff.document_id in r.data.decode("utf-8-sig")
    assert client.get("/exports/register.xlsx?from=2020-01-01&to=2020-01-31").status_code == 200
    assert client.get("/exports/register.csv?from=yesterday&to=").status_code == 422


def test_bulk_export_runs_and_shows_progress(app, client, auth, case, session, make_person):
    admin = _as(auth, client, make_person("admin"))
    page = admin.get(f"/cohorts/{case.cohort_id}/downloads").get_data(as_text=True)
    assert "1 signed-off standard" in page
    r = admin.post(f"/cohorts/{case.cohort_id}/signoff-records")
    assert r.status_code == 302
    job_url = r.headers["Location"]
    page = admin.get(job_url).get_data(as_text=True)
    assert "Done" in page and 'value="1"' in page and "<progress" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    download = admin.get(job_url + "/download")
    with zipfile.ZipFile(io.BytesIO(download.data)) as zf:
        [name] = zf.namelist()
    assert name.startswith("SE03/") and case.signoff.document_id in name
    # a queued job's page shows where it stands and is checked again on request: it does not
    # reload itself every few seconds (a screen reader's place lost, WCAG 2.2.1; axe's
    # meta-refresh); where script runs, job-status.js updates its status region in place
    queued = jobs.create_cohort_job(
        session, actor=actor_of(case.assessor), cohort_id=case.cohort_id
    )
    session.commit()
    page = _as(auth, client, case.assessor).get(f"/exports/jobs/{queued.id}")
    html = page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "Refresh" not in page.headers
    assert f'<a class="button secondary" href="/exports/jobs/{queued.id}">Check again</a>' in html
    region = html[html.index('<div id="job-status"') :]
    assert region.startswith(
        f'<div id="job-status" role="status" data-poll="/exports/jobs/{queued.id}"'
    )
    assert region.index('value="0"') < region.index("</div>") and "0 of 1" in region
    assert '<script src="/static/job-status.js" defer></script>' in html
    # someone else's job is not found
    assert _as(auth, client, make_person("assessor")).get(job_url).status_code == 404


def test_a_finished_export_is_not_downloaded_once_its_learners_are_not_yours(
    client, auth, case, session, make_person, make_registration
) -> None:
    """A zip of sign-off records holds the learners the assessor had when it was made: moved to
    another assessor (or the role gone), they are no longer theirs to download, as their pages
    are no longer theirs to open; the job is then not found. Another learner of the cohort kept
    does not make the others' records theirs again."""
    assessor = _as(auth, client, case.assessor)
    job_url = assessor.post(f"/cohorts/{case.cohort_id}/signoff-records").headers["Location"]
    assert assessor.get(job_url + "/download").status_code == 200
    kept = make_registration(assessor=case.assessor)
    kept.cohort_id = case.cohort_id
    session.add(kept)
    case.registration.assessor_id = make_person("assessor").id
    session.add(case.registration)
    session.commit()
    assert assessor.get(job_url + "/download").status_code == 404
    assert assessor.get(job_url).status_code == 404
    admin = _as(auth, client, make_person("admin"))
    assert admin.get(job_url + "/download").status_code == 200  # an administrator reaches all


def test_failed_bulk_export_can_be_retried_without_duplicates(
    app, client, auth, case, monkeypatch, make_person
) -> None:
    admin = _as(auth, client, make_person("admin"))

    def broken(view):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "lay_out", broken)
    job_url = admin.post(f"/cohorts/{case.cohort_id}/signoff-records").headers["Location"]
    page = admin.get(job_url).get_data(as_text=True)
    assert "Failed" in page and "disk on fire" in page and "Try again" in page
    assert admin.get(job_url + "/download").status_code == 404
    out = Path(app.instance_path) / "exports"
    assert not out.exists() or list(out.iterdir()) == []
    monkeypatch.undo()
    r = admin.post(job_url + "/retry")
    assert r.status_code == 302
    page = admin.get(job_url).get_data(as_text=True)
    assert "Done" in page and "attempt 2" in page
    job_id = int(job_url.rsplit("/", 1)[1])
    assert sorted(p.name for p in out.iterdir()) == [f"job-{job_id}.zip"]
    assert admin.post(job_url + "/retry").status_code == 422  # only failed jobs are retried


def test_bulk_export_refuses_a_post_without_csrf_token(
    engine, connection, tmp_path, make_person, case
):
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    client = app.test_client()
    admin = make_person("admin")
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/cohorts/{case.cohort_id}/signoff-records").status_code == 400
    job = jobs.create_cohort_job(
        app.extensions["portfolio"].session_factory(),
        actor=actor_of(admin),
        cohort_id=case.cohort_id,
    )
    assert client.post(f"/exports/jobs/{job.id}/retry").status_code == 400


def test_an_export_deleted_by_an_erasure_says_so(app, client, auth, case, session, make_person):
    admin = _as(auth, client, make_person("admin"))
    job_url = admin.post(f"/cohorts/{case.cohort_id}/signoff-records").headers["Location"]
    assert admin.get(job_url + "/download").status_code == 200
    job_id = int(job_url.rsplit("/", 1)[1])
    assert (Path(app.instance_path) / jobs.result_name(job_id)).exists()
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=None)
    session.commit()
    assert not (Path(app.instance_path) / jobs.result_name(job_id)).exists()
    page = admin.get(job_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Deleted" in html and "The file of this export was deleted" in html
    assert "Download the records" not in html
    assert admin.get(job_url + "/download").status_code == 404
    listed = admin.get(f"/cohorts/{case.cohort_id}/downloads").get_data(as_text=True)
    assert "Deleted" in listed


def test_an_export_queued_long_without_starting_may_be_queued_again(
    app, client, auth, case, session
) -> None:
    """The hand-off to the workers failed after the commit (the queue did not answer): the job
    stayed queued for good. After five minutes its page says so and offers to queue it again."""
    from datetime import timedelta

    queued = jobs.create_cohort_job(
        session, actor=actor_of(case.assessor), cohort_id=case.cohort_id
    )
    session.commit()
    me = _as(auth, client, case.assessor)
    url = f"/exports/jobs/{queued.id}"
    assert "Try again" not in me.get(url).get_data(as_text=True)  # just queued: it waits
    assert me.post(url + "/retry").status_code == 422
    queued.created_at = queued.created_at - timedelta(minutes=6)
    session.add(queued)
    session.commit()
    page = me.get(url)
    html = page.get_data(as_text=True)
    assert "queued more than 5 minutes ago and has not started" in html and "Try again" in html
    assert "Refresh" not in page.headers and 'http-equiv="refresh"' not in html
    response = me.post(url + "/retry")
    assert response.status_code == 302
    session.refresh(queued)
    assert queued.status == "done" and queued.queued_at is not None  # run by the thread
    assert queued.attempts == 1  # never started before: this is its first run


def test_the_cohorts_records_and_the_bundle_judge_on_the_day_of_the_centres_time_zone(
    app, client, auth, case, session, make_person
) -> None:
    """A centre in New York (TIME_ZONE): its standard signed off at 19:30 on 6 Jun there
    (23:30 UTC) on evidence of 7 Jun. Its record, downloaded alone, lists the evidence as dated
    after sign-off; so do the same record in the cohort's zip and in the learner's bundle, which
    read the day of sign-off in the centre's zone too, not in London's (where it was 7 Jun and
    the evidence counted); and so does the bundle in the subject-access archive."""
    app.config["TIME_ZONE"] = "America/New_York"
    signed_off_at_the_edge_of_a_day(session, case)
    late = "the activity is dated after sign-off."
    me = _as(auth, client, case.assessor)
    alone = docx_text(me.get(f"/signoffs/{case.signoff.id}/record.docx").data)
    assert late in alone
    job_url = me.post(f"/cohorts/{case.cohort_id}/signoff-records").headers["Location"]
    [record] = records_in(me.get(job_url + "/download").data, "SE03/")
    assert late in record
    [record] = records_in(me.get(f"/learners/{case.learner.id}/bundle.zip").data, "signoffs/")
    assert late in record
    admin = _as(auth, client, make_person("admin"))
    archive = admin.post(f"/admin/people/{case.learner.id}/subject-access").data
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        [record] = records_in(zf.read("portfolio-bundle.zip"), "signoffs/")
    assert late in record
    # in London, the default, 23:30 UTC on 6 Jun was 7 Jun: the evidence counts everywhere
    app.config["TIME_ZONE"] = "Europe/London"
    job_url = admin.post(f"/cohorts/{case.cohort_id}/signoff-records").headers["Location"]
    [record] = records_in(admin.get(job_url + "/download").data, "SE03/")
    assert late not in record
