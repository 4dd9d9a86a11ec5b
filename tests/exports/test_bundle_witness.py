"""A portable bundle carries the witness's answer about a testimony's version as an optional
field: absent when there is none, and a bundle holding it still imports (nothing of it is
imported: a receiving centre asks the witness itself)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from exports.bundle import MANIFEST, import_bundle
from portfolio.services import witness
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of, migrated_database
from tests.exports.export_case import build_case
from tests.exports.test_bundle import KEY, _bundle


@pytest.fixture
def second_db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


def _versions(data: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read(MANIFEST))
    return [v for e in manifest["evidence"] for v in e["versions"]]


def test_the_bundle_carries_the_witness_answer_and_still_imports(
    session, tmp_path, make_person, make_registration, make_evidence, second_db
) -> None:
    store = FileStore(tmp_path / "files")
    case = build_case(
        session, store, make_person, make_registration, make_evidence,
        account_kind="witness_testimony",
    )  # fmt: skip
    assert all("witness" not in v for v in _versions(_bundle(session, store, case.learner.id)))
    asked = witness.request(
        session, actor=actor_of(case.learner), evidence_id=case.account_id, email="w@employer.org"
    )
    row, token = asked.row, asked.token
    witness.answer(session, token=token, accurate=False, comment="Not that day.")
    session.commit()
    data = _bundle(session, store, case.learner.id)
    said = [v["witness"] for v in _versions(data) if "witness" in v]
    assert len(said) == 1
    (answer,) = said[0]
    assert answer["witness_email"] == "w@employer.org" and answer["answer"] == "not_accurate"
    assert answer["comment"] == "Not that day." and answer["version_sha256"] == row.version_sha256
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    with Session(second_db, expire_on_commit=False) as s2:
        report = import_bundle(
            s2, FileStore(tmp_path / "f2"), path, SYSTEM, trusted=[KEY.public_key()]
        )
        s2.commit()
        assert report.counts["evidence"] == 2
