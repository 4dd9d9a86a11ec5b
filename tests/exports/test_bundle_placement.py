"""Where an imported learner is placed here: never in a cohort by the sending centre's name, and
an unverified bundle never adds standards to a registration this centre already made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from exports.bundle import MANIFEST, import_bundle
from portfolio.models import AuditEntry, Cohort, Registration
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.exports.test_bundle import OLD_BUNDLE, _rewrite

LEARNER = "learner1-c68e4b@test.example"  # the learner of the earlier bundle (SE01 and SE03)


def _with_cohort(tmp_path: Path, name: str) -> Path:
    def edit(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body)
        m["registrations"][0]["cohort"] = name
        return json.dumps(m).encode()

    path = tmp_path / "cohort.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    return path


def test_a_sending_centres_cohort_name_joins_or_makes_no_cohort_here(
    session: Session, tmp_path: Path
) -> None:
    """A cohort of this centre that happens to have the sending centre's cohort's name is not
    the learner's: the import places them in no cohort and says an administrator does."""
    ours = Cohort(name="Group A", site="North site")
    session.add(ours)
    session.commit()
    report = import_bundle(
        session, FileStore(tmp_path / "f"), _with_cohort(tmp_path, "Group A"), SYSTEM
    )
    session.commit()
    reg = session.exec(
        select(Registration).where(Registration.learner_id == report.learner_id)
    ).one()
    assert reg.cohort_id is None
    assert session.exec(select(func.count()).select_from(Cohort)).one() == 1
    assert report.cohorts == ["Group A"]
    assert 'in the cohort "Group A" at the sending centre' in report.message
    assert "an administrator places the learner in a cohort here" in report.message
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).one()
    assert "Group A" in json.dumps(entry.data)


def test_a_cohort_name_no_cohort_here_has_creates_none(session: Session, tmp_path: Path) -> None:
    report = import_bundle(
        session, FileStore(tmp_path / "f"), _with_cohort(tmp_path, "Evening class"), SYSTEM
    )
    session.commit()
    assert session.exec(select(func.count()).select_from(Cohort)).one() == 0
    assert session.exec(select(Registration.cohort_id)).all() == [None]
    assert 'in the cohort "Evening class" at the sending centre' in report.message
