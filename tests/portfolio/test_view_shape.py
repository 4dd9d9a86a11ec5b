"""One shape for every view (issue 13): one way to require log-in and role, one commit per request
in one place (delivery/web/handler.py), and a service's refusal shown on the form that asked for
it, with the input kept and the message beside its field; never a dead-end page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func
from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim, Decision, Judgement
from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Person
from tests.conftest import actor_of

WEB = Path(__file__).resolve().parents[2] / "delivery" / "web"


def _sources() -> Iterator[tuple[Path, str]]:
    for path in sorted(WEB.rglob("*.py")):
        yield path.relative_to(WEB), path.read_text(encoding="utf-8")


def _count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- one handler


def test_every_view_goes_through_the_one_handler(app: Flask) -> None:
    unhandled = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "page_access")
    ]
    assert unhandled == []


def test_commits_happen_in_the_handler_only() -> None:
    """Before this change the views held 29 commit() calls; now the handler holds the one."""
    commits = {
        str(path): len(re.findall(r"\.commit\(\)", text))
        for path, text in _sources()
        if ".commit()" in text
    }
    assert commits == {"handler.py": 1}


def test_one_way_to_require_log_in_and_role() -> None:
    others = [
        f"{path}: {pattern}"
        for path, text in _sources()
        for pattern in ("login_required", "before_request", "_require_admin", "def roles(")
        if pattern in text
        # the rate limiter's own request hooks, narrowed to the views it limits: no log-in check
        and not (str(path) == "limits.py" and pattern == "before_request")
    ]
    assert others == []


@pytest.fixture
def counted(app: Flask) -> dict[str, int]:
    """How often the request sessions commit and roll back."""
    seen = {"commit": 0, "rollback": 0}
    ext = app.extensions["portfolio"]
    make = ext.session_factory

    def factory() -> Session:
        s = make()
        event.listen(s, "after_commit", lambda _s: seen.update(commit=seen["commit"] + 1))
        event.listen(
            s, "after_soft_rollback", lambda _s, _t: seen.update(rollback=seen["rollback"] + 1)
        )
        return s

    ext.session_factory = factory
    return seen


def test_a_post_is_committed_once_before_its_response_and_a_get_never(
    app: Flask, client: FlaskClient, auth: Any, counted: dict[str, int]
) -> None:
    at_response: list[int] = []
    app.after_request(lambda r: at_response.append(counted["commit"]) or r)
    auth.login("admin")
    assert counted["commit"] == 1  # the log-in's own audit entry
    client.get("/admin/cohorts")
    assert counted["commit"] == 1
    response = client.post("/admin/cohorts", data={"name": "Committed", "site": "Main site"})
    assert response.status_code == 302
    assert counted["commit"] == 2 and at_response[-1] == 2  # committed before the response
    refused = client.post("/admin/cohorts", data={"name": "Committed", "site": "Main site"})
    assert refused.status_code == 422 and counted["commit"] == 2


def test_a_get_that_writes_is_an_error(
    app: Flask, client: FlaskClient, auth: Any, session: Session
) -> None:
    from delivery.web.context import actor, db
    from delivery.web.handler import page
    from portfolio.services import registrations

    @page()
    def writes() -> str:
        registrations.create_cohort(db(), actor=actor(), name="Sneaky", site="Main site")
        return "written"

    app.add_url_rule("/test-writes", "test_writes", writes)
    auth.login("admin")
    with pytest.raises(RuntimeError, match="wrote to the database"):
        client.get("/test-writes")
    assert "Sneaky" not in _text(client.get("/admin/cohorts"))


def test_an_exception_after_a_write_leaves_nothing_written(
    app: Flask, client: FlaskClient, auth: Any, session: Session, monkeypatch: Any
) -> None:
    from portfolio.services import registrations

    real = registrations.create_cohort

    def breaks(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # flushed
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registrations, "create_cohort", breaks)
    auth.login("admin")
    with pytest.raises(RuntimeError, match="disk on fire"):
        client.post("/admin/cohorts", data={"name": "Half done", "site": "Main site"})
    monkeypatch.undo()
    assert "Half done" not in _text(client.get("/admin/cohorts"))


# ---------------------------------------------------------------- refusals on the form


@pytest.fixture
def claimed(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> tuple[Person, Person, Any, Claim]:
    """A learner's submitted evidence claiming one criterion, and their assessor."""
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    item = make_evidence(learner)
    criterion = claimable_criteria(session, learner.id or 0)[0]
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=[criterion.criterion_id],
    )
    session.commit()
    claim = session.exec(select(Claim).where(Claim.evidence_id == item.id)).one()
    return learner, assessor, item, claim


