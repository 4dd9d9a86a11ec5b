"""A registration summary being stored (it holds the registrations ``FOR SHARE``) while another
write changes what it says, on PostgreSQL (READ COMMITTED), in both orders: the summary left is
right or not there. The writes here hold the registrations they change before they write, as
decisions do (see tests/delivery/test_races.py for those; SQLite writes one transaction at a
time, so these races cannot happen there)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from demo.accounts import register_learner
from exports.bundle import import_bundle
from mappings.assessment import claims, rules, summaries
from mappings.assessment.models import Claim, RegistrationSummary
from mappings.assessment.standing import registrations_of_learner
from mappings.privacy import requests
from portfolio.models import Framework, Person
from portfolio.services import evidence, people
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.delivery.test_races import _race, _ready_to_sign, _store_summary, _world
from tests.delivery.test_races import engine as engine  # noqa: F401 - the fixture
from tests.exports.test_bundle import OLD_BUNDLE

_SHOWN = ("met", "total", "awaiting", "name_key", "percent", "rag_rank")


def _shown(engine: Engine, registration_id: int) -> dict[str, Any]:
    """What a summary worked out now would say."""
    with Session(engine) as s:
        [row] = summaries.rows(s, [registration_id], date.today())
    return {k: row[k] for k in _SHOWN}


def _stored(engine: Engine, registration_id: int) -> dict[str, Any] | None:
    with Session(engine) as s:
        found = s.get(RegistrationSummary, registration_id)
        return None if found is None else {k: getattr(found, k) for k in _SHOWN}


def _check_race(
    engine: Engine, w: dict[str, Any], write: Callable[[Session], Any], summary_first: bool
) -> None:
    """Race ``write`` with a summary store in the order given; the summary left is right or
    absent, and the write did change what a summary says."""
    before = _shown(engine, w["registration"])
    store = _store_summary(w)
    result = _race(engine, store, write) if summary_first else _race(engine, write, store)
    assert result == "ok", result
    now = _shown(engine, w["registration"])
    assert now != before  # the write changed what the summary says
    stored = _stored(engine, w["registration"])
    assert stored is None or stored == now, (stored, now)


def _strict_rules(s: Session) -> None:
    """Performance criteria met only by witness testimony: those accepted on observation no
    longer count."""
    se = s.exec(select(Framework).where(Framework.code == "SE")).one()
    rules.set_rules(s, actor=SYSTEM, framework_id=se.id or 0, data={"performance_methods": ["WT"]})


@pytest.mark.parametrize("summary_first", [False, True])
def test_a_summary_stored_while_the_framework_rules_change_is_right_or_not_there(
    engine: Engine, summary_first: bool
) -> None:
    w = _ready_to_sign(engine, declared=False)
    _check_race(engine, w, _strict_rules, summary_first)


def _rename(w: dict[str, Any]) -> Callable[[Session], None]:
    def rename(s: Session) -> None:
        person = s.get(Person, w["learner"].id)
        assert person is not None
        people.update_person(
            s, actor=SYSTEM, person_id=person.id or 0, name="Zoe Renamed", email=person.email,
            roles=person.roles, site=person.site,
        )  # fmt: skip

    return rename


def _erase_person(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: requests.erase_person(s, actor=SYSTEM, person_id=w["learner"].id, store=None)


@pytest.mark.parametrize("summary_first", [False, True])
@pytest.mark.parametrize("write", [_rename, _erase_person])
def test_a_summary_stored_while_the_learner_is_renamed_is_right_or_not_there(
    engine: Engine, summary_first: bool, write: Callable[[dict[str, Any]], Any]
) -> None:
    """The caseload sorts and searches by the stored name: an administrator's correction, and
    an erasure on request (the name becomes a placeholder), change it."""
    w = _ready_to_sign(engine, declared=False)
    _check_race(engine, w, write(w), summary_first)


def _bundle_learner(engine: Engine) -> dict[str, Any]:
    """The learner of tests/exports/data/bundle_v1.zip, known here and registered on the
    bundle's framework (SE01 and SE03), with no evidence yet."""
    with Session(engine) as s:
        learner = people.create_person(
            s, actor=SYSTEM, name="Lee Learner", roles="learner",
            email="learner1-c68e4b@test.example", password=None,
        )  # fmt: skip
        framework = s.exec(select(Framework).where(Framework.code == "SE")).one()
        reg = register_learner(
            s, learner_id=learner.id, framework_id=framework.id, codes=["SE01", "SE03"],
            assessor_id=None, iqa_id=None, cohort_id=None,
            start=date.today() - timedelta(days=9), planned_end=date.today() + timedelta(days=99),
        )  # fmt: skip
        s.commit()
        return {"registration": reg.id}


@pytest.mark.parametrize("summary_first", [False, True])
def test_a_summary_stored_while_a_bundle_brings_the_learner_evidence_is_right_or_not_there(
    engine: Engine, tmp_path: Path, summary_first: bool
) -> None:
    """A bundle imported for a learner known here adds their evidence and claims (awaiting a
    decision here, the bundle being unsigned) to the registration they already have."""
    w = _bundle_learner(engine)
    store = FileStore(tmp_path / "files")

    def bring(s: Session) -> None:
        report = import_bundle(s, store, OLD_BUNDLE, SYSTEM)
        assert not report.learner_created and not report.counts["registrations"]

    _check_race(engine, w, bring, summary_first)


def test_mapping_a_draft_waits_for_no_summary_store(engine: Engine) -> None:
    """A draft's claims count in no summary, so mapping it holds no registration: a draft saved
    with files and criteria (its item, then the files' content, then the mapping) never waits
    for registrations while holding content that an edit of submitted evidence (its item, the
    registrations, then the content of its new files) waits for."""
    w = _world(engine, ["SE01"])
    with Session(engine) as s:
        draft = evidence.create(
            s, actor=w["learner"], learner_id=w["learner"].id,
            draft=evidence.Draft(kind="product", title="Menu", activity_date=date.today(), body="b"),
        )  # fmt: skip
        s.commit()
        [w["registration"]] = registrations_of_learner(s, w["learner"].id)
        draft_id = draft.id or 0
    with Session(engine) as storing, Session(engine) as mapping:
        _store_summary(w)(storing)  # holds the registration until it commits
        mapping.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting fails the test
        claims.set_claims(
            mapping, actor=w["learner"], evidence_id=draft_id,
            criterion_ids=[w["criteria"][0].criterion_id],
        )  # fmt: skip
        mapping.commit()
        storing.commit()
    with Session(engine) as s:
        assert s.exec(select(Claim.criterion_id).where(Claim.evidence_id == draft_id)).all() == [
            w["criteria"][0].criterion_id
        ]
