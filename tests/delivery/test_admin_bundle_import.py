"""The administrator's page to import a portfolio bundle: the CLI's import, with its report in
words; bad input is refused with a clear message and writes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from delivery.web import learning
from exports.bundle import MANIFEST
from mappings.assessment.models import Decision
from portfolio.models import Evidence, Framework, Person
from portfolio.services.keys import public_pem
from tests.exports.test_bundle import KEY, OLD_BUNDLE, _flip, _rewrite, signed

URL = "/admin/bundles/import"


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _post(client, data: bytes, name: str = "bundle.zip", trust: bool = False):
    form = {"file": (io.BytesIO(data), name)}
    if trust:
        form["trust"] = "y"
    return client.post(URL, data=form, content_type="multipart/form-data")


def test_an_administrator_imports_a_bundle_and_reads_its_report_in_words(
    client, auth, session: Session
) -> None:
    auth.login("admin")
    page = client.get(URL)
    assert page.status_code == 200
    assert "Import a portfolio bundle" in page.get_data(as_text=True)
    response = _post(client, OLD_BUNDLE.read_bytes())
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "Imported the portfolio of learner1-c68e4b@test.example, a new learner" in text
    assert "The bundle is not signed" in text
    assert "Registered the learner on SE v1" in text and "4 Oct 2026" in text
    assert "sha256:" not in text
    assert _count(session, Evidence) == 2


def test_a_trusted_centres_key_configured_here_verifies_the_bundle(
    app, client, auth, session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "centres"
    folder.mkdir()
    (folder / "Northfield.pem").write_text(public_pem(KEY.public_key()))
    app.config["TRUSTED_CENTRES"] = str(folder)
    auth.login("admin")
    page = client.get(URL).get_data(as_text=True)
    assert "Northfield" in page
    response = _post(client, signed(OLD_BUNDLE.read_bytes()), trust=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "Its signature was verified with the key of Northfield" in text
    assert "sha256:" not in text


def test_bad_input_is_refused_clearly_and_writes_nothing(client, auth, session: Session) -> None:
    auth.login("admin")
    people = _count(session, Person)
    for data, name, said in (
        (b"", "", "Choose a .zip file"),
        (b"not a zip at all", "notes.txt", "is not a .zip file"),
        (
            _rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, _flip),
            "bundle.zip",
            "Bundle refused",
        ),
    ):
        response = _post(client, data, name)
        text = response.get_data(as_text=True)
        assert response.status_code in (400, 422), (name, response.status_code)
        assert said in text, text
        assert "/tmp" not in text
        assert _count(session, Person) == people and _count(session, Evidence) == 0
    # already imported: refused, nothing more written
    assert _post(client, OLD_BUNDLE.read_bytes()).status_code == 200
    again = _post(client, OLD_BUNDLE.read_bytes())
    assert again.status_code == 409
    assert "already imported" in again.get_data(as_text=True)
    assert _count(session, Evidence) == 2


def test_json_nested_too_deeply_in_a_bundle_is_said_in_words(
    client, auth, session: Session
) -> None:
    """A signature.json nested thousands deep made Python's JSON reader raise RecursionError (a
    server error): it is a damaged signature, the bundle imported unverified, as any other damaged
    one. A manifest.json so nested is refused in words, not in Python's, and nothing is written."""
    from exports.bundle.signing import SIGNATURE

    auth.login("admin")
    deep = b"[" * 100_000 + b"]" * 100_000
    manifest = _post(client, _rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, lambda _: deep))
    text = manifest.get_data(as_text=True)
    assert manifest.status_code == 422, text
    assert "manifest.json is damaged (its arrays and objects are nested too deeply)" in text
    assert "recursion" not in text and _count(session, Evidence) == 0
    signature = _post(client, _with(signed(OLD_BUNDLE.read_bytes()), SIGNATURE, deep), trust=True)
    text = signature.get_data(as_text=True)
    assert signature.status_code == 200, text
    assert "Its signature was not verified" in text
    assert _count(session, Evidence) == 2


def _with(data: bytes, name: str, body: bytes) -> bytes:
    """The zip ``data`` with its member ``name`` holding ``body`` instead."""
    return _rewrite(data, name, lambda _: body)


@pytest.mark.parametrize("trust", [True, False])
def test_a_trusted_import_queues_relearning_once_after_its_commit_an_untrusted_one_none(
    app, client, auth, session: Session, tmp_path: Path, monkeypatch, trust: bool
) -> None:
    """Decisions a trusted bundle recreates teach the engine as a decision made here does: once the
    request has committed, their framework is queued to work out again the suggestions of
    evidence awaiting a decision (once, however many decisions); an untrusted bundle's decisions
    are only the sending centre's record, and nothing is queued."""
    queued: list[tuple[list[int], int]] = []

    def start(framework_ids: list[int]) -> None:
        queued.append((framework_ids, _count(session, Decision)))

    monkeypatch.setattr(learning, "start", start)
    folder = tmp_path / "centres"
    folder.mkdir()
    (folder / "Northfield.pem").write_text(public_pem(KEY.public_key()))
    app.config["TRUSTED_CENTRES"] = str(folder)
    auth.login("admin")
    response = _post(client, signed(OLD_BUNDLE.read_bytes()), trust=trust)
    assert response.status_code == 200, response.get_data(as_text=True)
    decisions = _count(session, Decision)
    if not trust:
        assert queued == [] and decisions == 0
        return
    se = session.exec(select(Framework.id).where(Framework.code == "SE")).one()
    assert decisions > 1 and queued == [([se], decisions)]
