"""A fully assessed portfolio for export tests: evidence with attachments, decisions (with a
referral in the history), a VACSR judgement, the learner's declaration and a signed-off
standard."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import docx
from sqlmodel import Session, select

from mappings.assessment import claims, declarations, signoff
from mappings.assessment.models import Claim, SignOff
from portfolio.models import EvidenceVersion, Person, Registration
from portfolio.services import evidence as evidence_service
from portfolio.services.files import Store
from portfolio.services.registration_standards import CENTRE
from portfolio.words import local
from tests.conftest import actor_of


@dataclass
class Case:
    learner: Person
    assessor: Person
    iqa: Person
    registration: Registration
    signoff: SignOff
    account_id: int
    note_id: int


def build_case(
    session: Session,
    store: Store,
    make_person: Any,
    make_registration: Any,
    make_evidence: Any,
    *,
    codes: str = "SE01,SE03",
    sign: str = "SE03",
    account_kind: str = "reflective_account",
) -> Case:
    learner = make_person("learner")
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes=codes)
    me, them = actor_of(learner), actor_of(assessor)

    # the learner's account, with a file, mapped to every criterion of ``sign``
    account = make_evidence(
        learner, title="My account of job coaching", kind=account_kind, submit=False
    )
    evidence_service.attach(
        session,
        actor=me,
        store=store,
        evidence_id=account.id,
        filename="notes.txt",
        stream=io.BytesIO(b"Supervision notes: travel training plan agreed.\n"),
        max_bytes=1024 * 1024,
    )
    evidence_service.submit(session, actor=me, evidence_id=account.id, declaration=True)
    session.commit()
    found = [c for c in claims.claimable_criteria(session, learner.id) if c.standard_code == sign]
    p_ids = [c.criterion_id for c in found if c.kind == "performance"]
    ids = [c.criterion_id for c in found]
    claims.set_claims(session, actor=me, evidence_id=account.id, criterion_ids=ids)
    session.commit()
    rows = session.exec(select(Claim).where(Claim.evidence_id == account.id)).all()
    for i, claim in enumerate(sorted(rows, key=lambda c: c.id or 0)):
        method = "O" if claim.criterion_id in p_ids else "PD"
        revision = claim.revision
        if i == 0:  # one referral first, so the decision history has two rows
            claims.decide(
                session,
                actor=them,
                claim_id=claim.id,
                expected_revision=revision,
                decision="referred",
                method=method,
                feedback="Say more about the employer.",
            )
            revision += 1
        claims.decide(
            session,
            actor=them,
            claim_id=claim.id,
            expected_revision=revision,
            decision="accepted",
            method=method,
        )
    claims.judge(
        session,
        actor=them,
        evidence_id=account.id,
        flags=dict.fromkeys(claims.VACSR, True),
        note="Clear and current.",
    )
    session.commit()

    # a second item, claimed against SE01 P1 and not yet decided, with a draft second version
    note = make_evidence(learner, title="Review note", kind="review_note", body="*Reviewed*.")
    se01 = [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE01" and c.code == "P1"
    ]
    if se01:
        claims.set_claims(session, actor=me, evidence_id=note.id, criterion_ids=se01)
    evidence_service.update(
        session,
        actor=me,
        evidence_id=note.id,
        expected_version=1,
        draft=evidence_service.Draft(
            kind="review_note",
            title="Review note (edited)",
            activity_date=note.activity_date,
            body="*Reviewed* again.",
        ),
    )
    session.commit()

    declarations.declare(session, actor=me, registration_id=reg.id, standard_code=sign)
    session.commit()
    record = signoff.sign_off(
        session,
        actor=them,
        registration_id=reg.id,
        standard_code=sign,
        summary="Competent throughout.",
        feedback="Keep it up.",
        assessor_declaration=True,
    ).signoff
    session.commit()
    return Case(learner, assessor, iqa, reg, record, account.id, note.id)


def signed_on(case: Case) -> date:
    """The day the case's standard was signed off in the centre's time zone (the tests'
    ``TIME_ZONE``, London): the day the sign-off register and the coverage report read."""
    return local(case.signoff.signed_at, CENTRE).date()


def signed_off_at_the_edge_of_a_day(session: Session, case: Case) -> None:
    """The case's standard signed off at 23:30 UTC on 6 Jun 2027 (00:30 on 7 Jun in London,
    19:30 on 6 Jun in New York) on evidence dated 7 Jun."""
    case.signoff.signed_at = datetime(2027, 6, 6, 23, 30, tzinfo=UTC)
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == case.account_id, EvidenceVersion.number == 1
        )
    ).one()
    version.activity_date = date(2027, 6, 7)
    session.add_all([case.signoff, version])
    session.commit()


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def records_in(data: bytes, prefix: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [
            docx_text(zf.read(n))
            for n in zf.namelist()
            if n.startswith(prefix) and n.endswith(".docx")
        ]
