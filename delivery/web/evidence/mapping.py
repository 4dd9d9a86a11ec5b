"""What the evidence page shows about criteria: claims, decisions, suggestions, VACSR; prepared here."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from mappings.assessment.claims import VACSR, Claimable, claimable_criteria, twins
from mappings.assessment.coverage import CoverageRules
from mappings.assessment.models import Claim, Decision, Judgement
from mappings.assessment.suggestions import SuggestedCriterion, evidence_text, suggest_for_learner
from portfolio.models import Attachment, Evidence, EvidenceVersion, Framework, Person
from portfolio.services.people import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecisionRow:
    at: datetime
    actor: str
    old_status: str
    new_status: str
    method: str | None
    feedback: str


@dataclass(frozen=True)
class ClaimRow:
    id: int
    criterion_id: int
    standard: str
    code: str
    text: str
    status: str
    method: str | None
    revision: int
    history: tuple[DecisionRow, ...]


@dataclass(frozen=True)
class Choice:
    criterion: Claimable
    claimed: bool
    suggested: SuggestedCriterion | None
    twins: tuple[str, ...]  # "SE04 P6" of identical text


@dataclass
class StandardChoices:
    code: str
    title: str
    choices: list[Choice] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return sum(1 for c in self.choices if c.claimed)


@dataclass(frozen=True)
class JudgementRow:
    at: datetime
    actor: str
    version: int
    flags: tuple[tuple[str, bool], ...]
    note: str


@dataclass
class MappingView:
    claims: list[ClaimRow]
    standards: list[StandardChoices]
    suggestions: list[SuggestedCriterion]
    methods: list[tuple[str, str]]
    judgements: list[JudgementRow]
    can_map: bool
    can_decide: bool
    vacsr: tuple[str, ...] = VACSR

    @property
    def ticked(self) -> list[int]:
        """The criteria the mapping form starts with ticked: those claimed, or before any claim
        the strong suggestions."""
        return [
            choice.criterion.criterion_id
            for group in self.standards
            for choice in group.choices
            if choice.claimed
            or (not self.claims and choice.suggested is not None and choice.suggested.strong)
        ]


def _claim_rows(session: Session, evidence_id: int, by_id: dict[int, Claimable]) -> list[ClaimRow]:
    """The item's claims with the history of their decisions, in two queries."""
    claims = list(
        session.exec(select(Claim).where(Claim.evidence_id == evidence_id).order_by(col(Claim.id)))
    )
    decisions = session.exec(
        select(Decision, Person.name)
        .join(Person, col(Person.id) == Decision.actor_id)
        .where(col(Decision.claim_id).in_([c.id for c in claims]))
        .order_by(col(Decision.id))
    ).all()
    history: dict[int, list[DecisionRow]] = defaultdict(list)
    for d, name in decisions:
        history[d.claim_id].append(
            DecisionRow(d.at, name, d.old_status, d.new_status, d.method, d.feedback)
        )
    return [
        ClaimRow(
            id=c.id or 0,
            criterion_id=c.criterion_id,
            standard=by_id[c.criterion_id].standard_code if c.criterion_id in by_id else "?",
            code=by_id[c.criterion_id].code if c.criterion_id in by_id else "?",
            text=by_id[c.criterion_id].text if c.criterion_id in by_id else "",
            status=c.status,
            method=c.method,
            revision=c.revision,
            history=tuple(history.get(c.id or 0, [])),
        )
        for c in claims
    ]


def _standards(
    criteria: list[Claimable], claimed: set[int], suggested: dict[int, SuggestedCriterion]
) -> list[StandardChoices]:
    """The criteria to choose from, by standard, with what is claimed and suggested."""
    pairs = twins(criteria)
    groups: dict[str, StandardChoices] = {}
    for c in criteria:
        group = groups.setdefault(
            c.standard_code, StandardChoices(c.standard_code, c.standard_title)
        )
        group.choices.append(
            Choice(
                criterion=c,
                claimed=c.criterion_id in claimed,
                suggested=suggested.get(c.criterion_id),
                twins=tuple(f"{t.standard_code} {t.code}" for t in pairs.get(c.criterion_id, [])),
            )
        )
    return list(groups.values())


def mapping_view(
    session: Session,
    *,
    actor: Actor,
    item: Evidence,
    version: EvidenceVersion,
    relation: set[str],
    attachments: Sequence[Attachment] = (),
) -> MappingView:
    """Everything about criteria for one evidence page, in a fixed number of queries.

    Suggestions read the version's body and the text of its ``attachments``."""
    criteria = claimable_criteria(session, item.learner_id)
    claim_rows = _claim_rows(session, item.id or 0, {c.criterion_id: c for c in criteria})
    framework_ids = sorted({c.framework_id for c in criteria})
    try:
        suggestions = suggest_for_learner(
            session,
            learner_standards={
                (c.standard_code, c.code): (c.criterion_id, c.text) for c in criteria
            },
            framework_ids=framework_ids,
            kind=item.kind,
            title=version.title,
            text=evidence_text(version.body, (a.text for a in attachments)),
            top=10,
        )
    except Exception:  # noqa: BLE001 - suggestions are a help; the page must work without them
        log.exception("suggestions failed for evidence %s", item.id)
        suggestions = []
    claimed = {row.criterion_id for row in claim_rows}
    standards = _standards(criteria, claimed, {s.criterion_id: s for s in suggestions})
    rules = CoverageRules()
    if framework_ids:
        fw = session.get(Framework, framework_ids[0])
        if fw is not None and fw.rules:
            rules = CoverageRules.from_dict(fw.rules)
    judgements = session.exec(
        select(Judgement, Person.name)
        .join(Person, col(Person.id) == Judgement.actor_id)
        .where(Judgement.evidence_id == item.id)
        .order_by(col(Judgement.id).desc())
    ).all()
    return MappingView(
        claims=claim_rows,
        standards=standards,
        suggestions=suggestions,
        methods=list(rules.methods),
        judgements=[
            JudgementRow(
                j.at, name, j.version_number, tuple((f, bool(getattr(j, f))) for f in VACSR), j.note
            )
            for j, name in judgements
        ],
        can_map=bool(relation & {"self", "assessor"}) and bool(criteria),
        can_decide="assessor" in relation and item.submitted_at is not None,
    )
