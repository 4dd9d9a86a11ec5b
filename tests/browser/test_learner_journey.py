"""A learner writes a STAR narrative, uploads a .docx, submits with the declaration; the assessor sees it."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_learner_writes_uploads_submits_and_assessor_sees_it(
    page, live_server, tmp_path: Path
) -> None:
    login(page, live_server, "learner3@example.org")
    assert axe_violations(page) == []
    page.goto(f"{live_server}/evidence")
    assert axe_violations(page) == []
    with page.expect_navigation():  # axe checks the editor, not the list still showing
        page.get_by_role("link", name="New STAR narrative").click()
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Supporting M at the job interview")
    page.get_by_label("Date of the activity").fill("2026-10-01")
    page.get_by_label("Situation").fill("M had an interview at a bakery.")
    page.get_by_label("Task").fill("Help M prepare and agree reasonable adjustments.")
    page.get_by_label("Action").fill(
        "I practised questions with M and asked the employer for a working interview."
    )
    page.get_by_label("Result").fill("M was offered a work trial.")
    page.get_by_role("button", name="Preview").click()  # shown in place, without a reload
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    with page.expect_navigation():  # the editor has an h1 too
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Supporting M at the job interview"
    assert axe_violations(page) == []

    document = docx.Document()
    document.add_paragraph("Interview preparation notes for M")
    path = tmp_path / "notes.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    page.get_by_label("Attach a file").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert page.get_by_role("link", name="notes.docx").is_visible()

    page.get_by_label("I declare that this evidence is my own work").check()
    ticked = page.locator("#mapping-form input[name=criterion]:checked").count()
    if not ticked:  # nothing ticked: submitting asks for criteria and keeps the declaration
        with page.expect_navigation():  # the declaration is ticked on the old page too
            page.get_by_role("button", name="Submit for assessment").click()
        assert page.get_by_role("alert").inner_text().count("Tick the criteria") == 1
        assert page.get_by_label("I declare that this evidence is my own work").is_checked()
        assert axe_violations(page) == []
    box = page.locator("#mapping-form input[name=criterion]").first
    box.check()
    criterion = box.get_attribute("value")
    with page.expect_navigation():  # content() read mid-navigation is empty
        page.get_by_role("button", name="Submit for assessment").click()
    assert "Submitted for assessment" in page.content()
    # the criterion ticked on the page was saved with the submission (no "Save mapping")
    assert page.locator(f"#crit-{criterion}").is_checked()
    assert "Awaiting decision" in page.locator("table.claims-table").first.inner_text()
    page.goto(f"{live_server}/evidence")
    row = page.get_by_role("row", name="Supporting M at the job interview")
    assert "Submitted" in row.inner_text()

    with page.expect_navigation():  # logged out before the log-in page is asked for
        page.get_by_role("button", name="Log out").click()
    login(page, live_server, "assessor2@example.org")
    page.goto(f"{live_server}/caseload")
    assert axe_violations(page) == []
    with page.expect_navigation():  # page.url is the learner's page, not the caseload
        page.get_by_role("link", name="Lily Learner").first.click()
    page.goto(page.url)  # the learner's page for the assessor
    assert "Lily Learner" in page.content()


def test_keyboard_only_login(page, live_server) -> None:
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand link
    page.keyboard.press("Tab")  # e-mail
    page.keyboard.type("learner1@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    with page.expect_navigation():  # the log-in page has an h1 too
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
