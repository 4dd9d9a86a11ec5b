"""The administrator's page reallocating an assessor's (or IQA's) learners, and the caseloads after."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.models import Notification, Registration
from portfolio.services import withdrawals
from portfolio.services.people import SYSTEM
from portfolio.words import day_words

YESTERDAY = date.today() - timedelta(days=1)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def setup(session, make_person, make_registration):
    ann = make_person("assessor", name="Ann Assessor")
    ben = make_person("assessor", name="Ben Assessor")
    ida = make_person("iqa", name="Ida Iqa")
    regs = [
        make_registration(learner=make_person("learner", name=name), assessor=ann, iqa=ida)
        for name in ("Lou Learner", "Max Learner", "Nia Learner")
    ]
    withdrawals.withdraw(
        session, actor=SYSTEM, registration_id=regs[2].id, on=YESTERDAY, reason="Moved away"
    )
    session.commit()
    return ann, ben, ida, regs


def _assessors(session, regs):
    session.expire_all()
    return [session.get(Registration, r.id).assessor_id for r in regs]


def test_the_page_lists_their_learners_all_ticked_and_offers_other_assessors(
    client, auth, session, setup
) -> None:
    ann, ben, ida, regs = setup
    auth.login("admin")
    person = client.get(f"/admin/people/{ann.id}").get_data(as_text=True)
    assert f'href="/admin/people/{ann.id}/reallocate">Reallocate their learners</a>' in person
    response = client.get(f"/admin/people/{ann.id}/reallocate")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(response)
    for reg in regs:
        assert re.search(
            rf'<input checked[^>]*name="as-registration_ids"[^>]*value="{reg.id}"', html
        )
    assert "Lou Learner: SE v" in text
    assert re.search(rf"Nia Learner: SE v\S+ \(withdrawn on {day_words(YESTERDAY)}\)", text)
    assert not re.search(r"Lou Learner: SE v\S+ \(withdrawn", text)
    offered = re.search(r'<select[^>]*id="as-to_assessor_id".*?</select>', html, re.S).group(0)
    assert "Ben Assessor" in offered and "Ann Assessor" not in offered
    assert "Ida Iqa" not in offered  # not an assessor
    assert "Ida Iqa is the IQA of no learners" not in text
    assert "Ann Assessor is the IQA of no learners." in text


def test_posting_moves_the_ticked_learners_and_says_so(client, auth, session, setup) -> None:
    ann, ben, _ida, regs = setup
    admin = auth.login("admin")
    response = client.post(
        f"/admin/people/{ann.id}/reallocate",
        data={
            "as-registration_ids": [regs[0].id, regs[2].id],
            "as-to_assessor_id": ben.id,
            "as-move": "Move",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "2 learners moved to Ben Assessor." in _text(response)
    assert _assessors(session, regs) == [ben.id, ann.id, ben.id]
    told = session.exec(select(Notification.text).where(Notification.person_id == ben.id)).all()
    assert told == [
        f"{admin.name} made you the assessor of 2 learners more: they are on your caseload."
    ]


def test_the_link_is_for_those_with_learners_to_move(
    client, auth, session, setup, make_person
) -> None:
    ann, _ben, _ida, regs = setup
    auth.login("admin")
    learner = session.get(Registration, regs[0].id).learner_id
    assert "Reallocate their learners" not in _text(client.get(f"/admin/people/{learner}"))
    ann.roles = "learner"  # the assessor role taken away: their learners still name them
    session.add(ann)
    session.commit()
    assert "Reallocate their learners" in _text(client.get(f"/admin/people/{ann.id}"))


def test_a_refusal_is_shown_beside_the_field_with_the_ticks_kept(
    client, auth, session, setup, make_person
) -> None:
    ann, ben, ida, regs = setup
    ida.roles = "iqa,assessor"  # the learners' IQA: cannot become their assessor
    session.add(ida)
    session.commit()
    auth.login("admin")
    response = client.post(
        f"/admin/people/{ann.id}/reallocate",
        data={"as-registration_ids": [regs[1].id], "as-to_assessor_id": ida.id, "as-move": "Move"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="as-to_assessor_id-error"' in html
    assert "must not be the learner&#39;s assessor" in html and "Nothing was moved" in html
    assert 'aria-invalid="true"' in html
    assert re.search(rf'<input checked[^>]*value="{regs[1].id}"', html)
    assert not re.search(
        rf'<input checked[^>]*name="as-registration_ids"[^>]*value="{regs[0].id}"', html
    )
    assert re.search(rf'<option selected value="{ida.id}"', html)
    assert _assessors(session, regs) == [ann.id] * 3


def test_no_one_chosen_or_no_one_ticked_is_refused(client, auth, session, setup) -> None:
    ann, ben, _ida, regs = setup
    auth.login("admin")
    url = f"/admin/people/{ann.id}/reallocate"
    response = client.post(
        url, data={"as-registration_ids": [regs[0].id], "as-to_assessor_id": 0, "as-move": "Move"}
    )
    assert response.status_code == 422
    assert "Choose who takes the learners on." in _text(response)
    response = client.post(url, data={"as-to_assessor_id": ben.id, "as-move": "Move"})
    assert response.status_code == 422
    assert 'id="as-registration_ids-error"' in response.get_data(as_text=True)
    assert "Tick at least one learner to move." in _text(response)
    assert _assessors(session, regs) == [ann.id] * 3


def test_iqa_work_moves_on_its_own_form(client, auth, session, setup, make_person) -> None:
    _ann, _ben, ida, regs = setup
    jo = make_person("iqa", name="Jo Iqa")
    auth.login("admin")
    response = client.post(
        f"/admin/people/{ida.id}/reallocate",
        data={
            "iq-registration_ids": [r.id for r in regs],
            "iq-to_iqa_id": jo.id,
            "iq-move": "Move",
        },
        follow_redirects=True,
    )
    assert "3 learners moved to Jo Iqa as their IQA." in _text(response)
    session.expire_all()
    assert {session.get(Registration, r.id).iqa_id for r in regs} == {jo.id}


def test_the_caseloads_follow_the_learners(client, auth, session, setup) -> None:
    ann, ben, _ida, regs = setup
    summaries.store(lambda: session, [r.id for r in regs], date.today())  # stored before the move
    session.commit()
    auth.login(ann)
    assert "Max Learner" in _text(client.get("/caseload"))
    auth.logout()
    auth.login("admin")
    client.post(
        f"/admin/people/{ann.id}/reallocate",
        data={"as-registration_ids": [regs[1].id], "as-to_assessor_id": ben.id, "as-move": "Move"},
    )
    auth.logout()
    session.expire_all()
    assert regs[1].id not in set(session.exec(select(RegistrationSummary.registration_id)))
    auth.login(ben)
    theirs = _text(client.get("/caseload"))
    assert "Max Learner" in theirs and "Lou Learner" not in theirs
    stored = session.exec(
        select(RegistrationSummary).where(RegistrationSummary.registration_id == regs[1].id)
    ).one()
    assert stored.assessor_id == ben.id  # stored again, under the new assessor
    auth.logout()
    auth.login(ann)
    mine = _text(client.get("/caseload"))
    assert "Lou Learner" in mine and "Max Learner" not in mine


def test_a_person_not_there_is_said_in_words_beside_the_field(client, auth, session, setup) -> None:
    ann, _ben, _ida, regs = setup
    auth.login("admin")
    response = client.post(
        f"/admin/people/{ann.id}/reallocate",
        data={"as-registration_ids": [regs[1].id], "as-to_assessor_id": 987_654, "as-move": "Move"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="as-to_assessor_id-error"' in html
    assert "There is no such assessor. Nothing was moved." in html
    assert "987654" not in html
    assert _assessors(session, regs) == [ann.id] * 3


@pytest.mark.parametrize(
    ("unknown", "said", "not_said"),
    [
        ((987_654,), "There is no such registration; nothing was moved.", None),
        ((987_654, 987_655), "There are no such registrations; nothing was moved.",
         "There is no such registration"),
    ],
    ids=["one", "several"],
)  # fmt: skip
def test_ticked_learners_not_there_are_said_in_words_beside_the_list(
    client, auth, session, setup, unknown, said, not_said
) -> None:
    ann, ben, _ida, regs = setup
    auth.login("admin")
    response = client.post(  # a stale or altered list of ticked learners
        f"/admin/people/{ann.id}/reallocate",
        data={"as-registration_ids": [regs[1].id, *unknown], "as-to_assessor_id": ben.id,
              "as-move": "Move"},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="as-registration_ids-error"' in html
    assert said in html
    if not_said is not None:
        assert not_said not in html
    assert not any(str(ident) in html for ident in unknown)
    assert _assessors(session, regs) == [ann.id] * 3