def test_referring_without_feedback_shows_the_evidence_page_with_the_message_beside_it(
    client: FlaskClient, auth: Any, session: Session, claimed: Any
) -> None:
    _learner, assessor, item, claim = claimed
    auth.login(assessor)
    response = client.post(
        f"/claims/{claim.id}/decision",
        data={"revision": "0", "decision": "referred", "method": "P", "feedback": "  "},
    )
    page = _text(response)
    assert response.status_code == 422
    assert "Cannot do that" not in page and "<h1>Evidence</h1>" in page  # the evidence page
    field = f"feedback-{claim.id}"
    message = "Say what is missing when you refer a claim."
    assert re.search(rf'<p class="error" id="{field}-error">.*{message}</p>', page)
    assert re.search(rf'<textarea[^>]*aria-describedby="{field}-error"[^>]*id="{field}"', page)
    assert f'<a href="#{field}">{message}</a>' in page  # the summary atop the page links to it
    assert re.search(rf'<input checked[^>]*id="decision-{claim.id}-1"[^>]*value="referred"', page)
    assert re.search(r'<option selected value="P">', page)  # the method chosen is kept
    assert session.exec(select(Decision)).all() == []


def test_a_decision_someone_made_first_keeps_the_feedback_typed(
    client: FlaskClient, auth: Any, session: Session, claimed: Any
) -> None:
    _learner, assessor, item, claim = claimed
    auth.login(assessor)
    first = {"revision": "0", "decision": "accepted", "method": "P", "feedback": ""}
    assert client.post(f"/claims/{claim.id}/decision", data=first).status_code == 302
    late = {"revision": "0", "decision": "referred", "method": "P", "feedback": "Add the dates."}
    response = client.post(f"/claims/{claim.id}/decision", data=late)
    page = _text(response)
    assert response.status_code == 409
    assert "Someone decided this claim while you were looking at it" in page
    assert re.search(
        rf'<textarea[^>]*id="feedback-{claim.id}"[^>]*>\s*Add the dates.</textarea>', page
    )
    assert [d.new_status for d in session.exec(select(Decision)).all()] == ["accepted"]


def test_a_refused_service_call_is_rolled_back_and_the_form_keeps_its_input(
    client: FlaskClient, auth: Any, session: Session, claimed: Any, monkeypatch: Any
) -> None:
    """The service writes (a judgement and its audit entry), then refuses: nothing stays."""
    _learner, assessor, item, _claim = claimed
    real = claims.judge

    def judge_then_refuse(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise Invalid("The evidence was changed meanwhile.", field="note")

    auth.login(assessor)
    before = (_count(session, Judgement), _count(session, AuditEntry))
    monkeypatch.setattr(claims, "judge", judge_then_refuse)
    data = {"valid": "y", "authentic": "y", "sufficient": "y", "reliable": "y", "note": "Old."}
    response = client.post(f"/evidence/{item.id}/judgement", data=data)
    page = _text(response)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="vacsr-note-error">.*changed meanwhile.</p>', page)
    assert re.search(r'<textarea[^>]*id="vacsr-note"[^>]*>\s*Old.</textarea>', page)
    assert re.search(r'<input id="vacsr-current" name="current" type="checkbox"', page)  # unticked
    assert (_count(session, Judgement), _count(session, AuditEntry)) == before


def test_a_refusal_naming_no_field_is_shown_above_its_form(
    client: FlaskClient, auth: Any, session: Session, claimed: Any, make_evidence: Any
) -> None:
    learner, _assessor, item, _claim = claimed
    auth.login(learner)
    response = client.post(f"/evidence/{item.id}/submit", data={"declaration": "y"})
    page = _text(response)
    assert response.status_code == 422
    assert re.search(r'<div class="field-error" id="submitform-error">.*already submitted', page)
    assert '<a href="#submitform-error">This version is already submitted.</a>' in page


def test_an_upload_without_a_file_is_shown_beside_the_file_field(
    client: FlaskClient, auth: Any, claimed: Any, make_evidence: Any
) -> None:
    learner, *_ = claimed
    draft = make_evidence(learner, submit=False)
    auth.login(learner)
    response = client.post(
        f"/evidence/{draft.id}/attachments",
        data={"file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )
    page = _text(response)
    assert response.status_code == 422
    assert '<p class="error" id="file-error">' in page and "Choose a file to upload." in page
    assert 'aria-describedby="file-hint file-error"' in page
