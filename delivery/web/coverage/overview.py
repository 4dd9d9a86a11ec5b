"""View data of the coverage pages: a learner's progress, one standard's grid, a caseload, a cohort.

Every builder checks who may see what (through :mod:`portfolio.services.access`), loads the
registrations with :func:`mappings.assessment.standing.load_standings` (a fixed number of queries whatever
the size) and returns plain frozen dataclasses that templates only loop over and format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from flask import has_app_context
from sqlmodel import Session

from delivery.web.words import centre_zone
from mappings.assessment.completion import CENTRE, completed
from mappings.assessment.coverage import (
    ClaimCheck,
    CoverageRules,
    CriterionCoverage,
    StandardCoverage,
)
from mappings.assessment.declarations import awaiting_in
from mappings.assessment.progress import whole_percent
from mappings.assessment.reasons import STATE_WORDS, Reason, reasons_of, shown_state
from mappings.assessment.standing import (
    StandardInfo,
    Standing,
    find_standard,
    learner_standings,
)
from portfolio.errors import NotFound
from portfolio.models import Person
from portfolio.models.evidence import KINDS
from portfolio.refs import EvidenceRef
from portfolio.services import access
from portfolio.services.people import Actor

KIND_ORDER = {"performance": 0, "knowledge": 1, "assessment": 2}
KIND_LABELS = {"performance": "Performance", "knowledge": "Knowledge", "assessment": "Assessment"}
RAG_LABELS = {"red": "Red: behind plan", "amber": "Amber: slipping", "green": "Green: on track"}
RAG_RANK = {"red": 0, "amber": 1, "green": 2}
PROBLEMS = {
    "method": "accepted, but by a method that does not count here",
    "currency": "accepted, but too old to count",
    "future": "accepted, but dated after today",
}

Panel = Literal["form", "declaration", "signed", "incomplete", "withdrawn", "none"]


def met_label(met: int, total: int) -> str:
    return f"{met} of {total} met ({whole_percent(met, total)}%)"


# ---------------------------------------------------------------- view data


@dataclass(frozen=True)
class StandardProgress:
    code: str
    title: str
    met: int
    awaiting: int
    referred: int  # referred, not counting those accepted by claims that do not count
    missing: int
    total: int
    percent: int
    label: str  # "17 of 28 met (61%)"
    complete: bool
    signed_off_at: datetime | None
    not_counting: int = 0  # accepted, but no accepted claim counts (method, age, date)


@dataclass(frozen=True)
class Outstanding:
    """A criterion not yet met, and why."""

    standard: str
    code: str
    text: str
    state: str  # as shown: met, awaiting, referred, missing or uncounted (STATE_WORDS)
    reasons: tuple[Reason, ...]

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


@dataclass(frozen=True)
class LearnerProgress:
    """Where one registration stands."""

    learner_id: int
    learner_name: str
    registration_id: int
    framework: str
    start_date: date
    planned_end: date
    met: int
    total: int
    percent: int
    label: str
    rag: str
    rag_label: str
    awaiting_claims: int
    standards: tuple[StandardProgress, ...]
    outstanding: tuple[Outstanding, ...]
    # (criterion id, evidence id) of every claim that counts: what the progress chart counts
    counted: frozenset[tuple[int, int]] = frozenset()
    # the learner left the programme (nothing new is mapped, decided or signed off)
    withdrawn_at: date | None = None
    withdrawn_reason: str | None = None
    break_since: date | None = None  # on a break in learning: still active, sorted with them
    # every standard signed off (none reopened) by this day: completed, shown and sorted apart
    completed_on: date | None = None
    ended: bool = False  # the learner's personal data was erased: finished, shown so


@dataclass(frozen=True)
class EvidenceLink:
    evidence_id: int
    ref: EvidenceRef  # the page says its version in words, "version 3", never "E12v3"
    title: str
    kind_label: str
    activity_date: date
    status: str  # claimed (awaiting), accepted, referred
    method: str  # "" while awaiting
    method_name: str
    note: str  # why an accepted claim does not count, else ""


@dataclass(frozen=True)
class CriterionRow:
    code: str
    kind: str
    kind_label: str
    text: str
    state: str  # as shown (STATE_WORDS)
    reasons: tuple[Reason, ...]
    evidence: tuple[EvidenceLink, ...]
    methods: str  # methods of the claims that count, e.g. "observation and witness testimony"

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


@dataclass(frozen=True)
class SignOffInfo:
    id: int
    document_id: str
    signed_at: datetime
    assessor_name: str
    evidence_set_sha256: str
    summary: str
    feedback: str
    learner_declared_at: datetime | None = None  # None: signed before declarations were acts


@dataclass(frozen=True)
class StandardPage:
    learner_id: int
    learner_name: str
    registration_id: int
    framework: str
    progress: StandardProgress
    rows: tuple[CriterionRow, ...]  # performance first, then knowledge
    outstanding: tuple[Outstanding, ...]
    signoff: SignOffInfo | None
    panel: Panel  # what the sign-off panel shows to this actor
    can_reopen: bool
    withdrawn_at: date | None = None  # the learner left: nothing is signed off meanwhile


# ---------------------------------------------------------------- builders from standings


def _standard_progress(info: StandardInfo, cov: StandardCoverage) -> StandardProgress:
    not_counting = cov.not_counting  # counted with or without the criteria's detail
    return StandardProgress(
        code=info.code,
        title=info.title,
        met=cov.met,
        awaiting=cov.awaiting,
        referred=cov.referred - not_counting,
        missing=cov.missing,
        total=cov.total,
        percent=whole_percent(cov.met, cov.total),
        label=met_label(cov.met, cov.total),
        complete=cov.complete,
        signed_off_at=info.signoff.signed_at if info.signoff else None,
        not_counting=not_counting,
    )


def _outstanding(
    items: Iterable[CriterionCoverage], rules: CoverageRules
) -> tuple[Outstanding, ...]:
    return tuple(
        Outstanding(
            standard=c.criterion.standard,
            code=c.criterion.code,
            text=c.criterion.text,
            state=shown_state(c),
            reasons=reasons_of(c, rules),
        )
        for c in items
        if c.state != "met"
    )


def awaiting_claims(standing: Standing) -> int:
    """Claims of this registration's criteria still waiting for the assessor's decision."""
    return standing.awaiting_claims


def _zone() -> ZoneInfo:
    """The centre's time zone; its default outside the app (a standing folded on its own)."""
    return centre_zone() if has_app_context() else CENTRE


