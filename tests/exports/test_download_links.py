"""Download buttons appear where they apply: progress, signed standard, cohort pages."""

from __future__ import annotations

from portfolio.models import Cohort
from portfolio.services.files import FileStore
from tests.exports.export_case import build_case


def test_pages_link_to_their_downloads(
    app, client, auth, session, make_person, make_registration, make_evidence
) -> None:
    case = build_case(
        session, FileStore(app.config["FILE_STORE"]), make_person, make_registration, make_evidence
    )
    cohort = Cohort(name="Links cohort")
    session.add(cohort)
    session.flush()
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    auth.login(case.assessor)
    progress = client.get(f"/learners/{case.learner.id}/progress").get_data(as_text=True)
    assert f'href="/learners/{case.learner.id}/downloads"' in progress
    standard = client.get(f"/learners/{case.learner.id}/standards/SE03").get_data(as_text=True)
    assert f'href="/signoffs/{case.signoff.id}/record.docx"' in standard
    record = client.get(f"/signoffs/{case.signoff.id}/record.docx")
    assert record.status_code == 200 and record.data[:2] == b"PK"
    cohort_page = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    assert f'href="/cohorts/{cohort.id}/downloads"' in cohort_page
