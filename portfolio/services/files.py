"""A content-addressed file store on the local disk: files live under their SHA-256, never a client name."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from portfolio.errors import Invalid

CHUNK = 1024 * 1024


class TooLarge(Invalid):
    """The upload is over the configured limit (HTTP 413)."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise Invalid("Not a file address.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, *, max_bytes: int) -> Stored:
        """Copy ``stream`` into the store, hashing as it goes; refuse more than ``max_bytes``."""
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
            if final.exists():
                tmp.unlink()
            else:
                tmp.replace(final)
            return Stored(sha256=sha, size=size, path=final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()
