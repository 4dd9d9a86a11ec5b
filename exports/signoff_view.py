"""The sign-off record's view model, built from the database.

:func:`signoff_views` turns sign-off rows into :class:`~exports.signoff.SignoffView` objects in a
fixed number of queries however many are asked for (the bulk cohort export uses it);
:func:`signoff_view` is the one-record form used by the CLI and the download button.

The record shows the evidence *frozen* at sign-off (``SignOffEvidence``) and, for each
criterion, the assessor's decisions as they stood when the standard was signed: the last decision
on each claim at or before ``signed_at``. Later edits or decisions therefore never change an
old record, and the same database rows always give the same document bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from exports.signoff import CriterionRow, EvidenceRow, IqaSection, SignoffView
from exports.signoff_iqa import IqaLookup, sampled_iqa
from mappings.assessment.claims import VACSR
from mappings.assessment.coverage import ClaimFact, CoverageRules, Kind, check_claim
from mappings.assessment.models import (
    Claim,
    Decision,
    Judgement,
    ReceivedRecord,
    SignOff,
    SignOffEvidence,
)
from mappings.assessment.recorded import authorship_of, of_record
from mappings.assessment.rules import rules_for
from portfolio.errors import Invalid, NotFound
from portfolio.models import (
    Criterion,
    Evidence,
    EvidenceVersion,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
    WitnessConfirmation,
)
from portfolio.models.evidence import KINDS
from portfolio.refs import EvidenceRef
from portfolio.services import witness
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_words, local


def learner_ref(person_id: int) -> str:
    return f"L-{person_id:05d}"


def registration_ref(registration_id: int) -> str:
    return f"REG-{registration_id:05d}"


def find_signoff(session: Session, *, registration_id: int, standard_code: str) -> SignOff:
    """The current (not reopened) sign-off of a standard of a registration, or a clear refusal."""
    row = session.exec(
        select(Standard)
        .join(RegistrationStandard, col(RegistrationStandard.standard_id) == Standard.id)
        .where(
            RegistrationStandard.registration_id == registration_id,
            Standard.code == standard_code,
        )
    ).first()
    if row is None:
        raise NotFound(f"Registration {registration_id} is not on a standard “{standard_code}”.")
    record = session.exec(
        select(SignOff)
        .where(
            SignOff.registration_id == registration_id,
            SignOff.standard_id == row.id,
            SignOff.status == "signed",
        )
        .order_by(col(SignOff.id).desc())
    ).first()
    if record is None:
        raise Invalid(
            f"{standard_code} is not signed off for registration {registration_id}: "
            "there is no sign-off record to print until the assessor signs the standard off."
        )
    return record


def signoff_view(
    session: Session,
    signoff_id: int | None = None,
    *,
    registration_id: int | None = None,
    standard_code: str | None = None,
    centre: str,
    iqa_lookup: IqaLookup = sampled_iqa,
    zone: ZoneInfo = CENTRE,
) -> SignoffView:
    """The view of one sign-off, by id or by registration and standard code; its days are the
    centre's (``zone``, the ``TIME_ZONE``)."""
    if signoff_id is None:
        if registration_id is None or not standard_code:
            raise ValueError("give a sign-off id, or a registration id and a standard code")
        signoff_id = find_signoff(
            session, registration_id=registration_id, standard_code=standard_code
        ).id
    views = signoff_views(
        session, [signoff_id or 0], centre=centre, iqa_lookup=iqa_lookup, zone=zone
    )
    if not views:
        raise NotFound("No such sign-off.")
    return views[0]


@dataclass(frozen=True)
class _Accepted:
    method: str | None
    at: datetime


Head = tuple[SignOff, Registration, Standard, Framework]


