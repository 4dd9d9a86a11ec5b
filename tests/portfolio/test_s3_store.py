"""Files on S3-compatible storage, against a real S3 server on loopback (moto in server mode,
started here): uploads and downloads through the pages, content stored once under its hash,
large files sent in parts, no file left by a failed upload, orphans found and deleted by
``portfolio files check``, a missing object said in the same words as a missing local file, the
health check, and a backup restored into an empty bucket."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from flask import Flask
from moto.server import ThreadedMotoServer
from sqlalchemy import Connection, Engine
from sqlmodel import select

from delivery.cli.context import Context
from delivery.cli.main import main
from delivery.web.app import create_app
from exports.bundle import write_bundle
from portfolio.errors import Invalid
from portfolio.models import Attachment
from portfolio.services import files
from portfolio.services.evidence import attachments
from portfolio.services.files import FileStore, Missing, Store
from portfolio.services.people import SYSTEM
from portfolio.services.s3store import PART, S3Store, StoreUnreachable
from portfolio.services.stores import open_store
from tests.conftest import _session_on, actor_of, fresh_database, migrated_database
from tests.exports.export_case import build_case

KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 server (moto) on a free loopback port, for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _bucket(endpoint: str) -> str:
    name = f"portfolio-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_settings(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A new, empty bucket; its settings are in the environment too (the CLI and workers)."""
    settings = {
        "FILE_STORE": f"s3://{_bucket(s3_endpoint)}/centre-files",
        "S3_ENDPOINT_URL": s3_endpoint,
        **KEYS,
    }
    for key, value in settings.items():
        monkeypatch.setenv(f"PORTFOLIO_{key}", value)
    return settings


@pytest.fixture
def store(s3_settings: dict[str, str]) -> S3Store:
    found = open_store(s3_settings["FILE_STORE"], s3_settings)
    assert isinstance(found, S3Store)
    return found


@pytest.fixture
def app(
    engine: Engine, connection: Connection, tmp_path: Path, s3_settings: dict[str, str]
) -> Flask:
    """The test application with its files in the bucket."""
    application = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "READINGS_INLINE": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **s3_settings,
        }
    )
    application.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    return application


def _keys(store: S3Store) -> list[str]:
    return [entry.name for entry in store.entries()]


