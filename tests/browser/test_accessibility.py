"""axe-core finds no WCAG 2.2 A/AA violation on the pages each role uses, and none of them scrolls
sideways on a phone 375 px wide (demo data, real Chromium)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from delivery.schema import upgrade
from delivery.web.app import create_app
from demo.accounts import load_demo
from mappings.assessment import plan_reads, plans
from portfolio.db import make_engine, session_scope
from portfolio.models import Person, Registration
from portfolio.services import breaks
from portfolio.services.people import Actor
from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


PHONE = {"width": 375, "height": 800}


def _check(page, base: str, paths: list[str]) -> list[str]:
    """axe-core's violations on each page, and any page that scrolls sideways at 375 px wide."""
    problems = []
    desk = page.viewport_size
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (
            f"{path}: {response and response.status}"
        )
        for v in axe_violations(page):
            problems.append(f"{path}: {v['id']} {v['help']} {v['nodes']}")
        page.set_viewport_size(PHONE)  # the same page laid out again on a small phone
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide at {PHONE['width']} px")
        page.set_viewport_size(desk)
    return problems


def _first_href(page, pattern: str) -> str:
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return href
    raise AssertionError(f"no link matching {pattern} on {page.url}")


def test_administrator_pages(page, live_server) -> None:
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    person = _first_href(page, r"/admin/people/\d+")
    learner = page.get_by_role("link", name="Lena Learner").first.get_attribute("href")
    assert learner  # a learner's page holds the "Withdraw" form of each registration
    page.goto(f"{live_server}/admin/registrations")
    registration = _first_href(page, r"/admin/registrations/\d+")
    page.goto(f"{live_server}/frameworks")
    framework = _first_href(page, r"/frameworks/\d+")
    page.goto(f"{live_server}/admin/cohorts")
    close = _first_href(page, r"/admin/cohorts/\d+/close")  # the page confirming a cohort's closing
    paths = [
        "/",
        "/admin/people",
        person,
        learner,
        "/admin/cohorts",
        close,
        "/admin/registrations",
        registration,
        "/frameworks",
        framework,
        f"{framework}/standards/SE04",
        "/frameworks/search?q=task+analysis",
        "/frameworks/upload",
        "/admin/eqa",
        "/admin/lti",
    ]
    assert _check(page, live_server, paths) == []


def test_audit_trail_search(page, live_server) -> None:
    """The administrators' search of the trail: reached from a learner's page ("About them"),
    searched by who and by action with the keyboard, paged on, and checked by axe at 375 px."""
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    page.get_by_role("link", name="Lena Learner").first.click()
    page.get_by_role("link", name="About them").click()
    page.wait_for_url("**/admin/audit?about_id=*")
    about = page.url.removeprefix(live_server)
    assert page.locator("table.audit-trail tbody tr").count() > 0
    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("What they did").select_option(label="Logged in")
    page.get_by_label("Who did it").fill("admin@example.org")
    page.get_by_label("Who did it").press("Enter")
    page.wait_for_url("**/admin/audit?**")
    searched = page.url.removeprefix(live_server)
    assert page.locator("td[data-label=What]").first.inner_text() == "Logged in"
    page.goto(f"{live_server}/admin/audit")
    older = page.get_by_role("navigation", name="Pages of the audit trail").get_by_role(
        "link", name="Next page"
    )
    paths = ["/admin", "/admin/audit", about, searched, older.get_attribute("href") or ""]
    assert _check(page, live_server, paths) == []


def test_learner_pages(page, live_server) -> None:
    login(page, live_server, "learner1@example.org")
    page.goto(f"{live_server}/evidence")
    item = _first_href(page, r"/evidence/\d+")
    page.goto(f"{live_server}/")
    progress = _first_href(page, r"/learners/\d+/progress")
    learner_id = progress.split("/")[2]
    paths = [
        "/",
        "/evidence",
        item,
        progress,
        f"/learners/{learner_id}/standards/SE03",
        f"/learners/{learner_id}/standards/SE01",
        f"/learners/{learner_id}/downloads",
        f"/learners/{learner_id}/evidence/new?kind=witness_testimony",
        "/evidence/import",
        "/notifications",
    ]
    assert _check(page, live_server, paths) == []


def test_long_evidence_list_pages_by_keyboard(page, live_server) -> None:
    login(page, live_server, "learner4@example.org")
    assert (
        _check(page, live_server, ["/evidence", "/evidence?page=2", "/evidence?status=draft"]) == []
    )
    page.goto(f"{live_server}/evidence")
    assert page.locator("#listing-range").inner_text().startswith("Showing 1–50 of ")
    page.get_by_role("navigation", name="Pages of evidence").get_by_role(
        "link", name="Next"
    ).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/evidence?page=2")
    assert page.locator("#listing-range").inner_text().startswith("Showing 51–")
    assert page.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"


