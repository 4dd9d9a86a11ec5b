"""Charts drawn on the server: the geometry and tables of the pure builders, the figures behind
each page's chart, one statement whatever the history, and the pages that show them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from delivery.web.charts import Series, last_months, share_bars, stacked_bars, state_grid
from delivery.web.coverage.chart_data import (
    assessor_decisions_chart,
    learner_progress_chart,
    start_warming_counts,
    warm_decision_counts,
)
from delivery.web.coverage.overview import progress_of
from mappings.assessment.standing import learner_standings
from tests.mappings.iqa_builders import assess, put_in_cohort


def test_stacked_bars_scale_to_the_largest_and_keep_a_table() -> None:
    chart = stacked_bars(
        "c", "T", "D", ["Jan", "Feb", "Mar"],
        [Series("accepted", "chart-good", (2, 0, 4)), Series("referred", "chart-bad", (2, 0, 0))],
        category_head="Month", extra=[("Rate", ["50%", "—", "0%"])],
    )  # fmt: skip
    heights = [s.height for s in chart.shapes]
    assert len(chart.shapes) == 3 and heights[0] == heights[1] == heights[2] / 2
    assert {s.css for s in chart.shapes} == {"chart-good", "chart-bad"}
    assert chart.head == ("Month", "Accepted", "Referred", "Rate")
    assert chart.rows[0] == ("Jan", "2", "2", "50%") and not chart.empty
    assert all(s.y >= 0 and s.y + s.height <= chart.height for s in chart.shapes)
    nothing = stacked_bars("c", "T", "D", ["Jan"], [Series("a", "chart-good", (0,))],
                           category_head="Month")  # fmt: skip
    assert nothing.empty


def test_share_bars_split_each_row_by_share_and_state_grid_colours_cells() -> None:
    chart = share_bars("c", "T", "D", ["SE01", "SE02"],
                       [Series("met", "chart-good", (3, 0)), Series("no evidence", "chart-none", (1, 5))],
                       category_head="Standard")  # fmt: skip
    se01 = [s for s in chart.shapes if s.label.startswith("SE01")]
    assert se01[0].width == 3 * se01[1].width and "75%" in se01[0].label
    grid = state_grid("g", "T", "D", [("Asha", ["sampled", "not sampled"])], ["SE01", "O"],
                      [("sampled", "chart-good"), ("not sampled", "chart-bad")])  # fmt: skip
    assert [s.css for s in grid.shapes] == ["chart-good", "chart-bad"]
    assert grid.rows == (("Asha", "sampled", "not sampled"),)


def _counted(session, learner_id: int) -> set[tuple[int, int]]:
    """The claims that count, as the progress page passes them to its chart."""
    standings = learner_standings(session, learner_id)
    return set().union(*(progress_of(s).counted for s in standings))


def test_last_months_end_with_this_month() -> None:
    months = last_months(date(2026, 2, 17), 3)
    assert months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_chart_figures_take_one_statement_however_long_the_history(
    session, make_person, make_registration, count_queries
) -> None:
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    now = datetime.now(UTC)
    assess(session, reg, assessor.id, "SE01", signed=False, at=now - timedelta(days=1))
    assess(session, reg, assessor.id, "SE03", signed=False, at=now - timedelta(days=40))
    session.commit()
    counted = _counted(session, reg.learner_id)
    with count_queries() as q:
        mine = assessor_decisions_chart(session, assessor_id=assessor.id)
        progress = learner_progress_chart(session, learner_id=reg.learner_id, counted=counted)
    assert q.count == 2
    assert sum(int(r[1]) for r in mine.rows) == 2 and "referral rate of 0%" in mine.description
    assert progress.rows[-1][-1] == "2"  # met so far, this month
    for n in range(5):  # more history, for this learner and others
        other = make_registration(assessor=assessor)
        assess(session, other, assessor.id, "SE04", signed=False, at=now - timedelta(days=n))
    session.commit()
    with count_queries() as q:
        assessor_decisions_chart(session, assessor_id=assessor.id)
        learner_progress_chart(session, learner_id=reg.learner_id, counted=counted)
    assert q.count == 2


def test_kept_decision_counts_are_brought_up_to_date_with_new_decisions_only(
    session, make_person, make_registration, count_queries
) -> None:
    assessor, other = make_person("assessor"), make_person("assessor")
    reg = make_registration(assessor=assessor)
    now = datetime.now(UTC)
    assess(session, reg, assessor.id, "SE01", signed=False, at=now - timedelta(days=1))
    session.commit()
    cache: dict = {}
    first = assessor_decisions_chart(session, assessor_id=assessor.id, cache=cache)
    ((newest, tally, drawn),) = cache.values()
    assert drawn == first  # the chart is kept with its counts
    assert sum(tally.values()) == sum(int(r[1]) + int(r[2]) for r in first.rows) > 0
    # another assessor's decision and two more of this one's
    assess(session, make_registration(assessor=other), other.id, "SE01", signed=False)
    later = make_registration(assessor=assessor)
    assess(session, later, assessor.id, "SE02", signed=False)
    assess(session, later, assessor.id, "SE03", signed=False)
    session.commit()
    with count_queries() as q:
        kept = assessor_decisions_chart(session, assessor_id=assessor.id, cache=cache)
    fresh = assessor_decisions_chart(session, assessor_id=assessor.id)
    assert q.count == 2  # the newest id, then the new decisions only
    assert kept.rows == fresh.rows and kept.description == fresh.description
    assert sum(int(r[1]) for r in kept.rows) == sum(int(r[1]) for r in first.rows) + 2
    ((counted, _, drawn),) = cache.values()
    assert counted > newest and drawn == kept
    with count_queries() as q:  # nothing new: the kept counts as they are
        assert assessor_decisions_chart(session, assessor_id=assessor.id, cache=cache) is kept
    assert q.count == 1


def test_pages_show_charts_with_a_text_alternative_and_a_table(
    client, auth, session, make_person, make_registration, count_queries
) -> None:
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    cohort = put_in_cohort(session, reg, "Chart cohort", "Main site")
    assess(session, reg, assessor.id, "SE01", signed=False)
    session.commit()
    auth.login(assessor)
    for url, title in (
        ("/caseload", "Your decisions each month"),
        (f"/learners/{reg.learner_id}/progress", "Criteria met each month"),
        (f"/cohorts/{cohort.id}/progress", "Coverage of Chart cohort by standard"),
    ):
        html = client.get(url).get_data(as_text=True)
        assert "<title id=" in html and title in html, url
        assert 'role="img"' in html and "<desc id=" in html and "Show as a table" in html, url
        assert "<script" not in html and "style=" not in html, url
    # the learner's progress page: the same number of statements with more history elsewhere
    with count_queries() as q:
        client.get(f"/learners/{reg.learner_id}/progress")
    before = q.count
    for _ in range(3):
        assess(session, make_registration(assessor=assessor), assessor.id, "SE03", signed=False)
    session.commit()
    with count_queries() as q:
        client.get(f"/learners/{reg.learner_id}/progress")
    assert q.count == before


def test_warmed_counts_are_what_each_visit_would_count_and_are_brought_up_to_date(
    session, make_person, make_registration, count_queries
) -> None:
    busy, quiet, idle = (make_person("assessor") for _ in range(3))
    now = datetime.now(UTC)
    for days in (1, 40, 100, 400):  # the last before the year the chart shows
        assess(session, make_registration(assessor=busy), busy.id, "SE01", signed=False,
               at=now - timedelta(days=days))  # fmt: skip
    assess(session, make_registration(assessor=quiet), quiet.id, "SE02", signed=False)
    session.commit()
    cache: dict = {}
    assert warm_decision_counts(session, cache) == 2  # the two who decided in the year
    for who in (busy, quiet, idle):  # idle: no decision; the warmed counts say so
        with count_queries() as q:
            kept = assessor_decisions_chart(session, assessor_id=who.id, cache=cache)
        assert q.count == 1  # the newest decision's id: nothing counted again
        assert kept == assessor_decisions_chart(session, assessor_id=who.id)
    assert (
        "you accepted 3 and referred 0"
        in assessor_decisions_chart(session, assessor_id=busy.id, cache=cache).description
    )
    for who in (idle, busy):  # decisions after the warming: counted by the next visit
        assess(session, make_registration(assessor=who), who.id, "SE03", signed=False)
    session.commit()
    for who in (busy, quiet, idle):
        with count_queries() as q:
            kept = assessor_decisions_chart(session, assessor_id=who.id, cache=cache)
        assert q.count == 2  # the newest id, then the decisions since the counted one only
        assert kept == assessor_decisions_chart(session, assessor_id=who.id)
    assert "you accepted 1 and" in kept.description


def test_counts_kept_last_month_serve_this_month_without_counting_the_year_again(
    session, make_person, make_registration, count_queries
) -> None:
    assessor = make_person("assessor")
    now = datetime.now(UTC)
    for days in (3, 35, 320, 345):  # some drop out of the year a month on
        assess(session, make_registration(assessor=assessor), assessor.id, "SE01",
               signed=False, at=now - timedelta(days=days))  # fmt: skip
    session.commit()
    today = now.date()
    later = (today.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month
    for warmed in (False, True):  # kept by a visit, or warmed at the start
        cache: dict = {}
        if warmed:
            warm_decision_counts(session, cache, today)
        else:
            assessor_decisions_chart(session, assessor_id=assessor.id, today=today, cache=cache)
        with count_queries() as q:
            kept = assessor_decisions_chart(
                session, assessor_id=assessor.id, today=later, cache=cache
            )
        assert q.count == 1
        assert kept == assessor_decisions_chart(session, assessor_id=assessor.id, today=later)


def test_the_caseload_shows_the_counts_warmed_at_the_start(
    app, client, auth, session, make_person, make_registration
) -> None:
    assessor = make_person("assessor")
    for _ in range(2):
        assess(session, make_registration(assessor=assessor), assessor.id, "SE01", signed=False)
    session.commit()
    counts = app.extensions["portfolio.decision_counts"]
    assert counts == {}  # tests do not warm at the start: the first visit counts
    warming = start_warming_counts(app.extensions["portfolio"].session_factory, counts)
    app.extensions["portfolio.decision_counts.warm"] = warming  # as the app's start does
    assert warming.wait(30)
    (warmed,) = (kept for (_, who, _), kept in counts.items() if who == assessor.id)
    auth.login(assessor)
    page = client.get("/caseload").get_data(as_text=True)
    assert "you accepted 2 and referred 0 claims" in page
    (kept,) = (kept for (_, who, _), kept in counts.items() if who == assessor.id)
    assert kept[:2] == warmed[:2] and kept[1] is warmed[1]  # the visit counted nothing again
    assess(session, make_registration(assessor=assessor), assessor.id, "SE02", signed=False)
    session.commit()
    assert "you accepted 3 and" in client.get("/caseload").get_data(as_text=True)


def test_decisions_chart_gives_no_rate_when_nothing_is_decided(session, make_person) -> None:
    assessor = make_person("assessor")
    chart = assessor_decisions_chart(session, assessor_id=assessor.id)
    assert "referral rate" not in chart.description
    assert chart.description == "Over the last 12 months you have accepted or referred no claims."


def test_the_charts_months_begin_at_midnight_in_the_centres_time_zone(
    session, make_person, make_registration
) -> None:
    """Decisions at 00:30 London time on 1 Aug 2026 and on 1 Jul 2027 (23:30 UTC the day
    before, in British Summer Time) fall in August 2026 and July 2027, the centre's months, on
    the assessor's and the learner's charts of the year to July 2027 (drawn fresh, from counts
    kept, and from counts warmed), not in July 2026 (left out) and June 2027 as UTC months."""
    from sqlmodel import select

    from mappings.assessment.models import Claim
    from portfolio.models import Evidence

    london = ZoneInfo("Europe/London")
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    for code, at in (
        ("SE01", datetime(2026, 7, 31, 23, 30, tzinfo=UTC)),
        ("SE03", datetime(2027, 6, 30, 23, 30, tzinfo=UTC)),
    ):
        assess(session, reg, assessor.id, code, signed=False, at=at)
    session.commit()
    today = date(2027, 7, 15)

    def accepted(chart) -> list[int]:
        return [int(r[1]) for r in chart.rows]

    year = [1] + [0] * 10 + [1]  # August 2026 to July 2027
    fresh = assessor_decisions_chart(session, assessor_id=assessor.id, today=today, zone=london)
    assert accepted(fresh) == year
    cache: dict = {}
    kept = assessor_decisions_chart(
        session, assessor_id=assessor.id, today=today, zone=london, cache=cache
    )
    assert accepted(kept) == year
    warmed: dict = {}
    warm_decision_counts(session, warmed, today=today, zone=london)
    from_warmed = assessor_decisions_chart(
        session, assessor_id=assessor.id, today=today, zone=london, cache=warmed
    )
    assert accepted(from_warmed) == year
    # in UTC the same moments are 31 Jul 2026 (before the year) and 30 Jun 2027
    utc = assessor_decisions_chart(
        session, assessor_id=assessor.id, today=today, zone=ZoneInfo("UTC")
    )
    assert accepted(utc) == [0] * 10 + [1, 0]
    counted = {
        (c.criterion_id, c.evidence_id)
        for c in session.exec(
            select(Claim).join(Evidence).where(Evidence.learner_id == reg.learner_id)
        )
    }
    progress = learner_progress_chart(
        session, learner_id=reg.learner_id, counted=counted, today=today, zone=london
    )
    assert [int(r[1]) for r in progress.rows] == year
