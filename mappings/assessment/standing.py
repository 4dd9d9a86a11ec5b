"""Where registrations stand: database rows turned into the pure coverage computation.

A fixed number of queries serves one registration or a whole caseload."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Connection, and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, col, select

from mappings.assessment.counts import awaiting_of, state_counts
from mappings.assessment.coverage import (
    ClaimFact,
    Coverage,
    CoverageRules,
    CriterionRef,
    StandardCoverage,
    compute_coverage,
    frozen,
)
from mappings.assessment.models import Claim, SignOff
from mappings.assessment.progress import Rag, rag_status
from mappings.assessment.rules import rules_for
from portfolio.models import (
    Criterion,
    Evidence,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.refs import EvidenceRef


def assessed_version(status: str, current_version: int) -> int:
    """The newest submitted version (a draft edit after submission is not yet assessed)."""
    if status == "submitted" or current_version == 1:
        return current_version
    return current_version - 1


@dataclass(frozen=True)
class StandardInfo:
    id: int
    code: str
    title: str
    urn: str
    signoff: SignOff | None


@dataclass(frozen=True)
class Standing:
    registration: Registration
    learner: Person
    framework: Framework
    rules: CoverageRules
    standards: tuple[StandardInfo, ...]
    coverage: Coverage
    percent_met: float
    rag: Rag
    awaiting_claims: int = 0  # claims of these criteria awaiting a decision (none signed off)
    # the assessor's name ("" when none is allocated), read by learner_standings only
    assessor_name: str | None = None

    def standard(self, code: str) -> tuple[StandardInfo, StandardCoverage] | None:
        for info in self.standards:
            if info.code == code:
                found = next((s for s in self.coverage.standards if s.standard == code), None)
                if found is not None:
                    return info, found
        return None

    @property
    def met(self) -> int:
        return sum(s.met for s in self.coverage.standards)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.coverage.standards)


# Built once: these run on every home, progress and caseload page, and building a statement
# costs more than running it. Lists are bound as expanding parameters.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_new = tuple.__new__
_WHOLE_REGISTRATIONS = (
    select(Registration, Person, Framework)
    .join(Person, col(Person.id) == Registration.learner_id)
    .join(Framework, col(Framework.id) == Registration.framework_id)
    .where(col(Registration.id).in_(_IDS))
)
# the framework's vocabulary and glossary (tens of kB of JSON) read only when asked for: pages
# never show them
_REGISTRATIONS = _WHOLE_REGISTRATIONS.options(defer(Framework.extra))  # type: ignore[arg-type]
# one learner's registrations in order, with each one's assessor's name (None when none is
# allocated): the learner's pages ask for them by learner, not by ids read first
_ASSESSOR = aliased(Person)
_WHOLE_OF_LEARNER = (
    select(Registration, Person, Framework, _ASSESSOR.name)
    .join(Person, col(Person.id) == Registration.learner_id)
    .join(Framework, col(Framework.id) == Registration.framework_id)
    .outerjoin(_ASSESSOR, col(_ASSESSOR.id) == Registration.assessor_id)
    .where(col(Registration.learner_id) == bindparam("learner_id"))
    .order_by(col(Registration.id))
)
_OF_LEARNER = _WHOLE_OF_LEARNER.options(defer(Framework.extra))  # type: ignore[arg-type]
# the registrations' standards in order (plain columns: a StandardInfo needs no more), each with
# its current sign-off if any, in one statement
_STANDARDS = (
    sa_select(
        col(RegistrationStandard.registration_id),
        col(Standard.id),
        col(Standard.code),
        col(Standard.title),
        col(Standard.urn),
        SignOff,
    )
    .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
    .outerjoin(
        SignOff,
        and_(
            col(SignOff.registration_id) == RegistrationStandard.registration_id,
            col(SignOff.standard_id) == RegistrationStandard.standard_id,
            col(SignOff.status) == "signed",
        ),
    )
    .where(col(RegistrationStandard.registration_id).in_(_IDS))
    .order_by(col(Standard.position))
)
_CRITERIA = (
    sa_select(
        col(Criterion.id),
        col(Criterion.standard_id),
        col(Criterion.code),
        col(Criterion.kind),
        col(Criterion.text),
    )
    .where(col(Criterion.standard_id).in_(_IDS))
    .order_by(col(Criterion.standard_id), col(Criterion.position))
)
_SUBMITTED = (col(Evidence.learner_id).in_(_IDS), col(Evidence.submitted_at).is_not(None))
# counts only (many learners at once): a few columns, no titles nor times
_LIGHT_CLAIMS = (
    sa_select(
        col(Evidence.learner_id),
        col(Claim.criterion_id),
        col(Claim.status),
        col(Claim.method),
        col(Evidence.activity_date),
    )
    .join(Evidence, col(Evidence.id) == Claim.evidence_id)
    .where(*_SUBMITTED)
)
# detail: the evidence once per item, its claims as four columns each (a claim row repeating its
# evidence's title and dates cost more to read than the second statement); no decision time,
# which nothing drawn from a standing reads (see _claim_facts)
_EVIDENCE = sa_select(
    col(Evidence.id),
    col(Evidence.learner_id),
    col(Evidence.title),
    col(Evidence.kind),
    col(Evidence.activity_date),
    col(Evidence.status),
    col(Evidence.current_version),
).where(*_SUBMITTED)
_CLAIMS = (
    sa_select(
        col(Claim.evidence_id),
        col(Claim.criterion_id),
        col(Claim.status),
        col(Claim.method),
    )
    .join(Evidence, col(Evidence.id) == Claim.evidence_id)
    .where(*_SUBMITTED)
)
_CLAIMS_OF = _CLAIMS.where(col(Claim.criterion_id).in_(bindparam("criteria", expanding=True)))
_REGISTRATIONS_OF_LEARNER = (
    select(Registration.id).where(Registration.learner_id == bindparam("learner_id"))
).order_by(col(Registration.id))


_StandardRow = tuple[int, str, str, str]  # id, code, title, urn
_Registered = tuple[Registration, Person, Framework]


@dataclass(frozen=True)
class _Rows:
    """What the queries of :func:`load_standings` read, grouped by registration and learner."""

    registrations: dict[int, _Registered]
    standards_of: dict[int, list[_StandardRow]]  # registration id -> its standards, in order
    criteria_of: dict[int, list[CriterionRef]]  # standard id -> its criteria, in order
    claims_of: dict[int, list[ClaimFact]]  # learner id -> claims (detail)
    light_of: dict[int, list[tuple[int, str, str | None, date]]]  # learner id -> claims (counts)
    signed: dict[tuple[int, int], SignOff]  # (registration id, standard id) -> sign-off


def load_standings(
    session: Session,
    registration_ids: Sequence[int],
    today: date | None = None,
    *,
    detail: bool = True,
    outstanding: bool = False,
    whole: bool = False,
) -> list[Standing]:
    """Coverage of each registration, in the order given, in five queries whatever the size.

    ``detail=False`` gives counts only, in four (:func:`~mappings.assessment.counts.state_counts`),
    with ``outstanding`` the criteria not met as well (state only), for reports of many;
    ``whole`` reads all of each framework (its ``extra`` too: a badge's CASE identifiers)."""
    if not registration_ids:
        return []
    ids = {"ids": list(registration_ids)}
    regs = session.exec(_WHOLE_REGISTRATIONS if whole else _REGISTRATIONS, params=ids).all()
    found = {reg.id or 0: (reg, person, fw) for reg, person, fw in regs}
    chosen = [found[i] for i in registration_ids if i in found]
    return _standings(session, chosen, today or date.today(), detail, outstanding)


def learner_standings(
    session: Session,
    learner_id: int,
    today: date | None = None,
    *,
    whole: bool = False,
    alone: str | None = None,
) -> list[Standing]:
    """Coverage of each of one learner's registrations, in the order they were made, each with
    its assessor's name: :func:`load_standings` reading the registrations by learner (five
    queries in all, no list of ids read first). With ``alone``, a standard's code, only that
    standard's criteria are read and judged: each standing's coverage, totals and RAG are then
    of that standard alone (one standard's page needs no more)."""
    rows = session.exec(
        _WHOLE_OF_LEARNER if whole else _OF_LEARNER, params={"learner_id": learner_id}
    )
    chosen: list[_Registered] = []
    names: dict[int, str] = {}
    for reg, person, framework, name in rows.all():
        chosen.append((reg, person, framework))
        names[reg.id or 0] = name or ""
    return _standings(session, chosen, today or date.today(), True, False, names, alone)


def _standings(
    session: Session,
    chosen: list[_Registered],
    today: date,
    detail: bool,
    outstanding: bool,
    names: dict[int, str] | None = None,
    alone: str | None = None,
) -> list[Standing]:
    """The standings of registrations read, in their order (the other queries and the fold)."""
    if not chosen:
        return []
    rows = _read(session, chosen, detail, alone)
    rules_by_fw: dict[int, CoverageRules] = {}
    result: list[Standing] = []
    for reg, _, framework in chosen:
        rules = rules_by_fw.get(framework.id or 0)
        if rules is None:
            rules = rules_by_fw[framework.id or 0] = rules_for(framework)
        name = names[reg.id or 0] if names is not None else None
        result.append(_standing(rows, reg.id or 0, rules, today, detail, outstanding, name))
    return result


def _read(
    session: Session, chosen: list[_Registered], detail: bool, alone: str | None = None
) -> _Rows:
    """The four queries of :func:`load_standings` after the registrations' (three with
    ``detail=False``); criteria only of the standards coded ``alone`` when given."""
    ids = {"ids": sorted({reg.id or 0 for reg, _, _ in chosen})}
    standards_of: dict[int, list[_StandardRow]] = defaultdict(list)
    signed: dict[tuple[int, int], SignOff] = {}
    codes: dict[int, str] = {}  # standard id -> code
    for reg_id, sid, code, title, urn, signoff in session.execute(_STANDARDS, ids).all():
        if signoff is not None:
            if (reg_id, sid) in signed:
                continue  # a second signed sign-off of one standard: its row once is enough
            signed[(reg_id, sid)] = signoff
        standards_of[reg_id].append((sid, code, title, urn))
        if alone is None or code == alone:
            codes[sid] = code
    # plain rows: criteria are read on every home and progress page
    connection = session.connection()
    criterion_rows: Sequence[Any] = connection.execute(_CRITERIA, {"ids": sorted(codes)}).all()
    criteria_of: dict[int, list[CriterionRef]] = defaultdict(list)
    for cid, sid, code, kind, text in criterion_rows:
        criteria_of[sid].append(frozen(CriterionRef, cid, codes[sid], code, kind, text))
    learner_ids = sorted({reg.learner_id for reg, _, _ in chosen})
    claims_of: dict[int, list[ClaimFact]] = defaultdict(list)
    light_of: dict[int, list[tuple[int, str, str | None, date]]] = defaultdict(list)
    if detail:
        # one standard alone: only the claims of its criteria (the others would go unjudged)
        only = [cid for cid, *_ in criterion_rows] if alone is not None else None
        _claim_facts(connection, learner_ids, claims_of, only)
    else:
        light: Sequence[Any] = connection.execute(_LIGHT_CLAIMS, {"ids": learner_ids}).all()
        for lid, cid, status, method, activity in light:
            light_of[lid].append((cid, status, method, activity))
    return _Rows(
        registrations={reg.id or 0: (reg, person, fw) for reg, person, fw in chosen},
        standards_of=standards_of,
        criteria_of=criteria_of,
        claims_of=claims_of,
        light_of=light_of,
        signed=signed,
    )


def _standing(
    rows: _Rows,
    reg_id: int,
    rules: CoverageRules,
    today: date,
    detail: bool,
    outstanding: bool = False,
    assessor_name: str | None = None,
) -> Standing:
    reg, person, framework = rows.registrations[reg_id]
    stds = rows.standards_of.get(reg_id, [])
    refs = [r for sid, *_ in stds for r in rows.criteria_of.get(sid, [])]
    frozen = {code for sid, code, *_ in stds if (reg_id, sid) in rows.signed}  # signed off
    if detail:
        coverage = compute_coverage(refs, rows.claims_of.get(reg.learner_id, []), rules, today)
        waiting = awaiting_of(coverage.criteria, frozen)
    else:
        light = rows.light_of.get(reg.learner_id, [])
        found = state_counts(refs, light, rules, today, outstanding=outstanding, frozen=frozen)
        counts, waiting = found
        coverage = Coverage(criteria=(), standards=counts)
    met = sum(s.met for s in coverage.standards)
    total = sum(s.total for s in coverage.standards) or 1
    percent = 100.0 * met / total
    return Standing(
        registration=reg,
        learner=person,
        framework=framework,
        rules=rules,
        standards=tuple(
            StandardInfo(
                id=sid, code=code, title=title, urn=urn, signoff=rows.signed.get((reg_id, sid))
            )
            for sid, code, title, urn in stds
        ),
        coverage=coverage,
        percent_met=percent,
        awaiting_claims=waiting,
        assessor_name=assessor_name,
        rag=rag_status(
            min(percent, 100.0),
            reg.start_date,
            max(reg.planned_end, reg.start_date),
            # on a break, as on the day it began: the days away are not time behind plan (the
            # planned end moves on by them when the break ends)
            min(today, reg.break_since) if reg.break_since else today,
        ),
    )


def find_standard(
    session: Session,
    learner_id: int,
    code: str,
    today: date | None = None,
    *,
    whole: bool = False,
    alone: bool = False,
    registration_id: int | None = None,
) -> Standing | None:
    """The standing of the learner's registration ``registration_id`` (by default their first)
    holding standard ``code``, if any: a learner on two versions of a framework holds its codes
    twice. ``alone``: with the coverage of that standard alone (see :func:`learner_standings`)."""
    only = code if alone else None
    found = learner_standings(session, learner_id, today, whole=whole, alone=only)
    mine = (s for s in found if registration_id in (None, s.registration.id) and s.standard(code))
    return next(mine, None)


def registrations_of_learner(session: Session, learner_id: int) -> list[int]:
    ids = session.exec(_REGISTRATIONS_OF_LEARNER, params={"learner_id": learner_id}).all()
    return [i for i in ids if i is not None]


def _claim_facts(
    connection: Connection,
    learner_ids: list[int],
    claims_of: dict[int, list[ClaimFact]],
    criteria: list[int] | None = None,
) -> None:
    """Every claim of these learners' submitted evidence, as facts for the coverage function.

    Plain rows (no ORM identity work for thousands of claims), each evidence item read once.
    No decision time (``decided_at`` None): no standing shows it, and coverage orders by it only
    two claims of one item on one criterion, which never exist (``uq_claim_evidence_criterion``);
    decoding it was a tenth of a coverage's time on PostgreSQL. ``criteria``: only theirs."""
    ids: dict[str, Any] = {"ids": learner_ids}
    rows: Sequence[Any] = connection.execute(_EVIDENCE, ids).all()
    evidence: dict[int, tuple[int, EvidenceRef, str, str, date]] = {
        eid: (lid, EvidenceRef(eid, assessed_version(status, current)), title, kind, activity)
        for eid, lid, title, kind, activity, status, current in rows
    }
    if criteria is not None:
        ids["criteria"] = criteria
    rows = connection.execute(_CLAIMS if criteria is None else _CLAIMS_OF, ids).all()
    for eid, cid, status, method in rows:
        lid, ref, title, kind, activity = evidence[eid]
        # ClaimFact(criterion, evidence, ref, title, kind, activity, status, method, decided_at)
        # built as the tuple it is, without its Python-level __new__: one per claim read
        claims_of[lid].append(
            _new(ClaimFact, (cid, eid, ref, title, kind, activity, status, method, None))
        )
