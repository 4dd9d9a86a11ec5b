"""Streamed reports: read in chunks of any size, they give the very rows and bytes of the whole.

The reference is the report as it was computed before streaming: every registration of the
cohort at once, with full per-criterion coverage (reasons and all), in learner-name order."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from demo.accounts import load_demo
from demo.synthetic import add_synthetic_centre
from exports.reports import (
    COVERAGE_HEADERS,
    Cell,
    cohort_coverage,
    cohort_coverage_stream,
    render,
    render_chunks,
    rows_as_dicts,
    signoff_register,
    signoff_register_stream,
)
from framework import tabular
from mappings.assessment.standing import load_standings
from portfolio.models import Person, Registration
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM, Actor
from tests.conftest import actor_of
from tests.exports.export_case import build_case, signed_on


@pytest.fixture
def seeded(session, tmp_path, make_person, make_registration, make_evidence):
    """A cohort of 13 learners: the assessed export case (with a signed-off standard) and 12
    synthetic ones from the demo, three of whom share a name (the page boundary must not skip
    or repeat one of them)."""
    case = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Big cohort", site="North")
    load_demo(session)
    session.commit()
    last = session.exec(select(func.max(Person.id))).one()

    @contextmanager
    def unit() -> Iterator[Session]:  # the command's unit of work: here a SAVEPOINT
        yield session
        session.commit()

    add_synthetic_centre(unit, learners=12, items_per_learner=4, seed=3)
    synthetic_ids = list(
        session.exec(select(Person.id).where(col(Person.id) > last).order_by(col(Person.id)))
    )
    session.execute(
        update(Registration)
        .where(col(Registration.learner_id).in_([*synthetic_ids, case.learner.id]))
        .values(cohort_id=cohort.id)
    )
    session.execute(
        update(Person).where(col(Person.id).in_(synthetic_ids[3:6])).values(name="Sam Same-Name")
    )
    session.commit()
    return case, cohort.id


def _reference(session: Session, actor: Actor, cohort_id: int) -> list[tuple[Cell, ...]]:
    """The coverage report as computed before it streamed."""
    query = (
        select(Registration.id)
        .join(Person, col(Person.id) == Registration.learner_id)
        .where(Registration.cohort_id == cohort_id)
        .order_by(col(Person.name), col(Registration.id))
    )
    if not actor.has("admin"):
        query = query.where(
            (col(Registration.assessor_id) == actor.id) | (col(Registration.iqa_id) == actor.id)
        )
    rows: list[tuple[Cell, ...]] = []
    for standing in load_standings(session, [i for i in session.exec(query).all() if i]):
        by_code = {s.standard: s for s in standing.coverage.standards}
        for info in standing.standards:
            cov = by_code[info.code]
            rows.append(
                (
                    standing.learner.name,
                    standing.learner.email,
                    standing.framework.code,
                    standing.framework.version,
                    info.code,
                    info.title,
                    cov.met,
                    cov.awaiting,
                    cov.referred - cov.not_counting,
                    cov.not_counting,
                    cov.missing,
                    cov.total,
                    round(cov.percent_met, 1),
                    info.signoff.signed_at.astimezone(UTC).date().isoformat()
                    if info.signoff
                    else "",
                    " ".join(o.criterion.code for o in cov.outstanding),
                    standing.registration.withdrawn_at.isoformat()
                    if standing.registration.withdrawn_at
                    else "",
                )
            )
    return rows


@pytest.mark.parametrize("who", ["admin", "assessor"])
def test_coverage_in_chunks_is_the_whole_report(session, seeded, make_person, who) -> None:
    case, cohort_id = seeded
    actor = actor_of(make_person("admin") if who == "admin" else case.assessor)
    expected = _reference(session, actor, cohort_id)
    assert len(expected) >= (30 if who == "admin" else 2)
    # the reference is varied enough to tell states apart
    assert any(r[12] for r in expected) and any(r[7] for r in expected)
    whole = tabular.csv_bytes(COVERAGE_HEADERS, expected)
    for chunk in (1, 2, 5, 500):
        report = cohort_coverage_stream(session, actor=actor, cohort_id=cohort_id, chunk=chunk)
        assert b"".join(render_chunks(report, "csv")) == whole, chunk
    assert cohort_coverage(session, actor=actor, cohort_id=cohort_id).rows == expected
    # an .xlsx carries the time it was zipped: compare the cells
    small = cohort_coverage_stream(session, actor=actor, cohort_id=cohort_id, chunk=2).collect()
    streamed = b"".join(render_chunks(small, "xlsx"))
    cells = list(load_workbook(io.BytesIO(streamed)).active.iter_rows(values_only=True))
    whole_cells = list(
        load_workbook(
            io.BytesIO(render(cohort_coverage(session, actor=actor, cohort_id=cohort_id), "xlsx"))
        ).active.iter_rows(values_only=True)
    )
    assert cells == whole_cells and len(cells) == 1 + len(expected)


def test_coverage_stream_reads_a_page_at_a_time(session, seeded, count_queries) -> None:
    """Rows come as the pages are read: the first row costs one page's queries, not the cohort's."""
    _, cohort_id = seeded
    with count_queries() as whole:
        total = len(cohort_coverage(session, actor=SYSTEM, cohort_id=cohort_id).rows)
    with count_queries() as first:
        rows = cohort_coverage_stream(session, actor=SYSTEM, cohort_id=cohort_id, chunk=2).rows
        next(rows)
    with count_queries() as rest:
        assert 1 + sum(1 for _ in rows) == total
    # 13 registrations in pages of 2: 7 pages, each a page query and the same few coverage ones
    per_page = first.count - 1  # less the cohort's own row
    assert first.count + rest.count == 1 + 7 * per_page
    assert per_page <= whole.count


def test_register_in_chunks_is_the_whole_register(session, seeded) -> None:
    case, _ = seeded
    day = signed_on(case)
    whole = signoff_register(session, actor=SYSTEM, start=day, end=day)
    assert [r["Document id"] for r in rows_as_dicts(whole)] == [case.signoff.document_id]
    streamed = signoff_register_stream(session, actor=SYSTEM, start=day, end=day, chunk=1)
    assert b"".join(render_chunks(streamed, "csv")) == render(whole, "csv")
    empty = signoff_register_stream(
        session, actor=SYSTEM, start=date(2001, 1, 1), end=date(2001, 1, 2)
    )
    assert list(empty.rows) == []


def test_nothing_of_theirs_is_refused_before_any_row(session, seeded, make_person) -> None:
    """Who may see a cohort is checked when the stream is opened, not when it is read."""
    from portfolio.errors import NotFound

    _, cohort_id = seeded
    with pytest.raises(NotFound):
        cohort_coverage_stream(
            session, actor=actor_of(make_person("assessor")), cohort_id=cohort_id
        )
