"""The QA, administrator and chart pages as each role uses them: axe-core clean, no sideways
scrolling at 375 px under the app's CSP (demo data with its IQA cycle and EQA grant, Chromium)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WIDTH as WIDTH
from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def _hrefs(page: Any, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if re.fullmatch(pattern, h or "")]


def _walk(page: Any, base: str, paths: list[str]) -> list[str]:
    """axe violations and sideways scrolling of each page, as one list of problems."""
    problems = []
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            problems.append(f"{path}: {width} px wide")
        problems += [f"{path}: {v['id']} {v['help']} {v['nodes']}" for v in axe_violations(page)]
    return problems


@pytest.fixture
def narrow(browser: Any) -> Any:
    """375 px wide, CSP bypassed only so that axe-core can be injected."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_eqa_reads_the_demo_cycle(narrow, live_server) -> None:
    login(narrow, live_server, "eqa@example.org")
    narrow.goto(f"{live_server}/eqa")
    assert narrow.get_by_role("heading", name=re.compile(r"Demo IQA cycle \(access until")).count()
    sample = _hrefs(narrow, r"/eqa/samples/\d+")[0]
    learner = _hrefs(narrow, r"/learners/\d+/evidence")[0]
    assert _walk(narrow, live_server, ["/eqa", sample, learner]) == []


def test_iqa_plan_with_chart_report_and_a_review_that_needs_a_verdict(
    narrow, live_server, tmp_path: Path
) -> None:
    login(narrow, live_server, "iqa@example.org")
    narrow.goto(f"{live_server}/iqa")
    cycle = _hrefs(narrow, r"/iqa/cycles/\d+")[0]
    narrow.goto(live_server + cycle)
    svg = narrow.get_by_role("img", name="Sampling by assessor, standard and method")
    assert svg.count() == 1
    narrow.get_by_text("Show as a table").first.click()
    with narrow.expect_download() as got:
        narrow.get_by_role("link", name="plan with outcomes (CSV)").click()
    saved = tmp_path / "plan.csv"
    got.value.save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").startswith("Sample,Record,Learner")
    samples = _hrefs(narrow, r"/iqa/samples/\d+")
    unreviewed = samples[-1]
    narrow.goto(live_server + unreviewed)
    assert narrow.locator("input[type=radio]:checked").count() == 0
    with narrow.expect_navigation():  # the refused form comes back with its alert
        narrow.get_by_role("button", name="Record the review").click()
    assert narrow.get_by_role("alert").count() == 1
    assert narrow.get_by_text(re.compile("Choose agree or disagree for")).count() >= 2
    assert axe_violations(narrow) == []
    paths = [cycle, f"{cycle}/grid", unreviewed, "/caseload?role=iqa"]
    assert _walk(narrow, live_server, paths) == []


def test_administrator_home_search_and_import_preview(narrow, live_server, tmp_path: Path) -> None:
    login(narrow, live_server, "admin@example.org")
    assert (
        _walk(narrow, live_server, ["/admin", "/admin/people?q=learner", "/admin/people/import"])
        == []
    )
    narrow.goto(f"{live_server}/admin")
    assert narrow.get_by_role("link", name="Active registrations").count() == 1
    csv = tmp_path / "people.csv"
    csv.write_text(
        "name,email,roles,framework,standards,assessor\n"
        "Nina New,nina.new@example.org,learner,SE,SE01;SE02,assessor1@example.org\n"
        "Broken Row,,wizard,,,\n",  # two problems, both listed
        encoding="utf-8",
    )
    narrow.goto(f"{live_server}/admin/people/import")
    narrow.get_by_label("CSV file of people").set_input_files(str(csv))
    with narrow.expect_navigation():
        narrow.get_by_role("button", name="Check or import the file").click()
    # (a locator is always true: asserting it checked nothing)
    expect(
        narrow.get_by_role("heading", name=re.compile("1 row has errors: nothing was written"))
    ).to_be_visible()
    assert narrow.get_by_text("New person and registration").count() == 1
    assert narrow.get_by_text("An e-mail address is required.").count() == 1
    assert narrow.get_by_text(re.compile("Unknown role.*wizard")).count() == 1
    assert narrow.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert axe_violations(narrow) == []
    csv.write_text(
        "name,email,roles,framework,standards,assessor\n"
        "Nina New,nina.new@example.org,learner,SE,SE01;SE02,assessor1@example.org\n",
        encoding="utf-8",
    )
    narrow.get_by_label("CSV file of people").set_input_files(str(csv))
    with narrow.expect_navigation():
        narrow.get_by_role("button", name="Check or import the file").click()
    with narrow.expect_navigation():
        narrow.get_by_role("button", name="Import this row").click()
    assert narrow.get_by_text("Imported 1 person and 1 registration.").count() == 1
    narrow.goto(f"{live_server}/admin/people?q=nina")
    assert narrow.get_by_role("link", name="Nina New").count() == 1


def test_charts_on_learner_assessor_and_cohort_pages(narrow, live_server) -> None:
    login(narrow, live_server, "assessor1@example.org")
    narrow.goto(f"{live_server}/caseload")
    assert narrow.get_by_role("img", name="Your decisions each month").count() == 1
    learner = _hrefs(narrow, r"/learners/\d+/progress")[0]
    narrow.goto(f"{live_server}/")
    cohort = _hrefs(narrow, r"/cohorts/\d+/progress")[:1]
    problems = []
    for path in ["/caseload", learner, *cohort]:
        narrow.goto(live_server + path)
        assert narrow.get_by_role("img").count() >= 1, path
        narrow.get_by_text("Show as a table").first.click()  # the table view fits too
        right = narrow.evaluate(
            "Math.max(...[...document.querySelectorAll('figure.chart')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        if right > WIDTH:
            problems.append(f"{path}: a chart reaches {right} px")
        problems += [f"{path}: {v['id']} {v['help']}" for v in axe_violations(narrow)]
    assert problems == []
