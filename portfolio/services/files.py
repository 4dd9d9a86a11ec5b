"""Content-addressed file stores: files live under their SHA-256, never a client name.

Two kinds, one interface (:class:`Store`): :class:`FileStore`, a folder on the local disk (the
default), and :class:`~portfolio.services.s3store.S3Store`, a bucket on S3-compatible storage
(``PORTFOLIO_FILE_STORE=s3://bucket/prefix``); :func:`portfolio.services.stores.open_store`
makes the one configured. Both
keep a file at ``ab/cd/abcd…`` (its hash), stream uploads and downloads in chunks, and say the same
plain words when a file is missing (:class:`Missing`) or the store cannot be written.

- An erased file leaves the store after the erasure commits, only if no row refers to it then
  (:func:`delete_on_commit`, :func:`hold_content`): an upload of the same content under way
  keeps it.
- A file stored for a transaction that then does not commit is deleted again
  (:func:`discard_on_rollback`), so a failed upload or import leaves no orphan behind; on
  PostgreSQL only if no row refers to it then (an upload of the same content that waited for it).
- :func:`check` lists the files no row references (left by a crash, or from before that rule),
  and deletes them when asked (``portfolio files check [--delete]``).
- A store that cannot be written (disk full, read-only, no permission) raises
  :class:`StoreUnavailable` (HTTP 503) rather than a bare ``OSError``; :func:`writable` tells the
  health check whether writes work.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlalchemy import event, text
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied, Unavailable
from portfolio.models import Attachment
from portfolio.services.actors import Actor
from portfolio.words import size_words

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
_PENDING = "portfolio.files.pending"  # key in Session.info: files stored for the open transaction
_ERASED = "portfolio.files.erased"  # key in Session.info: files to delete once committed
# what the operating system says when the store, not the request, is at fault
_STORE_FAULTS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


class TooLarge(Invalid):
    """The upload is over the configured limit (HTTP 413)."""


def too_large(max_bytes: int, name: str = "") -> TooLarge:
    """The refusal of a file over ``max_bytes``, naming it as it is shown (the caller cleans
    it: see ``evidence.attachments.display_name``) so whoever sent several, a command or an API
    client, sees which; "The file" when no name is known."""
    return TooLarge(f"{name or 'The file'} is larger than {size_words(max_bytes)}.")


class StoreUnavailable(Unavailable):
    """The file store cannot be written: disk full, read-only or not permitted (HTTP 503)."""

    def __init__(self) -> None:
        super().__init__(
            "The file could not be saved: the server's file storage is full or cannot be "
            "written to. Nothing was saved. Please try again later, and tell your centre's "
            "administrator."
        )


class Missing(Invalid):
    """A file a row references is not in the store (HTTP 404 for a download)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The file {sha256} is missing from the file store.")
        self.sha256 = sha256


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


