"""`portfolio backup` and `portfolio restore`: a round trip into a new, empty database keeps every
row, every file and a verifying audit trail; a changed archive, a database or a file store that
is not empty are refused with nothing written."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from delivery.cli.context import Context
from delivery.cli.main import main
from portfolio.db import make_engine
from portfolio.models import AuditCheck
from portfolio.services import audit
from portfolio.services.backup import verify_archive
from portfolio.services.files import FileStore
from tests.conftest import fresh_database, migrated_database
from tests.exports.export_case import build_case

TABLES = ("person", "evidenceversion", "attachment", "claim", "decision", "signoff", "auditentry")


@pytest.fixture
def source(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own, committed to (the backup reads it from outside)."""
    with migrated_database(backend, tmp_path, sample=True) as engine:
        yield engine


@pytest.fixture
def target(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty database of the same backend."""
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def session(source: Engine) -> Iterator[Session]:
    """The services write to the source database (overrides the rolled-back test session)."""
    with Session(source, expire_on_commit=False) as s:
        yield s


def run(engine: Engine, store: Path, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        main, list(args), obj=Context(url), env={"PORTFOLIO_FILE_STORE": str(store)}
    )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(select(func.count()).select_from(text(t))).scalar_one() for t in TABLES
        }


@pytest.fixture
def archive(session, source, tmp_path, make_person, make_registration, make_evidence) -> Path:
    store = tmp_path / "store-a"
    build_case(session, FileStore(store), make_person, make_registration, make_evidence)
    session.commit()
    path = tmp_path / "backups" / "portfolio.zip"
    r = run(source, store, "backup", str(path))
    assert r.exit_code == 0, r.output
    assert "Manifest SHA-256: " in r.output and "Audit head: " in r.output
    return path


def test_round_trip_into_an_empty_database_keeps_rows_files_and_a_verifying_trail(
    source, target, archive, tmp_path
) -> None:
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
    assert names == {"manifest.json", *manifest["members"]}
    files = [n for n in names if n.startswith("files/")]
    assert files, "the attachment is in the archive"
    with Session(source) as s:
        assert manifest["audit_head"] == str(audit.head(s))

    store_b = tmp_path / "store-b"
    kept = hashlib.sha256(zipfile.ZipFile(archive).read("manifest.json")).hexdigest()
    r = run(target, store_b, "restore", str(archive), "--manifest-sha256", kept)
    assert r.exit_code == 0, r.output
    assert "Audit trail intact" in r.output
    assert counts(target) == counts(source)
    with Session(target) as s:  # the check at restore is kept: the audit page says so
        [check] = s.exec(sqlmodel_select(AuditCheck)).all()
        assert check.intact and check.by_id is None
        assert check.entries == int(manifest["audit_head"].split(":")[0])
    for name in files:
        content = (store_b / name.removeprefix("files/")).read_bytes()
        assert hashlib.sha256(content).hexdigest() == name.rsplit("/", 1)[1]
        assert content == (tmp_path / "store-a" / name.removeprefix("files/")).read_bytes()
    r = run(target, store_b, "audit", "verify", "--expect", manifest["audit_head"])
    assert r.exit_code == 0 and "intact" in r.output, r.output
    with Session(target) as s:
        assert str(audit.head(s)) == manifest["audit_head"]
    # the restored database is as guarded as the original
    with target.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM decision"))


def _rewritten(archive: Path, tmp_path: Path, change) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, data)``."""
    out = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
    return out


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda n, d: d + b"x" if n.startswith("files/") else d, "does not match its hash"),
        (
            lambda n, d: d[:-1] + bytes([d[-1] ^ 1]) if n.startswith("database") else d,
            "does not match its hash",
        ),
        (lambda n, d: None if n.startswith("files/") else d, "missing from the archive"),
        (  # Python's JSON reader gave up (RecursionError): a traceback
            lambda n, d: b"[" * 100_000 + b"]" * 100_000 if n == "manifest.json" else d,
            "manifest.json is nested too deeply",
        ),
    ],
    ids=["file-changed", "database-changed", "file-removed", "manifest-too-deep"],
)
def test_a_changed_archive_is_refused_and_nothing_written(
    target, archive, tmp_path, change, words
) -> None:
    tampered = _rewritten(archive, tmp_path, change)
    store_b = tmp_path / "store-b"
    r = run(target, store_b, "restore", str(tampered))
    assert r.exit_code == 1
    assert "Backup refused" in r.output and words in r.output and "nothing was restored" in r.output
    assert inspect(target).get_table_names() == []
    assert not store_b.exists() or not any(store_b.rglob("*"))


def test_restore_refuses_a_database_or_a_file_store_that_is_not_empty(
    source, target, archive, tmp_path
) -> None:
    before = counts(source)
    r = run(source, tmp_path / "store-b", "restore", str(archive))
    assert r.exit_code == 1 and "is not empty" in r.output and "Nothing was restored" in r.output
    assert counts(source) == before
    r = run(target, tmp_path / "store-a", "restore", str(archive))
    assert r.exit_code == 1 and "file store" in r.output and "is not empty" in r.output
    assert inspect(target).get_table_names() == []


def test_a_rewritten_manifest_is_refused_given_the_kept_manifest_hash(
    target, archive, tmp_path
) -> None:
    """Changing a file and recomputing the manifest passes the members' hashes; the manifest's own
    hash, printed by the backup and kept elsewhere, does not."""
    with zipfile.ZipFile(archive) as zf:
        kept = hashlib.sha256(zf.read("manifest.json")).hexdigest()
        manifest = json.loads(zf.read("manifest.json"))
    forged: dict[str, bytes] = {}

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("database"):
            data = data[:-1] + bytes([data[-1] ^ 1])
            manifest["members"][name]["sha256"] = hashlib.sha256(data).hexdigest()
            forged["manifest.json"] = json.dumps(manifest).encode()
        return forged.get(name, data) if name == "manifest.json" else data

    # the manifest is written last, after the members it lists
    tampered = _rewritten(archive, tmp_path, change)
    with zipfile.ZipFile(tampered) as zf:
        verify_archive(zf)  # a consistent forgery: every member matches the rewritten manifest
    r = run(target, tmp_path / "store-b", "restore", str(tampered), "--manifest-sha256", kept)
    assert r.exit_code == 1, r.output
    assert "manifest.json does not have the expected hash" in r.output
    assert "nothing was restored" in r.output
    assert inspect(target).get_table_names() == []
