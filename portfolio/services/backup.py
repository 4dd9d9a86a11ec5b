"""Backup and restore: one zip archive holding the database, the file store and a manifest.

The database is copied while the application runs: SQLite through its online backup API
(``sqlite3.Connection.backup``), PostgreSQL by ``pg_dump`` in its custom format (loaded again by
``pg_restore``). The file store's files keep their content addresses as member names. The manifest
(``manifest.json``) lists every other member with its SHA-256 and size, the backend, the schema
revision and the audit trail's head when the backup began.

A restore reads and hashes every member before writing anything; a member missing, added or
changed refuses the whole archive. It writes only into an empty database (no tables) and an empty
file store, so it never mixes two histories.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from portfolio.errors import Invalid
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.files import Store

FORMAT = "portfolio-backup/1"
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
_FILE_MEMBER = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


@dataclass(frozen=True)
class BackupReport:
    path: Path
    backend: str
    files: int
    bytes: int
    audit_head: str
    manifest_sha256: str  # keep it elsewhere: it vouches for the whole archive


@dataclass(frozen=True)
class RestoreReport:
    backend: str
    files: int
    audit_head: str  # the trail's head when the backup began: the restored trail must extend it


def _copy(src: IO[bytes], dst: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        dst.write(chunk)
    return digest.hexdigest(), size


def _store_files(store: Store) -> Iterator[tuple[str, str]]:
    """The file store's files in their places as (member name, content address), in a stable
    order (leftovers such as unfinished uploads are not backed up)."""
    for entry in store.entries():
        if entry.sha256 is not None:
            yield f"files/{entry.name}", entry.sha256


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    """libpq options for ``engine``'s database; the password travels in the environment."""
    url = engine.url
    args = ["--dbname", str(url.database or "")]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [flag, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise Invalid(f"{command[0]} is not installed: it is needed to {what}.")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise Invalid(f"{command[0]} failed to {what}: {reason[-1] if reason else done.returncode}")


def _dump_database(engine: Engine, target: Path) -> None:
    """A consistent copy of the database in ``target`` while the application may be writing."""
    backend = engine.dialect.name
    if backend == "sqlite":
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            with closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
        finally:
            raw.close()
        return
    if backend == "postgresql":
        args, env = _pg_args(engine)
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file"]
        _run([*command, str(target), *args], env, "copy the database")
        return
    raise Invalid(f"Backups of {backend} databases are not supported.")


def _head_and_revision(engine: Engine) -> tuple[str, str | None]:
    with Session(engine) as session:
        head = str(audit.head(session))
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return head, revision


def backup(engine: Engine, store: Store, target: Path) -> BackupReport:
    """Write the archive ``target`` (replaced only once complete) of the database and the files."""
    backend = engine.dialect.name
    if backend not in DATABASE:
        raise Invalid(f"Backups of {backend} databases are not supported.")
    head, revision = _head_and_revision(engine)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    members: dict[str, dict[str, Any]] = {}
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        with (
            tempfile.TemporaryDirectory() as work,
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
        ):
            dump = Path(work) / "database"
            _dump_database(engine, dump)
            with dump.open("rb") as src, zf.open(DATABASE[backend], "w", force_zip64=True) as dst:
                digest, size = _copy(src, dst)
            members[DATABASE[backend]] = {"sha256": digest, "size": size}
            for name, sha256 in _store_files(store):  # streamed from the disk or the bucket
                with store.open(sha256) as src, zf.open(name, "w", force_zip64=True) as dst:
                    digest, size = _copy(src, dst)
                members[name] = {"sha256": digest, "size": size}
            manifest = {
                "format": FORMAT,
                "created_at": utcnow().isoformat(),
                "backend": backend,
                "schema_revision": revision,
                "audit_head": head,
                "members": members,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            zf.writestr(MANIFEST, data)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    files = len(members) - 1
    size = sum(m["size"] for name, m in members.items() if name.startswith("files/"))
    return BackupReport(target, backend, files, size, head, hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------- restore


def _refuse(reason: str) -> Invalid:
    return Invalid(f"Backup refused: {reason}; nothing was restored.")


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The archive's manifest, checked for shape; :class:`Invalid` naming what is wrong."""
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError as exc:
        raise _refuse(f"the archive has no {MANIFEST}") from exc
    except ValueError as exc:
        raise _refuse(f"{MANIFEST} is not JSON ({exc})") from exc
    except RecursionError:  # Python's JSON reader gives up on thousands of [ or {
        raise _refuse(f"{MANIFEST} is nested too deeply to be a backup's manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(f"{MANIFEST} is not a {FORMAT} manifest")
    members = manifest.get("members")
    if not isinstance(members, dict) or manifest.get("backend") not in DATABASE:
        raise _refuse(f"{MANIFEST} does not list the archive's members and backend")
    for name, entry in members.items():
        if name != DATABASE[manifest["backend"]] and not _FILE_MEMBER.match(name):
            raise _refuse(f"{MANIFEST} lists “{name}”, which no backup holds")
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise _refuse(f"{MANIFEST} gives no hash for {name}")
    if DATABASE[manifest["backend"]] not in members:
        raise _refuse("the archive holds no database")
    return manifest


def verify_archive(zf: zipfile.ZipFile, manifest_sha256: str | None = None) -> dict[str, Any]:
    """Hash every member against the manifest before anything is written; the manifest. Given
    the manifest's hash printed by the backup (kept elsewhere), the manifest must have it."""
    if manifest_sha256 is not None:
        try:
            found = hashlib.sha256(zf.read(MANIFEST)).hexdigest()
        except KeyError as exc:
            raise _refuse(f"the archive has no {MANIFEST}") from exc
        if found != manifest_sha256.strip().lower():
            raise _refuse(
                f"{MANIFEST} does not have the expected hash {manifest_sha256.strip()[:12]}… "
                "(the manifest was rewritten, or this is another backup)"
            )
    manifest = read_manifest(zf)
    members: dict[str, dict[str, Any]] = manifest["members"]
    present = {info.filename for info in zf.infolist() if not info.is_dir()} - {MANIFEST}
    added, missing = sorted(present - members.keys()), sorted(members.keys() - present)
    if added:
        raise _refuse(
            f"{added[0]} is in the archive but not in its manifest (the archive was changed)"
        )
    if missing:
        raise _refuse(f"{missing[0]} is in the manifest but missing from the archive")
    for name, entry in members.items():
        digest = hashlib.sha256()
        with zf.open(name) as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise _refuse(
                f"{name} does not match its hash in the manifest (the archive was changed)"
            )
        match = _FILE_MEMBER.match(name)
        if match and match.group(3) != entry["sha256"]:
            raise _refuse(f"{name} is not stored under its own hash")
    return manifest


def _require_empty(engine: Engine, store: Store) -> None:
    tables = inspect(engine).get_table_names()
    if tables:
        shown = engine.url.render_as_string(hide_password=True)
        raise Invalid(
            f"The database {shown} is not empty ({len(tables)} tables); restore only into a new, "
            "empty database (do not run `portfolio init` on it first). Nothing was restored."
        )
    if not store.is_empty():
        raise Invalid(
            f"The file store {store.describe()} is not empty; restore only into an empty file store. "
            "Nothing was restored."
        )


def _load_database(engine: Engine, backend: str, dump: Path) -> None:
    if backend == "sqlite":
        raw = engine.raw_connection()
        try:
            target = raw.driver_connection
            assert isinstance(target, sqlite3.Connection)
            with closing(sqlite3.connect(dump)) as source:
                source.backup(target)
        finally:
            raw.close()
        return
    args, env = _pg_args(engine)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*command, "--single-transaction", *args, str(dump)], env, "load the database")


def restore(
    engine: Engine, store: Store, source: Path, *, manifest_sha256: str | None = None
) -> RestoreReport:
    """Restore the archive ``source`` into the empty database of ``engine`` and the empty store
    (checking the manifest against ``manifest_sha256`` when given)."""
    try:
        zf = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise _refuse(f"{source} is not a readable zip archive ({exc})") from exc
    with zf:
        manifest = verify_archive(zf, manifest_sha256)
        backend = manifest["backend"]
        if backend != engine.dialect.name:
            raise _refuse(
                f"the archive holds a {backend} database and the target is {engine.dialect.name}"
            )
        _require_empty(engine, store)
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database"
            with zf.open(DATABASE[backend]) as src, dump.open("wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            _load_database(engine, backend, dump)
        files = 0
        for name, entry in manifest["members"].items():
            if not name.startswith("files/"):
                continue
            with zf.open(name) as src:  # hashed again as it is stored, under that hash
                stored = store.put(src, max_bytes=2**62)
            if stored.sha256 != entry["sha256"]:  # pragma: no cover - changed while reading
                raise Invalid(f"{name} changed while it was restored.")
            files += 1
    return RestoreReport(backend=backend, files=files, audit_head=str(manifest.get("audit_head")))
