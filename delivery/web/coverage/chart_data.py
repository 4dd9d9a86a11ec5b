"""The figures behind the charts of the learner's, assessor's, cohort and IQA pages.

Each reads one SQL statement at most (the cohort and IQA charts none: they fold what their page
already loaded; the assessor's decisions two when a decision was recorded since its counts were
kept), so a page's cost does not grow with the centre's history. Months are the centre's, in its
time zone (``TIME_ZONE``): each begins at midnight on its first day there (:func:`day_start`)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from delivery.web.charts import (
    Chart,
    Series,
    last_months,
    month_axis,
    month_label,
    share_bars,
    stacked_bars,
    state_grid,
)
from delivery.web.coverage.caseload import CohortPage
from delivery.web.words import method_words, plain
from mappings.assessment.models import Claim, Decision
from mappings.assessment.words import CRITERION_STATES
from mappings.quality.plan import Grid
from portfolio.models import Evidence
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_start, local

MONTHS = 12
log = logging.getLogger(__name__)


def _month(at: datetime, zone: ZoneInfo) -> date:
    """The first day of the centre's month (in ``zone``) of a stored moment."""
    day = local(at, zone)
    return date(day.year, day.month, 1)


def _months_on(first: date, count: int) -> list[date]:
    """The first days of ``count`` months from ``first``'s on."""
    out = [first]
    while len(out) < count:
        year, month = out[-1].year, out[-1].month
        out.append(date(year + month // 12, month % 12 + 1, 1))
    return out


def _year_month(at: Any, first: date, zone: ZoneInfo) -> tuple[Any, Any]:
    """The year and month, in the centre's ``zone``, of a stored moment from month ``first`` on
    (the year's months and the one after, which takes any later): which month's start, midnight
    on its first day there, it is past. Compared as stored, in UTC, on either database."""
    months = _months_on(first, MONTHS + 1)[::-1]
    starts = [(col(at) >= day_start(m, zone), m) for m in months[:-1]]
    oldest = months[-1]
    year = case(*((past, m.year) for past, m in starts), else_=oldest.year)
    month = case(*((past, m.month) for past, m in starts), else_=oldest.month)
    return year, month


def learner_progress_chart(
    session: Session,
    *,
    learner_id: int,
    counted: Collection[tuple[int, int]],
    today: date | None = None,
    zone: ZoneInfo = CENTRE,
) -> Chart:
    """Criteria the learner first met, per month over the last year (one statement): a
    criterion is met when it was first accepted by a claim that counts under the rules of
    coverage (``counted``: its (criterion id, evidence id) pairs, from the page's coverage), so
    the chart's total is the criteria met that the page shows; a month is the centre's
    (``zone``)."""
    months = last_months(today or datetime.now(zone).date(), MONTHS)
    accepted = (
        sa_select(col(Claim.criterion_id), col(Claim.evidence_id), func.min(col(Decision.at)))
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(col(Evidence.learner_id) == learner_id, col(Decision.new_status) == "accepted")
        .group_by(col(Claim.criterion_id), col(Claim.evidence_id))
    )
    first: dict[int, datetime] = {}
    for criterion_id, evidence_id, at in session.execute(accepted):
        if (criterion_id, evidence_id) in counted and (
            criterion_id not in first or at < first[criterion_id]
        ):
            first[criterion_id] = at
    per_month = Counter(_month(at, zone) for at in first.values())
    before = sum(n for m, n in per_month.items() if m < months[0])
    values = tuple(per_month.get(m, 0) for m in months)
    running, so_far = before, []
    for v in values:
        running += v
        so_far.append(str(running))
    total = sum(values)
    return stacked_bars(
        "chart-progress",
        "Criteria met each month",
        f"Over the last {MONTHS} months {total} criteria were met for the first time; "
        f"{running} are met in all.",
        [month_label(m) for m in months],
        [Series("criteria met", "chart-good", values)],
        category_head="Month",
        extra=[("Met so far", so_far)],
        axis=month_axis(months),
    )


# (bind, assessor, first month) -> (the newest decision counted, (year, month, status) -> count,
# the chart of those counts once drawn); assessor EVERYONE: every assessor's decisions were
# counted up to there (one absent had none)
DecisionCounts = dict[
    tuple[int, int, date], tuple[int, Counter[tuple[int, int, str]], "Chart | None"]
]
EVERYONE = 0  # no person's id
KEPT = 10_000  # keys kept before the counts are forgotten (old months' and databases' pile up)


def assessor_decisions_chart(
    session: Session,
    *,
    assessor_id: int,
    today: date | None = None,
    cache: DecisionCounts | None = None,
    zone: ZoneInfo = CENTRE,
) -> Chart:
    """The assessor's acceptances and referrals per month over the last year. With ``cache``
    (kept by the app, per process): the counts made on an earlier visit, brought up to date by
    counting only the decisions recorded since (decisions are never changed or removed, and
    their ids only grow): two cheap statements a visit, however long the assessor's year (a
    busy assessor's year is hundreds of thousands of decisions to group); the chart drawn from
    them is kept too until a new decision changes them. Months are the centre's (``zone``)."""
    months = last_months(today or datetime.now(zone).date(), MONTHS)
    if cache is None:
        return _decisions_chart(_decision_counts(session, assessor_id, months[0], zone), months)
    key = _brought_up_to_date(session, assessor_id, months[0], zone, cache)
    newest, tally, chart = cache[key]
    if chart is None:
        chart = _decisions_chart([(y, m, st, n) for (y, m, st), n in tally.items()], months)
        cache[key] = (newest, tally, chart)
    return chart


def _decisions_chart(found: list[Any], months: list[date]) -> Chart:
    """The chart of (year, month, status, count) rows over ``months``."""
    counts = {(date(int(y), int(m), 1), status): n for y, m, status, n in found}
    accepted = tuple(counts.get((m, "accepted"), 0) for m in months)
    referred = tuple(counts.get((m, "referred"), 0) for m in months)
    rates = [
        f"{round(100 * r / (a + r))}%" if a + r else "—"
        for a, r in zip(accepted, referred, strict=True)
    ]
    yes, no = sum(accepted), sum(referred)
    said = f"Over the last {MONTHS} months you have accepted or referred no claims."
    if yes + no:  # a rate only of something decided
        said = (
            f"Over the last {MONTHS} months you accepted {yes} and referred {no} claims: "
            f"a referral rate of {round(100 * no / (yes + no))}%."
        )
    return stacked_bars(
        "chart-decisions",
        "Your decisions each month",
        said,
        [month_label(m) for m in months],
        [Series("accepted", "chart-good", accepted), Series("referred", "chart-bad", referred)],
        category_head="Month",
        extra=[("Referral rate", rates)],
        axis=month_axis(months),
    )


def _brought_up_to_date(
    session: Session, assessor_id: int, first: date, zone: ZoneInfo, cache: DecisionCounts
) -> tuple[int, int, date]:
    """The key of the counts kept for the assessor (counting from month ``first``), brought up
    to date with the decisions recorded since they were made: two statements, the second over
    new ids only (and none when there are none)."""
    newest = int(session.execute(sa_select(func.max(Decision.id))).scalar() or 0)
    key = (_database(session), assessor_id, first)
    kept = cache.get(key)
    if kept is not None and kept[0] == newest:
        return key  # nothing new: the counts and their chart as they are
    counted, tally = _kept(cache, key[0], assessor_id, first)
    if counted > newest:  # kept for another database behind the same engine
        counted, tally = 0, Counter()
    if counted < newest:
        new = _decision_counts(session, assessor_id, first, zone, after=counted, up_to=newest)
        tally = tally + Counter({(int(y), int(m), st): n for y, m, st, n in new})
    if len(cache) > KEPT:
        cache.clear()
    cache[key] = (newest, tally, None)
    return key


def _database(session: Session) -> int:
    """Which database the counts are of: the connection pool's (a page's READ ONLY engine shares
    the app engine's pool, and so the counts the start warmed), else the connection's (a test's)."""
    bind = session.get_bind()
    return id(getattr(bind, "pool", bind))


def _kept(
    cache: DecisionCounts, bind: int, assessor_id: int, first: date
) -> tuple[int, Counter[tuple[int, int, str]]]:
    """What is kept of the assessor's counts from month ``first``: their own, else those from
    the month before (a new month began: its oldest month is dropped), else the warmed counts
    of everyone (they had no decision up to there); else nothing (count the year)."""
    earlier = last_months(first, 2)[0]
    for key in (
        (bind, assessor_id, first),
        (bind, assessor_id, earlier),
        (bind, EVERYONE, first),
        (bind, EVERYONE, earlier),
    ):
        if key in cache:
            counted, tally, _ = cache[key]
            since = (first.year, first.month)
            return counted, Counter({k: n for k, n in tally.items() if k[:2] >= since})
    return 0, Counter()


def warm_decision_counts(
    session: Session, cache: DecisionCounts, today: date | None = None, zone: ZoneInfo = CENTRE
) -> int:
    """Keep every assessor's decisions per month over the last year in ``cache``, as a first
    visit to each caseload would (one statement over the year's decisions: a process counts
    them once at start, in the background, not on a visitor's first page). Counts a visit kept
    meanwhile, further on, are left as they are. The number of assessors counted."""
    first = last_months(today or datetime.now(zone).date(), MONTHS)[0]
    since = day_start(first, zone)
    newest = int(session.execute(sa_select(func.max(Decision.id))).scalar() or 0)
    year, month = _year_month(Decision.at, first, zone)
    tallies: dict[int, Counter[tuple[int, int, str]]] = {}
    for actor, y, m, status, n in session.execute(
        sa_select(col(Decision.actor_id), year, month, col(Decision.new_status), func.count())
        .where(
            col(Decision.at) >= since,
            col(Decision.new_status).in_(("accepted", "referred")),
            col(Decision.id) <= newest,
        )
        .group_by(col(Decision.actor_id), year, month, col(Decision.new_status))
    ):
        tallies.setdefault(int(actor), Counter())[(int(y), int(m), status)] = n
    bind = _database(session)
    for assessor_id, tally in ((EVERYONE, Counter()), *tallies.items()):
        key = (bind, assessor_id, first)
        if cache.get(key, (0, None, None))[0] <= newest:
            cache[key] = (newest, tally, None)
    return len(tallies)


def start_warming_counts(
    session_factory: Callable[[], Session], cache: DecisionCounts, zone: ZoneInfo = CENTRE
) -> threading.Event:
    """Warm ``cache`` (:func:`warm_decision_counts`) in a daemon thread; the event is set when
    it is done (or failed): a visit meanwhile waits for it rather than count the year too."""
    done = threading.Event()

    def run() -> None:
        try:
            with session_factory() as session:
                warm_decision_counts(session, cache, zone=zone)
        except Exception:  # noqa: BLE001 - a background thread has nobody else to tell
            log.exception("warming the assessors' decision counts failed")
        finally:
            done.set()

    threading.Thread(target=run, name="charts-warm", daemon=True).start()
    return done


def _decision_counts(
    session: Session,
    assessor_id: int,
    first: date,
    zone: ZoneInfo,
    *,
    after: int = 0,
    up_to: int | None = None,
) -> list[Any]:
    """(year, month, status, count) of the assessor's decisions since month ``first`` began in
    the centre's ``zone`` whose ids are over ``after`` and at most ``up_to`` (one statement:
    counted by the database, by the centre's months)."""
    since = day_start(first, zone)
    year, month = _year_month(Decision.at, first, zone)
    return list(
        session.execute(
            sa_select(year, month, col(Decision.new_status), func.count())
            .where(
                col(Decision.actor_id) == assessor_id,
                col(Decision.at) >= since,
                col(Decision.new_status).in_(("accepted", "referred")),
                *([col(Decision.id) > after, col(Decision.id) <= up_to] if up_to else []),
            )
            .group_by(year, month, col(Decision.new_status))
        ).all()
    )


def _left_out(withdrawn: int) -> str:
    if not withdrawn:
        return ""
    return f" {withdrawn} withdrawn learner{'s are' if withdrawn > 1 else ' is'} left out."


def cohort_chart(page: CohortPage) -> Chart:
    """The cohort's criteria by standard: met, awaiting a decision, referred, accepted but not
    counting (as the learner's pages say), no evidence. A withdrawn learner is left out (the
    table below the chart marks them), and the description says how many were."""
    sums: dict[str, list[int]] = {}
    withdrawn = sum(learner.withdrawn_at is not None for learner in page.rows)
    for learner in page.rows:
        if learner.withdrawn_at is not None:
            continue
        for s in learner.standards:
            row = sums.setdefault(s.code, [0, 0, 0, 0, 0])
            for i, v in enumerate((s.met, s.awaiting, s.referred, s.not_counting, s.missing)):
                row[i] += v
    codes = sorted(sums)
    names = (("met", "chart-good"), ("awaiting a decision", "chart-wait"),
             ("referred", "chart-bad"), (CRITERION_STATES["uncounted"], "chart-uncounted"),
             ("no evidence", "chart-none"))  # fmt: skip
    series = [
        Series(n, c, tuple(sums[code][i] for code in codes)) for i, (n, c) in enumerate(names)
    ]
    met = sum(sums[c][0] for c in codes)
    every = sum(sum(sums[c]) for c in codes)
    return share_bars(
        "chart-cohort",
        f"Coverage of {page.name} by standard",
        f"Across the learners shown, {met} of {every} criteria are met"
        + (f" ({round(100 * met / every)}%)." if every else ".")
        + _left_out(withdrawn),
        codes,
        series,
        category_head="Standard",
    )


def iqa_grid_chart(grid: Grid) -> Chart:
    """The IQA coverage grid as coloured cells: sampled, not sampled, nothing to sample."""
    rows = [(plain(r.assessor), (*r.standards, *r.methods)) for r in grid.rows]
    sampled = sum(c == "sampled" for _, cells in rows for c in cells)
    open_ = sum(c == "not sampled" for _, cells in rows for c in cells)
    return state_grid(
        "chart-iqa-grid",
        "Sampling by assessor, standard and method",
        f"{sampled} combinations of assessor and standard or method are sampled and {open_} "
        "are not yet sampled.",
        rows,
        [*grid.standards, *grid.methods],
        [
            ("sampled", "chart-good"),
            ("not sampled", "chart-bad"),
            ("nothing to sample", "chart-none"),
        ],
        column_names=[*grid.standards, *(method_words(m) for m in grid.methods)],
    )
