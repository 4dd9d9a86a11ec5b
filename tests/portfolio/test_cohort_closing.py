"""Closing a finished cohort and reopening it: the service (administrators only, one audit entry
each), the Cohorts page's Close and Reopen buttons, and ``portfolio cohort close`` / ``reopen``."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlmodel import select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Cohort
from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of


def _cohort(session, name: str | None = None) -> Cohort:
    cohort = registrations.create_cohort(
        session, actor=SYSTEM, name=name or f"Spring {uuid.uuid4().hex[:6]}"
    )
    session.commit()
    return cohort


def _entries(session, cohort_id: int) -> list[tuple[str, dict]]:
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "cohort", AuditEntry.subject_id == cohort_id)
        .order_by(AuditEntry.id)
    ).all()
    return [(row.action, json.loads(row.data) if isinstance(row.data, str) else row.data)
            for row in rows]  # fmt: skip


def test_an_admin_closes_and_reopens_a_cohort_each_with_one_audit_entry(session, make_person):
    admin = actor_of(make_person("admin"))
    cohort = _cohort(session, "Spring 2024")
    closed = cohorts.close_cohort(session, actor=admin, cohort_id=cohort.id)
    assert closed.closed_at is not None
    [row] = [r for r in cohorts.list_cohorts(session) if r.id == cohort.id]
    assert row.closed_at is not None
    with pytest.raises(Invalid, match="The cohort “Spring 2024” is already closed"):
        cohorts.close_cohort(session, actor=admin, cohort_id=cohort.id)
    reopened = cohorts.reopen_cohort(session, actor=admin, cohort_id=cohort.id)
    assert reopened.closed_at is None
    with pytest.raises(Invalid, match="The cohort “Spring 2024” is open"):
        cohorts.reopen_cohort(session, actor=admin, cohort_id=cohort.id)
    actions = [action for action, _ in _entries(session, cohort.id or 0)]
    assert actions == ["cohort.create", "cohort.close", "cohort.reopen"]


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "eqa"])
def test_only_administrators_close_or_reopen(session, make_person, role):
    cohort = _cohort(session)
    someone = actor_of(make_person(role))
    with pytest.raises(PermissionDenied):
        cohorts.close_cohort(session, actor=someone, cohort_id=cohort.id)
    with pytest.raises(PermissionDenied):
        cohorts.reopen_cohort(session, actor=someone, cohort_id=cohort.id)
    assert session.get(Cohort, cohort.id).closed_at is None
    with pytest.raises(NotFound):
        cohorts.close_cohort(session, actor=SYSTEM, cohort_id=999_999)


def test_the_cohorts_page_closes_shows_apart_and_reopens(client, auth, session):
    auth.login("admin")
    cohort = _cohort(session, "Spring 2024")
    page = client.get("/admin/cohorts").get_data(as_text=True)
    assert f'href="/admin/cohorts/{cohort.id}/close"' in page
    response = client.post(f"/admin/cohorts/{cohort.id}/close", data={"sure": "y"})
    assert response.status_code == 302
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Closed the cohort “Spring 2024”: it is offered to no new registration" in flashed
    session.expire_all()
    assert session.get(Cohort, cohort.id).closed_at is not None
    page = client.get("/admin/cohorts").get_data(as_text=True)
    assert "Closed on " in page and "Closed cohorts" in page
    assert f'action="/admin/cohorts/{cohort.id}/reopen"' in page
    assert page.index('id="closed-cohorts"') < page.index("Closed on ")
    again = client.post(f"/admin/cohorts/{cohort.id}/close", data={"sure": "y"})
    assert again.status_code == 422 and "already closed" in again.get_data(as_text=True)
    # the summary's link leads to the message, shown although the page has no Close form now
    anchor = re.search(
        r'<a href="#([^"]+)">The cohort “Spring 2024” is already closed',
        again.get_data(as_text=True),
    )
    assert anchor and f'id="{anchor.group(1)}"' in again.get_data(as_text=True)
    reopened = client.post(f"/admin/cohorts/{cohort.id}/reopen")
    assert reopened.status_code == 302
    assert "Reopened the cohort “Spring 2024”." in client.get(
        reopened.headers["Location"]
    ).get_data(as_text=True)
    session.expire_all()
    assert session.get(Cohort, cohort.id).closed_at is None
    assert client.post("/admin/cohorts/999999/close", data={"sure": "y"}).status_code == 404


def test_closing_a_cohort_on_the_page_is_confirmed_with_a_tick_box(
    client, auth, session, make_registration
):
    """Close leads to a page that says what closing does and asks for a tick, as removing a
    person or discarding a draft does (one click closed the cohort); without the tick nothing
    is closed or audited. Reopening stays one click: closing again undoes it."""
    auth.login("admin")
    cohort = _cohort(session, "Summer 2024")
    make_registration().cohort_id = cohort.id
    session.commit()
    confirm = client.get(f"/admin/cohorts/{cohort.id}/close")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "<h1>Close the cohort “Summer 2024”</h1>" in page
    assert "1 registration is in it and stays there" in page and 'type="checkbox"' in page
    unticked = client.post(f"/admin/cohorts/{cohort.id}/close")
    assert unticked.status_code == 422
    assert "Tick the box to confirm." in unticked.get_data(as_text=True)
    session.expire_all()
    assert session.get(Cohort, cohort.id).closed_at is None
    assert not session.exec(select(AuditEntry).where(AuditEntry.action == "cohort.close")).all()
    assert client.get("/admin/cohorts/999999/close").status_code == 404
    auth.logout()
    auth.login("assessor")
    assert client.get(f"/admin/cohorts/{cohort.id}/close").status_code == 403


def test_cli_closes_lists_and_reopens(cli, session):
    cohort = _cohort(session, "CLI Spring 2024")
    closed = cli("cohort", "close", "--id", str(cohort.id))
    assert closed.exit_code == 0, closed.output
    assert "Closed the cohort “CLI Spring 2024”" in closed.output
    listed = {r["name"]: r for r in json.loads(cli("cohort", "list", "--json").output)}
    assert listed["CLI Spring 2024"]["closed_on"]
    assert "Closed on" in cli("cohort", "list").output
    again = cli("cohort", "close", "--id", str(cohort.id))
    assert again.exit_code == 1 and "already closed" in again.output
    reopened = cli("cohort", "reopen", "--id", str(cohort.id), "--json")
    assert reopened.exit_code == 0 and json.loads(reopened.output)["closed_on"] is None
    words = (
        cli("cohort", "close", "--id", str(cohort.id)),
        cli("cohort", "reopen", "--id", str(cohort.id)),
    )
    assert "Closed the cohort “CLI Spring 2024”: no new registration" in words[0].output
    assert "Reopened the cohort “CLI Spring 2024”: the registration forms" in words[1].output


def test_the_cohorts_page_says_the_name_added_in_quotes(client, auth) -> None:
    auth.login("admin")
    added = client.post("/admin/cohorts", data={"name": "Autumn 2025", "site": "Leeds"})
    assert added.status_code == 302
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "Added cohort “Autumn 2025”." in page
