"""The sign-off register's period, and the day the coverage report says a standard was signed
off, are the centre's days (``TIME_ZONE``): a sign-off at 23:30 UTC on 30 Jun 2026 was made at
00:30 on 1 Jul in London, so it is in July's register and its standard was signed off on
1 Jul; in New York it was 19:30 on 30 Jun. The register's times keep their UTC columns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from exports.reports import cohort_coverage, rows_as_dicts, signoff_register
from portfolio.services.people import SYSTEM
from tests.exports.test_export_web import case  # noqa: F401

JULY_FIRST_BST = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 Jul 2026 in London
JULY_FIRST_UTC = datetime(2026, 7, 1, 2, 30, tzinfo=UTC)  # 22:30 on 30 Jun 2026 in New York
NEW_YORK = ZoneInfo("America/New_York")


def _signed_at_the_edge_of_june(session, built, at: datetime = JULY_FIRST_BST) -> str:
    built.signoff.signed_at = at
    session.add(built.signoff)
    session.commit()
    return built.signoff.document_id


def _documents(report) -> list[str]:
    return [row["Document id"] for row in rows_as_dicts(report)]


def test_a_signoff_at_half_past_midnight_bst_is_in_julys_register(session, case) -> None:  # noqa: F811
    doc = _signed_at_the_edge_of_june(session, case)
    july = signoff_register(session, actor=SYSTEM, start=date(2026, 7, 1), end=date(2026, 7, 31))
    june = signoff_register(session, actor=SYSTEM, start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert _documents(july) == [doc] and _documents(june) == []
    [row] = rows_as_dicts(july)
    assert row["Signed at (UTC)"] == "2026-06-30 23:30"  # the column named for UTC stays UTC
    # the centre's zone is the one given: in New York it was still 30 Jun
    day = date(2026, 6, 30)
    there = signoff_register(session, actor=SYSTEM, start=day, end=day, zone=NEW_YORK)
    assert _documents(there) == [doc]


def test_the_coverage_report_says_the_centres_day_of_sign_off(session, case) -> None:  # noqa: F811
    _signed_at_the_edge_of_june(session, case)
    report = cohort_coverage(session, actor=SYSTEM, cohort_id=case.cohort_id)
    [se03] = [r for r in rows_as_dicts(report) if r["Standard"] == "SE03"]
    assert se03["Signed off"] == "2026-07-01"
    there = cohort_coverage(session, actor=SYSTEM, cohort_id=case.cohort_id, zone=NEW_YORK)
    [se03] = [r for r in rows_as_dicts(there) if r["Standard"] == "SE03"]
    assert se03["Signed off"] == "2026-06-30"


def test_the_downloads_and_the_commands_read_the_centres_zone(
    app,
    client,
    auth,
    cli,
    session,
    case,  # noqa: F811
    monkeypatch,
    tmp_path,
) -> None:
    """The Downloads page's register and coverage use ``TIME_ZONE``, ``portfolio export
    register`` and ``coverage`` ``PORTFOLIO_TIME_ZONE``: a centre in New York, where a sign-off
    at 02:30 UTC on 1 Jul (03:30 in London) was made at 22:30 on 30 Jun."""
    doc = _signed_at_the_edge_of_june(session, case, JULY_FIRST_UTC)
    app.config["TIME_ZONE"] = "America/New_York"
    auth.login(case.assessor)
    web = client.get("/exports/register.csv?from=2026-06-30&to=2026-06-30")
    assert web.status_code == 200 and doc in web.data.decode("utf-8-sig")
    july = client.get("/exports/register.csv?from=2026-07-01&to=2026-07-01")
    assert doc not in july.data.decode("utf-8-sig")
    coverage = client.get(f"/cohorts/{case.cohort_id}/coverage.csv").data.decode("utf-8-sig")
    [se03] = [r for r in csv.DictReader(io.StringIO(coverage)) if r["Standard"] == "SE03"]
    assert se03["Signed off"] == "2026-06-30"
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", "America/New_York")
    out = tmp_path / "register.csv"
    made = cli("export", "register", "--from", "2026-06-30", "--to", "2026-06-30", "-o", str(out))
    assert made.exit_code == 0, made.output
    assert doc in out.read_text("utf-8-sig")
    out = tmp_path / "coverage.csv"
    made = cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", str(out))
    assert made.exit_code == 0, made.output
    rows = csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))
    assert [r["Signed off"] for r in rows if r["Standard"] == "SE03"] == ["2026-06-30"]
