"""The file store the configuration names: a local folder, or ``s3://bucket/prefix``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portfolio import config
from portfolio.services.files import FileStore, Store


def open_store(location: str | Path | Store, options: Mapping[str, Any] | None = None) -> Store:
    """The store at ``location``: a folder, or ``s3://bucket/prefix`` with the ``S3_*`` settings
    from ``options`` (default: the ``PORTFOLIO_S3_*`` environment). A store is returned as is."""
    if isinstance(location, Store):
        return location
    if str(location).startswith("s3://"):
        from portfolio.services.s3store import S3Store  # boto3 loads only when it is used

        return S3Store.from_settings(
            str(location), config.from_env() if options is None else options
        )
    return FileStore(location)


def is_remote(location: str | Path) -> bool:
    """Whether ``location`` names a store elsewhere (S3) rather than a local folder."""
    return str(location).startswith("s3://")
