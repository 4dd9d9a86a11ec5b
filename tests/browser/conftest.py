"""A live server (waitress in a thread) on a fresh demo database, and Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from delivery.schema import upgrade
from delivery.web.app import create_app
from demo.accounts import DEMO_PASSWORD, load_demo
from demo.assessments import add_demo_assessments
from demo.plans import add_demo_plans
from demo.quality import add_demo_quality
from demo.states import add_demo_states
from exports.badges import issue as badges
from portfolio.config import SIGNING_KEY_FILE
from portfolio.db import make_engine, session_scope
from portfolio.services.evidence import PAGE_SIZE
from portfolio.services.keys import ensure_key

CHROMIUM = "/usr/bin/chromium"
PHONE_WIDTH = 375  # a small phone
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _long_portfolio(session: Any, email: str, items: int) -> None:
    """Enough drafts for one learner that the evidence list has a second page."""
    from sqlmodel import select

    from portfolio.models import Person
    from portfolio.services import evidence
    from portfolio.services.people import Actor

    learner = session.exec(select(Person).where(Person.email == email)).one()
    actor = Actor.of(learner)
    for i in range(items):
        draft = evidence.Draft(
            kind="review_note",
            title=f"Weekly review {i + 1}",
            activity_date=date(2026, 1, 1) + timedelta(days=i),
            body="Notes of the week.",
        )
        evidence.create(session, actor=actor, learner_id=actor.id, draft=draft)


@dataclass(frozen=True)
class Live:
    """The live server: its address, its app and the engine of its database (for tests that
    look ids up or add records of their own)."""

    url: str
    app: Any
    engine: Any


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        add_demo_assessments(session)
        add_demo_plans(session)
        add_demo_quality(session)
        add_demo_states(session)  # a learner on a break and a completed registration
        _long_portfolio(session, "learner4@example.org", PAGE_SIZE + 10)
        # the demo's sign-offs get their Open Badges, signed with the live server's own key
        badges.issue_missing(
            session,
            key=ensure_key(folder / "instance" / SIGNING_KEY_FILE)[0],
            site=badges.Site(base_url="http://127.0.0.1", centre_name="Demo Training Centre"),
        )
    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGINE": engine,
            "SECRET_KEY": "browser-test",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.effective_port}", app, engine)
    finally:
        server.close()
        engine.dispose()


@pytest.fixture(scope="session")
def live_server(live: Live) -> str:
    return live.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True)  # lets axe-core be injected
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page 375 px wide that obeys the app's CSP (no bypass: scripts run as they are served),
    noting any CSP refusal in ``page.csp_errors``."""
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.csp_errors = []
    pg.on(
        "console",
        lambda m: pg.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield pg
    context.close()


def login(page: Any, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # the answer to the form, not the log-in page still showing
        page.get_by_role("button", name="Log in").click()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2.x A/AA (incl. 2.2) violations that axe-core finds on the current page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install` (make setup does)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
