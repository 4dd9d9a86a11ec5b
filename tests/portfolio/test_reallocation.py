"""Reallocating an assessor's (or IQA's) learners: the single change's rules for every
registration, all or nothing, one audit entry each, the new assessor told once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, func, select

from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.errors import Invalid, NoSuch, PermissionDenied
from portfolio.models import AuditEntry, Notification, Registration
from portfolio.services import reallocation, registrations
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of


@pytest.fixture
def team(make_person):
    return (
        make_person("assessor", name="Ann Assessor"),
        make_person("assessor", name="Ben Assessor"),
        make_person("iqa", name="Ida Iqa"),
    )


@pytest.fixture
def caseload(team, make_registration):
    ann, _ben, ida = team
    return [make_registration(assessor=ann, iqa=ida) for _ in range(3)]


def _state(session: Session) -> tuple[object, ...]:
    session.expire_all()
    regs = session.exec(
        select(Registration.id, Registration.assessor_id, Registration.iqa_id).order_by(
            col(Registration.id)
        )
    ).all()
    audits = session.exec(select(func.count()).select_from(AuditEntry)).one()
    notes = session.exec(select(func.count()).select_from(Notification)).one()
    return tuple(regs), audits, notes


def _ids(regs):
    return [r.id for r in regs]


def test_moves_every_registration_audits_each_and_tells_the_new_assessor_once(
    session, team, caseload
):
    ann, ben, ida = team
    done = reallocation.reallocate(
        session, actor=SYSTEM, registration_ids=_ids(caseload), to_assessor_id=ben.id
    )
    session.commit()
    assert (done.moved, done.assessor, done.iqa) == (3, "Ben Assessor", None)
    session.expire_all()
    for reg in caseload:
        row = session.get(Registration, reg.id)
        assert (row.assessor_id, row.iqa_id) == (ben.id, ida.id)
    entries = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "registration.update",
            col(AuditEntry.subject_id).in_(_ids(caseload)),
        )
    ).all()
    assert sorted(e.subject_id for e in entries) == sorted(_ids(caseload))
    assert all(e.data == {"assessor_id": {"old": ann.id, "new": ben.id}} for e in entries)
    told = session.exec(select(Notification).where(Notification.person_id == ben.id)).all()
    assert [n.text for n in told] == [
        "An administrator made you the assessor of 3 learners more: they are on your caseload."
    ]
    assert told[0].link == "/caseload"
    assert not session.exec(select(Notification).where(Notification.person_id == ann.id)).all()


def test_moves_iqa_work_and_keeps_the_cohort_and_standards(session, team, caseload, make_person):
    _ann, _ben, ida = team
    jo = make_person("iqa", name="Jo Iqa")
    reg = session.get(Registration, caseload[0].id)
    reg.cohort_id = registrations.create_cohort(session, actor=SYSTEM, name="Spring", site="A").id
    session.add(reg)
    session.commit()
    end, cohort, codes = (
        reg.planned_end,
        reg.cohort_id,
        registrations.registration_codes(session, reg.id),
    )
    done = reallocation.reallocate(
        session, actor=SYSTEM, registration_ids=[caseload[0].id], to_iqa_id=jo.id
    )
    assert (done.moved, done.iqa) == (1, "Jo Iqa")
    session.expire_all()
    reg = session.get(Registration, caseload[0].id)
    assert (reg.iqa_id, reg.planned_end, reg.cohort_id) == (jo.id, end, cohort)
    assert cohort is not None and registrations.registration_codes(session, reg.id) == codes
    assert session.get(Registration, caseload[1].id).iqa_id == ida.id
    told = session.exec(select(Notification.text).where(Notification.person_id == jo.id)).all()
    assert told == [
        "An administrator made you the IQA of 1 learner more: they are on your caseload."
    ]


def _learner_as_assessor(session, team, caseload, make_person):
    reg = session.get(Registration, caseload[1].id)
    learner = session.get(type(team[0]), reg.learner_id)
    learner.roles = "learner,assessor"
    session.add(learner)
    session.commit()
    return {"to_assessor_id": learner.id}, "cannot be their own assessor"


def _iqa_as_assessor(session, team, caseload, make_person):
    ida = team[2]
    ida.roles = "iqa,assessor"
    session.add(ida)
    session.commit()
    return {"to_assessor_id": ida.id}, "must not be the learner's assessor"


def _assessor_as_iqa(session, team, caseload, make_person):
    ann = team[0]
    ann.roles = "assessor,iqa"
    session.add(ann)
    session.commit()
    return {"to_iqa_id": ann.id}, "must not be the learner's assessor"


def _no_assessor_role(session, team, caseload, make_person):
    return {"to_assessor_id": make_person("iqa").id}, "not given the assessor role"


def _no_iqa_role(session, team, caseload, make_person):
    return {"to_iqa_id": team[1].id}, "not given the IQA role"


def _unknown_person(session, team, caseload, make_person):
    return {"to_assessor_id": 987_654}, "^There is no such assessor. Nothing was moved.$"


def _learner_as_iqa(session, team, caseload, make_person):
    reg = session.get(Registration, caseload[2].id)
    learner = session.get(type(team[0]), reg.learner_id)
    learner.roles = "learner,iqa"
    session.add(learner)
    session.commit()
    return {"to_iqa_id": learner.id}, "cannot be their own IQA"


REFUSALS = [
    _learner_as_assessor,
    _iqa_as_assessor,
    _assessor_as_iqa,
    _no_assessor_role,
    _no_iqa_role,
    _unknown_person,
    _learner_as_iqa,
]


@pytest.mark.parametrize("build", REFUSALS, ids=[f.__name__.strip("_") for f in REFUSALS])
def test_a_rule_broken_by_one_registration_moves_none(session, team, caseload, make_person, build):
    target, fragment = build(session, team, caseload, make_person)
    before = _state(session)
    with pytest.raises(Invalid, match=fragment) as info:
        reallocation.reallocate(session, actor=SYSTEM, registration_ids=_ids(caseload), **target)
    assert "Nothing was moved" in str(info.value)
    assert info.value.field == next(iter(target))
    assert _state(session) == before


def test_an_unknown_registration_moves_none_and_is_said_in_words(session, team, caseload):
    before = _state(session)
    with pytest.raises(NoSuch) as info:
        reallocation.reallocate(
            session,
            actor=SYSTEM,
            registration_ids=[*_ids(caseload), 987_654],
            to_assessor_id=team[1].id,
        )
    # a stale or altered page: no one typed the id there; a program's caller still has it
    assert str(info.value) == "There is no such registration; nothing was moved."
    assert info.value.by_id == "There is no registration with id 987654; nothing was moved."
    assert info.value.field == "registration_ids"
    assert _state(session) == before


def test_several_unknown_registrations_are_all_said(session, team, caseload):
    before = _state(session)
    with pytest.raises(NoSuch) as info:
        reallocation.reallocate(
            session,
            actor=SYSTEM,
            registration_ids=[987_655, *_ids(caseload), 987_654, 987_656],
            to_assessor_id=team[1].id,
        )
    # the page: in words, as many as there are; the caller: every id, not the first alone
    assert str(info.value) == "There are no such registrations; nothing was moved."
    assert info.value.by_id == (
        "There are no registrations with ids 987654, 987655 and 987656; nothing was moved."
    )
    assert info.value.idents == (987_654, 987_655, 987_656)
    assert info.value.field == "registration_ids"
    assert _state(session) == before


def test_nothing_chosen_is_refused(session, team, caseload):
    with pytest.raises(Invalid, match="Tick at least one learner"):
        reallocation.reallocate(session, actor=SYSTEM, registration_ids=[], to_assessor_id=1)
    with pytest.raises(Invalid, match="Choose who takes the learners on"):
        reallocation.reallocate(session, actor=SYSTEM, registration_ids=_ids(caseload))


@pytest.mark.parametrize("role", ["assessor", "iqa", "learner", "eqa"])
def test_only_administrators_reallocate(session, team, caseload, make_person, role):
    who = actor_of(make_person(role))
    before = _state(session)
    with pytest.raises(PermissionDenied, match="Only administrators"):
        reallocation.reallocate(
            session,
            actor=who,
            registration_ids=_ids(caseload),
            to_assessor_id=team[1].id,
        )
    assert _state(session) == before


def test_a_registration_already_with_the_new_assessor_is_not_counted(
    session, team, caseload, make_registration
):
    _ann, ben, ida = team
    theirs = make_registration(assessor=ben, iqa=ida)
    done = reallocation.reallocate(
        session,
        actor=SYSTEM,
        registration_ids=[*_ids(caseload), theirs.id],
        to_assessor_id=ben.id,
    )
    assert done.moved == 3
    assert not session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "registration.update", AuditEntry.subject_id == theirs.id
        )
    ).all()


def test_their_stored_summaries_are_deleted_and_no_others(
    session, team, caseload, make_registration
):
    ann, ben, ida = team
    other = make_registration(assessor=ann, iqa=ida)
    summaries.store(lambda: session, [*_ids(caseload), other.id], date.today())
    session.commit()
    reallocation.reallocate(
        session, actor=SYSTEM, registration_ids=_ids(caseload[:2]), to_assessor_id=ben.id
    )
    session.commit()
    session.expire_all()
    kept = set(session.exec(select(RegistrationSummary.registration_id)).all())
    assert kept == {caseload[2].id, other.id}


# ---------------------------------------------------------------- the command line


def test_the_command_moves_every_learner_and_prints_how_many(cli, session, team, caseload):
    ann, ben, ida = team
    result = cli("registrations", "reallocate", "--from", ann.email.upper(), "--to", ben.email)
    assert result.exit_code == 0, result.output
    assert (
        result.output == "Moved 3 learners from Ann Assessor to Ben Assessor (as their assessor).\n"
    )
    session.expire_all()
    assert {session.get(Registration, r.id).assessor_id for r in caseload} == {ben.id}


def test_the_command_moves_iqa_work_with_iqa(cli, session, team, caseload, make_person):
    jo = make_person("iqa", name="Jo Iqa")
    result = cli(
        "registrations", "reallocate", "--from", team[2].email, "--to", jo.email, "--iqa", "--json"
    )
    assert result.exit_code == 0, result.output
    assert '"moved": 3' in result.output and '"to": "Jo Iqa"' in result.output
    session.expire_all()
    assert {session.get(Registration, r.id).iqa_id for r in caseload} == {jo.id}


@pytest.mark.parametrize(
    "to, said",
    [
        ("nobody@test.example", "No one here has the e-mail address nobody@test.example."),
        ("ida", "not given the assessor role here"),  # the IQA has no assessor role
    ],
)
def test_the_command_refuses_with_the_reason_and_moves_nothing(
    cli, session, team, caseload, to, said
):
    ann, _ben, ida = team
    before = _state(session)
    result = cli(
        "registrations", "reallocate", "--from", ann.email, "--to", ida.email if to == "ida" else to
    )
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert _state(session) == before


def test_the_command_says_when_the_person_has_no_learners(cli, team, caseload):
    result = cli("registrations", "reallocate", "--from", team[1].email, "--to", team[0].email)
    assert result.exit_code == 1
    assert "Ben Assessor" in result.output and "is the assessor of no learners" in result.output


def test_a_person_not_there_moves_none_and_is_said_in_words(session, team, caseload):
    before = _state(session)
    with pytest.raises(Invalid) as info:
        reallocation.reallocate_every(session, actor=SYSTEM, from_id=987_654, to_id=team[1].id)
    assert str(info.value) == "There is no such person; nothing was moved."
    assert _state(session) == before