def test_assessor_pages(page, live_server) -> None:
    login(page, live_server, "assessor1@example.org")
    page.goto(f"{live_server}/caseload")
    learner_page = _first_href(page, r"/learners/\d+/progress")
    learner_id = learner_page.split("/")[2]
    page.goto(f"{live_server}/learners/{learner_id}/evidence")
    item = _first_href(page, r"/evidence/\d+")
    paths = [
        "/",
        "/caseload",
        "/caseload?sort=rag&dir=desc",
        "/marking",
        f"/marking?learner={learner_id}",
        learner_page,
        item,
        f"/learners/{learner_id}/standards/SE03",
        f"/learners/{learner_id}/evidence",
        f"/learners/{learner_id}/evidence/new?kind=observation_record",
        "/iqa/actions",
    ]
    assert _check(page, live_server, paths) == []


def test_plan_pages(page, live_server) -> None:
    """The demo's plans (learner2: one due soon, one overdue), read and written by the learner,
    set and changed by their assessor."""
    login(page, live_server, "learner2@example.org")
    page.goto(f"{live_server}/")
    plan = _first_href(page, r"/plans/\d+")
    progress = _first_href(page, r"/learners/\d+/progress")
    learner_id = progress.split("/")[2]
    page.goto(live_server + plan)
    page.get_by_label("Kind of evidence").select_option("star_narrative")
    page.get_by_role("button", name="Write evidence for this plan").click()
    page.wait_for_url("**/evidence/new?**")
    assert "kind=star_narrative" in page.url and f"plan={plan.split('/')[2]}" in page.url
    editor = page.url.removeprefix(live_server)
    assert _check(page, live_server, ["/", plan, editor, progress]) == []
    page.context.clear_cookies()
    login(page, live_server, "assessor1@example.org")
    paths = [progress, f"/learners/{learner_id}/plans/new", plan, f"{plan}/edit"]
    assert _check(page, live_server, paths) == []
    assert _plan_form_refused(page, live_server, learner_id) == []


def test_the_plan_page_offers_the_assessor_the_record_it_asks_for(page, live) -> None:
    """A plan asking for a professional discussion (set here for learner3, whose plans no other
    walk counts): its page's "Write the professional discussion for this plan" and the editor it
    opens, for the assessor."""
    with session_scope(live.engine) as session:
        learner = session.exec(select(Person).where(Person.email == "learner3@example.org")).one()
        reg = session.exec(
            select(Registration).where(Registration.learner_id == learner.id)
        ).first()
        assert reg is not None and reg.id is not None and reg.assessor_id is not None
        assessor = session.get(Person, reg.assessor_id)
        assert assessor is not None
        email = assessor.email
        plan = plans.set_plan(
            session, actor=Actor.of(assessor), registration_id=reg.id,
            title="Talk through a job match", body="We will talk it through.",
            criterion_ids=[plan_reads.targets_of(session, reg.id)[0].criterion_id],
            due_on=date.today() + timedelta(days=10), evidence_kind="professional_discussion",
        ).id  # fmt: skip
    login(page, live.url, email)
    page.goto(f"{live.url}/plans/{plan}")
    page.get_by_role("link", name="Write the professional discussion for this plan").click()
    page.wait_for_url("**/evidence/new?**")
    assert "kind=professional_discussion" in page.url and f"plan={plan}" in page.url
    editor = page.url.removeprefix(live.url)
    assert _check(page, live.url, [f"/plans/{plan}", editor]) == []


def _plan_form_refused(page, base: str, learner_id: str) -> list[str]:
    """The "Set a plan" form sent empty (the browser's own required-field check taken off, as
    an older browser would) comes back with its error summary and field errors: axe-core's
    violations on that page, and whether it scrolls sideways at 375 px wide."""
    page.goto(f"{base}/learners/{learner_id}/plans/new")
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Set the plan").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Give the plan a title." in summary.inner_text()
    assert page.locator("p.error[id$='-error']").count() >= 3  # title, what to do, due by
    return _as_shown(page, "refused plan")


def _as_shown(page, what: str) -> list[str]:
    """axe-core's violations on the page as it is now (a form sent back with its errors), and
    whether it scrolls sideways at 375 px wide."""
    problems = [f"{what}: {v['id']} {v['help']} {v['nodes']}" for v in axe_violations(page)]
    desk = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{what}: {width} px wide at {PHONE['width']} px")
    page.set_viewport_size(desk)
    return problems


