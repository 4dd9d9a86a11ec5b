"""The nightly summaries job stores today's summary of every registration in chunks, so the day's
first caseload folds no one and runs its fixed number of statements."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from delivery.schedule import (
    QUEUE,
    RETENTION_AT,
    SUMMARIES_AT,
    apply_retention_task,
    cron,
    refresh_summaries_task,
    seconds_to_next,
)
from delivery.web.coverage import caseload as service
from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.db import unit_of_work
from portfolio.models import Registration
from portfolio.services import logins
from tests.conftest import actor_of
from tests.mappings.test_coverage_web import _add_learners

# the caseload page once every summary is stored (pinned): the log-in with its person and the
# unread notifications, the caseload's figures (one statement over its summaries), its page of
# rows (a range of an index with a limit), the centre's newest decision (the chart's counts are
# kept per process while it is the same) ...
CASELOAD_STATEMENTS = 4
# ... and when a decision was recorded since the page's process counted the assessor's decisions
# by month (it keeps the counts while the centre's newest decision is the same)
CASELOAD_STATEMENTS_AFTER_A_DECISION = 5


def _stored(session) -> dict[int, RegistrationSummary]:
    session.expire_all()
    return {r.registration_id: r for r in session.exec(select(RegistrationSummary))}


def _unit(session) -> summaries.Unit:
    return partial(unit_of_work, lambda: session)


def test_refresh_stores_every_registrations_summary_in_chunks_once_a_day(
    session, make_person, make_registration, make_evidence
) -> None:
    assessor, iqa = make_person("assessor"), make_person("iqa")
    _add_learners(session, 5, assessor, iqa, make_registration, make_evidence)
    make_registration()  # no assessor: not on any caseload, still summarised
    every = set(session.exec(select(Registration.id)).all())
    today = date.today()
    yesterday = today - timedelta(days=1)
    first = sorted(every)[0]
    summaries.store(lambda: session, [first], yesterday)  # yesterday's is not today's
    assert summaries.stale(session, today) == sorted(every)

    assert summaries.refresh(_unit(session), today, chunk=2) == len(every)
    stored = _stored(session)
    assert set(stored) == every
    assert {s.computed_on for s in stored.values()} == {today}
    folded = summaries.work_out(session, sorted(every), today)  # what a page would fold
    assert {
        i: summaries.Summary(i, s.met, s.total, s.awaiting) for i, s in stored.items()
    } == folded
    assert stored[first].awaiting == 1 and stored[first].met >= 1
    assert summaries.stale(session, today) == []
    assert summaries.refresh(_unit(session), today) == 0  # again the same day: nothing to do


def test_after_the_job_the_caseload_folds_no_one_in_its_fixed_statements(
    session, client, auth, make_person, make_registration, make_evidence, count_queries,
    monkeypatch,
) -> None:  # fmt: skip
    # the log-in's "last seen" is written once a minute: not within this test, however slow
    monkeypatch.setattr(logins, "TOUCH_EVERY", timedelta(days=1))
    assessor, iqa = make_person("assessor"), make_person("iqa")
    auth.login(assessor)
    counts = []
    for n in (3, 30):
        _add_learners(session, n, assessor, iqa, make_registration, make_evidence)
        summaries.refresh(_unit(session), date.today())
        assert service.caseload(session, actor=actor_of(assessor)).pending == ()
        for _visit in (1, 2):  # new decisions, then none since
            with count_queries() as q:
                assert client.get("/caseload").status_code == 200
            counts.append(q.count)
    fresh, kept = CASELOAD_STATEMENTS_AFTER_A_DECISION, CASELOAD_STATEMENTS
    assert counts == [fresh, kept, fresh, kept], counts


def test_portfolio_summaries_refresh(session, cli, make_person, make_registration) -> None:
    reg = make_registration(assessor=make_person("assessor"))
    result = cli("summaries", "refresh", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["stored"] >= 1
    assert _stored(session)[reg.id].computed_on == date.today()
    again = cli("summaries", "refresh")
    assert again.exit_code == 0, again.output
    assert "Stored today's summaries of 0 registrations." in again.output


def test_the_thread_waits_until_five_past_midnight() -> None:
    assert seconds_to_next(datetime(2026, 3, 1, 23, 55)) == 600
    assert seconds_to_next(datetime(2026, 3, 1, 0, 5)) == 86400
    assert seconds_to_next(datetime(2026, 3, 1, 0, 4, 30)) == 30


class _NoRedis:
    """Registering jobs talks to no Redis (only starting the scheduler does)."""


def test_the_scheduler_queues_both_daily_jobs() -> None:
    scheduler = cron(_NoRedis(), "sqlite:///x.sqlite3")
    jobs = {j.name: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"portfolio-summaries", "portfolio-retention"}
    assert (jobs["portfolio-summaries"].func, jobs["portfolio-summaries"].cron) == (
        refresh_summaries_task,
        SUMMARIES_AT,
    )
    assert (jobs["portfolio-retention"].func, jobs["portfolio-retention"].cron) == (
        apply_retention_task,
        RETENTION_AT,
    )
    assert {j.queue_name for j in jobs.values()} == {QUEUE}
    assert all(j.args == ("sqlite:///x.sqlite3",) for j in jobs.values())


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_summaries_are_stored_for_the_centres_day(
    session, cli, make_person, make_registration, monkeypatch, zone
) -> None:
    """Run at 00:05 in London by cron on a machine kept in UTC (23:05 the day before), the
    command stored the UTC day's summaries, which the day's first caseload finds a day old: it
    stores the centre's day (UTC+14 and UTC-11 are on different days at any moment)."""
    reg = make_registration(assessor=make_person("assessor"))
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", zone)
    result = cli("summaries", "refresh")
    assert result.exit_code == 0, result.output
    assert _stored(session)[reg.id].computed_on == datetime.now(ZoneInfo(zone)).date()
