"""A registration whose every standard is signed off is completed: derived, never set by hand."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from delivery.web.coverage import caseload
from mappings.assessment import completion, signoff, summaries
from mappings.assessment.models import RegistrationSummary, SignOff
from mappings.assessment.standing import load_standings
from portfolio.services import registrations, withdrawals
from portfolio.words import day_words, local
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.mappings.test_assessment import _accept_all

TODAY = date.today()
LONDON = ZoneInfo("Europe/London")  # the tests' TIME_ZONE


@pytest.fixture
def case(session, make_person, make_registration, make_evidence, sample_framework):
    assessor, iqa = make_person("assessor"), make_person("iqa")
    done = make_person("learner", name="Dora Done")
    busy = make_person("learner", name="Abel Busy")
    reg = make_registration(learner=done, assessor=assessor, iqa=iqa, codes="SE01,SE03")
    other = make_registration(learner=busy, assessor=assessor, iqa=iqa, codes="SE01")
    for code in ("SE01", "SE03"):
        _accept_all(session, done, assessor, make_evidence, code)
    session.commit()
    return {"assessor": assessor, "iqa": iqa, "learner": done, "reg": reg, "other": other,
            "title": sample_framework.title}  # fmt: skip


def _sign(session, case, code):
    found = signoff.sign_off(
        session,
        actor=actor_of(case["assessor"]),
        registration_id=case["reg"].id,
        standard_code=code,
        summary="Competent throughout.",
        assessor_declaration=True,
    )
    session.commit()
    return found.signoff


def _completed_on(session, reg):
    (standing,) = load_standings(session, [reg.id], TODAY, detail=False)
    return completion.completed(standing, zone=LONDON)


def _summary(session, reg):
    session.expire_all()  # the summaries are written by statements, not through the session
    found = select(RegistrationSummary).where(RegistrationSummary.registration_id == reg.id)
    return session.exec(found).first()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_signing_off_the_last_standard_completes_and_reopening_undoes_it(session, case) -> None:
    reg = case["reg"]
    _sign(session, case, "SE01")
    assert _completed_on(session, reg) is None  # one standard still open
    last = _sign(session, case, "SE03")
    assert _completed_on(session, reg) == local(last.signed_at, LONDON).date()
    summaries.save(session, [reg.id, case["other"].id], TODAY)
    session.commit()
    stored = _summary(session, reg)
    assert stored is not None and stored.completed_on == local(last.signed_at, LONDON).date()
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=last.id, reason="Recheck")
    session.commit()
    assert _completed_on(session, reg) is None
    assert _summary(session, reg) is None  # forgotten with it
    summaries.save(session, [reg.id], TODAY)
    session.commit()
    assert _summary(session, reg).completed_on is None


def test_the_caseload_counts_sorts_and_marks_a_completed_learner(
    session, client, auth, case, make_person, make_registration
) -> None:
    gone = make_registration(
        learner=make_person("learner", name="Carl Gone"), assessor=case["assessor"], codes="SE01"
    )
    withdrawals.withdraw(
        session, actor=actor_of(make_person("admin")), registration_id=gone.id, on=TODAY,
        reason="Moved",
    )  # fmt: skip
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    on = day_words(local(last.signed_at, LONDON).date())
    store = lambda ids: summaries.save(session, ids, TODAY)  # noqa: E731
    found = caseload.caseload(session, actor=actor_of(case["assessor"]), store=store)
    assert (found.registrations, found.active, found.completed, found.withdrawn) == (3, 1, 1, 1)
    assert sum(found.rag_counts.values()) == 1  # the completed and the withdrawn counted apart
    for sort, direction in ((s, d) for s in caseload.SORT_KEYS for d in ("asc", "desc")):
        rows = caseload.caseload(
            session, actor=actor_of(case["assessor"]), sort=sort, direction=direction, store=store
        ).rows
        assert [r.learner_name for r in rows] == ["Abel Busy"]  # the finished apart
    for direction in ("asc", "desc"):  # by status, the completed before the withdrawn
        rows = caseload.caseload(
            session, actor=actor_of(case["assessor"]), sort="rag", direction=direction,
            store=store, finished=True,
        ).rows  # fmt: skip
        assert [r.learner_name for r in rows] == ["Dora Done", "Carl Gone"]
    auth.login(case["assessor"])
    html = client.get("/caseload?show=finished").get_data(as_text=True)
    text = _text(html)
    assert "3 registrations: 1 active, 1 completed, 1 withdrawn" in text
    (dora,) = [r.split("</tr>")[0] for r in html.split('<th scope="row">')[1:] if "Dora" in r]
    assert f"Completed on {on}" in _text(dora) and "rag-" not in dora
    assert _text(dora.split('data-label="Status">')[1].split("</td>")[0]).strip() == "Completed"
    home = _text(client.get("/").get_data(as_text=True))
    assert "1 completed registration · 1 withdrawn registration" in home
    auth.logout()
    auth.login(case["learner"])
    home = _text(client.get("/").get_data(as_text=True))
    assert f"You completed {case['title']} on {on}: every standard is signed off" in home
    auth.logout()


def test_reopening_takes_a_learner_back_to_work_in_the_caseload_and_home(
    session, client, auth, case
) -> None:
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=last.id, reason="Recheck")
    session.commit()
    store = lambda ids: summaries.save(session, ids, TODAY)  # noqa: E731
    found = caseload.caseload(session, actor=actor_of(case["assessor"]), store=store)
    assert (found.active, found.completed) == (2, 0)
    auth.login(case["learner"])
    assert "You completed" not in client.get("/").get_data(as_text=True)
    auth.logout()


def test_the_admin_list_and_the_api_say_completed(session, client, auth, case, make_person) -> None:
    admin = make_person("admin")
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    on = local(last.signed_at, LONDON).date()
    auth.login(admin)
    html = client.get("/admin/registrations").get_data(as_text=True)
    rows = {r.split("</tr>")[0] for r in html.split("<tr")[1:]}
    (dora,) = [r for r in rows if "Dora Done" in r]
    (abel,) = [r for r in rows if "Abel Busy" in r]
    state = lambda row: _text(row.split('data-label="State">')[1].split("</td>")[0]).strip()  # noqa: E731
    assert (state(dora), state(abel)) == (f"Completed on {day_words(on)}", "Active")
    auth.logout()
    headers = bearer(token_for(session, admin.id))
    url = f"/api/v1/registrations/{case['reg'].id}"
    assert client.get(url, headers=headers).get_json()["completed_on"] == on.isoformat()
    listed = client.get("/api/v1/registrations?limit=100", headers=headers).get_json()["items"]
    assert {r["id"]: r["completed_on"] for r in listed} == {
        case["reg"].id: on.isoformat(),
        case["other"].id: None,
    }
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=last.id, reason="Recheck")
    session.commit()
    assert client.get(url, headers=headers).get_json()["completed_on"] is None
    listed = registrations.list_registrations(session, actor=actor_of(admin))
    assert [(r.state, r.completed_on) for r in listed] == [("active", None)] * 2
    assert len(session.exec(select(SignOff)).all()) == 2


def test_the_completion_day_is_the_centres_day_as_the_signoff_page_shows(
    app, session, client, auth, case, make_person
) -> None:
    """A sign-off at 23:30 UTC on 6 Jun 2026 was made at 00:30 on 7 Jun in London (summer
    time): the standard's page says it was signed off on 7 Jun, so the registration was
    completed on 7 Jun, everywhere it is said."""
    app.config["TIME_ZONE"] = "Europe/London"
    reg, admin = case["reg"], make_person("admin")
    for code in ("SE01", "SE03"):
        _sign(session, case, code).signed_at = datetime(2026, 6, 6, 23, 30, tzinfo=UTC)
    session.commit()
    day = date(2026, 6, 7)
    (standing,) = load_standings(session, [reg.id], TODAY, detail=False)
    assert completion.completed(standing, zone=LONDON) == day
    assert completion.completed(standing, zone=ZoneInfo("UTC")) == date(2026, 6, 6)
    auth.login(case["assessor"])
    page = _text(client.get(f"/learners/{case['learner'].id}/standards/SE03").get_data(True))
    assert "7 Jun 2026, 00:30" in page  # the sign-off as its own page shows it
    html = client.get("/caseload?show=finished").get_data(as_text=True)
    (dora,) = [r.split("</tr>")[0] for r in html.split('<th scope="row">')[1:] if "Dora" in r]
    assert "Completed on 7 Jun 2026" in _text(dora)
    assert _summary(session, reg).completed_on == day
    auth.logout()
    auth.login(case["learner"])
    home = _text(client.get("/").get_data(as_text=True))
    assert f"You completed {case['title']} on 7 Jun 2026" in home
    auth.logout()
    auth.login(admin)
    text = _text(client.get("/admin/registrations").get_data(as_text=True))
    assert "Completed on 7 Jun 2026" in text and "6 Jun 2026" not in text
    auth.logout()
    headers = bearer(token_for(session, admin.id))
    found = client.get(f"/api/v1/registrations/{reg.id}", headers=headers).get_json()
    assert found["completed_on"] == "2026-06-07"
    listed = registrations.list_registrations(session, actor=actor_of(admin), zone=LONDON)
    assert {r.id: r.completed_on for r in listed}[reg.id] == day
    assert summaries.rows(session, [reg.id], TODAY, zone=LONDON)[0]["completed_on"] == day


def test_the_nightly_command_says_the_completion_day_in_the_configured_zone(
    session, cli, case, monkeypatch
) -> None:
    """``portfolio summaries refresh`` (cron's nightly job) gives the summaries the centre's
    ``PORTFOLIO_TIME_ZONE``: 16:00 UTC on 6 Jun is already 7 Jun in Tokyo (not in London)."""
    reg = case["reg"]
    for code in ("SE01", "SE03"):
        _sign(session, case, code).signed_at = datetime(2026, 6, 6, 16, 0, tzinfo=UTC)
    session.commit()
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", "Asia/Tokyo")
    result = cli("summaries", "refresh", "--json")
    assert result.exit_code == 0, result.output
    assert _summary(session, reg).completed_on == date(2026, 6, 7)