def progress_of(standing: Standing, *, outstanding: bool = True) -> LearnerProgress:
    """Where a registration stands; ``outstanding=False`` skips the list of unmet criteria."""
    standards = []
    for info in standing.standards:
        found = standing.standard(info.code)
        if found is not None:
            standards.append(_standard_progress(*found))
    met, total = standing.met, standing.total
    done = completed(standing, zone=_zone())
    return LearnerProgress(
        learner_id=standing.learner.id or 0,
        learner_name=standing.learner.name,
        registration_id=standing.registration.id or 0,
        framework=f"{standing.framework.title} (v{standing.framework.version})",
        start_date=standing.registration.start_date,
        planned_end=standing.registration.planned_end,
        met=met,
        total=total,
        percent=whole_percent(met, total),
        label=met_label(met, total),
        rag=standing.rag,
        rag_label=RAG_LABELS[standing.rag],
        awaiting_claims=awaiting_claims(standing),
        standards=tuple(standards),
        outstanding=_outstanding(standing.coverage.criteria, standing.rules) if outstanding else (),
        counted=frozenset(
            (c.criterion.id, k.claim.evidence_id)
            for c in standing.coverage.criteria
            for k in c.claims
            if k.countable
        ),
        withdrawn_at=standing.registration.withdrawn_at,
        withdrawn_reason=standing.registration.withdrawn_reason,
        completed_on=done,
        # erased: not withdrawn or completed first (as the caseload's summaries' stage)
        ended=standing.learner.erased_at is not None
        and standing.registration.withdrawn_at is None
        and done is None,
    )


