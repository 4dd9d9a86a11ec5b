"""The registration service: roles, separation of duties, standards, versions, cohorts, removal."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlmodel import Session, col, func, select

from demo import accounts as demo_accounts
from demo.accounts import load_demo
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Person, Registration, RegistrationStandard
from portfolio.services import audit, registrations
from portfolio.services.people import SYSTEM, Actor
from portfolio.services.registration_dates import default_planned_end
from tests.delivery.api_world import bearer, token_for

START, END = date(2026, 1, 5), date(2027, 1, 4)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def trio(make_person):
    return make_person("learner"), make_person("assessor"), make_person("iqa")


def _register(session, fw, learner, assessor, iqa, codes=("SE01", "SE04"), **kw):
    args = dict(
        actor=SYSTEM,
        learner_id=learner.id,
        framework_id=fw.id,
        standard_codes=list(codes),
        assessor_id=assessor.id if assessor else None,
        iqa_id=iqa.id if iqa else None,
        start_date=START,
        planned_end=END,
    )
    args.update(kw)
    return registrations.register(session, **args)


def test_register_creates_registration_with_standards_and_audit(session, sample_framework, trio):
    learner, assessor, iqa = trio
    reg = _register(session, sample_framework, learner, assessor, iqa, codes=["SE04", "SE01"])
    assert reg.id is not None
    assert registrations.registration_codes(session, reg.id) == ["SE01", "SE04"]
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "registration.create")
    ).all()[-1]
    assert entry.subject_id == reg.id
    assert entry.data["standards"] == ["SE04", "SE01"]
    assert audit.verify(session).ok


def _iqa_is_assessor(make_person):
    both = make_person("assessor,iqa")
    return make_person("learner"), both, both


RULES = [
    # (name, build people, codes, expected message fragment)
    ("learner lacks role", lambda mp: (mp("assessor"), mp("assessor"), mp("iqa")), "learner"),
    ("assessor lacks role", lambda mp: (mp("learner"), mp("learner"), mp("iqa")), "assessor"),
    ("iqa lacks role", lambda mp: (mp("learner"), mp("assessor"), mp("assessor")), "IQA role"),
    ("iqa is the assessor", _iqa_is_assessor, "quality-assures their own"),
]


@pytest.mark.parametrize("name,build,fragment", RULES, ids=[r[0] for r in RULES])
def test_register_rules_refuse_and_write_nothing(
    session, sample_framework, make_person, name, build, fragment
):
    learner, assessor, iqa = build(make_person)
    before = (_count(session, Registration), _count(session, AuditEntry))
    with pytest.raises(Invalid, match=fragment):
        _register(session, sample_framework, learner, assessor, iqa)
    assert (_count(session, Registration), _count(session, AuditEntry)) == before


def test_unknown_standard_codes_are_named(session, sample_framework, trio):
    before = _count(session, RegistrationStandard)
    with pytest.raises(Invalid) as info:
        _register(session, sample_framework, *trio, codes=["SE01", "SE99", "XX7"])
    assert "SE99" in str(info.value) and "XX7" in str(info.value)
    assert str(info.value).startswith("SE version 1 has no standards SE99 and XX7.")
    assert _count(session, RegistrationStandard) == before
    with pytest.raises(Invalid) as one:
        _register(session, sample_framework, *trio, codes=["SE99"])
    assert str(one.value).startswith("SE version 1 has no standard SE99. Its standards: SE01, ")


def test_no_standards_dates_and_cohort_are_checked(session, sample_framework, trio):
    with pytest.raises(Invalid, match="at least one standard"):
        _register(session, sample_framework, *trio, codes=[])
    with pytest.raises(Invalid, match="after the start"):
        _register(session, sample_framework, *trio, planned_end=START)
    with pytest.raises(Invalid, match="cohort"):
        _register(session, sample_framework, *trio, cohort_id=999_999)
    # a mistyped year is refused with the date in words, before it reaches a page or a job
    with pytest.raises(Invalid, match="start date 1 January 1 cannot be right"):
        _register(session, sample_framework, *trio, start_date=date(1, 1, 1))
    with pytest.raises(Invalid, match="cannot be right"):
        _register(session, sample_framework, *trio, start_date=date(date.today().year + 7, 1, 1),
                  planned_end=date(date.today().year + 8, 1, 1))  # fmt: skip
    with pytest.raises(Invalid, match="31 December 9999 is more than 10 years after the start"):
        _register(session, sample_framework, *trio, planned_end=date(9999, 12, 31))
    assert _count(session, Registration) == 0


def test_same_framework_version_twice_is_refused(session, sample_framework, trio):
    _register(session, sample_framework, *trio)
    with pytest.raises(Invalid, match="already registered") as info:
        _register(session, sample_framework, *trio, codes=["SE02"])
    said = str(info.value)
    assert f"registered since {START.day} Jan {START.year}" in said, said
    assert "(registration" not in said and not re.search(r"\d+\)", said)  # no raw ids


def test_only_admins_register(session, sample_framework, trio, make_person):
    assessor = trio[1]
    with pytest.raises(PermissionDenied):
        _register(session, sample_framework, *trio, actor=Actor.of(assessor))


def test_update_allocation_changes_people_and_standards_and_is_audited(
    session, sample_framework, trio, make_person
):
    learner, assessor, iqa = trio
    reg = _register(session, sample_framework, learner, assessor, iqa)
    other = make_person("assessor")
    registrations.update_allocation(
        session,
        actor=SYSTEM,
        registration_id=reg.id,
        assessor_id=other.id,
        iqa_id=iqa.id,
        standard_codes=["SE04", "SE05"],
    )
    assert reg.assessor_id == other.id
    assert registrations.registration_codes(session, reg.id) == ["SE04", "SE05"]
    entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None and entry.action == "registration.update"
    assert entry.data["assessor_id"] == {"old": assessor.id, "new": other.id}
    assert entry.data["standards"] == {"old": ["SE01", "SE04"], "new": ["SE04", "SE05"]}
    # the IQA cannot become the assessor either
    dual = make_person("assessor,iqa")
    with pytest.raises(Invalid, match="quality-assures"):
        registrations.update_allocation(
            session, actor=SYSTEM, registration_id=reg.id, assessor_id=dual.id, iqa_id=dual.id
        )
    assert reg.assessor_id == other.id
    with pytest.raises(NotFound):
        registrations.update_allocation(
            session, actor=SYSTEM, registration_id=999_999, assessor_id=None, iqa_id=None
        )


def test_unchanged_allocation_writes_no_audit(session, sample_framework, trio):
    learner, assessor, iqa = trio
    reg = _register(session, sample_framework, learner, assessor, iqa)
    before = _count(session, AuditEntry)
    registrations.update_allocation(
        session,
        actor=SYSTEM,
        registration_id=reg.id,
        assessor_id=assessor.id,
        iqa_id=iqa.id,
        standard_codes=["SE04", "SE01"],
    )
    assert _count(session, AuditEntry) == before


def test_list_registrations_names_everyone(session, sample_framework, trio):
    learner, assessor, iqa = trio
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Cohort X", site="North")
    reg = _register(session, sample_framework, learner, assessor, iqa, cohort_id=cohort.id)
    (row,) = registrations.list_registrations(session, actor=SYSTEM, registration_id=reg.id)
    assert (row.learner, row.assessor, row.iqa, row.cohort) == (
        learner.name,
        assessor.name,
        iqa.name,
        "Cohort X",
    )
    assert row.framework == f"SE v{sample_framework.version}"
    assert row.standards == ["SE01", "SE04"]
    counts = {c.name: c.registrations for c in registrations.list_cohorts(session)}
    assert counts["Cohort X"] == 1


def test_cohort_names_are_unique_and_required(session):
    registrations.create_cohort(session, actor=SYSTEM, name="Spring")
    with pytest.raises(Invalid, match="already exists"):
        registrations.create_cohort(session, actor=SYSTEM, name="spring")
    with pytest.raises(Invalid, match="name"):
        registrations.create_cohort(session, actor=SYSTEM, name="  ")


def test_remove_person_keeps_their_records(session, sample_framework, trio, make_person):
    learner, assessor, iqa = trio
    reg = _register(session, sample_framework, learner, assessor, iqa)
    admin = make_person("admin")
    registrations.remove_person(session, actor=Actor.of(admin), person_id=learner.id)
    person = session.get(Person, learner.id)
    assert person is not None and person.removed_at is not None and person.active is False
    assert session.get(Registration, reg.id) is not None
    with pytest.raises(Invalid, match="already removed"):
        registrations.remove_person(session, actor=Actor.of(admin), person_id=learner.id)
    with pytest.raises(Invalid, match="your own"):
        registrations.remove_person(session, actor=Actor.of(admin), person_id=admin.id)
    with pytest.raises(PermissionDenied):
        registrations.remove_person(session, actor=Actor.of(assessor), person_id=iqa.id)
    # a removed learner cannot be registered again
    with pytest.raises(Invalid, match="^There is no such learner.$"):
        _register(session, sample_framework, learner, assessor, iqa, codes=["SE02"])


def test_demo_loads_registrations_through_the_service(session):
    report = load_demo(session)
    again = load_demo(session)
    assert any(c.startswith("registration of") for c in report.created) or not again.created
    assert not any(c.startswith("registration of") for c in again.created)
    actions = session.exec(
        select(func.count()).where(AuditEntry.action == "registration.create")
    ).one()
    assert actions >= 4


def test_demo_registrations_end_as_any_other_would_by_default(session, monkeypatch):
    """A year less a day from the start, as on the page and in the CSV import; 52 weeks is a day
    short when the year holds 29 February (so the demo is loaded as on 1 March 2028)."""

    class LeapSpring(date):
        @classmethod
        def today(cls) -> date:
            return date(2028, 3, 1)

    monkeypatch.setattr(demo_accounts, "date", LeapSpring)
    load_demo(session)
    registered = session.exec(select(Registration)).all()
    assert registered
    for reg in registered:
        assert reg.planned_end == default_planned_end(reg.start_date), reg


# ---------------------------------------------------------------- CLI


def test_cli_cohort_add_and_list(cli) -> None:
    added = cli("cohort", "add", "--name", "CLI cohort", "--site", "North site")
    assert added.exit_code == 0, added.output
    assert "Added cohort “CLI cohort” at North site" in added.output
    listed = cli("cohort", "list", "--json")
    rows = {r["name"]: r for r in json.loads(listed.output)}
    assert rows["CLI cohort"]["site"] == "North site"
    assert rows["CLI cohort"]["registrations"] == 0
    again = cli("cohort", "add", "--name", "CLI cohort")
    assert again.exit_code == 1 and "already exists" in again.output
    assert "CLI cohort" in cli("cohort", "list").output


def test_cli_register(cli, trio, session, sample_framework) -> None:
    learner, assessor, iqa = trio
    base = ["register", "--learner", str(learner.id), "--framework", "SE"]
    people = ["--assessor", str(assessor.id), "--iqa", str(iqa.id)]
    ok = cli(*base, "--standards", "SE01,SE04", *people, "--start", "2026-02-01")
    assert ok.exit_code == 0, ok.output
    assert f"on SE version {sample_framework.version} (SE01, SE04)" in ok.output
    reg = session.exec(select(Registration).where(Registration.learner_id == learner.id)).one()
    assert (reg.start_date, reg.planned_end) == (date(2026, 2, 1), date(2027, 1, 31))
    assert registrations.registration_codes(session, reg.id or 0) == ["SE01", "SE04"]

    twice = cli(*base, "--standards", "SE02", *people)
    assert twice.exit_code == 1 and "already registered" in twice.output
    other = trio[0]
    bad = cli(
        "register", "--learner", str(other.id), "--framework", "SE", "--standards", "SE01,SE42",
        "--assessor", str(assessor.id), "--iqa", str(assessor.id),
    )  # fmt: skip
    assert bad.exit_code == 1 and "iqa" in bad.output.lower()
    missing = cli(*base, "--version", "99", "--standards", "SE01", *people)
    assert missing.exit_code == 1 and "version 99" in missing.output


NOT_THERE = [
    # (what, the service's argument, the form's field, said on pages, said by the command)
    ("assessor", "assessor_id", "There is no such assessor.", "--assessor", "assessor"),
    ("IQA", "iqa_id", "There is no such IQA.", "--iqa", "IQA"),
    ("learner", "learner_id", "There is no such learner.", "--learner", "learner"),
]


@pytest.mark.parametrize("what,field,said,option,label", NOT_THERE, ids=[n[0] for n in NOT_THERE])
def test_a_person_who_is_not_there_is_said_in_words_and_by_id_in_the_command(
    cli, session, sample_framework, trio, what, field, said, option, label
) -> None:
    """No page shows a raw id for a person who is not there (a tampered form, a program's
    mistake); the command line keeps the id, which the operator typed there."""
    learner, assessor, iqa = trio
    missing = 987_654
    with pytest.raises(Invalid) as refused:
        _register(session, sample_framework, learner, assessor, iqa, **{field: missing})
    assert str(refused.value) == said and refused.value.field == field
    session.rollback()
    given = {"--learner": learner.id, "--assessor": assessor.id, "--iqa": iqa.id}
    given[option] = missing
    args = [a for o, v in given.items() for a in (o, str(v))]
    r = cli("register", "--framework", "SE", "--standards", "SE01", *args)
    assert r.exit_code == 1 and f"There is no {label} with id {missing}." in r.output, r.output
    assert _count(session, Registration) == 0


def test_a_framework_version_that_is_not_there_is_said_in_words(
    client, session, sample_framework, trio, make_person
) -> None:
    learner, assessor, iqa = trio
    with pytest.raises(Invalid) as refused:
        _register(session, sample_framework, *trio, framework_id=987_654)
    assert str(refused.value) == "There is no such framework version."
    assert refused.value.field == "framework_id"
    session.rollback()
    headers = bearer(token_for(session, make_person("admin").id or 0))
    answer = client.post("/api/v1/registrations", headers=headers, json={
        "learner_id": learner.id, "framework_id": 987_654, "standards": ["SE01"],
        "assessor_id": assessor.id, "iqa_id": iqa.id,
        "start_date": "2026-03-02", "planned_end": "2027-03-01",
    })  # fmt: skip
    problem = answer.get_json()
    assert answer.status_code == 422, problem
    assert problem["detail"] == "There is no such framework version.", problem
    assert "987654" not in json.dumps(problem)


@pytest.mark.parametrize("field", ["assessor_id", "iqa_id"])
def test_the_registration_pages_say_a_person_not_there_in_words_beside_the_field(
    client, auth, session, sample_framework, trio, field
) -> None:
    learner, assessor, iqa = trio
    reg = _register(session, sample_framework, *trio)
    session.commit()
    auth.login("admin")
    chosen = {"assessor_id": assessor.id, "iqa_id": iqa.id} | {field: 987_654}
    new = client.post("/admin/registrations", data={
        "learner_email": learner.email,
        "framework_id": sample_framework.id, "standards": ["SE01"], **chosen,
        "start_date": "2026-03-02", "planned_end": "2027-03-01",
    })  # fmt: skip
    edit = client.post(f"/admin/registrations/{reg.id}", data={
        "standards": ["SE01"], **chosen, "planned_end": "2027-03-01",
    })  # fmt: skip
    said = "There is no such assessor." if field == "assessor_id" else "There is no such IQA."
    for answer in (new, edit):
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, page
        assert f'id="{field}-error"' in page and said in page
        assert "987654" not in page
