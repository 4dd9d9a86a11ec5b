"""A content-addressed file store on the local disk: files live under their SHA-256, never a client name.

- A file stored for a transaction that then does not commit is deleted again
  (:func:`discard_on_rollback`), so a failed upload or import leaves no orphan behind.
- :func:`check` lists the files no row references (left by a crash, or from before that rule),
  and deletes them when asked (``portfolio files check [--delete]``).
- A store that cannot be written (disk full, read-only, no permission) raises
  :class:`StoreUnavailable` (HTTP 503) rather than a bare ``OSError``; :func:`writable` tells the
  health check whether writes work.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import event
from sqlmodel import Session, select

from portfolio.errors import Invalid, PermissionDenied, Unavailable
from portfolio.models import Attachment
from portfolio.services.actors import Actor

CHUNK = 1024 * 1024
_PENDING = "portfolio.files.pending"  # key in Session.info: files stored for the open transaction
# what the operating system says when the store, not the request, is at fault
_STORE_FAULTS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


class TooLarge(Invalid):
    """The upload is over the configured limit (HTTP 413)."""


class StoreUnavailable(Unavailable):
    """The file store cannot be written: disk full, read-only or not permitted (HTTP 503)."""

    def __init__(self) -> None:
        super().__init__(
            "The file could not be saved: the server's file storage is full or cannot be "
            "written to. Nothing was saved. Please try again later, and tell your centre's "
            "administrator."
        )


def is_store_fault(exc: BaseException) -> bool:
    """Whether ``exc`` says storage is full or cannot be written (not that the request is bad):
    the operating system's "disk full", "read-only", "not permitted", or the database's."""
    if isinstance(exc, OSError):
        return exc.errno in _STORE_FAULTS
    cause = getattr(exc, "orig", None) or exc
    message = str(cause).lower()
    if getattr(cause, "sqlstate", None) in ("53100", "53200"):  # disk full, out of memory
        return True
    return any(words in message for words in ("disk is full", "readonly database", "disk i/o"))


@contextmanager
def _store_faults() -> Iterator[None]:
    """Turn the operating system's 'disk full', 'read-only', 'not permitted' into StoreUnavailable."""
    try:
        yield
    except OSError as exc:
        if is_store_fault(exc):
            raise StoreUnavailable() from exc
        raise


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path
    created: bool = True  # False when the store held the same content already


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise Invalid("Not a file address.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, *, max_bytes: int) -> Stored:
        """Copy ``stream`` into the store, hashing as it goes; refuse more than ``max_bytes``."""
        with _store_faults():
            return self._put(stream, max_bytes)

    def _put(self, stream: BinaryIO, max_bytes: int) -> Stored:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            final = self.path(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            created = not final.exists()
            if created:
                tmp.replace(final)
            else:
                tmp.unlink()
            return Stored(sha256=sha, size=size, path=final, created=created)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()


# ------------------------------------------------------------------ no orphans
def discard_on_rollback(session: Session, stored: Stored) -> None:
    """Delete ``stored`` again unless the session's transaction (which is to reference it)
    commits. A file the store held before is left alone: other rows reference it.

    On SQLite writers are serialised, so no other transaction can be about to reference a file
    just created; on PostgreSQL two uploads of identical content racing, one failing, could."""
    if not stored.created:
        return
    session.info.setdefault(_PENDING, []).append(stored.path)
    if not event.contains(session, "after_commit", _kept):
        event.listen(session, "after_commit", _kept)
        event.listen(session, "after_transaction_end", _ended)


def _kept(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:  # a SAVEPOINT: the outer transaction may still commit
        return
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Orphan:
    path: Path
    size: int
    age_minutes: int


def check(
    session: Session,
    *,
    actor: Actor,
    store: FileStore,
    older_than_minutes: int = 60,
    delete: bool = False,
) -> list[Orphan]:
    """The files in the store that no row references (and unfinished uploads), at least
    ``older_than_minutes`` old (younger ones may belong to an upload under way); deleted too
    when ``delete``. Only an administrator may look."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may check the file store.")
    referenced = set(session.exec(select(Attachment.sha256).distinct()).all())
    now = time.time()
    found = []
    for path in sorted(p for p in store.root.rglob("*") if p.is_file()):
        if (
            path.name in referenced
            and path == store.root / path.name[:2] / path.name[2:4] / path.name
        ):
            continue
        info = path.stat()
        age = int((now - info.st_mtime) // 60)
        if age < older_than_minutes:
            continue
        found.append(Orphan(path=path, size=info.st_size, age_minutes=age))
        if delete:
            with _store_faults():
                path.unlink(missing_ok=True)
    return found


def writable(root: str | Path) -> str | None:
    """None when a small file can be written to and removed from the store, else why not."""
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=root, prefix=".health-")
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
            Path(name).unlink(missing_ok=True)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    return None
