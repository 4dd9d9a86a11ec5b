"""The file store on S3-compatible storage (AWS S3, MinIO, Ceph, Cloudflare R2, …), through boto3.

Configured by ``PORTFOLIO_FILE_STORE=s3://bucket/prefix`` and the ``PORTFOLIO_S3_*`` settings
(endpoint, key, secret, region); without a key and secret boto3 looks for credentials as it always
does (``AWS_*`` variables, an instance role). Files are named as in the local store,
``prefix/ab/cd/abcd…``, so several web processes and workers on several machines share one store.

- An upload is hashed while it is spooled to a temporary file (the name is its hash, known only at
  the end), then sent by boto3's transfer manager: in parts of :data:`PART` bytes once it is larger
  than that, so a large file never sits in memory. Content the bucket holds already is not sent
  again.
- A download streams the object's body in chunks.
- A missing object is :class:`~portfolio.services.files.Missing`, the same words as a missing local
  file; a bucket that cannot be reached or written is
  :class:`~portfolio.services.files.StoreUnavailable`.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, BinaryIO, cast
from urllib.parse import urlsplit

from portfolio.errors import Invalid, Unavailable
from portfolio.services.files import (
    CHUNK,
    Entry,
    Missing,
    Store,
    Stored,
    StoreUnavailable,
    relative_name,
    too_large,
)

PART = 8 * 1024 * 1024  # multipart threshold and part size (S3's smallest part is 5 MB)
SPOOL = 8 * 1024 * 1024  # uploads up to this size are hashed in memory, larger ones on disk
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _why(exc: BaseException) -> str:
    code = _code(exc)
    return f"{type(exc).__name__}: {code or exc}" if code else f"{type(exc).__name__}: {exc}"


class StoreUnreachable(Unavailable):
    """The bucket cannot be read just now: the S3 server is down, the key refused (HTTP 503)."""

    def __init__(self, why: str) -> None:
        super().__init__(
            "The file storage cannot be reached just now; nothing was changed. Please try again "
            f"later, and tell your centre's administrator ({why})."
        )


@contextmanager
def _unreachable() -> Iterator[None]:
    """Turn boto3's failures other than a missing object into :class:`StoreUnreachable`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise StoreUnreachable(_why(exc)) from exc


class S3Store(Store):
    """A content-addressed store in ``bucket`` under ``prefix``."""

    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client

    @classmethod
    def from_settings(cls, url: str, settings: Mapping[str, Any]) -> S3Store:
        """The store at ``url`` (``s3://bucket/prefix``) with the ``S3_*`` keys of ``settings``."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise Invalid(f"Not an S3 location: “{url}”; write s3://bucket/prefix.")
        import boto3
        from botocore.config import Config

        endpoint = settings.get("S3_ENDPOINT_URL") or None
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=settings.get("S3_REGION") or "us-east-1",
            aws_access_key_id=settings.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=settings.get("S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                # MinIO and most self-hosted servers want bucket names in the path
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        )
        return cls(parts.netloc, parts.path, client)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def _transfer(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=2)

    def put(self, stream: IO[bytes], *, max_bytes: int, name: str = "") -> Stored:
        from botocore.exceptions import BotoCoreError, ClientError

        digest = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes, name)
                digest.update(chunk)
                spool.write(chunk)
            sha = digest.hexdigest()
            try:
                if self.exists(sha):
                    return Stored(sha256=sha, size=size, created=False)
                spool.seek(0)
                self.client.upload_fileobj(
                    spool, self.bucket, self._key(relative_name(sha)), Config=self._transfer()
                )
            except (BotoCoreError, ClientError, StoreUnreachable) as exc:
                raise StoreUnavailable() from exc
        return Stored(sha256=sha, size=size, created=True)

    def open(self, sha256: str) -> BinaryIO:
        key = self._key(relative_name(sha256))
        try:
            with _unreachable():
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except StoreUnreachable as exc:
            if _code(exc.__cause__ or exc) in _MISSING_CODES:
                raise Missing(sha256) from None
            raise
        return cast(BinaryIO, answer["Body"])

    def exists(self, sha256: str) -> bool:

        try:
            with _unreachable():
                self.client.head_object(Bucket=self.bucket, Key=self._key(relative_name(sha256)))
        except StoreUnreachable as exc:
            if _code(exc.__cause__ or exc) in _MISSING_CODES:
                return False
            raise
        return True

    def delete(self, name: str) -> None:
        if name.startswith("/") or ".." in name.split("/"):
            raise Invalid("Not a file of the store.")
        with _unreachable():
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def entries(self) -> Iterator[Entry]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        with _unreachable():
            for page in pages:
                for item in page.get("Contents", []):
                    yield Entry(
                        name=item["Key"][len(start) :],
                        size=int(item["Size"]),
                        modified=item["LastModified"].timestamp(),
                    )

    def problem(self) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(f".health-{uuid.uuid4().hex}")
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"ok")
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            return _why(exc)
        return None