@dataclass(frozen=True)
class _Rows:
    """What :func:`signoff_views` reads, grouped for laying out each record."""

    heads: dict[int, Head]  # sign-off id -> the sign-off and where it belongs
    persons: dict[int, Person]
    criteria_of: dict[int, list[Criterion]]  # standard id -> criteria, in order
    frozen_of: dict[int, list[tuple[EvidenceVersion, Evidence]]]  # sign-off id -> evidence
    claims_by_pair: dict[tuple[int, int], Claim]  # (evidence id, criterion id) -> claim
    decisions_of: dict[int, list[Decision]]  # claim id -> decisions, oldest first
    judgements_of: dict[tuple[int, int], list[Judgement]]  # (evidence, version) -> oldest first
    # evidence id -> requests to its witness, newest first (witness testimonies only)
    witness_of: dict[int, list[WitnessConfirmation]]
    elsewhere: dict[int, str]  # version id -> "recorded at Northfield by …" (another centre's)


def signoff_views(
    session: Session,
    signoff_ids: Sequence[int],
    *,
    centre: str,
    iqa_lookup: IqaLookup = sampled_iqa,
    zone: ZoneInfo = CENTRE,
) -> list[SignoffView]:
    """Views of many sign-offs, in the order given (unknown ids are skipped), in ten queries.
    Whether evidence counts is judged on the day of sign-off in the centre's ``zone``, the day
    the sign-off service judged it on (its "today"); the days accepted and judged are said so."""
    if not signoff_ids:
        return []
    ids = list(dict.fromkeys(signoff_ids))
    rows = _read(session, ids)
    if rows is None:
        return []
    iqa = iqa_lookup(session, [head[0] for head in rows.heads.values()])
    return [_view(rows, i, centre, iqa.get(i), zone) for i in ids if i in rows.heads]


def _read(session: Session, ids: list[int]) -> _Rows | None:
    """Nine queries of :func:`signoff_views` (None when no sign-off is found)."""
    heads = session.exec(
        select(SignOff, Registration, Standard, Framework)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(col(SignOff.id).in_(ids))
    ).all()
    if not heads:
        return None
    person_ids = {r.learner_id for _, r, _, _ in heads} | {s.assessor_id for s, _, _, _ in heads}
    person_ids |= {s.learner_id for s, _, _, _ in heads if s.learner_id is not None}
    people = list(session.exec(select(Person).where(col(Person.id).in_(person_ids))))
    standard_ids = {std.id for _, _, std, _ in heads}
    criteria_of: dict[int, list[Criterion]] = defaultdict(list)
    for c in session.exec(
        select(Criterion)
        .where(col(Criterion.standard_id).in_(standard_ids))
        .order_by(col(Criterion.standard_id), col(Criterion.position), col(Criterion.id))
    ):
        criteria_of[c.standard_id].append(c)
    frozen_of: dict[int, list[tuple[EvidenceVersion, Evidence]]] = defaultdict(list)
    elsewhere: dict[int, str] = {}  # version id -> who wrote it at another centre, in words
    for frozen, version, item, author in session.exec(
        select(SignOffEvidence, EvidenceVersion, Evidence, ReceivedRecord)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .outerjoin(ReceivedRecord, authorship_of(Evidence.id, EvidenceVersion.number))
        .where(col(SignOffEvidence.signoff_id).in_(ids))
        .order_by(col(Evidence.id), col(EvidenceVersion.number))
    ):
        frozen_of[frozen.signoff_id].append((version, item))
        if author is not None:
            elsewhere[version.id or 0] = of_record(author).words
    evidence_ids = {item.id for rows in frozen_of.values() for _, item in rows}
    criterion_ids = {c.id for rows in criteria_of.values() for c in rows}
    claims = list(
        session.exec(
            select(Claim).where(
                col(Claim.evidence_id).in_(evidence_ids),
                col(Claim.criterion_id).in_(criterion_ids),
            )
        )
    )
    decisions_of: dict[int, list[Decision]] = defaultdict(list)
    for d in session.exec(
        select(Decision)
        .where(col(Decision.claim_id).in_([c.id for c in claims]))
        .order_by(col(Decision.at), col(Decision.id))
    ):
        decisions_of[d.claim_id].append(d)
    judgements_of: dict[tuple[int, int], list[Judgement]] = defaultdict(list)
    for j in session.exec(
        select(Judgement)
        .where(col(Judgement.evidence_id).in_(evidence_ids))
        .order_by(col(Judgement.at), col(Judgement.id))
    ):
        judgements_of[(j.evidence_id, j.version_number)].append(j)
    witness_of = _witness_rows(session, frozen_of)
    return _Rows(
        heads={s.id or 0: (s, r, std, fw) for s, r, std, fw in heads},
        persons={p.id or 0: p for p in people},
        criteria_of=criteria_of,
        frozen_of=frozen_of,
        claims_by_pair={(c.evidence_id, c.criterion_id): c for c in claims},
        decisions_of=decisions_of,
        judgements_of=judgements_of,
        witness_of=witness_of,
        elsewhere=elsewhere,
    )