def _upload(client: Any, evidence_id: int, data: bytes, name: str = "notes.txt") -> Any:
    return client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_is_stored_once_under_its_hash_and_downloads_whole(
    app, client, auth, make_evidence, session, store
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    data = b"Supervision notes, week three.\n" * 100
    sha = hashlib.sha256(data).hexdigest()
    assert _upload(client, item.id, data).status_code in (302, 303)
    assert _upload(client, item.id, data, "again.txt").status_code in (302, 303)
    assert _keys(store) == [f"{sha[:2]}/{sha[2:4]}/{sha}"]  # the same content, stored once
    head = store.client.head_object(
        Bucket=store.bucket, Key=f"centre-files/{sha[:2]}/{sha[2:4]}/{sha}"
    )
    assert head["ContentLength"] == len(data)
    assert not (Path(app.instance_path) / "files").exists()  # nothing on the local disk

    rows = session.exec(select(Attachment).where(Attachment.sha256 == sha)).all()
    assert len(rows) == 2
    response = client.get(f"/files/{rows[0].id}")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["ETag"].strip('"') == sha
    # a phone resuming a download asks for a range; an unchanged file is not sent again
    part = client.get(f"/files/{rows[0].id}", headers={"Range": "bytes=31-61"})
    assert part.status_code == 206 and part.get_data() == data[31:62]
    cached = client.get(f"/files/{rows[0].id}", headers={"If-None-Match": f'"{sha}"'})
    assert cached.status_code == 304


def test_a_large_file_goes_up_in_parts_and_comes_back_in_chunks(store) -> None:
    data = os.urandom(PART + 3 * 1024 * 1024)  # over the multipart threshold
    stored = store.put(io.BytesIO(data), max_bytes=len(data))
    assert stored.created and stored.size == len(data)
    key = f"centre-files/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"
    etag = store.client.head_object(Bucket=store.bucket, Key=key)["ETag"]
    assert etag.strip('"').endswith("-2")  # S3 names a multipart upload's ETag by its parts
    digest = hashlib.sha256()
    with store.open(stored.sha256) as src:
        while chunk := src.read(1024 * 1024):
            assert len(chunk) <= 1024 * 1024
            digest.update(chunk)
    assert digest.hexdigest() == stored.sha256
    again = store.put(io.BytesIO(data), max_bytes=len(data))
    assert not again.created  # already there: not sent again
    with store.local_file(stored.sha256) as path:  # for text extraction
        assert path.stat().st_size == len(data)
    assert not path.exists()


def test_too_large_an_upload_is_refused_by_its_name_and_nothing_stored(store) -> None:
    with pytest.raises(files.TooLarge, match=r"^The file is larger than"):
        store.put(io.BytesIO(b"x" * 2048), max_bytes=1024)
    with pytest.raises(files.TooLarge) as refused:
        store.put(io.BytesIO(b"x" * (2 * 1024 * 1024)), max_bytes=1024 * 1024, name="scan.pdf")
    assert str(refused.value) == "scan.pdf is larger than 1 MB."
    assert _keys(store) == []


def test_a_failed_upload_leaves_no_object(app, client, auth, make_evidence, store, monkeypatch):
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise Invalid("Refused after the file was stored.")

    monkeypatch.setattr(attachments, "rehash", refuse)
    assert _upload(client, item.id, b"Will not be kept.\n").status_code == 422
    assert _keys(store) == []


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_missing_file_says_the_same_words_on_disk_and_in_the_bucket(
    kind, session, tmp_path, make_person, make_registration, make_evidence, s3_settings
) -> None:
    store: Store = (
        FileStore(tmp_path / "files")
        if kind == "local"
        else open_store(s3_settings["FILE_STORE"], s3_settings)
    )
    case = build_case(session, store, make_person, make_registration, make_evidence)
    learner_id = case.learner.id
    sha = session.exec(select(Attachment.sha256)).first()
    name = f"{sha[:2]}/{sha[2:4]}/{sha}"
    store.delete(name)
    with pytest.raises(Missing) as missing:
        store.open(sha)
    assert str(missing.value) == f"The file {sha} is missing from the file store."
    with pytest.raises(Invalid, match=f"The file {sha} is missing from the file store"):
        write_bundle(session, store, learner_id, io.BytesIO())
    assert not store.exists(sha)


def test_a_missing_object_downloads_as_not_found(
    app, client, auth, make_evidence, session, store
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    _upload(client, item.id, b"Here today.\n")
    attachment = session.exec(select(Attachment)).one()
    store.delete(files.relative_name(attachment.sha256))
    assert client.get(f"/files/{attachment.id}").status_code == 404


def test_files_check_finds_and_deletes_orphans_in_the_bucket(
    cli, session, make_person, make_evidence, store
) -> None:
    learner = make_person("learner")
    item = make_evidence(learner, submit=False)
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

    listed = cli("files", "check", "--older-than", "0")  # the store from PORTFOLIO_FILE_STORE
    assert listed.exit_code == 1, listed.output
    assert f"{store.describe()}/{orphan.sha256[:2]}/" in listed.output
    assert referenced not in listed.output
    assert store.exists(orphan.sha256)
    # a young orphan may be an upload under way: left alone by default
    assert cli("files", "check").exit_code == 0

    found = files.check(session, actor=SYSTEM, store=store, older_than_minutes=0, delete=True)
    assert [o.path.rsplit("/", 1)[1] for o in found] == [orphan.sha256]
    assert _keys(store) == [files.relative_name(referenced)]
    assert cli("files", "check", "--older-than", "0").exit_code == 0


def test_readyz_checks_the_bucket(app, client, s3_endpoint) -> None:
    body = client.get("/readyz").get_json()
    assert body["files"] is True and body["status"] == "ok"
    app.config["FILE_STORE"] = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/x"
    app.extensions["portfolio"]._store = None
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["files"] is False and "NoSuchBucket" in body["files_error"]


def test_backup_and_restore_between_buckets(backend, tmp_path, s3_settings, s3_endpoint) -> None:
    source_store = open_store(s3_settings["FILE_STORE"], s3_settings)
    sha = source_store.put(io.BytesIO(b"Backed-up evidence.\n"), max_bytes=100).sha256
    runner = CliRunner()
    archive = tmp_path / "backup.zip"
    with migrated_database(backend, tmp_path / "a", sample=True) as source:
        url = source.url.render_as_string(hide_password=False)
        r = runner.invoke(main, ["backup", str(archive)], obj=Context(url))  # the env's bucket
        assert r.exit_code == 0, r.output
        assert "and 1 file (" in r.output

    with fresh_database(backend, tmp_path / "b") as empty_url:
        # into the source bucket, which is not empty: refused, nothing written
        r = runner.invoke(main, ["restore", str(archive)], obj=Context(empty_url))
        assert r.exit_code == 1
        assert f"The file store {s3_settings['FILE_STORE']} is not empty" in r.output

    target = f"s3://{_bucket(s3_endpoint)}/restored"
    with fresh_database(backend, tmp_path / "c") as empty_url:
        r = runner.invoke(
            main,
            ["restore", str(archive)],
            obj=Context(empty_url),
            env={"PORTFOLIO_FILE_STORE": target},
        )
        assert r.exit_code == 0, r.output
        assert "and 1 file from " in r.output
    restored = open_store(target, s3_settings)
    assert [e.name for e in restored.entries()] == [files.relative_name(sha)]
    assert restored.read(sha) == b"Backed-up evidence.\n"


def test_an_unreachable_s3_server_is_said_plainly(s3_settings) -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = open_store(
        "s3://portfolio/files", {**s3_settings, "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    )
    with pytest.raises(files.StoreUnavailable, match="Nothing was saved"):
        down.put(io.BytesIO(b"Notes.\n"), max_bytes=100)
    with pytest.raises(StoreUnreachable, match="cannot be reached just now"):
        down.open("a" * 64)
    with pytest.raises(StoreUnreachable):
        list(down.entries())
    assert "EndpointConnectionError" in (down.problem() or "")
