"""The API's pages in Chromium: a learner makes a token on the account page, sees it once, and
the page and the API reference pass axe-core and fit a 375 px phone (demo data)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_make_a_token_then_read_the_reference(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "learner2@example.org")
        page.goto(f"{live_server}/account")
        page.get_by_role("link", name="Make and revoke tokens for the API").click()
        page.get_by_label("Name (what the token is for)").fill("Phone script")
        page.get_by_label("Read what you may see", exact=False).check()
        page.get_by_role("button", name="Make token").click()
        secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
        assert secret.startswith("pat_")
        problems = [f"tokens: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        answer = page.request.get(
            f"{live_server}/api/v1/frameworks", headers={"Authorization": f"Bearer {secret}"}
        )
        assert answer.status == 200 and answer.json()["items"]
        page.goto(f"{live_server}/account/tokens")
        assert secret not in page.content()
        page.goto(f"{live_server}/api/v1/docs")
        problems += [f"docs: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        assert problems == []
        assert max(widths) <= 375, widths
    finally:
        context.close()
