"""WCAG 2.2 AA criteria axe-core does not check, in Chromium on the demo data: the key flows of
each role done with the keyboard alone (2.1.1), every control focused on the way with a focus
indicator showing and not hidden under anything (2.4.7, 2.4.11), outcomes said in a status region
or where the focus goes (4.1.3), log-in fields that take a paste and say what they hold (3.3.7,
3.3.8), targets of 24 px or spaced (2.5.8), wider text spacing (1.4.12) and titles that say
whose or which (2.4.2). Reflow at 320 px (1.4.10) is tests/browser/test_phone_walk.py's.

The keyboard flows change what the demo holds (a sign-off reopened and given again), so they run
on a server of their own; the shared demo database stays as the other browser tests expect."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from delivery.schema import upgrade
from delivery.web.app import create_app
from demo.accounts import DEMO_PASSWORD, load_demo
from demo.assessments import add_demo_assessments
from demo.quality import add_demo_quality
from portfolio.db import make_engine, session_scope

pytestmark = pytest.mark.browser

# the focused element (or, for a date field, the field whose calendar button has the focus):
# whether a focus indicator shows (an outline or a ring), whether it is in the window, and what
# covers its middle if something else does
_FOCUS = """() => {
  let e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || s.boxShadow !== 'none';
  const r = e.getBoundingClientRect();
  const seen = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  let over = null;
  if (seen) {
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (top && !e.contains(top) && !top.contains(e)
        && !(e.labels && [...e.labels].some(l => l.contains(top)))) over = top.tagName;
  }
  const name = (e.getAttribute('aria-label') || e.innerText || e.value || e.id || '').trim();
  return {what: e.tagName.toLowerCase() + ' "' + name.slice(0, 40) + '"', ring, seen, over};
}"""


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own on the demo's accounts, evidence, decisions, sign-offs and
    IQA sample: its address."""
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("wcag22")
    url = f"sqlite:///{folder / 'wcag22.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        add_demo_assessments(session)
        add_demo_quality(session)
    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGINE": engine,
            "SECRET_KEY": "browser-test-wcag22",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        engine.dispose()


