"""The file store keeps no orphans and says plainly when it cannot be written.

- A file stored for a transaction that fails (an upload, a bundle import) is deleted again;
  content the store held before is kept.
- ``portfolio files check`` lists files no row references, ``--delete`` removes them.
- A full or unwritable store answers 503 in plain words, with what was typed shown back, and
  ``/readyz`` reports that writes to the store fail.
"""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from exports.bundle import import_bundle, restore, write_bundle
from portfolio.errors import Invalid
from portfolio.models import Attachment
from portfolio.services import files
from portfolio.services.actors import Actor
from portfolio.services.evidence import attachments
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from portfolio.words import size_words
from tests.conftest import migrated_database
from tests.exports.export_case import build_case


def _stored(root: str | Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def _upload(client: Any, evidence_id: int, data: bytes) -> Any:
    return client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(data), "notes.txt")},
        content_type="multipart/form-data",
    )


def _refuse_after_storing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise Invalid("Refused after the file was stored.")

    monkeypatch.setattr(attachments, "rehash", refuse)


def test_a_failed_upload_leaves_no_file(app, client, auth, make_evidence, monkeypatch) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    _refuse_after_storing(monkeypatch)
    response = _upload(client, item.id, b"Notes that will not be kept.\n")
    assert response.status_code == 422
    assert _stored(app.config["FILE_STORE"]) == []


def test_a_failed_upload_keeps_content_stored_before(
    app, client, auth, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    first, second = make_evidence(learner, submit=False), make_evidence(learner, submit=False)
    assert _upload(client, first.id, b"Shared notes.\n").status_code == 302
    kept = _stored(app.config["FILE_STORE"])
    assert len(kept) == 1
    _refuse_after_storing(monkeypatch)
    assert _upload(client, second.id, b"Shared notes.\n").status_code == 422
    assert _stored(app.config["FILE_STORE"]) == kept


def test_a_failed_bundle_import_leaves_no_file(
    backend, session, tmp_path, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    path = tmp_path / "bundle.zip"
    with path.open("wb") as out:
        write_bundle(session, store, case.learner.id, out, centre="Northfield")

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise Invalid("Refused after the files were stored.")

    monkeypatch.setattr(restore._Restorer, "_claim", refuse)
    store2 = FileStore(tmp_path / "files2")
    with migrated_database(backend, tmp_path, sample=True) as engine, Session(engine) as s2:
        with pytest.raises(Invalid):
            import_bundle(s2, store2, path, SYSTEM)
        s2.rollback()
    assert _stored(store2.root) == []


def test_files_check_lists_and_deletes_files_no_row_references(
    cli, session, tmp_path, make_person, make_evidence, monkeypatch
) -> None:
    root = tmp_path / "store"
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(root))
    store = FileStore(root)
    learner = make_person("learner")
    item = make_evidence(learner, submit=False)
    from tests.conftest import actor_of

    attachments.attach(
        session,
        actor=actor_of(learner),
        store=store,
        evidence_id=item.id,
        filename="kept.txt",
        stream=io.BytesIO(b"Referenced.\n"),
        max_bytes=10_000,
    )
    session.commit()
    orphan = store.put(io.BytesIO(b"Nobody refers to me.\n"), max_bytes=10_000)
    referenced = session.exec(select(Attachment.sha256)).one()

    listed = cli("files", "check", "--older-than", "0")
    assert listed.exit_code == 1  # orphans found
    assert orphan.sha256 in listed.output and referenced not in listed.output
    assert store.path(orphan.sha256).exists()

    deleted = cli("files", "check", "--older-than", "0", "--delete")
    assert deleted.exit_code == 0 and "Deleted 1 file" in deleted.output
    assert _stored(root) == [store.path(referenced)]
    assert cli("files", "check", "--older-than", "0").exit_code == 0


def _disk_full(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_store_answers_503_in_plain_words(
    app, client, auth, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    monkeypatch.setattr(files.tempfile, "mkstemp", _disk_full)
    response = _upload(client, item.id, b"Notes.\n")
    assert response.status_code == 503
    assert "file storage is full or cannot be written" in response.get_data(as_text=True)
    assert _stored(app.config["FILE_STORE"]) == []


def test_a_full_database_disk_answers_503_with_the_text_shown_back(
    client, auth, monkeypatch
) -> None:
    from portfolio.services import evidence

    learner = auth.login("learner")

    def full(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(evidence, "create", full)
    response = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={"title": "My day", "activity_date": "2026-01-05", "body": "What I did today."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "storage is full or cannot be written" in page and "What I did today." in page


def test_readyz_reports_that_writes_to_the_store_fail(client, monkeypatch) -> None:
    assert client.get("/readyz").get_json()["files"] is True
    monkeypatch.setattr(files.tempfile, "mkstemp", _disk_full)
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["files"] is False and "No space left" in body["files_error"]


def test_a_file_too_large_for_the_store_is_refused_by_its_name(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with pytest.raises(files.TooLarge) as refused:
        store.put(io.BytesIO(b"x" * (2 * 1024 * 1024)), max_bytes=1024 * 1024, name="scan.pdf")
    assert str(refused.value) == "scan.pdf is larger than 1 MB."
    with pytest.raises(files.TooLarge) as unnamed:
        store.put(io.BytesIO(b"x" * 2048), max_bytes=1024)
    assert str(unnamed.value) == "The file is larger than 1 KB."  # never "0 MB"
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_an_attachment_too_large_is_refused_by_its_cleaned_name(
    session, make_evidence, make_person
):
    learner = make_person("learner")
    item = make_evidence(learner, submit=False)
    with pytest.raises(files.TooLarge) as refused:
        attachments.attach(
            session,
            actor=Actor.of(learner),
            store=FileStore("/nonexistent-never-written"),
            evidence_id=item.id,
            filename="C:\\fakepath\\week\u202e3 notes.txt",
            stream=io.BytesIO(b"x" * (1024 * 1024 + 1)),
            max_bytes=1024 * 1024,
        )
    assert str(refused.value) == "week 3 notes.txt is larger than 1 MB."  # as it is shown


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (10 * 1024 * 1024, "10 MB"),
        (1536 * 1024, "1.5 MB"),
        (2048, "2 KB"),
        (1000, "1000 bytes"),
        (1, "1 byte"),
    ],
)
def test_a_size_limit_is_said_in_its_own_unit(size: int, words: str) -> None:
    assert size_words(size) == words


@pytest.mark.parametrize(
    ("count", "noun", "many", "words"),
    [
        (1, "file", None, "1 file"),
        (0, "file", None, "0 files"),
        (2, "evidence item", None, "2 evidence items"),
        (1, "person", "people", "1 person"),
        (3, "person", "people", "3 people"),
    ],
)
def test_a_count_says_its_noun_for_one_or_many(count, noun, many, words) -> None:
    from portfolio.words import count_words

    assert count_words(count, noun, many) == words