def _witness_rows(
    session: Session, frozen_of: dict[int, list[tuple[EvidenceVersion, Evidence]]]
) -> dict[int, list[WitnessConfirmation]]:
    """Requests to the witnesses of the testimonies among the evidence, newest first, by item
    (no query when there is no witness testimony)."""
    found: dict[int, list[WitnessConfirmation]] = defaultdict(list)
    ids = {i.id for rows in frozen_of.values() for _, i in rows if i.kind == witness.KIND}
    if ids:
        for w in session.exec(
            select(WitnessConfirmation)
            .where(col(WitnessConfirmation.evidence_id).in_(ids))
            .order_by(col(WitnessConfirmation.id).desc())
        ):
            found[w.evidence_id].append(w)
    return found


def _accepted(rows: _Rows, claim: Claim | None, signed: datetime) -> _Accepted | None:
    """The claim's acceptance as it stood at ``signed``: its last decision by then, if accepted."""
    if claim is None:
        return None
    last = None
    for d in rows.decisions_of.get(claim.id or 0, []):
        if d.at <= signed:
            last = d
    if last is None or last.new_status != "accepted":
        return None
    return _Accepted(last.method, last.at)


def _criterion_rows(rows: _Rows, signoff_id: int, zone: ZoneInfo) -> tuple[CriterionRow, ...]:
    """Each criterion of the standard with the frozen evidence accepted for it at sign-off; what
    the framework's rules do not count for the criterion is marked, with the reason."""
    record, _reg, std, fw = rows.heads[signoff_id]
    rules = rules_for(fw)
    result: list[CriterionRow] = []
    for criterion in rows.criteria_of.get(std.id or 0, []):
        evidence: list[EvidenceRow] = []
        for version, item in rows.frozen_of.get(signoff_id, []):
            claim = rows.claims_by_pair.get((item.id or 0, criterion.id or 0))
            found = _accepted(rows, claim, record.signed_at)
            if found is None:
                continue
            ref = EvidenceRef(item.id or 0, version.number)
            problem = _not_counted(
                rules, criterion, ref, version, found, local(record.signed_at, zone).date()
            )
            evidence.append(
                EvidenceRow(
                    ref=ref,
                    title=version.title,
                    kind=KINDS.get(item.kind, item.kind),
                    activity_date=version.activity_date,
                    methods=(found.method,) if found.method else (),
                    accepted_on=local(found.at, zone).date(),
                    counts=not problem,
                    not_counted=problem,
                    vacsr=_vacsr(rows, ref, record.signed_at, zone),
                    witness=_witness(rows, ref, zone),
                    recorded=rows.elsewhere.get(version.id or 0, ""),
                )
            )
        result.append(
            CriterionRow(
                code=criterion.code,
                kind=criterion.kind,
                text=criterion.text,
                evidence=tuple(evidence),
            )
        )
    return tuple(result)


def _not_counted(
    rules: CoverageRules,
    criterion: Criterion,
    ref: EvidenceRef,
    version: EvidenceVersion,
    found: _Accepted,
    signed_on: date,
) -> str:
    """Why this accepted evidence does not count for the criterion on the day it was signed off
    ("" if it does)."""
    kind: Kind = "assessment"
    if criterion.kind == "performance":
        kind = "performance"
    elif criterion.kind == "knowledge":
        kind = "knowledge"
    fact = ClaimFact(
        criterion_id=criterion.id or 0,
        evidence_id=ref.evidence_id,
        evidence_ref=ref,
        evidence_title=version.title,
        evidence_kind="",
        activity_date=version.activity_date,
        status="accepted",
        method=found.method,
        decided_at=found.at,
    )
    check = check_claim(fact, kind, rules, signed_on)
    if check.countable:
        return ""
    if check.problem == "method":
        # the methods that would count in words: the key under the table names only those used
        needed = rules.describe(rules.allowed_methods(kind) or frozenset(), words=True)
        if not found.method:
            return f"no method was recorded, and {kind} criteria need {needed}."
        name = rules.method_name(found.method)
        return f"{name} ({found.method}) is not accepted for {kind} criteria, which need {needed}."
    if check.problem == "currency":
        return f"the activity was more than {rules.currency_years} years before sign-off."
    return "the activity is dated after sign-off."