class Keys:
    """A page driven by the keyboard only: Tab to a control (noting any focus stop on the way
    without a visible focus indicator, or hidden), then type or press keys."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []

    def tab_to(
        self, target: Any, most: int = 250, test: str = "e => e === document.activeElement"
    ) -> None:
        target = target.first
        for _ in range(most):
            self.page.keyboard.press("Tab")
            focus = self.page.evaluate(_FOCUS)
            if focus and not (focus["ring"] and focus["seen"] and not focus["over"]):
                path = self.page.url.split("/", 3)[-1]
                self.problems.append(f"/{path}: {focus}")
            if target.evaluate(test):
                return
        raise AssertionError(f"{target} not reached by Tab on {self.page.url}")

    def press(self, target: Any, key: str) -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)

    def choose(self, radio: Any) -> None:
        """Tab into a group of radio buttons (to its checked one, or its first), then move to
        this one with the arrow keys, which choose as they move."""
        self.tab_to(radio, test="e => document.activeElement.name === e.name")
        for _ in range(10):
            if radio.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{radio} not chosen with the arrow keys")

    def type(self, target: Any, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def follow(self, target: Any) -> None:
        """Tab to a link or button and press Enter, waiting for the page it loads."""
        self.tab_to(target)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def date_keys(self, year: int, month: int, day: int) -> str:
        """The digits to type into a date field, in the order the browser's language shows its
        day, month and year."""
        order = self.page.evaluate(
            "new Intl.DateTimeFormat().formatToParts(new Date(2026, 9, 1))"
            ".map(p => p.type).filter(t => ['day', 'month', 'year'].includes(t))"
        )
        parts = {"day": f"{day:02}", "month": f"{month:02}", "year": f"{year}"}
        return "".join(parts[p] for p in order)

    def log_in(self, base: str, email: str) -> None:
        self.page.goto(f"{base}/login")
        self.type(self.page.get_by_label("E-mail"), email)
        self.type(self.page.get_by_label("Password"), DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def status(self) -> str:
        """The flash messages, which must be in a status region (WCAG 4.1.3)."""
        return self.page.locator("[role=status], [role=alert], [aria-live]").all_inner_texts()


@pytest.fixture
def keys(browser: Any) -> Iterator[Keys]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Keys(page)
    context.close()


def test_learner_writes_maps_and_submits_with_the_keyboard(keys: Keys, own: str) -> None:
    page = keys.page
    keys.log_in(own, "learner3@example.org")
    keys.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="My evidence"))
    keys.follow(page.get_by_role("link", name="New reflective account"))
    keys.type(page.get_by_label("Title"), "Keyboard only: a job-match visit")
    date = page.get_by_label("Date of the activity")
    keys.type(date, keys.date_keys(2026, 10, 1))
    assert date.input_value() == "2026-10-01"
    keys.type(page.get_by_label("Text (Markdown)"), "I went with J to meet the employer.")
    group = page.locator("details > summary").first
    keys.press(group, "Enter")  # a standard's criteria unfolded
    box = page.locator("input[name=criterion]").first
    keys.press(box, "Space")
    expect(box).to_be_checked()
    keys.follow(page.get_by_role("button", name="Save draft"))
    assert page.get_by_role("heading", level=1).inner_text() == "Keyboard only: a job-match visit"
    keys.press(page.get_by_label("I declare that this evidence is my own work"), "Space")
    keys.follow(page.get_by_role("button", name="Submit for assessment"))
    assert any("Submitted for assessment" in s for s in keys.status()), keys.status()
    assert keys.problems == []


def test_assessor_judges_claims_and_signs_off_with_the_keyboard(keys: Keys, own: str) -> None:
    page = keys.page
    keys.log_in(own, "assessor1@example.org")
    keys.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Marking"))
    keys.follow(page.locator("table tbody tr th a").first)
    decisions = page.locator(".decision-form")
    assert decisions.count() >= 2, page.url
    for form, choice in ((decisions.nth(0), "Accept"), (decisions.nth(1), "Refer")):
        keys.choose(form.get_by_label(choice, exact=True))
        method = form.get_by_label("Method")
        if not method.input_value():
            keys.press(method, "ArrowDown")
        assert method.input_value(), "no method chosen by the keyboard"
    keys.type(decisions.nth(1).get_by_label("Feedback"), "Say which adjustments you agreed.")
    keys.follow(page.get_by_role("button", name="Record decisions"))
    if page.get_by_role("button", name="Record decisions anyway").count():
        keys.follow(page.get_by_role("button", name="Record decisions anyway"))
    assert keys.status(), "no status message after recording decisions"
    # a standard signed off, reopened and signed off again
    keys.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload"))
    keys.follow(page.get_by_role("link", name="Lena Learner").first)
    keys.follow(page.get_by_role("link", name=re.compile("^SE03 ")).first)
    keys.type(page.get_by_label("Reason for reopening"), "The learner asked to add a testimony.")
    keys.follow(page.get_by_role("button", name="Reopen this standard"))
    assert keys.status(), "no status message after reopening"
    keys.type(page.get_by_label("Summary"), "All criteria met with varied, recent evidence.")
    keys.press(page.locator("input[type=checkbox][name=assessor_declaration]"), "Space")
    keys.follow(page.get_by_role("button", name=re.compile("^Sign off")))
    assert any("is signed off" in s for s in keys.status()), keys.status()
    assert keys.problems == []


def test_iqa_records_a_review_with_the_keyboard(keys: Keys, own: str) -> None:
    page = keys.page
    keys.log_in(own, "iqa@example.org")
    nav = page.get_by_role("navigation", name="Main")
    keys.follow(nav.get_by_role("link", name="Quality assurance"))
    keys.follow(page.get_by_role("link", name="Demo IQA cycle", exact=True))
    samples = page.locator("a[href^='/iqa/samples/']")
    for n in range(samples.count()):  # the first sample not reviewed yet
        keys.follow(samples.nth(n))
        if page.locator("table.sample-decisions-table input[type=radio]").count():
            break
        page.go_back()
    rows = page.locator("table.sample-decisions-table tbody tr")
    assert rows.count() > 0, "every demo sample is reviewed"
    for n in range(rows.count()):
        keys.choose(rows.nth(n).get_by_label("Agree", exact=True))
    outcome = page.get_by_label("Overall outcome")
    keys.press(outcome, "ArrowDown")
    assert outcome.input_value(), "no outcome chosen by the keyboard"
    keys.type(page.get_by_label("Feedback to the assessor"), "Sound judgements, well recorded.")
    keys.follow(page.get_by_role("button", name="Record the review"))
    assert keys.status(), "no status message after recording the review"
    assert page.locator("details.sample-decisions").count() == 1  # reviewed
    assert keys.problems == []


def test_a_failed_preview_is_said_where_the_focus_goes(keys: Keys, own: str) -> None:
    """The editor's preview, its connection failing: the message is where the focus moves
    (as a preview made is), not written out of sight of a screen reader (WCAG 4.1.3)."""
    page = keys.page
    keys.log_in(own, "learner2@example.org")
    keys.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="My evidence"))
    keys.follow(page.get_by_role("link", name="New reflective account"))
    keys.type(page.get_by_label("Text (Markdown)"), "Met **J** at the garden centre.")
    page.route(re.compile(r"/evidence/preview"), lambda route: route.abort())
    keys.press(page.get_by_role("button", name="Preview"), "Enter")
    panel = page.locator("#preview-panel")
    expect(panel).to_contain_text("The preview could not be made")
    said = panel.evaluate(
        "e => e.contains(document.activeElement)"
        " || !!e.closest('[role=status], [role=alert], [aria-live]')"
    )
    assert said, "the failed preview's message is neither focused nor in a live region"
    assert keys.problems == []


def test_log_in_and_password_fields_take_a_paste_and_say_what_they_hold(
    keys: Keys, own: str
) -> None:
    """WCAG 3.3.7 and 3.3.8: each field of the log-in and account pages says what it holds, so
    a browser or password manager fills it in, and a password pasted in is taken."""
    page = keys.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    expected = {
        "/login": {"email": "username", "password": "current-password"},
        "/password/forgot": {"email": "email"},
        "/account": {
            "current": "current-password",
            "password": "new-password",
            "confirm": "new-password",
        },
        "/account/two-step": {"code": "one-time-code"},
    }
    found = {}
    for path, fields in expected.items():
        if path == "/account":
            _paste_log_in(keys, own)
        page.goto(own + path)
        found[path] = {
            name: page.locator(f"input[name$='{name}']").first.get_attribute("autocomplete")
            for name in fields
        }
    assert found == expected


def _paste_log_in(keys: Keys, base: str) -> None:
    page = keys.page
    page.goto(f"{base}/login")
    page.evaluate(f"navigator.clipboard.writeText({DEMO_PASSWORD!r})")
    keys.type(page.get_by_label("E-mail"), "learner1@example.org")
    keys.press(page.get_by_label("Password"), "ControlOrMeta+V")
    assert page.get_by_label("Password").input_value() == DEMO_PASSWORD
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")


# WCAG 1.4.12's test: the text spacing a reader may set (the W3C's bookmarklet)
TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"""
# controls less than 24 px wide or high whose 24 px circle reaches another control (WCAG 2.5.8;
# a link within a sentence is exempt), and boxes that clip their text
_DENSE = """() => {
  const shown = e => e.checkVisibility() && e.getBoundingClientRect().width > 1;
  const name = e => e.tagName.toLowerCase() + ' "'
    + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')].filter(shown);
  const boxes = controls.map(e => e.getBoundingClientRect());
  const small = [];
  controls.forEach((e, i) => {
    const r = boxes[i];
    if (r.width >= 24 && r.height >= 24) return;
    const p = e.parentElement;
    if (e.tagName === 'A' && p && (p.innerText || '').length > (e.innerText || '').length + 15
        && ['P', 'LI', 'DD', 'TD', 'SPAN'].includes(p.tagName)) return;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    controls.forEach((f, j) => {
      if (j === i || f.contains(e) || e.contains(f) || (e.labels && [...e.labels].includes(f)))
        return;
      const q = boxes[j];
      const near = q.width < 24 || q.height < 24
        ? Math.hypot(x - q.left - q.width / 2, y - q.top - q.height / 2) < 24
        : Math.hypot(Math.max(q.left - x, 0, x - q.right), Math.max(q.top - y, 0, y - q.bottom)) < 12;
      if (near) small.push(name(e) + ' beside ' + name(f));
    });
  });
  const clipped = [...document.body.querySelectorAll('*')].filter(e => {
    if (!shown(e) || e.clientWidth <= 1 || e.closest('.visually-hidden')) return false;
    const s = getComputedStyle(e);
    return (['hidden', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
      || (['hidden', 'clip'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
  }).map(name);
  return {small, clipped};
}"""


