"""Coverage pages, caseload, sign-off through the page, home panels and the coverage CLI."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from mappings.assessment import claims, signoff
from mappings.assessment.models import Claim, SignOff
from portfolio.models import Cohort
from tests.conftest import PASSWORD, actor_of
from tests.mappings.test_assessment import learner_declares

SE03_CODES = [f"P{i}" for i in range(1, 9)] + [f"K{i}" for i in range(1, 11)]


@pytest.fixture
def case(make_person, make_registration):
    learner = make_person("learner", name="Carla Candidate")
    assessor = make_person("assessor", name="Asa Assessor")
    iqa = make_person("iqa", name="Ida Iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03")
    return learner, assessor, iqa, reg


def _ids(session, learner, standard, codes=None):
    return [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == standard and (codes is None or c.code in codes)
    ]


def _claim(session, learner, item, standard, codes=None):
    ids = _ids(session, learner, standard, codes)
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    session.commit()
    return session.exec(select(Claim).where(Claim.evidence_id == item.id)).all()


def _decide(session, assessor, rows, decision="accepted", method="PD", feedback=""):
    for claim in rows:
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision=decision,
            method=method,
            feedback=feedback,
        )
    session.commit()


def _complete(session, learner, assessor, make_evidence, standard="SE03", *, declare=True):
    """Meet every criterion of ``standard``: performance by observation, knowledge by discussion;
    the learner then confirms their declaration for it (unless ``declare`` is false)."""
    item = make_evidence(learner, title="My account of the work trial")
    rows = _claim(session, learner, item, standard)
    kinds = {c.criterion_id: c.kind for c in claims.claimable_criteria(session, learner.id)}
    for claim in rows:
        method = "O" if kinds[claim.criterion_id] == "performance" else "PD"
        _decide(session, assessor, [claim], method=method)
    if declare:
        learner_declares(session, learner, standard)
    return item


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- access


def _pages(learner):
    return [f"/learners/{learner.id}/progress", f"/learners/{learner.id}/standards/SE03"]


def test_learner_pages_are_for_the_learner_and_their_assessor_and_iqa(
    client, auth, case, make_person
) -> None:
    learner, assessor, iqa, _reg = case
    table = [
        ("self", learner, 200),
        ("allocated assessor", assessor, 200),
        ("allocated IQA", iqa, 200),
        ("other learner", make_person("learner"), 404),
        ("unallocated assessor", make_person("assessor"), 404),
        ("administrator", make_person("admin"), 404),
    ]
    for who, person, status in table:
        auth.login(person)
        for url in _pages(learner):
            assert client.get(url).status_code == status, (who, url)
        auth.logout()


def test_anonymous_visitors_are_sent_to_log_in(client, case) -> None:
    learner, *_ = case
    for url in [*_pages(learner), "/caseload", "/cohorts/1/progress"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_unknown_learner_or_standard_is_404(client, auth, case) -> None:
    learner, assessor, *_ = case
    auth.login(assessor)
    assert client.get("/learners/999999/progress").status_code == 404
    assert client.get(f"/learners/{learner.id}/standards/SE07").status_code == 404


def test_cohort_page_admin_sees_all_assessor_only_their_own(
    session, client, auth, case, make_person, make_registration
) -> None:
    learner, assessor, iqa, reg = case
    other_assessor = _quick_learner(session, "Otto Other", roles="assessor")
    stranger = _quick_learner(session, "Sven Stranger")
    other = make_registration(learner=stranger, assessor=other_assessor, iqa=iqa, codes="SE01")
    cohort = Cohort(name="Cohort under test", site="Main site")
    session.add(cohort)
    session.flush()
    for r in (reg, other):
        r.cohort_id = cohort.id
        session.add(r)
    session.commit()
    url = f"/cohorts/{cohort.id}/progress"

    auth.login(make_person("admin"))
    page = _text(client.get(url))
    assert "Carla Candidate" in page and "Sven Stranger" in page
    auth.logout()

    auth.login(assessor)
    response = client.get(url)
    assert response.status_code == 200
    assert "Carla Candidate" in _text(response) and "Sven Stranger" not in _text(response)
    auth.logout()

    auth.login(iqa)  # the IQA of both
    page = _text(client.get(url))
    assert "Carla Candidate" in page and "Sven Stranger" in page
    auth.logout()

    for person in (make_person("assessor"), learner):
        auth.login(person)
        assert client.get(url).status_code == 404
        auth.logout()
    auth.login(make_person("admin"))
    assert client.get("/cohorts/999999/progress").status_code == 404


def test_caseload_is_for_assessors_and_iqas(client, auth, case, make_person) -> None:
    learner, assessor, iqa, _reg = case
    auth.login(assessor)
    assert "Carla Candidate" in _text(client.get("/caseload"))
    auth.logout()
    auth.login(iqa)  # an IQA asks for the learners they quality-assure
    assert client.get("/caseload").status_code == 403
    assert "Carla Candidate" in _text(client.get("/caseload?role=iqa"))
    auth.logout()
    for person in (learner, make_person("admin")):
        auth.login(person)
        assert client.get("/caseload").status_code == 403
        auth.logout()


# ---------------------------------------------------------------- pages


def test_progress_page_shows_bars_counts_and_what_is_missing(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, _iqa, reg = case
    item = make_evidence(learner)
    rows = _claim(session, learner, item, "SE01", {"K1", "K2"})
    _decide(session, assessor, rows[:1])
    auth.login(learner)
    page = _text(client.get(f"/learners/{learner.id}/progress"))
    assert "1 of 28 met (4%)" in page
    assert re.search(r'<progress max="100" value="4" aria-label="SE01: 1 of 28 met \(4%\)"', page)
    assert "0 of 18 met (0%)" in page
    assert "What is still missing" in page
    assert "no evidence claimed" in page and "awaiting assessor decision on" in page
    assert f'href="/learners/{learner.id}/standards/SE03?registration={reg.id}"' in page


def test_grid_shows_every_criterion_with_its_state_in_words(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner, title="Accepted account")
    _decide(session, assessor, _claim(session, learner, item, "SE03", {"K1", "K2"}))
    pending = make_evidence(learner, title="Pending account")
    _claim(session, learner, pending, "SE03", {"K3"})
    referred = make_evidence(learner, title="Referred account")
    _decide(
        session,
        assessor,
        _claim(session, learner, referred, "SE03", {"K4"}),
        decision="referred",
        feedback="Say more about CVs.",
    )
    auth.login(assessor)
    page = _text(client.get(f"/learners/{learner.id}/standards/SE03"))
    cells = re.findall(r'<a href="#crit-(\w+)">\1 <span class="cell-state">(\w+)</span>', page)
    assert [code for code, _ in cells] == SE03_CODES  # P first, then K
    states = dict(cells)
    assert states["K1"] == states["K2"] == "met"
    assert states["K3"] == "awaiting" and states["K4"] == "referred" and states["P1"] == "missing"
    # the table below links each criterion's evidence and names the method
    assert f'href="/evidence/{item.id}"' in page and "accepted by professional discussion" in page
    assert '<td data-label="Methods that count">Professional discussion</td>' in page  # words
    assert f'href="/evidence/{pending.id}"' in page and "awaiting decision" in page
    assert "cannot be signed off yet" in page
    # each criterion left apart from the next: a state in words may hold a comma itself
    # ("P1 accepted, not counting, P2 missing" read as one run)
    listed = re.search(r"criteria are not met\s*\((.*?)\)\.</p>", page, re.S)
    assert listed is not None
    items = listed.group(1).split("; ")
    assert len(items) == len(SE03_CODES) - 2 and "K4 referred" in items, items
    assert not re.search(r", [PK]\d+ ", listed.group(1))


# ---------------------------------------------------------------- sign-off


def test_assessor_signs_off_through_the_page_when_complete(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, _iqa, reg = case
    _complete(session, learner, assessor, make_evidence)
    auth.login(assessor)
    url = f"/learners/{learner.id}/standards/SE03"
    page = _text(client.get(url))
    assert "Sign off this standard" in page and "18 of 18 met (100%)" in page
    response = client.post(
        url + "/signoff",
        data={"summary": "Competent throughout.", "feedback": "", "assessor_declaration": "y"},
    )
    assert response.status_code == 302, _text(response)
    record = session.exec(select(SignOff).where(SignOff.registration_id == reg.id)).one()
    page = _text(client.get(url))
    assert record.document_id in page and record.evidence_set_sha256 in page
    assert "Asa Assessor" in page and "Reopen this standard" in page
    assert "Confirmed by Carla Candidate" in page  # the learner's declaration behind it
    assert "Sign off this standard" not in page
    progress = _text(client.get(f"/learners/{learner.id}/progress"))
    signed = record.signed_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/London"))
    assert f"Signed off {signed.day} {signed:%b %Y, %H:%M}" in progress  # words, local time


def test_signoff_needs_the_declaration(session, client, auth, case, make_evidence) -> None:
    learner, assessor, *_ = case
    _complete(session, learner, assessor, make_evidence)
    auth.login(assessor)
    response = client.post(
        f"/learners/{learner.id}/standards/SE03/signoff", data={"summary": "Fine."}
    )
    assert response.status_code == 422
    assert "Tick your declaration" in _text(response)
    assert session.exec(select(SignOff)).all() == []


def test_signoff_waits_for_the_learners_declaration(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, *_ = case
    _complete(session, learner, assessor, make_evidence, declare=False)
    auth.login(assessor)
    page = _text(client.get(f"/learners/{learner.id}/standards/SE03"))
    assert "has been asked to confirm their declaration" in page
    assert "Sign off this standard" not in page
    response = client.post(
        f"/learners/{learner.id}/standards/SE03/signoff",
        data={"summary": "Competent.", "assessor_declaration": "y"},
    )
    assert response.status_code == 422
    assert "has not confirmed their declaration" in _text(response)
    assert session.exec(select(SignOff)).all() == []


def test_forged_signoff_of_an_incomplete_standard_is_refused(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner)
    _decide(session, assessor, _claim(session, learner, item, "SE03", {"K1"}))
    auth.login(assessor)
    page = _text(client.get(f"/learners/{learner.id}/standards/SE03"))
    assert "Sign off this standard" not in page and "17 of 18 criteria are not met" in page
    response = client.post(
        f"/learners/{learner.id}/standards/SE03/signoff",
        data={"summary": "Forged.", "assessor_declaration": "y"},
    )
    assert response.status_code == 422
    assert "cannot be signed off" in _text(response)
    assert session.exec(select(SignOff)).all() == []


def test_learner_and_iqa_cannot_sign_off(session, client, auth, case, make_evidence) -> None:
    learner, assessor, iqa, _reg = case
    _complete(session, learner, assessor, make_evidence)
    data = {"summary": "Me.", "assessor_declaration": "y"}
    for person in (learner, iqa):
        auth.login(person)
        page = _text(client.get(f"/learners/{learner.id}/standards/SE03"))
        assert "Sign off this standard" not in page
        response = client.post(f"/learners/{learner.id}/standards/SE03/signoff", data=data)
        assert response.status_code == 403
        auth.logout()
    assert session.exec(select(SignOff)).all() == []


def test_reopen_needs_a_reason(session, client, auth, case, make_evidence) -> None:
    learner, assessor, iqa, _reg = case
    _complete(session, learner, assessor, make_evidence)
    auth.login(assessor)
    url = f"/learners/{learner.id}/standards/SE03"
    data = {"summary": "Competent.", "assessor_declaration": "y"}
    assert client.post(url + "/signoff", data=data).status_code == 302
    auth.logout()
    auth.login(iqa)
    assert "Reopen this standard" in _text(client.get(url))
    response = client.post(url + "/reopen", data={"reason": "  "})
    assert response.status_code == 422 and "Give the reason" in _text(response)
    record = session.exec(select(SignOff)).one()
    session.refresh(record)
    assert record.status == "signed"
    response = client.post(url + "/reopen", data={"reason": "Sampled: K4 decision unsafe."})
    assert response.status_code == 302
    session.refresh(record)
    assert record.status == "reopened" and record.reopen_reason == "Sampled: K4 decision unsafe."
    page = _text(client.get(url))
    assert "Reopen this standard" not in page and "Complete, not yet signed off" in page


def test_signoff_form_refuses_a_post_without_csrf_token(engine, connection, tmp_path, case):
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    learner, assessor, *_ = case
    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', _text(client.get("/login"))
    )
    assert token is not None
    login = {"email": assessor.email, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=login).status_code == 302
    url = f"/learners/{learner.id}/standards/SE03"
    for action, data in (
        ("/signoff", {"summary": "x", "assessor_declaration": "y"}),
        ("/reopen", {"reason": "x"}),
    ):
        assert client.post(url + action, data=data).status_code == 400, action


# ---------------------------------------------------------------- caseload sorting


def _order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_caseload_sorts_by_name_progress_rag_and_planned_end(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    today = date.today()
    # (name, criteria met, days since start, days to planned end)
    plan = [("Bea Behind", 0, 300, 60), ("Ann Ahead", 6, 10, 355), ("Cal Middle", 2, 150, 200)]
    for name, met, started, left in plan:
        learner = _quick_learner(session, name)
        reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE03")
        reg.start_date = today - timedelta(days=started)
        reg.planned_end = today + timedelta(days=left)
        session.add(reg)
        session.commit()
        if met:
            item = make_evidence(learner)
            k = [f"K{i}" for i in range(1, met + 1)]
            _decide(session, assessor, _claim(session, learner, item, "SE03", set(k)))
    names = [name for name, *_ in plan]
    auth.login(assessor)
    expected = {
        ("name", "asc"): ["Ann Ahead", "Bea Behind", "Cal Middle"],
        ("name", "desc"): ["Cal Middle", "Bea Behind", "Ann Ahead"],
        ("progress", "asc"): ["Bea Behind", "Cal Middle", "Ann Ahead"],
        ("progress", "desc"): ["Ann Ahead", "Cal Middle", "Bea Behind"],
        ("rag", "asc"): ["Bea Behind", "Cal Middle", "Ann Ahead"],
        ("end", "asc"): ["Bea Behind", "Cal Middle", "Ann Ahead"],
        ("end", "desc"): ["Ann Ahead", "Cal Middle", "Bea Behind"],
    }
    for (key, direction), order in expected.items():
        page = _text(client.get(f"/caseload?sort={key}&dir={direction}"))
        assert _order(page, names) == order, (key, direction)
        sorted_th = re.findall(r'<th scope="col" aria-sort="(\w+)">\s*<a href="([^"]+)"', page)
        assert len(sorted_th) == 1
        aria, link = sorted_th[0]
        assert aria == ("descending" if direction == "desc" else "ascending")
        assert f"sort={key}" in link  # the sorted column's link flips the direction
        assert ("dir=asc" if direction == "desc" else "dir=desc") in link
    page = _text(client.get("/caseload?sort=rag"))
    assert "Red: behind plan" in page and "Green: on track" in page
    assert _order(_text(client.get("/caseload?sort=bogus")), names) == expected[("name", "asc")]


# ---------------------------------------------------------------- statement counts


def _quick_learner(session, name, roles="learner"):
    """A person without a password (hashing one per learner would make the test slow)."""
    from portfolio.services import people
    from portfolio.services.people import SYSTEM

    email = f"{name.lower().replace(' ', '.')}-{uuid.uuid4().hex[:6]}@test.example"
    return people.create_person(session, actor=SYSTEM, name=name, email=email, roles=roles)


def _add_learners(session, n, assessor, iqa, make_registration, make_evidence):
    for i in range(n):
        learner = _quick_learner(session, f"Bulk Learner {i}")
        make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03")
        item = make_evidence(learner)
        rows = _claim(session, learner, item, "SE03", {"K1", "K2", "P1"})
        _decide(session, assessor, rows[:2])


def test_caseload_statement_count_does_not_grow_with_learners(
    session, client, auth, make_person, make_registration, make_evidence, count_queries
) -> None:
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    auth.login(assessor)
    counts = []
    for n in (3, 27):
        _add_learners(session, n, assessor, iqa, make_registration, make_evidence)
        with count_queries() as q:
            response = client.get("/caseload")
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    assert len(re.findall(r"Bulk Learner \d+</a>", _text(response))) == 30
    with count_queries() as q:
        assert client.get("/").status_code == 200
    home = q.count  # every registration's summary stored by the caseload's visits
    missing = []
    for n in (5, 20):  # new learners' summaries are worked out (and stored) by the next visit
        _add_learners(session, n, assessor, iqa, make_registration, make_evidence)
        with count_queries() as q:
            client.get("/")
        missing.append(q.count)
        with count_queries() as q:
            client.get("/")
        assert q.count == home
    assert missing[0] == missing[1], missing


def test_caseload_chart_counts_a_decision_made_after_its_counts_were_kept(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    assessor, iqa = make_person("assessor"), make_person("iqa")
    auth.login(assessor)
    _add_learners(session, 1, assessor, iqa, make_registration, make_evidence)
    said = re.compile(r"you accepted (\d+) and referred (\d+) claims")
    assert set(said.findall(_text(client.get("/caseload")))) == {("2", "0")}
    assert set(said.findall(_text(client.get("/caseload")))) == {("2", "0")}  # kept, the same
    learner = _quick_learner(session, "One More")
    make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE03")
    rows = _claim(session, learner, make_evidence(learner), "SE03", {"K1", "K2"})
    _decide(session, assessor, rows[:1])
    _decide(session, assessor, rows[1:], decision="referred", feedback="Say more.")
    assert set(said.findall(_text(client.get("/caseload")))) == {("3", "1")}


def test_standard_page_statement_count_does_not_grow_with_claims(
    session, client, auth, case, make_evidence, count_queries
) -> None:
    learner, assessor, *_ = case
    auth.login(assessor)
    url = f"/learners/{learner.id}/standards/SE03"
    counts = []
    for batch in (1, 12):
        for i in range(batch):
            item = make_evidence(learner, title=f"Account {batch}-{i}")
            rows = _claim(session, learner, item, "SE03", {"K1", "K2", "K3", "P2"})
            _decide(session, assessor, rows[: i % 3])
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    with count_queries() as q:
        client.get(f"/learners/{learner.id}/progress")
    progress = q.count
    item = make_evidence(learner, title="One more")
    _claim(session, learner, item, "SE01", {"K5", "K6"})
    with count_queries() as q:
        client.get(f"/learners/{learner.id}/progress")
    assert q.count == progress


# ---------------------------------------------------------------- home


def test_learner_home_shows_standards_evidence_and_what_to_do_next(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, *_ = case
    for i in range(6):
        make_evidence(learner, title=f"Submitted item {i}", activity_date=date(2025, 1, 1 + i))
    draft = make_evidence(learner, title="Half-written draft", submit=False)
    item = make_evidence(learner, title="Account to be referred")
    _decide(
        session,
        assessor,
        _claim(session, learner, item, "SE01", {"P5"}),
        decision="referred",
        method="RA",
        feedback="Ask your manager for a witness testimony.",
    )
    auth.login(learner)
    page = _text(client.get("/"))
    # what to do next comes first, right after the "Add evidence" action
    assert page.index("Add evidence") < page.index('id="next"') < page.index('id="my-standards"')
    assert page.index('id="my-standards"') < page.index('id="my-evidence"')
    assert '<a class="button" href="/evidence#add-heading">Add evidence</a>' in page
    add = _text(client.get("/evidence"))
    assert 'id="add-heading"' in add and "New reflective account" in add
    todo = page[page.index('id="next"') : page.index('id="my-standards"')]
    assert f'href="/evidence/{draft.id}"' in todo
    assert "SE01 P5" in todo and "Ask your manager for a witness testimony." in todo
    assert "Criteria with no submitted evidence yet" in todo and "See all 45 criteria" in todo
    # the referred item is not awaiting (its one claim is decided); the others claim nothing
    assert "Waiting for your assessor" not in todo
    # met and awaiting apart, in words; the assessor and the planned end of the registration
    assert "0 of 28 met, 0 awaiting a decision, 28 still to do" in page
    assert "0 of 18 met, 0 awaiting a decision, 18 still to do" in page
    assert 'role="img" aria-label="SE01: 0 of 28 met, 0 awaiting a decision' in page
    assert "your assessor is Asa Assessor" in page and "planned to finish by" in page
    assert "My evidence" in page and "All my evidence (8)" in page
    # the latest five by date of activity: the draft, the referred account and three more
    assert page.count("Submitted item") == 3


def test_learner_home_lists_items_awaiting_a_decision_and_bars_show_them(
    session, client, auth, case, make_evidence
) -> None:
    learner, _assessor, *_ = case
    item = make_evidence(learner, title="Account awaiting")
    _claim(session, learner, item, "SE03", {"P1", "P2", "K1"})
    auth.login(learner)
    page = _text(client.get("/"))
    todo = page[page.index('id="next"') : page.index('id="my-standards"')]
    assert "Waiting for your assessor" in todo
    assert (
        f'<a href="/evidence/{item.id}">Account awaiting</a>: 3 criteria awaiting a decision'
        in todo
    )
    assert "0 of 18 met, 3 awaiting a decision, 15 still to do" in page


def test_a_referral_of_a_signed_off_standard_is_not_to_do(
    session, client, auth, case, make_evidence
) -> None:
    learner, assessor, _iqa, reg = case
    _complete(session, learner, assessor, make_evidence, "SE03")
    item = make_evidence(learner, title="Extra account")
    _decide(
        session,
        assessor,
        _claim(session, learner, item, "SE03", {"K2"}),
        decision="referred",
        method="RA",
        feedback="Not needed now.",
    )
    auth.login(learner)
    assert "Not needed now." in _text(client.get("/"))
    signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code="SE03",
        summary="ok",
        assessor_declaration=True,
    )
    session.commit()
    page = _text(client.get("/"))
    assert "Not needed now." not in page[page.index('id="next"') : page.index('id="my-standards"')]


def test_assessor_iqa_and_admin_homes(session, client, auth, case, make_evidence, make_person):
    learner, assessor, iqa, _reg = case
    item = make_evidence(learner)
    _claim(session, learner, item, "SE01", {"K1", "K2", "K3"})
    auth.login(assessor)
    page = _text(client.get("/"))
    assert (
        '<a href="/marking">3 claims awaiting your decision</a>, from 1 learner.' in page
    )  # the count leads to the marking queue
    assert 'href="/caseload"' in page and re.search(r"Green 1|Amber 1|Red 1", page)
    auth.logout()
    auth.login(iqa)
    assert 'href="/caseload?role=iqa"' in _text(client.get("/"))
    auth.logout()
    auth.login(make_person("admin"))
    page = _text(client.get("/"))
    for url in ("/admin/people", "/admin/cohorts", "/admin/registrations"):
        assert f'href="{url}"' in page


# ---------------------------------------------------------------- CLI


def test_cli_coverage_json_shape(session, cli, case, make_evidence) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner, title="Account for the CLI")
    _decide(session, assessor, _claim(session, learner, item, "SE03", {"K1"}))
    result = cli("coverage", "--candidate", str(learner.id), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [e["standard"] for e in data] == ["SE01", "SE03"]
    se03 = data[1]
    assert se03["signed_off"] is False and se03["signed_off_at"] is None
    assert se03["counts"] == {
        "met": 1, "awaiting": 0, "referred": 0, "not_counting": 0, "missing": 17, "total": 18
    }  # fmt: skip
    assert se03["percent_met"] == pytest.approx(100 / 18, abs=0.05)
    assert [c["code"] for c in se03["criteria"]] == SE03_CODES
    k1 = next(c for c in se03["criteria"] if c["code"] == "K1")
    assert k1["kind"] == "knowledge" and k1["state"] == "met" and k1["reasons"] == []
    (evidence,) = k1["evidence"]
    assert evidence["ref"] == f"E{item.id}v1" and evidence["title"] == "Account for the CLI"
    assert evidence["kind"] == "reflective_account" and evidence["method"] == "PD"
    date.fromisoformat(evidence["activity_date"])
    p1 = se03["criteria"][0]
    assert p1["state"] == "missing" and p1["reasons"] == ["no evidence claimed"]

    only = json.loads(
        cli("coverage", "--candidate", str(learner.id), "--standard", "SE03", "--json").output
    )
    assert [e["standard"] for e in only] == ["SE03"]
    text = cli("coverage", "--candidate", str(learner.id), "--standard", "SE03")
    assert "1 of 18 met (6%)" in text.output and "K1" in text.output


def test_cli_coverage_refuses_unknown_candidate_or_standard(cli, case) -> None:
    learner, assessor, *_ = case
    assert cli("coverage", "--candidate", "999999").exit_code != 0
    assert cli("coverage", "--candidate", str(assessor.id)).exit_code != 0
    assert cli("coverage", "--candidate", str(learner.id), "--standard", "SE08").exit_code != 0


# Statements of one sign-off request: the log-in lookup, the learner's standing loaded once (five,
# the registrations read by learner), the evidence versions behind the standard, the learner's declaration
# over them, the audit trail's head printed on the record (the newest entry: its place and hash; it
# was counted, one statement more, until each entry held its place), two inserts and the
# audit entry (its chain head, a lock on PostgreSQL, the insert). It was 19 on SQLite when access
# was checked three times and standings loaded twice.
# the sign-off reads the declaration and the audit head, and hashes its row into the entry.
# Then the learner's Open Badge, in the same request: whether the sign-off has one, the next
# status-list entry (behind an advisory lock on PostgreSQL), the standard and its criteria, the
# insert and its audit entry (chain head, a lock on PostgreSQL, the insert). And one statement
# forgets the registration summaries the sign-off changes (mappings.assessment.summaries).
# Two more since two tabs could both sign: the registration's row locked (FOR UPDATE on
# PostgreSQL) and whether the standard was signed off meanwhile. One more on PostgreSQL, where
# writers run side by side: the standard's claims read again once the row and the audit trail
# are held (a claim referred meanwhile is not signed over), the trail's lock taken there, and
# whether the standard is still on the registration (an administrator may have taken it off),
# and whether the learner's personal data was erased meanwhile (an erasure holds the row too).
# Three more to tell the learner of the sign-off (notices.signed_off): whether the same notice
# waits unread, their choice of e-mail for decisions, and the insert.
SIGNOFF_STATEMENTS = {"sqlite": 28, "postgresql": 35}


def test_signoff_request_statement_count_is_fixed(
    session, client, auth, make_person, make_registration, make_evidence, count_queries, backend
) -> None:
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    auth.login(assessor)
    data = {"summary": "Competent.", "assessor_declaration": "y"}
    counts = []
    for items in (1, 4):
        learner = make_person("learner")
        make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03")
        for _ in range(items):
            _complete(session, learner, assessor, make_evidence)
        with count_queries() as q:
            response = client.post(f"/learners/{learner.id}/standards/SE03/signoff", data=data)
        assert response.status_code == 302, _text(response)
        counts.append(q.count)
    assert counts == [SIGNOFF_STATEMENTS[backend]] * 2, counts
