"""A learner registered on two versions of one framework holds the same standard code twice:
each registration's standard has its own page, sign-off and reopening, reached from the
learner's progress page and home page."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from demo.accounts import register_learner, sample_framework_text
from framework.parse.nos_text import parse_nos_text
from mappings.assessment import claims, declarations
from mappings.assessment.models import Claim, SignOff
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of


def _second_version(session) -> int:
    spec = parse_nos_text(sample_framework_text())
    se01 = next(s for s in spec.standards if s.code == "SE01")
    first = copy.deepcopy(se01.criteria[0])
    se01.criteria[0] = type(first)(
        kind=first.kind, code=first.code, text=first.text + " and record it", position=1
    )
    result = import_framework(session, actor=SYSTEM, spec=spec, new_version=True)
    assert result.status == "new_version"
    session.commit()
    return result.framework_id


@pytest.fixture
def both(session, make_person, make_registration):
    """A learner on version 1 (assessor ``old``) and version 2 (assessor ``new``) of the sample,
    both with SE03; SE03 of version 2 is complete and declared."""
    learner = make_person("learner", name="Vera Versions")
    old, new = make_person("assessor"), make_person("assessor")
    first = make_registration(learner=learner, assessor=old, codes="SE03")
    framework_id = _second_version(session)
    second = register_learner(
        session,
        learner_id=learner.id,
        framework_id=framework_id,
        codes=["SE03"],
        assessor_id=new.id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=10),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    return learner, old, new, first, second


def _complete_second(session, learner, new, make_evidence, second) -> None:
    item = make_evidence(learner, title="Work trial, second version")
    found = [
        c
        for c in claims.claimable_criteria(session, learner.id)
        if c.framework_id == second.framework_id and c.standard_code == "SE03"
    ]
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in found],
    )
    session.commit()
    kinds = {c.criterion_id: c.kind for c in found}
    for claim in session.exec(select(Claim).where(Claim.evidence_id == item.id)).all():
        claims.decide(
            session,
            actor=actor_of(new),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision="accepted",
            method="O" if kinds[claim.criterion_id] == "performance" else "PD",
            feedback="",
        )
    session.commit()
    declarations.declare(
        session, actor=actor_of(learner), registration_id=second.id, standard_code="SE03"
    )
    session.commit()


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]*/standards/SE03[^"]*)"', html)


def test_each_registration_has_its_own_standard_page_and_sign_off(
    session, client, auth, both, make_evidence
) -> None:
    learner, old, new, first, second = both
    _complete_second(session, learner, new, make_evidence, second)
    auth.login(new)
    progress = client.get(f"/learners/{learner.id}/progress").get_data(as_text=True)
    links = _links(progress)
    assert len(set(links)) == 2, links  # one page per registration
    pages = {link: client.get(link.replace("&amp;", "&")) for link in links}
    texts = [p.get_data(as_text=True) for p in pages.values()]
    assert all(p.status_code == 200 for p in pages.values())
    ready = [link for link, text in zip(links, texts, strict=True) if "(v2)" in text]
    assert len(ready) == 1 and "Sign off this standard" in pages[ready[0]].get_data(as_text=True)
    url = ready[0].replace("&amp;", "&")
    base, _, query = url.partition("?")
    response = client.post(
        f"{base}/signoff?{query}",
        data={"summary": "Competent on version 2.", "assessor_declaration": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = session.exec(select(SignOff)).one()
    assert record.registration_id == second.id
    assert "Reopen this standard" in client.get(response.headers["Location"]).get_data(as_text=True)
    # the other registration's SE03 is not signed off, and its assessor is not offered it
    auth.logout()
    auth.login(old)
    other = next(link for link in links if link != ready[0]).replace("&amp;", "&")
    text = client.get(other).get_data(as_text=True)
    assert "(v1)" in text and "Reopen this standard" not in text
    # the new assessor reopens version 2's sign-off from its page
    auth.logout()
    auth.login(new)
    response = client.post(f"{base}/reopen?{query}", data={"reason": "Wrong evidence set."})
    assert response.status_code == 302
    session.refresh(record)
    assert record.status == "reopened"


def test_the_learners_home_page_links_each_registrations_standard(
    session, client, auth, both
) -> None:
    learner, *_ = both
    auth.login(learner)
    links = set(_links(client.get("/").get_data(as_text=True)))
    assert len(links) == 2, links
    titles = {
        client.get(link.replace("&amp;", "&")).get_data(as_text=True).count("(v2)") > 0
        for link in links
    }
    assert titles == {True, False}