def test_dense_pages_keep_targets_apart_and_take_wider_text_spacing(page, live) -> None:
    """Tables, pagination and the navigation of each role's busiest pages: every control at
    least 24 px or clear of the others (WCAG 2.5.8); with the text spacing of WCAG 1.4.12, no
    text is clipped at 1280 px and no page scrolls sideways at 320 px."""
    from tests.browser.conftest import login

    walks = {
        "learner4@example.org": ["/evidence", "/evidence?page=2"],
        "assessor1@example.org": ["/caseload", "/marking"],
        "iqa@example.org": ["/iqa"],
        "admin@example.org": ["/admin/people", "/admin/audit", "/admin/registrations"],
    }
    problems = []
    for email, paths in walks.items():
        page.context.clear_cookies()
        login(page, live.url, email)
        if email.startswith("assessor"):  # an item with claims to decide
            page.goto(f"{live.url}/marking")
            paths = [*paths, page.locator("table tbody tr th a").first.get_attribute("href")]
        for path in paths:
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(live.url + path)
            found = page.evaluate(_DENSE)
            problems += [f"{email} {path}: small {s}" for s in found["small"]]
            page.add_style_tag(content=TEXT_SPACING)
            problems += [f"{email} {path}: clipped {c}" for c in page.evaluate(_DENSE)["clipped"]]
            page.set_viewport_size({"width": 320, "height": 800})
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                problems.append(f"{email} {path}: {width} px wide at 320 px, text spaced")
    assert problems == []


def test_page_titles_name_what_the_page_shows(page, live) -> None:
    """WCAG 2.4.2: a tab's title tells pages apart as their headings do: a learner's marking
    queue, the IQA's caseload and the editor of an item each say whose or which."""
    from tests.browser.conftest import login

    def titled(path: str) -> tuple[str, str]:
        page.goto(live.url + path)
        heading = page.get_by_role("heading", level=1).inner_text()
        return page.title().removesuffix(" · Competence Portfolio"), heading

    login(page, live.url, "assessor1@example.org")
    page.goto(f"{live.url}/caseload")
    progress = page.locator("a[href$='/progress']").first.get_attribute("href") or ""
    pairs = [titled(f"/marking?learner={progress.split('/')[2]}")]
    page.context.clear_cookies()
    login(page, live.url, "learner4@example.org")  # the shared demo's long list of drafts
    page.goto(f"{live.url}/evidence?status=draft")
    draft = page.locator("table a[href^='/evidence/']").first.get_attribute("href")
    pairs.append(titled(f"{draft}/edit"))
    page.context.clear_cookies()
    login(page, live.url, "iqa@example.org")
    pairs.append(titled("/caseload?role=iqa"))
    assert [title for title, _ in pairs] == [heading for _, heading in pairs]