def _vacsr(rows: _Rows, ref: EvidenceRef, signed: datetime, zone: ZoneInfo) -> str:
    """The assessor's last VACSR judgement of this version at sign-off, in words."""
    last = None
    for j in rows.judgements_of.get((ref.evidence_id, ref.version), []):
        if j.at <= signed:
            last = j
    if last is None:
        # the assessor's declaration at sign-off covers it; there is no judgement of its own
        return "VACSR: no separate judgement of this version (see the assessor's declaration)"
    flags = [(name, getattr(last, name)) for name in VACSR]
    met = [name for name, ok in flags if ok]
    unmet = [f"not {name}" for name, ok in flags if not ok]
    words = ", ".join(met + unmet)
    note = f" ({last.note})" if last.note else ""
    return f"VACSR {day_words(local(last.at, zone).date())}: {words}{note}"


def _witness(rows: _Rows, ref: EvidenceRef, zone: ZoneInfo) -> str:
    """What the witness said of this version (or an earlier one), in words, on the centre's days."""
    found = (witness.status_of(w, ref.version) for w in rows.witness_of.get(ref.evidence_id, []))
    said = [witness.words(s, zone) for s in found if s is not None]
    return "; ".join(said)


def _view(
    rows: _Rows, signoff_id: int, centre: str, iqa: IqaSection | None, zone: ZoneInfo
) -> SignoffView:
    record, reg, std, fw = rows.heads[signoff_id]
    learner = rows.persons[reg.learner_id]
    assessor = rows.persons[record.assessor_id]
    return SignoffView(
        document_id=record.document_id,
        centre=centre,
        learner_name=learner.name,
        learner_ref=learner_ref(learner.id or 0),
        registration_ref=registration_ref(reg.id or 0),
        uln=learner.uln or "",
        awarding_body_ref=reg.awarding_body_ref or "",
        framework_title=fw.title,
        framework_version=fw.version,
        standard_urn=std.urn,
        standard_code=std.code,
        standard_title=std.title,
        standard_version=std.version,
        criteria=_criterion_rows(rows, signoff_id, zone),
        assessor_name=assessor.name,
        assessor_summary=record.summary,
        feedback=record.feedback,
        learner_declaration_at=record.learner_declared_at,
        assessor_declaration_at=record.assessor_declared_at,
        signed_at=record.signed_at,
        evidence_set_sha256=record.evidence_set_sha256,
        iqa=iqa,
        learner_declared_by=rows.persons[record.learner_id].name if record.learner_id else "",
        learner_wording=record.learner_wording,
        assessor_wording=record.assessor_wording,
        audit_entries=record.audit_entries,
        audit_head=record.audit_head_sha256 or "",
        method_names=rules_for(fw).methods,
        zone=zone,
    )


def document_name(view: SignoffView) -> str:
    """A file name for the record: ``SE03-L-00012-SO-ABC.docx`` (safe characters only)."""
    raw = f"{view.standard_code}-{view.learner_ref}-{view.document_id}.docx"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in raw)


def find_registration(session: Session, *, learner_id: int, standard_code: str) -> int:
    """The learner's registration holding a standard of that code (NotFound otherwise)."""
    reg_id = session.exec(
        select(Registration.id)
        .join(RegistrationStandard, col(RegistrationStandard.registration_id) == Registration.id)
        .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
        .where(Registration.learner_id == learner_id, Standard.code == standard_code)
        .order_by(col(Registration.id).desc())
    ).first()
    if reg_id is None:
        raise NotFound(f"Learner {learner_id} is not registered on a standard “{standard_code}”.")
    return reg_id
