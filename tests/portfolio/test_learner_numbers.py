"""The numbers awarding bodies know learners by: a learner's unique learner number (ULN), checked
by its check digit and never shared by two accounts, and a registration's awarding body number.
Only administrators give them; each change is audited; a bulk import gives them with its rows,
all or nothing; erasing a person's data takes both away."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from mappings.privacy.requests import erase_person
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import AuditEntry, Person, Registration
from portfolio.services import learner_numbers
from portfolio.services.learner_numbers import check_awarding_ref, check_uln
from portfolio.services.people_import import import_people
from tests.conftest import actor_of

VALID = "1234567899"  # 1×10 + 2×9 + ... + 9×2 = 210; 210 mod 11 = 1; 10 − 1 = 9
OTHER = "9876543210"  # 9×10 + 8×9 + ... + 1×2 = 330; 330 mod 11 = 0: no check digit ends it


def _check_digit(prefix: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def _uln(n: int) -> str:
    """The n-th valid ULN counting up from 100000000 (a prefix whose remainder is 0 is skipped)."""
    prefix = 100_000_000 + n
    while _check_digit(str(prefix)) is None:
        prefix += 1
    return f"{prefix}{_check_digit(str(prefix))}"


@given(st.integers(min_value=100_000_000, max_value=999_999_998))  # 999999999x: the ILR's "no ULN"
def test_a_number_is_taken_exactly_when_its_last_digit_checks(prefix: int) -> None:
    digit = _check_digit(str(prefix))
    for last in range(10):
        number = f"{prefix}{last}"
        if digit is not None and last == digit:
            assert check_uln(number) == number
        else:
            with pytest.raises(Invalid, match="its last digit does not check"):
                check_uln(number)


def test_the_rule_in_words() -> None:
    assert check_uln(VALID) == VALID
    assert check_uln(" 123 456 7899 ") == VALID  # written in groups: read plainly
    assert check_uln("") is None and check_uln("   ") is None
    with pytest.raises(Invalid, match="its last digit does not check"):
        check_uln(OTHER)  # its nine digits give a remainder of 0: no ULN ends them
    for wrong in ("123456789", "12345678999", "12345678O9", "１２３４５６７８９９"):
        with pytest.raises(Invalid, match="is 10 digits") as refused:
            check_uln(wrong)
        assert refused.value.field == "uln"
    with pytest.raises(Invalid, match="stands for a learner with no ULN"):
        check_uln("9999999999")
    with pytest.raises(Invalid, match="does not check"):
        check_uln("0123456789")  # a ULN never starts with 0
    assert check_awarding_ref("  AB 1234/X ") == "AB 1234/X" and check_awarding_ref(" ") is None
    for wrong in ("x" * 31, "AB\t12"):
        with pytest.raises(Invalid) as refused:
            check_awarding_ref(wrong)
        assert refused.value.field == "awarding_body_ref"


def _trail(session, action: str, subject_id: int) -> list[dict]:
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == action, AuditEntry.subject_id == subject_id)
        .order_by(col(AuditEntry.id))
    )
    return [(r.actor_id, r.data) for r in rows]


def test_an_administrator_gives_corrects_and_takes_away_a_uln(session, make_person) -> None:
    admin, learner = make_person("admin"), make_person("learner")
    me = actor_of(admin)
    learner_numbers.set_uln(session, actor=me, person_id=learner.id, uln=VALID)
    learner_numbers.set_uln(session, actor=me, person_id=learner.id, uln="1234 5678 99")  # same
    learner_numbers.set_uln(session, actor=me, person_id=learner.id, uln=_uln(1))
    learner_numbers.set_uln(session, actor=me, person_id=learner.id, uln="")
    session.commit()
    assert session.get(Person, learner.id).uln is None
    assert _trail(session, "person.uln", learner.id) == [
        (admin.id, {"old": None, "new": VALID}),
        (admin.id, {"old": VALID, "new": _uln(1)}),
        (admin.id, {"old": _uln(1), "new": None}),
    ]


def test_two_accounts_never_share_a_uln(session, make_person) -> None:
    me = actor_of(make_person("admin"))
    first = make_person("learner", name="Ann First")
    second = make_person("learner")
    learner_numbers.set_uln(session, actor=me, person_id=first.id, uln=VALID)
    with pytest.raises(Invalid, match=f"Ann First already has the unique learner number {VALID}"):
        learner_numbers.set_uln(session, actor=me, person_id=second.id, uln=VALID)
    assert session.get(Person, second.id).uln is None


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "eqa"])
def test_only_administrators_give_numbers(session, make_person, make_registration, role) -> None:
    someone, reg = make_person(role), make_registration()
    with pytest.raises(PermissionDenied):
        learner_numbers.set_uln(session, actor=actor_of(someone), person_id=someone.id, uln=VALID)
    with pytest.raises(PermissionDenied):
        learner_numbers.set_awarding_ref(
            session, actor=actor_of(someone), registration_id=reg.id, ref="AB123"
        )
    assert session.get(Registration, reg.id).awarding_body_ref is None


def test_a_registration_gets_its_awarding_body_number(session, make_person, make_registration):
    admin, reg = make_person("admin"), make_registration()
    learner_numbers.set_awarding_ref(
        session, actor=actor_of(admin), registration_id=reg.id, ref=" AB-2026-0042 "
    )
    session.commit()
    assert session.get(Registration, reg.id).awarding_body_ref == "AB-2026-0042"
    assert _trail(session, "registration.awarding_body_ref", reg.id) == [
        (admin.id, {"old": None, "new": "AB-2026-0042"})
    ]


def test_erasing_a_persons_data_takes_their_numbers_away(
    session, make_person, make_registration
) -> None:
    me = actor_of(make_person("admin"))
    reg = make_registration()
    learner_numbers.set_uln(session, actor=me, person_id=reg.learner_id, uln=VALID)
    learner_numbers.set_awarding_ref(session, actor=me, registration_id=reg.id, ref="AB1")
    erase_person(session, actor=me, person_id=reg.learner_id, store=None)
    session.commit()
    assert session.get(Person, reg.learner_id).uln is None
    assert session.get(Registration, reg.id).awarding_body_ref is None
    with pytest.raises(Invalid, match="erased"):
        learner_numbers.set_uln(session, actor=me, person_id=reg.learner_id, uln=VALID)


HEADER = b"name,email,roles,framework,standards,uln,awarding_body_ref\n"


def test_an_import_gives_the_numbers_with_its_rows(session, make_person, sample_framework):
    me = actor_of(make_person("admin"))
    data = (
        HEADER
        + (
            f"Una Uln,una@example.org,learner,SE,SE01,{VALID},AB-1\n"
            f"Vic Uln,vic@example.org,learner,,,{_uln(2)},\n"
        ).encode()
    )
    report = import_people(session, actor=me, data=data, dry_run=False)
    session.commit()
    assert report.written and report.errors == 0
    una = session.exec(select(Person).where(Person.email == "una@example.org")).one()
    vic = session.exec(select(Person).where(Person.email == "vic@example.org")).one()
    assert (una.uln, vic.uln) == (VALID, _uln(2))
    reg = session.exec(select(Registration).where(Registration.learner_id == una.id)).one()
    assert reg.awarding_body_ref == "AB-1"


def test_an_import_with_a_bad_number_writes_nothing(session, make_person, sample_framework):
    me = actor_of(make_person("admin"))
    taken = make_person("learner", email="taken@example.org")
    learner_numbers.set_uln(session, actor=me, person_id=taken.id, uln=_uln(3))
    session.commit()
    data = (
        HEADER
        + (
            f"Una Uln,una@example.org,learner,SE,SE01,{VALID},\n"
            f"Wes Uln,wes@example.org,learner,,,{VALID},\n"  # the row before has it
            f"Xan Uln,xan@example.org,learner,,,{_uln(3)},\n"  # an account has it
            "Yas Uln,yas@example.org,learner,,,12345,\n"
            "Zed Uln,zed@example.org,learner,,,,AB-9\n"  # a number for no registration
        ).encode()
    )
    report = import_people(session, actor=me, data=data, dry_run=False)
    session.commit()
    assert not report.written
    assert [r.errors for r in report.rows] == [
        (),
        (f"The ULN {VALID} is on an earlier row too.",),
        (f"The ULN {_uln(3)} is taken@example.org's already.",),
        ("A unique learner number (ULN) is 10 digits.",),
        ("An awarding body registration number needs a framework to register on.",),
    ]
    assert session.exec(select(Person).where(Person.email == "una@example.org")).first() is None


def test_an_import_does_not_change_an_existing_persons_uln(session, make_person, sample_framework):
    me = actor_of(make_person("admin"))
    known = make_person("learner", email="known@example.org")
    learner_numbers.set_uln(session, actor=me, person_id=known.id, uln=_uln(4))
    session.commit()
    same = HEADER + f"Known,known@example.org,learner,SE,SE01,{_uln(4)},\n".encode()
    assert import_people(session, actor=me, data=same, dry_run=True).errors == 0
    other = HEADER + f"Known,known@example.org,learner,SE,SE01,{VALID},\n".encode()
    [row] = import_people(session, actor=me, data=other, dry_run=True).rows
    assert row.errors == (f"known@example.org has the ULN {_uln(4)}: correct it on their page.",)
