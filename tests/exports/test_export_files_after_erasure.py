"""Erasing a person on request must not leave their name in files the application keeps for
download (a cohort's "Export every sign-off record" zip in the instance folder)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from delivery.wiring import configure
from exports import jobs
from exports.models import ExportJob
from mappings.privacy import erasure
from mappings.privacy.requests import erase_person
from portfolio.models import AuditEntry
from portfolio.services import registrations
from portfolio.services.actors import SYSTEM
from portfolio.services.files import FileStore
from tests.conftest import _session_on, actor_of
from tests.exports.export_case import build_case


@pytest.fixture(autouse=True)
def configured(tmp_path, monkeypatch):
    """The hooks as the app registers them for this instance folder (put back afterwards)."""
    monkeypatch.setattr(erasure, "_FORGET_HOOKS", dict(erasure._FORGET_HOOKS))
    configure({"INSTANCE_PATH": str(tmp_path)})


@pytest.fixture
def store(tmp_path, monkeypatch):
    root = tmp_path / "files"
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(root))
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    return FileStore(root)


def _text_of(path: Path) -> bytes:
    found = b""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            with zipfile.ZipFile(io.BytesIO(zf.read(name))) as docx:
                found += docx.read("word/document.xml")
    return found


def test_a_cohort_export_zip_keeps_an_erased_learners_name(
    session, store, tmp_path, make_person, make_registration, make_evidence
) -> None:
    case = build_case(session, store, make_person, make_registration, make_evidence)
    admin = make_person("admin")
    cohort = registrations.create_cohort(session, actor=SYSTEM, name=f"C {uuid.uuid4().hex[:6]}")
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    job = jobs.create_cohort_job(session, actor=actor_of(admin), cohort_id=cohort.id)
    session.commit()
    connection = session.connection()
    jobs.run_job(lambda: _session_on(connection), job.id, instance_path=tmp_path, centre="C")
    session.expire_all()
    done = session.get(ExportJob, job.id)
    assert done.status == "done", done.error
    path = tmp_path / done.result_path
    name = case.learner.name.encode()
    assert name in _text_of(path)

    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    assert not path.exists() or name not in _text_of(path), "the zip still names the learner"
    session.expire_all()
    assert session.get(ExportJob, job.id).status == "deleted"
    assert (
        session.exec(select(AuditEntry).where(AuditEntry.action == "export.delete"))
        .one()
        .subject_id
        == job.id
    )
