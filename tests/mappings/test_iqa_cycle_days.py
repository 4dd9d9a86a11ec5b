"""A sampling cycle's days are the centre's days (its ``TIME_ZONE``, kept with the cycle when it
is created): a decision made at 00:30 in British Summer Time on a cycle's first day (23:30 UTC
the day before) is in that cycle, not the one before it. Cycles created before the zone was
kept (none stored, migration 0056) keep the UTC days they were planned and reviewed with."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from mappings.quality.cycles import create_cycle, cycle_bounds
from mappings.quality.facts import load_facts
from mappings.quality.models import SamplingCycle
from portfolio.models import AuditEntry
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of
from tests.mappings.iqa_builders import assess

LONDON = ZoneInfo("Europe/London")
JULY_FIRST_BST = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 Jul 2026 in London


def _summative_keys(session, cycle) -> set[str]:
    facts = load_facts(session, cycle)
    return {key for key, ref in facts.refs.items() if ref.kind == "summative"}


def test_a_decision_at_half_past_midnight_bst_is_in_the_cycle_of_its_day(
    session, make_person, make_registration
) -> None:
    iqa, assessor = make_person("iqa"), make_person("assessor")
    reg = make_registration(assessor=assessor, iqa=iqa)
    _, signoff = assess(session, reg, assessor.id, "SE01", at=JULY_FIRST_BST)
    assert signoff is not None
    me = actor_of(iqa)
    june = create_cycle(session, actor=me, name="June", start=date(2026, 6, 1),
                        end=date(2026, 6, 30))  # fmt: skip
    july = create_cycle(session, actor=me, name="July", start=date(2026, 7, 1),
                        end=date(2026, 7, 31))  # fmt: skip
    session.commit()
    assert (june.time_zone, july.time_zone) == ("Europe/London", "Europe/London")
    key = f"S{signoff.id}"
    assert key in _summative_keys(session, july)
    assert key not in _summative_keys(session, june)
    # the cycle's days begin at the centre's midnight: 23:00 UTC the day before in summer
    assert cycle_bounds(july) == (
        datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 31, 23, 0, tzinfo=UTC),
    )


def test_a_cycle_without_a_zone_keeps_utc_days(session, make_person, make_registration) -> None:
    """A cycle stored before 0056 has no zone: which decisions it holds does not change."""
    iqa, assessor = make_person("iqa"), make_person("assessor")
    reg = make_registration(assessor=assessor, iqa=iqa)
    _, signoff = assess(session, reg, assessor.id, "SE01", at=JULY_FIRST_BST)
    assert signoff is not None
    me = actor_of(iqa)
    june = create_cycle(session, actor=me, name="Old June", start=date(2026, 6, 1),
                        end=date(2026, 6, 30))  # fmt: skip
    july = create_cycle(session, actor=me, name="Old July", start=date(2026, 7, 1),
                        end=date(2026, 7, 31))  # fmt: skip
    for old in (june, july):
        old.time_zone = None
        session.add(old)
    session.commit()
    key = f"S{signoff.id}"
    assert key in _summative_keys(session, june)
    assert key not in _summative_keys(session, july)
    assert cycle_bounds(july) == (
        datetime(2026, 7, 1, tzinfo=UTC),
        datetime(2026, 8, 1, tzinfo=UTC),
    )


def test_a_cycle_keeps_the_zone_it_was_created_in(session, make_person) -> None:
    """The zone is the one given (the settings' ``TIME_ZONE``), kept by its name."""
    iqa = make_person("iqa")
    cycle = create_cycle(session, actor=SYSTEM, name="Sydney", start=date(2026, 7, 1),
                         end=date(2026, 7, 1), iqa_id=iqa.id,
                         zone=ZoneInfo("Australia/Sydney"))  # fmt: skip
    assert cycle.time_zone == "Australia/Sydney"
    assert cycle_bounds(cycle) == (
        datetime(2026, 6, 30, 14, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 14, 0, tzinfo=UTC),
    )
    made = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "iqa.cycle.create", AuditEntry.subject_id == cycle.id
        )
    ).one()
    assert made.data["time_zone"] == "Australia/Sydney"  # the trail says whose days they are


def test_the_page_and_the_command_create_cycles_in_the_centres_zone(
    app, client, auth, cli, session, make_person, monkeypatch
) -> None:
    """The IQA's page keeps the settings' ``TIME_ZONE``; ``portfolio iqa plan --create`` keeps
    ``PORTFOLIO_TIME_ZONE``, as the other pages and commands that say a day read it."""
    iqa = make_person("iqa")
    app.config["TIME_ZONE"] = "Pacific/Auckland"
    auth.login(iqa)
    sent = {"name": "On the page", "start": "2026-07-01", "end": "2026-07-31", "seed": ""}
    assert client.post("/iqa/cycles/new", data=sent).status_code == 302
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", "America/New_York")
    made = cli("iqa", "plan", "--cycle", "By command", "--create", "--iqa", str(iqa.id),
               "--from", "2026-07-01", "--to", "2026-07-31")  # fmt: skip
    assert made.exit_code == 0, made.output
    session.expire_all()
    zones = dict(session.exec(select(SamplingCycle.name, SamplingCycle.time_zone)).all())
    assert zones == {"On the page": "Pacific/Auckland", "By command": "America/New_York"}