def _link(check: ClaimCheck, method_name: str) -> EvidenceLink:
    claim = check.claim
    return EvidenceLink(
        evidence_id=claim.evidence_id,
        ref=claim.evidence_ref,
        title=claim.evidence_title,
        kind_label=KINDS.get(claim.evidence_kind, claim.evidence_kind),
        activity_date=claim.activity_date,
        status=claim.status,
        method=claim.method or "",
        method_name=method_name,
        note=PROBLEMS.get(check.problem, ""),
    )


def _criterion_row(standing: Standing, item: CriterionCoverage) -> CriterionRow:
    rules = standing.rules
    links = tuple(
        _link(c, rules.method_name(c.claim.method) if c.claim.method else "") for c in item.claims
    )
    methods = rules.describe(
        {c.claim.method or "" for c in item.claims if c.countable}, "and", words=True
    )
    return CriterionRow(
        code=item.criterion.code,
        kind=item.criterion.kind,
        kind_label=KIND_LABELS.get(item.criterion.kind, item.criterion.kind),
        text=item.criterion.text,
        state=shown_state(item),
        reasons=reasons_of(item, rules),
        evidence=links,
        methods=methods,
    )


# ---------------------------------------------------------------- pages


def learner_progress(
    session: Session, *, actor: Actor, learner_id: int, today: date | None = None
) -> list[LearnerProgress]:
    """Every registration of a learner the actor may see (NotFound otherwise)."""
    access.require_view(session, actor, learner_id)
    standings = learner_standings(session, learner_id, today)
    return [progress_of(s) for s in standings]


def _standing_with(
    session: Session, learner_id: int, code: str, today: date | None, registration_id: int | None
) -> tuple[Standing, StandardInfo, StandardCoverage]:
    # the other standards of the registration are not judged: the page shows this one alone
    standing = find_standard(
        session, learner_id, code, today, alone=True, registration_id=registration_id
    )
    found = standing.standard(code) if standing is not None else None
    if standing is None or found is None:
        raise NotFound(f"The learner is not registered on {code}.")
    return standing, *found


def standard_page(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    code: str,
    today: date | None = None,
    registration_id: int | None = None,
) -> StandardPage:
    """The grid and table of one standard (of ``registration_id``, by default the learner's first
    registration holding it), with what the sign-off panel offers this actor."""
    relation = access.require_view(session, actor, learner_id)
    standing, info, cov = _standing_with(session, learner_id, code, today, registration_id)
    items = sorted(
        (c for c in standing.coverage.criteria if c.criterion.standard == code),
        key=lambda c: KIND_ORDER.get(c.criterion.kind, 3),
    )
    signed = info.signoff
    signoff = None
    if signed is not None:
        assessor = session.get(Person, signed.assessor_id)
        signoff = SignOffInfo(
            id=signed.id or 0,
            document_id=signed.document_id,
            signed_at=signed.signed_at,
            assessor_name=assessor.name if assessor else "(unknown)",
            evidence_set_sha256=signed.evidence_set_sha256,
            summary=signed.summary,
            feedback=signed.feedback,
            learner_declared_at=signed.learner_declared_at if signed.learner_wording else None,
        )
    is_assessor = "assessor" in relation and standing.registration.assessor_id == actor.id
    panel: Panel = "none"
    if signoff is not None:
        panel = "signed"
    elif is_assessor:
        panel = "form" if cov.complete else "incomplete"
        if cov.complete and any(a.code == code for a in awaiting_in(session, [standing])):
            panel = "declaration"  # the learner has not declared over this evidence set yet
        if standing.registration.withdrawn_at is not None:  # sign-off is refused meanwhile
            panel = "withdrawn"
    can_reopen = signoff is not None and (
        is_assessor or ("iqa" in relation and standing.registration.iqa_id == actor.id)
    )
    return StandardPage(
        learner_id=learner_id,
        learner_name=standing.learner.name,
        registration_id=standing.registration.id or 0,
        framework=f"{standing.framework.title} (v{standing.framework.version})",
        progress=_standard_progress(info, cov),
        rows=tuple(_criterion_row(standing, c) for c in items),
        outstanding=_outstanding(items, standing.rules),
        signoff=signoff,
        panel=panel,
        can_reopen=can_reopen,
        withdrawn_at=standing.registration.withdrawn_at,
    )
