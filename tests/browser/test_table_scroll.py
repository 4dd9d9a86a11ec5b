"""A wide table in a learner's text scrolls sideways in a region of its own, which is a keyboard
tab stop (labelled) only where it scrolls: at 375 px wide, not at 1280 px where it all shows; axe's
scrollable-region-focusable rule holds at both widths (real Chromium)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from portfolio.db import session_scope
from portfolio.models import Person
from portfolio.services import evidence
from portfolio.services.people import Actor
from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser

EMAIL = "learner1@example.org"
WIDE = (
    "| Week | Employer | Vacancy | Travel | Outcome | Next step |\n"
    "|---|---|---|---|---|---|\n"
    "| One | Gardencentre | Nurseryhand | Bus&nbsp;route&nbsp;twelve | Interviewed | Trialshift |\n"
)
NARROW = "| Day | Done |\n|---|---|\n| Monday | Met them |\n"


@pytest.fixture(scope="module")
def item_path(live) -> str:
    with session_scope(live.engine) as session:
        learner = session.exec(select(Person).where(Person.email == EMAIL)).one()
        item = evidence.create(
            session,
            actor=Actor.of(learner),
            learner_id=learner.id or 0,
            draft=evidence.Draft(
                kind="review_note",
                title="Job-match weeks",
                activity_date=date(2026, 11, 2),
                body=f"The weeks:\n\n{WIDE}\nAnd the days:\n\n{NARROW}",
            ),
        )
        return f"/evidence/{item.id}"


def _regions(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        ".table-scroll",
        """els => els.map(e => ({scrolls: e.scrollWidth > e.clientWidth,
            tabindex: e.getAttribute('tabindex'), role: e.getAttribute('role'),
            label: e.getAttribute('aria-label')}))""",
    )


def _tab_stops(page: Any, limit: int = 200) -> int:
    """How many times Tab lands on a table's region, going once through the page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    landed, seen = 0, set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => { const e = document.activeElement;
                return e ? [e.className, e.outerHTML.slice(0, 120)].join('|') : ''; }"""
        )
        if where in seen:
            break
        seen.add(where)
        landed += where.startswith("table-scroll|")
    return landed


def _scrollable_rule(page: Any) -> list[Any]:
    return [v for v in axe_violations(page) if v["id"] == "scrollable-region-focusable"]


def test_a_table_region_is_a_tab_stop_only_where_it_scrolls(page, live_server, item_path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, EMAIL)
    page.goto(live_server + item_path)
    wide, narrow = _regions(page)
    assert not wide["scrolls"] and not narrow["scrolls"]
    assert wide == narrow == {"scrolls": False, "tabindex": None, "role": None, "label": None}
    assert _tab_stops(page) == 0
    assert _scrollable_rule(page) == []

    page.set_viewport_size({"width": 375, "height": 800})  # narrowed: the wide one scrolls now
    page.wait_for_function(
        "document.querySelector('.table-scroll').getAttribute('tabindex') === '0'"
    )
    wide, narrow = _regions(page)
    assert wide == {"scrolls": True, "tabindex": "0", "role": "region", "label": "Table"}
    assert narrow["tabindex"] is None and not narrow["scrolls"]
    assert _tab_stops(page) == 1
    assert _scrollable_rule(page) == []

    page.set_viewport_size({"width": 1280, "height": 900})  # and widened again: no more
    page.wait_for_function("!document.querySelector('.table-scroll').hasAttribute('tabindex')")


def test_on_a_phone_the_wide_table_is_reached_and_scrolled_by_keyboard(
    phone, live_server, item_path
) -> None:
    """Loaded at 375 px, with the app's Content-Security-Policy obeyed (the script is served,
    not inline), the wide table's region is a labelled tab stop and the arrow keys scroll it
    (axe-core cannot be put in a page that obeys the policy: the test above runs it at 375 px)."""
    login(phone, live_server, EMAIL)
    phone.goto(live_server + item_path)
    wide, narrow = _regions(phone)
    assert wide == {"scrolls": True, "tabindex": "0", "role": "region", "label": "Table"}
    assert narrow["tabindex"] is None
    phone.focus(".table-scroll")
    for _ in range(20):  # polled: the page's policy allows no evaluated predicate
        phone.keyboard.press("ArrowRight")
        if phone.eval_on_selector(".table-scroll", "e => e.scrollLeft") > 0:
            break
    assert phone.eval_on_selector(".table-scroll", "e => e.scrollLeft") > 0
    assert phone.evaluate("document.activeElement.className") == "table-scroll"
    assert not phone.csp_errors
