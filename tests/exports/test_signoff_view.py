"""The sign-off view model built from the database, and its .docx round trip."""

from __future__ import annotations

import io

import docx
import pytest
from sqlmodel import select

from exports.signoff import build_signoff_docx
from exports.signoff_view import find_signoff, signoff_view, signoff_views
from portfolio.errors import Invalid, NotFound
from portfolio.models import Criterion, Standard
from portfolio.refs import EvidenceRef
from portfolio.services.files import FileStore
from tests.exports.export_case import build_case

CENTRE = "Northfield Centre"


@pytest.fixture
def case(session, tmp_path, make_person, make_registration, make_evidence):
    store = FileStore(tmp_path / "files")
    return build_case(session, store, make_person, make_registration, make_evidence)


def _text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in d.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def test_view_names_every_criterion_with_the_frozen_evidence(session, case) -> None:
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    expected = session.exec(
        select(Criterion.code, Criterion.kind)
        .join(Standard)
        .where(Standard.code == "SE03")
        .order_by(Criterion.position)
    ).all()
    assert [(c.code, c.kind) for c in view.criteria] == list(expected)
    assert {c.kind for c in view.criteria} == {"performance", "knowledge"}
    for row in view.criteria:
        assert [e.ref for e in row.evidence] == [EvidenceRef(case.account_id, 1)]
        item = row.evidence[0]
        assert item.title == "My account of job coaching"
        assert item.kind == "Reflective account"
        assert item.methods == (("O",) if row.kind == "performance" else ("PD",))
        assert item.accepted_on is not None
    assert view.centre == CENTRE
    assert view.learner_name == case.learner.name
    assert view.assessor_name == case.assessor.name
    assert view.standard_code == "SE03" and view.standard_urn
    assert view.framework_title and view.framework_version
    assert view.assessor_summary == "Competent throughout." and view.feedback == "Keep it up."
    assert view.evidence_set_sha256 == case.signoff.evidence_set_sha256
    assert view.signed_at == case.signoff.signed_at
    assert view.iqa is None  # no QA tables yet: blanks to sign


def test_by_registration_and_code_and_refusals(session, case) -> None:
    by_code = signoff_view(
        session, registration_id=case.registration.id, standard_code="SE03", centre=CENTRE
    )
    assert by_code == signoff_view(session, case.signoff.id, centre=CENTRE)
    with pytest.raises(Invalid, match="not signed off"):
        signoff_view(
            session, registration_id=case.registration.id, standard_code="SE01", centre=CENTRE
        )
    with pytest.raises(NotFound):
        find_signoff(session, registration_id=case.registration.id, standard_code="SE08")
    with pytest.raises(NotFound):
        signoff_view(session, 999_999, centre=CENTRE)
    assert signoff_views(session, [], centre=CENTRE) == []


def test_docx_round_trip_from_database_and_deterministic(session, case) -> None:
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    data = build_signoff_docx(view)
    text = _text(data)
    for row in view.criteria:
        assert row.code in text
        for item in row.evidence:
            assert str(item.ref) in text
    for value in (CENTRE, case.learner.name, case.signoff.document_id, view.evidence_set_sha256):
        assert value in text
    assert build_signoff_docx(signoff_view(session, case.signoff.id, centre=CENTRE)) == data


def test_later_decisions_do_not_change_an_old_record(session, case) -> None:
    from mappings.assessment import claims
    from mappings.assessment.models import Claim
    from tests.conftest import actor_of

    before = signoff_view(session, case.signoff.id, centre=CENTRE)
    claim = session.exec(select(Claim).where(Claim.evidence_id == case.account_id)).first()
    claims.decide(
        session,
        actor=actor_of(case.assessor),
        claim_id=claim.id,
        expected_revision=claim.revision,
        decision="referred",
        method="O",
        feedback="Changed my mind.",
    )
    session.commit()
    assert signoff_view(session, case.signoff.id, centre=CENTRE) == before


def test_many_views_in_a_fixed_number_of_queries(
    session, case, count_queries, make_person, make_registration, make_evidence, tmp_path
) -> None:
    other = build_case(
        session, FileStore(tmp_path / "f2"), make_person, make_registration, make_evidence
    )
    with count_queries() as one:
        signoff_views(session, [case.signoff.id], centre=CENTRE)
    with count_queries() as two:
        views = signoff_views(session, [case.signoff.id, other.signoff.id], centre=CENTRE)
    assert [v.document_id for v in views] == [case.signoff.document_id, other.signoff.document_id]
    assert one.count == two.count <= 8