def test_break_in_learning_form(page, live_server) -> None:
    """A registration's own break page (where a refused "Start the break" is shown again), and
    that form sent without a reason (the browser's own checks taken off): its error summary and
    the message beside the field. Nothing is recorded, so the demo's learner stays active."""
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    learner = page.get_by_role("link", name="Lena Learner").first.get_attribute("href")
    page.goto(f"{live_server}{learner}")
    form = page.locator("form[action$='/break']").first.get_attribute("action")
    assert form and re.fullmatch(r"/admin/registrations/\d+/break", form), form
    assert _check(page, live_server, [form]) == []
    page.goto(live_server + form)
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=re.compile("^Start a break for ")).click()
    assert sent.value.status == 422
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Say why the learner is taking a break." in summary.inner_text()
    reason = page.get_by_label("Reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.locator("p.error[id$='-error']").count() == 1
    assert _as_shown(page, "refused break") == []


@pytest.fixture(scope="module")
def on_a_break(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Any]]:
    """A server of its own on the demo's accounts, where Lena Learner is on a break in learning
    (the shared demo database stays as the other browser tests expect): its address, her
    registration's id and its engine."""
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("break")
    url = f"sqlite:///{folder / 'break.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        admin = session.exec(select(Person).where(Person.email == "admin@example.org")).one()
        lena = session.exec(select(Person).where(Person.email == "learner1@example.org")).one()
        reg = session.exec(select(Registration).where(Registration.learner_id == lena.id)).first()
        assert reg is not None and reg.id is not None
        registration = reg.id
        until = date.today() + timedelta(days=120)
        breaks.start_break(
            session, actor=Actor.of(admin), registration_id=registration,
            reason="Maternity leave", until=until,
        )  # fmt: skip
    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGINE": engine,
            "SECRET_KEY": "browser-test-break",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", registration, engine
    finally:
        server.close()
        engine.dispose()


def test_break_in_learning_while_on_a_break(page, on_a_break) -> None:
    """Lena Learner's person page and her registration's break page while she is on a break:
    what is recorded and the "End the break" form, axe-clean and no sideways scroll at 375 px.
    Another administrator then ends the break before this one sends the form: the refusal is
    said in the error summary (422), and that page is axe-clean at both widths too."""
    base, registration, engine = on_a_break
    login(page, base, "admin@example.org")
    page.goto(f"{base}/admin/people")
    learner = page.get_by_role("link", name="Lena Learner").first.get_attribute("href")
    assert learner
    form = f"/admin/registrations/{registration}/break"
    assert _check(page, base, [learner, form]) == []
    page.goto(base + form)
    assert "On a break since " in page.locator("main").inner_text()
    end = page.get_by_role("button", name=re.compile("^End the break of Lena Learner on "))
    assert end.is_visible()
    with session_scope(engine) as session:  # another administrator, in another tab
        admin = session.exec(select(Person).where(Person.email == "admin@example.org")).one()
        breaks.end_break(session, actor=Actor.of(admin), registration_id=registration)
    with page.expect_navigation() as sent:
        end.click()
    assert sent.value is not None and sent.value.status == 422
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Lena Learner is not on a break from " in summary.inner_text()
    assert _as_shown(page, "refused end of break") == []


def test_quality_assurer_pages(page, live_server) -> None:
    login(page, live_server, "iqa@example.org")
    page.goto(f"{live_server}/iqa/cycles/new")
    page.get_by_label("Cycle name").fill("Accessibility cycle")
    with page.expect_navigation():
        page.get_by_role("button", name="Create cycle").click()
    cycle = re.search(r"/iqa/cycles/\d+", page.url)
    assert cycle, page.url
    with page.expect_navigation():
        page.get_by_role("button", name="Plan the sample").click()
    sample = _first_href(page, r"/iqa/samples/\d+")
    paths = [
        "/",
        "/iqa",
        "/iqa/strategy",
        "/iqa/cycles/new",
        cycle.group(0),
        f"{cycle.group(0)}/grid",
        sample,
        "/caseload?role=iqa",
    ]
    assert _check(page, live_server, paths) == []


def test_assessor_reaches_the_marking_queue_from_the_caseload_and_opens_the_oldest(
    page, live_server
) -> None:
    login(page, live_server, "assessor1@example.org")
    page.goto(f"{live_server}/caseload")
    with page.expect_navigation():  # the h1 is on both pages: read the new one
        page.get_by_role("link", name=re.compile(r"\d+ claims? awaiting decision")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Marking queue"
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    waits = [rows.nth(i).locator("td").last.inner_text() for i in range(rows.count())]
    assert all(re.fullmatch(r"under an hour|\d+ hours?|\d+ days?", w) for w in waits), waits
    assert axe_violations(page) == []
    title = rows.first.locator("th a").inner_text()
    with page.expect_navigation():
        rows.first.locator("th a").click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.get_by_role("button", name="Record decision").count() > 0
