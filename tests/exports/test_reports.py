"""Cohort coverage and the sign-off register, as CSV and .xlsx."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from exports.reports import (
    COVERAGE_HEADERS,
    REGISTER_HEADERS,
    cohort_coverage,
    format_of,
    render,
    rows_as_dicts,
    signoff_register,
    to_csv,
)
from portfolio.errors import NotFound, PermissionDenied
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of
from tests.exports.export_case import build_case, signed_on


@pytest.fixture
def cohort_case(session, tmp_path, make_person, make_registration, make_evidence):
    case = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2025", site="North")
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    return case, cohort


def test_cohort_coverage_rows(session, cohort_case) -> None:
    case, cohort = cohort_case
    report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id)
    rows = {r["Standard"]: r for r in rows_as_dicts(report)}
    assert report.headers == COVERAGE_HEADERS
    assert report.title == f"Coverage of cohort “{cohort.name}”"  # a name people typed, quoted
    assert set(rows) == {"SE01", "SE03"}
    se03, se01 = rows["SE03"], rows["SE01"]
    assert se03["Learner"] == case.learner.name and se03["E-mail"] == case.learner.email
    assert se03["Met"] == se03["Total"] and se03["Percent met"] == 100.0
    assert se03["Signed off"] == signed_on(case).isoformat()
    assert se03["Criteria still missing"] == ""
    assert se01["Met"] == 0 and se01["Awaiting"] == 1 and se01["Signed off"] == ""
    assert se01["Met"] + se01["Awaiting"] + se01["Referred"] + se01["Missing"] == se01["Total"]
    missing = str(se01["Criteria still missing"]).split()
    assert "P1" in missing and len(missing) == se01["Total"]


def test_coverage_costs_a_fixed_number_of_queries(
    session, cohort_case, count_queries, make_registration
) -> None:
    case, cohort = cohort_case
    with count_queries() as one:
        cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id)
    for _ in range(3):
        reg = make_registration(codes="SE01,SE02")
        reg.cohort_id = cohort.id
        session.add(reg)
    session.commit()
    with count_queries() as four:
        report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id)
    assert len(report.rows) == 2 + 3 * 2
    assert one.count == four.count


def test_reports_are_scoped_to_the_actor(session, cohort_case, make_person) -> None:
    case, cohort = cohort_case
    assert cohort_coverage(session, actor=actor_of(case.iqa), cohort_id=cohort.id).rows
    assert cohort_coverage(session, actor=actor_of(case.assessor), cohort_id=cohort.id).rows
    with pytest.raises(NotFound):
        cohort_coverage(session, actor=actor_of(make_person("assessor")), cohort_id=cohort.id)
    with pytest.raises(PermissionDenied):
        cohort_coverage(session, actor=actor_of(case.learner), cohort_id=cohort.id)
    today = date.today()
    stranger = signoff_register(session, actor=actor_of(make_person("iqa")), start=today, end=today)
    assert stranger.rows == []
    # allocated as IQA, but no longer holding the role (an assessor now): reaches no one by it
    from portfolio.services.people import Actor

    former = Actor(id=case.iqa.id, name=case.iqa.name, roles=frozenset({"assessor"}))
    with pytest.raises(NotFound):
        cohort_coverage(session, actor=former, cohort_id=cohort.id)
    day = signed_on(case)
    held = signoff_register(session, actor=actor_of(case.iqa), start=day, end=day)
    assert len(held.rows) == 1
    gone = signoff_register(session, actor=former, start=day, end=day)
    assert gone.rows == []


def test_signoff_register_in_range(session, cohort_case) -> None:
    case, _ = cohort_case
    today = signed_on(case)  # the centre's day
    report = signoff_register(session, actor=SYSTEM, start=today, end=today)
    mine = [r for r in rows_as_dicts(report) if r["Document id"] == case.signoff.document_id]
    assert report.headers == REGISTER_HEADERS
    assert len(mine) == 1
    row = mine[0]
    assert row["Learner"] == case.learner.name and row["Assessor"] == case.assessor.name
    assert row["Standard"] == "SE03" and row["Status"] == "signed"
    assert row["Evidence set SHA-256"] == case.signoff.evidence_set_sha256
    earlier = signoff_register(
        session, actor=SYSTEM, start=today - timedelta(days=30), end=today - timedelta(days=1)
    )
    assert case.signoff.document_id not in {r["Document id"] for r in rows_as_dicts(earlier)}


def test_csv_and_xlsx_hold_the_same_rows(session, cohort_case) -> None:
    _, cohort = cohort_case
    report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id)
    text = to_csv(report).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == COVERAGE_HEADERS
    assert [r[2] for r in parsed[1:]] == [r[2] for r in report.rows]
    sheet = load_workbook(io.BytesIO(render(report, "xlsx"))).active
    values = list(sheet.iter_rows(values_only=True))
    assert tuple(values[0]) == COVERAGE_HEADERS
    assert [tuple("" if v is None else v for v in r) for r in values[1:]] == [
        tuple("" if v is None else v for v in r) for r in report.rows
    ]


@pytest.mark.parametrize(
    ("value", "written"), [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("Ann", "Ann")]
)
def test_formula_like_text_is_quoted(value, written) -> None:
    from exports.reports import Report

    out = to_csv(Report("t", ("a",), [(value,)])).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(out)))[1] == [written]


def test_format_of() -> None:
    assert format_of("x.XLSX") == "xlsx" and format_of("x.csv") == "csv"
    with pytest.raises(ValueError, match="csv or .xlsx"):
        format_of("x.pdf")


def test_formula_like_text_is_text_in_xlsx() -> None:
    from exports.reports import Report

    book = load_workbook(io.BytesIO(render(Report("t", ("a",), [("=1+1",), ("Ann",)]), "xlsx")))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ("Ann", "s")]


def test_reports_name_the_framework_and_version_of_each_row(session, cohort_case) -> None:
    # found loading a new version of a framework while learners were on the old one: the
    # coverage and the register a centre sends the awarding body said "ML01 Lead your team"
    # with no word of which framework or version, and both versions have an ML01
    from portfolio.models import Framework

    case, cohort = cohort_case
    framework = session.get(Framework, case.registration.framework_id)
    coverage = rows_as_dicts(cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id))
    assert {(r["Framework"], r["Version"]) for r in coverage} == {
        (framework.code, framework.version)
    }
    day = signed_on(case)
    register = rows_as_dicts(signoff_register(session, actor=SYSTEM, start=day, end=day))
    assert [(r["Framework"], r["Version"]) for r in register] == [
        (framework.code, framework.version)
    ]
