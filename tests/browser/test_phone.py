"""At 375 px wide (a small phone) the pages with long tables do not scroll sideways: their tables
become stacked rows, by CSS alone, under the app's Content Security Policy (demo data, Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PHONE_WIDTH as WIDTH
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def _too_wide(page: Any, base: str, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            problems.append(f"{path}: {width} px wide")
    return problems


def _first(page: Any, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return next(h for h in hrefs if re.fullmatch(pattern, h or ""))


def test_learner_pages_fit_a_phone(phone, live_server) -> None:
    login(phone, live_server, "learner4@example.org")
    phone.goto(f"{live_server}/evidence")
    item = _first(phone, r"/evidence/\d+")
    assert (
        _too_wide(
            phone, live_server, ["/", "/evidence", "/evidence?page=2", item, "/evidence/import"]
        )
        == []
    )
    # the evidence list is stacked: each cell says what it is
    phone.goto(f"{live_server}/evidence")
    cell = phone.locator("table.stack tbody td").first
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    assert phone.csp_errors == []


def test_assessor_pages_fit_a_phone(phone, live_server) -> None:
    login(phone, live_server, "assessor1@example.org")
    phone.goto(f"{live_server}/caseload")
    learner = _first(phone, r"/learners/\d+/progress").split("/")[2]
    paths = ["/", "/caseload", "/marking", f"/learners/{learner}/evidence"]
    assert _too_wide(phone, live_server, paths) == []
    assert phone.csp_errors == []


def test_administrator_pages_fit_a_phone(phone, live_server) -> None:
    login(phone, live_server, "admin@example.org")
    assert _too_wide(phone, live_server, ["/", "/admin/people", "/admin/lti"]) == []
    assert phone.csp_errors == []


def test_a_code_block_and_a_wide_table_in_evidence_fit_a_phone(phone, live_server) -> None:
    """A learner's Markdown with a long code block and a ten-column table, previewed in the
    editor: the code wraps and the table scrolls in its own region, which the keyboard reaches;
    the page itself does not scroll sideways. No title is given, so nothing is saved."""
    login(phone, live_server, "learner1@example.org")
    phone.goto(f"{live_server}/")
    learner = _first(phone, r"/learners/\d+/progress").split("/")[2]
    phone.goto(f"{live_server}/learners/{learner}/evidence/new?kind=reflective_account")
    table = "| " + " | ".join(f"Column {i}" for i in range(10)) + " |\n" + "|---" * 10 + "|\n"
    table += "| " + " | ".join(f"value-{i}-of-the-week" for i in range(10)) + " |\n"
    code = "```\n" + "rota = " + "early-late-" * 40 + "\n```\n"
    phone.locator("#evidence-form textarea[name=body]").fill(f"{code}\n{table}")
    phone.get_by_role("button", name="Preview").click()
    region = phone.get_by_role("region", name="Table")
    region.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls, by itself
    region.focus()
    region.press("ArrowRight")
    # the arrow key scrolls the region (smoothly, so wait for it to move)
    phone.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    assert phone.csp_errors == []


def test_a_stacked_tables_caption_spans_the_phone(phone, live_server) -> None:
    """The audit trail's caption ("Entries, newest first, 50 a page") was squeezed into a column
    a word wide above the stacked rows, its lines centred: it spans the table as its rows do."""
    login(phone, live_server, "admin@example.org")
    phone.goto(f"{live_server}/admin/audit")
    caption = phone.locator("table.stack caption").first
    row = phone.locator("table.stack tbody tr").first
    assert caption.bounding_box()["width"] >= row.bounding_box()["width"] - 1
    assert caption.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")


def test_the_file_chooser_is_big_enough_to_tap(phone, live_server) -> None:
    """The browser's own file input is about 21 px tall: too small a target on a phone (WCAG 2.2
    asks 24 px). The learner attaches files on the new-evidence form and on the item's page."""
    login(phone, live_server, "learner4@example.org")
    phone.goto(f"{live_server}/evidence")
    new = _first(phone, r"/learners/\d+/evidence/new\?kind=reflective_account")
    phone.goto(live_server + new)
    chooser = phone.locator("input[type=file]").first
    box = chooser.bounding_box()
    assert box is not None and box["height"] >= 24, box
