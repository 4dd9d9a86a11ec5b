"""The sign-off view model built from the database, and its .docx round trip."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import docx
import pytest
from sqlmodel import col, select

from exports.signoff import build_signoff_docx
from exports.signoff_view import find_signoff, signoff_view, signoff_views
from portfolio.errors import Invalid, NotFound
from portfolio.models import Criterion, Standard
from portfolio.refs import EvidenceRef
from portfolio.services.files import FileStore
from portfolio.services.registration_standards import CENTRE as CENTRE_ZONE
from portfolio.words import local
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
    # the evidence's references ("E12v1") are said once in words, as the methods' codes are
    text = _text(build_signoff_docx(view))
    ref = f"E{case.account_id}v1"
    assert f"{ref}: My account of job coaching" in text
    assert (
        f"Key to the evidence references: {ref} is evidence item {case.account_id}, version 1 "
        f"(in the learner's evidence bundle, evidence/E{case.account_id}.html)."
    ) in text


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
    # the methods in words under the tables: observed performance, knowledge discussed
    assert "Key to the methods: O observation." in text
    assert "Key to the methods: PD professional discussion." in text
    assert build_signoff_docx(signoff_view(session, case.signoff.id, centre=CENTRE)) == data


def test_later_decisions_do_not_change_an_old_record(session, case) -> None:
    from mappings.assessment import claims, signoff
    from mappings.assessment.models import Claim
    from tests.conftest import actor_of

    before = signoff_view(session, case.signoff.id, centre=CENTRE)
    # a claim of a signed-off standard is judged again once the standard is reopened
    signoff.reopen(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, reason="Sampled."
    )
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


# --- declarations, IQA, rules and the audit head on the record ------------------------------


def test_record_prints_the_learners_own_declaration_not_an_evidence_date(session, case) -> None:
    from mappings.assessment.models import LearnerDeclaration
    from portfolio.models import EvidenceVersion

    made = session.exec(select(LearnerDeclaration)).one()
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    assert view.learner_wording == made.wording and made.wording.startswith("I declare")
    assert view.learner_declaration_at == made.declared_at
    assert view.learner_declared_by == case.learner.name
    submitted = session.exec(
        select(EvidenceVersion.declared_at).where(EvidenceVersion.evidence_id == case.account_id)
    ).first()
    assert view.learner_declaration_at != submitted
    assert view.assessor_wording.startswith("I confirm that I have judged the evidence")
    text = _text(build_signoff_docx(view))
    assert made.wording in text and view.assessor_wording in text
    assert f"Learner (typed name): {case.learner.name}" in text
    assert f"Assessor (typed name): {case.assessor.name}" in text
    when = local(made.declared_at, CENTRE_ZONE)  # on the centre's clock, named by its zone
    assert f"Date: {when:%A} {when.day} {when:%B %Y}" in text
    assert f"Time: {when:%H:%M} {when:%Z}" in text


def test_record_prints_the_audit_head_at_sign_off(session, case) -> None:
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    assert view.audit_entries == case.signoff.audit_entries and view.audit_entries
    assert view.audit_head == case.signoff.audit_head_sha256 and len(view.audit_head) == 64
    text = _text(build_signoff_docx(view))
    assert f"Audit entries: {view.audit_entries}" in text
    assert f"Audit head SHA-256: {view.audit_head}" in text


def test_iqa_section_is_filled_once_the_record_is_sampled(session, case) -> None:
    from mappings.quality.cycles import create_cycle
    from mappings.quality.plan import add_sample
    from mappings.quality.review import review_sample
    from tests.conftest import actor_of
    from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START

    blank = signoff_view(session, case.signoff.id, centre=CENTRE)
    assert blank.iqa is None
    iqa = actor_of(case.iqa)
    cycle = create_cycle(session, actor=iqa, name="R9", start=CYCLE_START, end=CYCLE_END)
    sample = add_sample(
        session, actor=iqa, cycle_id=cycle.id, decision_key=f"S{case.signoff.id}", reason="new"
    )
    session.commit()
    pending = signoff_view(session, case.signoff.id, centre=CENTRE).iqa
    assert pending is not None and pending.sampled and pending.decision == "Review not yet made"
    review_sample(
        session,
        actor=iqa,
        sample_id=sample.id,
        outcome="agree",
        feedback="Sound judgements.",
        checks={},
    )
    session.commit()
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    assert view.iqa is not None and view.iqa.decision == "Agreed"
    assert view.iqa.name == case.iqa.name and view.iqa.decided_at is not None
    text = _text(build_signoff_docx(view))
    # the kind of sample in words, as the IQA's pages say it, not the stored "summative"
    assert "Comments: Sampled (summative, after sign-off) in the IQA cycle “R9”." in text
    # nor any other stored value: no ISO day or time, no snake_case name
    assert not re.search(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\b[a-z]+_[a-z_]+\b", text), text
    assert "Sampled: Yes" in text and "Decision: Agreed" in text
    assert f"Name: {case.iqa.name}" in text and "Sound judgements." in text
    assert "Sampled: Yes / No" not in text


def test_evidence_that_does_not_count_is_marked_and_vacsr_shown(
    session, make_person, make_registration, make_evidence
) -> None:
    from mappings.assessment import claims, signoff
    from mappings.assessment.models import Claim
    from tests.conftest import actor_of
    from tests.mappings.test_assessment import _accept_all, learner_declares

    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    # a reflective account accepted for K1 (counts) and, as RA, for P1 (does not count for a
    # performance criterion under the default rules); the assessor judges it VACSR
    extra = make_evidence(learner, title="Reflection on the trial")
    found = {
        c.code: c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE03"
    }
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=extra.id,
        criterion_ids=[found["K1"], found["P1"]],
    )
    for claim in session.exec(select(Claim).where(Claim.evidence_id == extra.id)).all():
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision="accepted",
            method="PD" if claim.criterion_id == found["K1"] else "RA",
        )
    flags = dict.fromkeys(claims.VACSR, True) | {"current": False}
    claims.judge(
        session, actor=actor_of(assessor), evidence_id=extra.id, flags=flags, note="Dated."
    )
    session.commit()
    learner_declares(session, learner, "SE03")
    record = signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=record_reg(session, learner),
        standard_code="SE03",
        summary="Competent.",
        assessor_declaration=True,
    ).signoff
    session.commit()
    view = signoff_view(session, record.id, centre=CENTRE)
    rows = {c.code: c for c in view.criteria}
    [p1] = [e for e in rows["P1"].evidence if e.ref.evidence_id == extra.id]
    [k1] = [e for e in rows["K1"].evidence if e.ref.evidence_id == extra.id]
    assert not p1.counts
    # the methods that would count in words: the key under the table names only those used
    assert p1.not_counted == (
        "reflective account (RA) is not accepted for performance criteria, which need "
        "observation, witness testimony or product."
    )
    assert k1.counts and not k1.not_counted
    assert "not current" in p1.vacsr and "Dated." in p1.vacsr
    # the judgement's day in the document's words, as its other dates are: "VACSR 6 Dec 2026"
    judged = record.signed_at.date()
    assert p1.vacsr.startswith(f"VACSR {judged.day} {judged:%b %Y}: "), p1.vacsr
    text = _text(build_signoff_docx(view))
    assert judged.isoformat() not in text
    assert "Listed, does not count for this criterion:" in text
    assert "which need observation, witness testimony or product." in text
    assert text.count("Listed, does not count") == 1
    assert "valid, authentic, sufficient, reliable, not current" in text
    # evidence with no judgement of its own is not said to have none: the declaration covers it
    others = [e for e in rows["P2"].evidence if e.ref.evidence_id != extra.id]
    assert others and all("see the assessor's declaration" in e.vacsr for e in others)
    assert "no judgement recorded" not in text
    # an acceptance without a method (an older or imported record) says so once, in words: a
    # decision of the same moment appended after the RA one (decisions are never edited)
    from mappings.assessment.models import Decision

    ra = session.exec(
        select(Decision)
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .where(Claim.evidence_id == extra.id, Claim.criterion_id == found["P1"])
    ).one()
    fields = ra.model_dump(exclude={"id", "method"})
    session.add(Decision(**fields, method=None))
    session.commit()
    rows = {c.code: c for c in signoff_view(session, record.id, centre=CENTRE).criteria}
    [p1] = [e for e in rows["P1"].evidence if e.ref.evidence_id == extra.id]
    assert p1.not_counted == (
        "no method was recorded, and performance criteria need observation, witness "
        "testimony or product."
    )


def record_reg(session, learner) -> int:
    from mappings.assessment.standing import registrations_of_learner

    return registrations_of_learner(session, learner.id)[0]


def test_the_document_says_what_the_witness_said_next_to_their_testimony(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    from portfolio.services import witness
    from tests.conftest import actor_of

    store = FileStore(tmp_path / "files")
    case = build_case(
        session, store, make_person, make_registration, make_evidence,
        account_kind="witness_testimony",
    )  # fmt: skip
    before = _text(build_signoff_docx(signoff_view(session, case.signoff.id, centre=CENTRE)))
    assert "Witness confirmation" not in before
    asked = witness.request(
        session, actor=actor_of(case.learner), evidence_id=case.account_id, email="w@employer.org"
    )
    _row, token = asked.row, asked.token
    witness.answer(session, token=token, accurate=True)
    session.commit()
    view = signoff_view(session, case.signoff.id, centre=CENTRE)
    assert all(
        e.witness.startswith("Confirmed by the witness (w@employer.org) on ")
        for row in view.criteria
        for e in row.evidence
    )
    text = _text(build_signoff_docx(view))
    assert "Witness confirmation: Confirmed by the witness (w@employer.org) on " in text


def test_evidence_of_the_day_of_sign_off_counts_on_the_centres_day(session, case) -> None:
    """A standard signed off at 00:30 on 7 Jun 2027 in London (23:30 UTC on 6 Jun) on evidence
    of 7 Jun: the service let it count (the centre's "today" was 7 Jun), and so does the record,
    which reads the day of sign-off in the centre's time zone, not as 6 Jun in UTC, when the
    activity would be "dated after sign-off"."""
    from zoneinfo import ZoneInfo

    from portfolio.models import EvidenceVersion

    record = case.signoff
    record.signed_at = datetime(2027, 6, 6, 23, 30, tzinfo=UTC)
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == case.account_id, EvidenceVersion.number == 1
        )
    ).one()
    version.activity_date = date(2027, 6, 7)
    session.add_all([record, version])
    session.flush()
    view = signoff_view(session, record.id, centre=CENTRE, zone=ZoneInfo("Europe/London"))
    evidence = [e for c in view.criteria for e in c.evidence]
    assert evidence and all(e.counts and not e.not_counted for e in evidence)
    # the day is the centre's: in Tokyo 23:30 UTC on 6 Jun 2027 is already 7 Jun as well, in
    # New York still 6 Jun (the evidence of 7 Jun is dated after sign-off there)
    tokyo = signoff_view(session, record.id, centre=CENTRE, zone=ZoneInfo("Asia/Tokyo"))
    assert all(e.counts for c in tokyo.criteria for e in c.evidence)
    new_york = signoff_view(session, record.id, centre=CENTRE, zone=ZoneInfo("America/New_York"))
    assert all(
        e.not_counted == "the activity is dated after sign-off."
        for c in new_york.criteria
        for e in c.evidence
    )


def test_the_record_says_an_iqa_disagreement_in_the_iqa_pages_words(session, case) -> None:
    from delivery.web.words import status_words
    from mappings.quality.cycles import create_cycle
    from mappings.quality.plan import add_sample
    from mappings.quality.review import review_sample
    from mappings.quality.words import RECORD_WORDS
    from tests.conftest import actor_of
    from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START

    iqa = actor_of(case.iqa)
    cycle = create_cycle(session, actor=iqa, name="R9", start=CYCLE_START, end=CYCLE_END)
    sample = add_sample(
        session, actor=iqa, cycle_id=cycle.id, decision_key=f"S{case.signoff.id}", reason="new"
    )
    review_sample(
        session,
        actor=iqa,
        sample_id=sample.id,
        outcome="disagree",
        feedback="Not enough observation.",
        checks={},
    )
    session.commit()
    text = _text(build_signoff_docx(signoff_view(session, case.signoff.id, centre=CENTRE)))
    # as the sample's page says the outcome ("Outcome: Disagreed"), not "Not agreed"
    assert "Decision: Disagreed" in text and "Not agreed" not in text
    # the pages and the document take the IQA's outcomes from one place
    for outcome in ("agree", "disagree"):
        assert status_words(outcome) == RECORD_WORDS[outcome]
