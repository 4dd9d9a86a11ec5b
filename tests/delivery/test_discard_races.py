"""A draft discarded while it is submitted (two tabs, or a double click on each) on PostgreSQL:
whichever comes second is told in words, never a server error, and the item is either submitted
and whole or gone with everything of it. (SQLite writes one transaction at a time.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from mappings.assessment.discard import discard
from portfolio.errors import Conflict, NotFound
from portfolio.models import AuditEntry, Evidence, EvidenceVersion
from portfolio.services.files import FileStore
from tests.conftest import migrated_database
from tests.delivery.test_races import _draft, _race, _submit


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to lose")
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


def _discard(w: dict, store: FileStore):  # type: ignore[type-arg]
    return lambda s: discard(s, actor=w["learner"], evidence_id=w["item"], store=store)


def test_a_draft_discarded_while_it_is_submitted_is_refused(engine: Engine, tmp_path: Path) -> None:
    w = _draft(engine)
    result = _race(engine, _submit(w), _discard(w, FileStore(tmp_path)))
    assert isinstance(result, Conflict) and "has been submitted" in str(result), result
    with Session(engine) as s:
        item = s.get(Evidence, w["item"])
        assert item is not None and item.status == "submitted"
        assert not s.exec(select(AuditEntry).where(AuditEntry.action == "evidence.discard")).all()


def test_a_draft_submitted_while_it_is_discarded_is_not_found(
    engine: Engine, tmp_path: Path
) -> None:
    w = _draft(engine)
    result = _race(engine, _discard(w, FileStore(tmp_path)), _submit(w))
    assert isinstance(result, NotFound), result
    with Session(engine) as s:
        assert s.get(Evidence, w["item"]) is None
        left = s.exec(select(EvidenceVersion).where(EvidenceVersion.evidence_id == w["item"]))
        assert left.all() == []
        assert not s.exec(select(AuditEntry).where(AuditEntry.action == "evidence.submit")).all()
