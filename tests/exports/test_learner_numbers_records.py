"""The records sent to an awarding body say the numbers it knows the learner by, once an
administrator gave them: the sign-off record (.docx, read back with python-docx) and the sign-off
register. Until then they say the centre's own references, as before."""

from __future__ import annotations

import pytest

from exports.reports import rows_as_dicts, signoff_register
from exports.signoff import build_signoff_docx
from exports.signoff_view import signoff_view
from portfolio.services import learner_numbers
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from portfolio.services.registration_standards import CENTRE
from portfolio.words import local
from tests.conftest import actor_of
from tests.exports.export_case import build_case
from tests.exports.test_signoff_view import _text

ULN = "1234567899"


@pytest.fixture
def case(session, tmp_path, make_person, make_registration, make_evidence):
    store = FileStore(tmp_path / "files")
    return build_case(session, store, make_person, make_registration, make_evidence)


def _number(session, make_person, case) -> None:
    admin = actor_of(make_person("admin"))
    learner_numbers.set_uln(session, actor=admin, person_id=case.learner.id, uln=ULN)
    learner_numbers.set_awarding_ref(
        session, actor=admin, registration_id=case.registration.id, ref="AB/2026/0042"
    )
    session.commit()


def test_the_signoff_record_says_the_uln_and_the_awarding_body_number(
    session, make_person, case
) -> None:
    before = _text(build_signoff_docx(signoff_view(session, case.signoff.id, centre="C")))
    assert "Unique learner number" not in before and "Awarding body" not in before
    assert f"Learner reference: L-{case.learner.id:05d}" in before
    _number(session, make_person, case)
    text = _text(build_signoff_docx(signoff_view(session, case.signoff.id, centre="C")))
    lines = text.splitlines()
    assert f"Unique learner number (ULN): {ULN}" in lines
    assert "Awarding body registration number: AB/2026/0042" in lines
    # beside the learner's name, and the centre's references still there
    assert (
        lines.index(f"Unique learner number (ULN): {ULN}")
        == lines.index(f"Learner: {case.learner.name}") + 1
    )
    assert f"Registration: REG-{case.registration.id:05d}" in lines


def test_the_signoff_register_has_the_numbers(session, make_person, case) -> None:
    day = local(case.signoff.signed_at, CENTRE).date()
    [before] = rows_as_dicts(signoff_register(session, actor=SYSTEM, start=day, end=day))
    assert (before["ULN"], before["Awarding body registration number"]) == ("", "")
    _number(session, make_person, case)
    [row] = rows_as_dicts(signoff_register(session, actor=SYSTEM, start=day, end=day))
    assert (row["ULN"], row["Awarding body registration number"]) == (ULN, "AB/2026/0042")
    assert row["Learner"] == case.learner.name
