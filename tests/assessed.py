"""Two fixtures for the tests of exports, erasure and retention (loaded by tests/conftest.py):
``store``, a file store in the test's instance folder, and ``case``, a fully assessed portfolio
whose files it keeps (tests/exports/export_case.py). A module may define its own of either."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.services.files import FileStore
from tests.exports.export_case import Case, build_case


@pytest.fixture
def store(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> FileStore:
    root = tmp_path / "files"
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(root))
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    return FileStore(root)


@pytest.fixture
def case(
    session: Any, store: FileStore, make_person: Any, make_registration: Any, make_evidence: Any
) -> Case:
    return build_case(session, store, make_person, make_registration, make_evidence)