def check_address(sha256: str) -> str:
    """``sha256`` if it is a content address (64 lowercase hex digits); else :class:`Invalid`."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise Invalid("Not a file address.")
    return sha256


def relative_name(sha256: str) -> str:
    """Where a file lives inside any store: ``ab/cd/abcd…``."""
    return f"{sha256[:2]}/{sha256[2:4]}/{check_address(sha256)}"


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    created: bool = True  # False when the store held the same content already


@dataclass(frozen=True)
class Entry:
    """One file in the store: its name relative to the store (``ab/cd/abcd…`` for a file in its
    place, anything else for leftovers), size and age."""

    name: str
    size: int
    modified: float  # seconds since the epoch

    @property
    def sha256(self) -> str | None:
        """The content address when the file is where its hash says, else None."""
        parts = self.name.split("/")
        if len(parts) != 3 or parts[0] != parts[2][:2] or parts[1] != parts[2][2:4]:
            return None
        try:
            return check_address(parts[2])
        except Invalid:
            return None


class Store(ABC):
    """What the application asks of a file store."""

    @abstractmethod
    def describe(self) -> str:
        """Where the store is, for messages (a folder, or ``s3://bucket/prefix``)."""

    @abstractmethod
    def put(self, stream: IO[bytes], *, max_bytes: int, name: str = "") -> Stored:
        """Copy ``stream`` into the store, hashing as it goes; refuse more than ``max_bytes``
        (:func:`too_large`, naming the file by ``name``, its cleaned name, when given)."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """The file for reading in chunks (close it); :class:`Missing` if it is not there."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def delete(self, name: str) -> None:
        """Remove the file at ``name`` (an :class:`Entry` name); nothing if it is gone."""

    @abstractmethod
    def entries(self) -> Iterator[Entry]:
        """Every file in the store, in name order."""

    @abstractmethod
    def problem(self) -> str | None:
        """None when a small file can be written to and removed from the store, else why not."""

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as src:
            return src.read()

    def is_empty(self) -> bool:
        return next(self.entries(), None) is None

    @contextmanager
    def local_file(self, sha256: str) -> Iterator[Path]:
        """A path on this machine holding the file, for tools that need one (text extraction);
        a temporary copy unless the store is a local folder."""
        with self.open(sha256) as src, tempfile.TemporaryDirectory(prefix="portfolio-") as work:
            path = Path(work) / sha256
            with path.open("wb") as out:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
            yield path


class FileStore(Store):
    """A content-addressed store in a folder on the local disk."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path(self, sha256: str) -> Path:
        return self.root / relative_name(sha256)

    def put(self, stream: IO[bytes], *, max_bytes: int, name: str = "") -> Stored:
        with _store_faults():
            return self._put(stream, max_bytes, name)

    def _put(self, stream: IO[bytes], max_bytes: int, name: str) -> Stored:
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
                        raise too_large(max_bytes, name)
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
            return Stored(sha256=sha, size=size, created=created)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise Missing(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, name: str) -> None:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise Invalid("Not a file of the store.")
        with _store_faults():
            path.unlink(missing_ok=True)

    def entries(self) -> Iterator[Entry]:
        if not self.root.exists():
            return
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            info = path.stat()
            yield Entry(path.relative_to(self.root).as_posix(), info.st_size, info.st_mtime)

    def problem(self) -> str | None:
        return writable(self.root)

    @contextmanager
    def local_file(self, sha256: str) -> Iterator[Path]:
        path = self.path(sha256)
        if not path.exists():
            raise Missing(sha256)
        yield path


# ------------------------------------------------------------------ no orphans
def discard_on_rollback(session: Session, store: Store, stored: Stored) -> None:
    """Delete ``stored`` again unless the session's transaction (which is to reference it)
    commits. A file the store held before is left alone: other rows reference it.

    On PostgreSQL the file is deleted in a short transaction of its own holding its content
    (:func:`hold_content`), only if no row refers to it then: an upload of the same content that
    waited for the failed one found the file stored and keeps it. SQLite's single writer lets no
    other transaction be about to reference a file just created, so it is deleted at once."""
    if not stored.created:
        return
    session.info.setdefault(_PENDING, []).append((store, stored.sha256))
    if not event.contains(session, "after_commit", _kept):
        event.listen(session, "after_commit", _kept)
        event.listen(session, "after_transaction_end", _ended)


def _kept(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:  # a SAVEPOINT: the outer transaction may still commit
        return
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        _delete_unreferenced(session, pending, "after a rollback")
        return
    for store, sha in pending:
        _delete(store, sha, "after a rollback")


def delete_on_commit(session: Session, store: Store, sha256: str) -> None:
    """Delete the file ``sha256`` from the store once the session's transaction commits (an
    erasure: the rows no longer reference it), if no row references it then; nothing is
    deleted if it rolls back. The caller holds the content (:func:`hold_content`) when it finds
    the file unreferenced."""
    session.info.setdefault(_ERASED, []).append((store, sha256))
    if not event.contains(session, "after_commit", _erase):
        event.listen(session, "after_commit", _erase)
        event.listen(session, "after_soft_rollback", _forget)


def _erase(session: Session) -> None:
    """Delete the files an erasure left unreferenced, each only if still so."""
    pending = session.info.pop(_ERASED, [])
    if pending:
        _delete_unreferenced(session, pending, "after an erasure")


def _delete_unreferenced(session: Session, pending: list[tuple[Store, str]], when: str) -> None:
    """Delete these files (an erasure's, or a failed upload's), each only if no row refers to
    it: in a transaction of its own holding their content, so an upload of the same content that
    began once the ended transaction let go of it either committed its reference first (the file
    stays) or waits for the file to go and then stores it again."""
    shas = sorted({sha for _, sha in pending})
    try:
        with Session(session.get_bind()) as check:
            hold_content(check, shas)
            held = set(
                check.exec(
                    select(Attachment.sha256).where(
                        col(Attachment.sha256).in_(shas), col(Attachment.erased_at).is_(None)
                    )
                )
            )
            for store, sha in pending:
                if sha not in held:
                    _delete(store, sha, when)
            check.commit()
    except Exception:  # noqa: BLE001 - an orphan left is found by `portfolio files check --delete`
        log.warning("could not check the files %s %s", shas, when)


def _delete(store: Store, sha256: str, when: str) -> None:
    try:
        store.delete(relative_name(sha256))
    except Exception:  # noqa: BLE001 - an orphan left is found by `portfolio files check --delete`
        log.warning("could not delete %s from %s %s", sha256, store.describe(), when)


_CONTENT = 7160002  # first key of a file content's transaction lock (the audit trail's is 7160001)


def hold_content(session: Session, sha256s: Iterable[str]) -> None:
    """Hold these files' content until this transaction ends (PostgreSQL: a transaction-level
    advisory lock per hash, taken in one order; SQLite's single writer needs nothing). An upload
    holds it before it stores the file and refers to it, and an erasure (and the clean-up after
    a failed upload) holds it before it asks whether any row still references the file, so
    neither misses the other's uncommitted row."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({_content_key(sha) for sha in sha256s})
    for key in keys:
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
            {"space": _CONTENT, "key": key},
        )


def _content_key(sha256: str) -> int:
    """The hash's first 32 bits as a signed integer (two contents sharing it wait for each other)."""
    value = int(sha256[:8], 16)
    return value - (1 << 32) if value >= 1 << 31 else value


def _forget(session: Session, previous: Any) -> None:
    session.info.pop(_ERASED, None)


@dataclass(frozen=True)
class Orphan:
    path: str  # where: a path on the disk, or s3://bucket/key
    size: int
    age_minutes: int


def check(
    session: Session,
    *,
    actor: Actor,
    store: Store,
    older_than_minutes: int = 60,
    delete: bool = False,
) -> list[Orphan]:
    """The files in the store that no row references (and unfinished uploads), at least
    ``older_than_minutes`` old (younger ones may belong to an upload under way); deleted too
    when ``delete``. Only an administrator may look."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may check the file store.")
    referenced = set(
        session.exec(
            select(Attachment.sha256).where(col(Attachment.erased_at).is_(None)).distinct()
        ).all()
    )
    now = time.time()
    found = []
    where = store.describe().rstrip("/")
    for entry in store.entries():
        if entry.sha256 is not None and entry.sha256 in referenced:
            continue
        age = int((now - entry.modified) // 60)
        if age < older_than_minutes:
            continue
        found.append(Orphan(path=f"{where}/{entry.name}", size=entry.size, age_minutes=age))
        if delete:
            store.delete(entry.name)
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
