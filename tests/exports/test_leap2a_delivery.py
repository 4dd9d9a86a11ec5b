"""Leap2A from the command line and the web: export to a file or standard output, import as the
learner, the download and upload pages, and a refused upload that writes nothing."""

from __future__ import annotations

import gc
import io
import warnings
import zipfile
from pathlib import Path

from sqlmodel import func, select

from exports.leap2a import FEED
from portfolio.models import Evidence
from portfolio.services.files import FileStore
from tests.exports.export_case import build_case

MAHARA = Path(__file__).parents[1] / "data/shared/external/leap2a/leap2a.xml"


def _count(session, learner_id) -> int:
    return session.exec(
        select(func.count()).select_from(Evidence).where(Evidence.learner_id == learner_id)
    ).one()


def test_cli_export_and_import(
    cli, session, tmp_path, monkeypatch, make_person, make_registration, make_evidence
) -> None:
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(tmp_path / "files"))
    case = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    out = tmp_path / "portfolio.zip"
    r = cli("export", "leap2a", "--learner", case.learner.email, "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "2 evidence items, 1 file, " in r.output
    with zipfile.ZipFile(out) as zf:
        assert FEED in zf.namelist()
    r = cli("export", "leap2a", "--learner", case.learner.email, "-o", "-")
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"PK\x03\x04")
    r = cli("export", "leap2a", "--learner", "nobody@example.org", "-o", "-")
    assert r.exit_code == 1 and "No learner" in r.output

    other = make_person("learner")
    r = cli("import", "leap2a", str(out), "--learner", other.email)
    assert r.exit_code == 0, r.output
    assert "Imported 2 draft evidence items with 1 file." in r.output
    assert _count(session, other.id) == 2
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<feed")
    r = cli("import", "leap2a", str(bad), "--learner", other.email)
    assert r.exit_code == 1 and "not well-formed XML" in r.output
    assert _count(session, other.id) == 2


def test_web_download_and_upload(
    client, auth, session, app, make_person, make_registration, make_evidence
) -> None:
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    auth.login(case.learner)
    listing = client.get("/evidence").get_data(as_text=True)
    assert f"/learners/{case.learner.id}/leap2a.zip" in listing and "/evidence/import" in listing
    assert "leap2a.zip" in client.get(f"/learners/{case.learner.id}/downloads").get_data(
        as_text=True
    )
    r = client.get(f"/learners/{case.learner.id}/leap2a.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    exported = r.data
    auth.logout()
    auth.login(case.assessor)
    assert client.get(f"/learners/{case.learner.id}/leap2a.zip").status_code == 404
    auth.logout()
    auth.login(make_person("admin"))
    assert client.get(f"/learners/{case.learner.id}/leap2a.zip").status_code == 200
    auth.logout()

    learner = auth.login(make_person("learner"))
    page = client.get("/evidence/import")
    assert page.status_code == 200 and "Leap2A" in page.get_data(as_text=True)
    r = client.post(
        "/evidence/import",
        data={"file": (io.BytesIO(MAHARA.read_bytes()), "leap2a.xml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Imported 2 draft evidence items" in text
    assert "dummy document3.odt" in text and "Journal entry Alice 1" in text
    r = client.post(
        "/evidence/import",
        data={"file": (io.BytesIO(b"<html/>"), "page.xml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "not an Atom feed" in r.get_data(as_text=True)
    r = client.post(
        "/evidence/import",
        data={"file": (io.BytesIO(exported), "leap2a.zip")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert _count(session, learner.id) == 4


def test_a_refused_download_closes_the_file_it_was_to_be_written_to(
    client, auth, session, app, make_person, make_registration, make_evidence
) -> None:
    """The Leap2A, bundle and subject-access downloads write to a temporary file, then send
    it; when writing is refused (not the learner's assessor, no such person) the file is closed
    at once, not left for Python to report as open."""
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        auth.login(make_person("assessor"))
        for url in (
            f"/learners/{case.learner.id}/leap2a.zip",
            f"/learners/{case.learner.id}/bundle.zip",
        ):
            assert client.get(url).status_code == 404
        auth.logout()
        auth.login(make_person("admin"))
        assert client.post("/admin/people/999999/subject-access").status_code == 404
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
