"""Open Badges in a real browser: the learner finds their badge, anyone checks it with no account;
the pages pass axe-core and fit a 375 px phone (demo data, Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def _badge_links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if re.fullmatch(r"/badges/[0-9a-f-]{36}", h or "")]


def test_the_learner_finds_their_badge_and_a_stranger_checks_it(browser, live_server) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, live_server, "learner1@example.org")
    page.goto(f"{live_server}/")
    progress = next(
        h
        for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        if re.fullmatch(r"/learners/\d+/progress", h or "")
    )
    page.goto(live_server + progress)
    assert page.get_by_role("heading", name="Open Badges").is_visible()
    check_page = _badge_links(page)[0]
    uuid = check_page.rsplit("/", 1)[1]
    token = page.evaluate(
        "u => fetch(u).then(r => r.text())", f"{live_server}/badges/{uuid}/badge.jwt"
    )
    problems = [f"{progress}: {v['id']}" for v in axe_violations(page)]
    context.close()

    # a stranger, logged in nowhere, on a phone
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    for path in (check_page, "/badges/verify"):
        assert page.goto(live_server + path).status == 200
        problems += [f"{path}: {v['id']} {v['help']}" for v in axe_violations(page)]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            problems.append(f"{path}: {width} px wide")
    page.goto(live_server + check_page)
    assert "genuine and stands" in page.locator("h2").first.inner_text()
    page.goto(f"{live_server}/badges/verify")
    page.get_by_label("The badge").fill(token)
    with page.expect_navigation():  # the verdict's heading is on both answers: read the new one
        page.get_by_role("button", name="Check this badge").click()
    assert "genuine and stands" in page.locator("#verdict-heading").inner_text()
    page.get_by_label("The badge").fill(token[:-8] + "AAAAAAAA")
    with page.expect_navigation():  # the verdict's heading is on both answers: read the new one
        page.get_by_role("button", name="Check this badge").click()
    assert "cannot be trusted" in page.locator("#verdict-heading").inner_text()
    problems += [f"invalid verdict: {v['id']}" for v in axe_violations(page)]
    context.close()
    assert problems == []
