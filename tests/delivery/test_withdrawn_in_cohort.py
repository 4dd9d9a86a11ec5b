"""A withdrawn learner in a cohort's progress page and its coverage report: marked, not as active."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from delivery.web.coverage import caseload
from exports.reports import cohort_coverage, render, rows_as_dicts
from portfolio.models import Cohort
from portfolio.services import withdrawals
from portfolio.services.people import SYSTEM
from portfolio.words import day_words
from tests.conftest import actor_of

YESTERDAY = date.today() - timedelta(days=1)


def _cohort(session, make_person, make_registration):
    admin = make_person("admin")
    left = make_registration(learner=make_person("learner", name="Wanda Walker"), codes="SE01")
    stays = make_registration(learner=make_person("learner", name="Stella Stays"), codes="SE01")
    cohort = Cohort(name="Autumn", site="North")
    session.add(cohort)
    session.flush()
    for reg in (left, stays):
        reg.cohort_id = cohort.id
        session.add(reg)
    withdrawals.withdraw(
        session, actor=actor_of(admin), registration_id=left.id, on=YESTERDAY, reason="Moved"
    )
    session.commit()
    return admin, cohort


def test_the_cohort_page_marks_a_withdrawn_learner(
    session, client, auth, make_person, make_registration
) -> None:
    admin, cohort = _cohort(session, make_person, make_registration)
    auth.login(admin)
    html = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    rows = {r.split("</th>")[0]: r for r in html.split('<th scope="row">')[1:]}
    (wanda,) = [r for name, r in rows.items() if "Wanda Walker" in name]
    (stella,) = [r for name, r in rows.items() if "Stella Stays" in name]
    assert f"Withdrawn on {day_words(YESTERDAY)}" in wanda
    assert "Withdrawn" not in stella


def test_the_coverage_report_has_a_withdrawn_on_column(
    session, make_person, make_registration
) -> None:
    _, cohort = _cohort(session, make_person, make_registration)
    report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort.id)
    by_name = {r["Learner"]: r for r in rows_as_dicts(report)}
    assert by_name["Wanda Walker"]["Withdrawn on"] == YESTERDAY.isoformat()
    assert by_name["Stella Stays"]["Withdrawn on"] == ""
    sheet = load_workbook(io.BytesIO(render(report, "xlsx"))).active
    values = list(sheet.iter_rows(values_only=True))
    column = values[0].index("Withdrawn on")
    assert {r[0]: r[column] for r in values[1:]}["Wanda Walker"] == YESTERDAY.isoformat()


def test_the_coverage_chart_leaves_a_withdrawn_learner_out_and_says_so(
    session, client, auth, make_person, make_registration
) -> None:
    admin, cohort = _cohort(session, make_person, make_registration)
    auth.login(admin)
    html = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    chart = html.split('id="chart-cohort-caption"')[1].split("</figure>")[0]
    # two learners of SE01, one withdrawn: the chart's table counts one learner's criteria
    se01 = chart.split('<th scope="row">SE01</th>')[1].split("</tr>")[0]
    cells = [int(c.split(">")[1].split("<")[0]) for c in se01.split("<td")[1:]]
    page = caseload.cohort_progress(session, actor=actor_of(admin), cohort_id=cohort.id)
    (stella,) = [r for r in page.rows if r.learner_name == "Stella Stays"]
    (criteria,) = [s.met + s.awaiting + s.referred + s.not_counting + s.missing
                   for s in stella.standards]  # fmt: skip
    assert sum(cells) == criteria
    assert "1 withdrawn learner is left out" in chart
