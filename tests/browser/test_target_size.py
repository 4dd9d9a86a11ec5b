"""WCAG 2.2 2.5.8 Target Size (Minimum): every tick box and radio button is at least 24 by 24 CSS
px (the browser's own are about 13 px), its label still ticks it, and the pages with the longest
lists of them do not scroll sideways on a phone (375 px) or at 320 px (demo data, Chromium).

The pages: the learner's evidence editor (the criterion checklist) and their e-mail choices, an
item the assessor decides (Accept or Refer for each claim), the IQA's check of a sample (Agree or
Disagree), and the administrator's people, registrations (standards) and an assessor's page (the
learners to reallocate)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Live, login

pytestmark = pytest.mark.browser

# each shown tick box or radio button: what it is, its box, and whether a label names it
_BOXES = """() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
  .filter(e => e.checkVisibility())
  .map(e => {
    const r = e.getBoundingClientRect();
    const label = e.labels && e.labels.length ? e.labels[0].innerText.trim() : '';
    return {what: e.type + ' ' + (e.name || e.id) + ' "' + label.slice(0, 30) + '"',
            width: r.width, height: r.height, labelled: label.length > 0};
  })"""


def _hrefs(page: Any, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if re.fullmatch(pattern, h or "")]


def _pages(page: Any, base: str) -> dict[str, list[str]]:
    """Each persona's pages with tick boxes or radio buttons, found from their links."""
    found: dict[str, list[str]] = {}
    login(page, base, "learner4@example.org")  # the shared demo's long list of drafts
    page.goto(f"{base}/evidence?status=draft")
    draft = page.locator("table a[href^='/evidence/']").first.get_attribute("href")
    found["learner4@example.org"] = [f"{draft}/edit", "/account"]
    page.context.clear_cookies()
    login(page, base, "assessor1@example.org")
    page.goto(f"{base}/marking")
    item = page.locator("table tbody tr th a").first.get_attribute("href")
    found["assessor1@example.org"] = [item or ""]
    page.context.clear_cookies()
    login(page, base, "iqa@example.org")
    page.goto(f"{base}/iqa")
    cycle = _hrefs(page, r"/iqa/cycles/\d+")[0]
    page.goto(base + cycle)
    samples = _hrefs(page, r"/iqa/samples/\d+")
    for sample in samples:  # one still to review: its Agree and Disagree for each decision
        page.goto(base + sample)
        if page.locator("input[type=radio]").count():
            found["iqa@example.org"] = [sample]
            break
    page.context.clear_cookies()
    login(page, base, "admin@example.org")
    page.goto(f"{base}/admin/people?q=assessor1")
    assessor = _hrefs(page, r"/admin/people/\d+")[0]
    found["admin@example.org"] = [
        "/admin/people",
        "/admin/registrations",
        assessor,
        f"{assessor}/reallocate",
    ]
    page.context.clear_cookies()
    return found


def test_tick_boxes_and_radio_buttons_are_24_px_and_fit_narrow_screens(page, live: Live) -> None:
    problems = []
    counted = 0
    for email, paths in _pages(page, live.url).items():
        page.context.clear_cookies()
        login(page, live.url, email)
        for path in paths:
            for width in (1280, 375, 320):
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(live.url + path)
                assert response is not None and response.status == 200, path
                # every standard's criteria shown, not only those of the open ones
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                boxes = page.evaluate(_BOXES)
                assert boxes, f"{path}: no tick box or radio button"
                counted += len(boxes)
                problems += [
                    f"{path} at {width} px: {b['what']} is {b['width']:.0f}x{b['height']:.0f}"
                    for b in boxes
                    if b["width"] < 24 or b["height"] < 24
                ]
                problems += [
                    f"{path}: {b['what']} has no label" for b in boxes if not b["labelled"]
                ]
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{path}: {wide} px wide at {width} px")
    assert problems == [], "\n".join(problems)
    assert counted > 50  # the criterion checklist alone has dozens


def test_a_label_still_ticks_its_box_at_375_px(page, live: Live) -> None:
    """Clicking a role's words on the add-a-person form ticks its box, and again unticks it."""
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, live.url, "admin@example.org")
    page.goto(f"{live.url}/admin/people")
    box = page.locator("fieldset.checkboxes input[type=checkbox]").first
    label = page.locator(f"label[for='{box.get_attribute('id')}']")
    was = box.is_checked()
    label.click()
    expect(box).to_be_checked(checked=not was)
    label.click()
    expect(box).to_be_checked(checked=was)
