"""What the evidence page shows about criteria: claims, decisions, suggestions, VACSR; prepared here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from delivery.web.evidence.file_readings import FileReading, file_note
from delivery.web.evidence.received import ReceivedRow, received_rows
from mappings.assessment.claims import VACSR, Claimable, claimable_criteria, mapping_scope, twins
from mappings.assessment.coverage import CoverageRules
from mappings.assessment.criterion_states import criterion_states
from mappings.assessment.methods import default_method, methods_needed
from mappings.assessment.models import Claim, Decision, Judgement, SignOff
from mappings.assessment.page_frameworks import page_frameworks
from mappings.assessment.stored import for_page
from mappings.assessment.suggested import words as suggested_words
from mappings.assessment.suggestions import SuggestedCriterion
from portfolio.models import (
    Attachment,
    Criterion,
    Evidence,
    EvidenceVersion,
    Person,
    Registration,
)
from portfolio.services.evidence.reading import readings_of
from portfolio.services.people import Actor


@dataclass(frozen=True)
class DecisionRow:
    at: datetime
    actor: str
    old_status: str
    new_status: str
    method: str | None
    feedback: str
    method_name: str = ""  # the method in words, as its framework names it


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
    methods: tuple[tuple[str, str], ...]  # (code, name): the methods of the criterion's framework
    default_method: str | None = None  # the method decided before, else the one of the item's kind
    method_name: str = ""  # the method in words, as its framework names it
    # accepted by a method that does not count for its criterion: the methods that would
    needs: str = ""
    # the one looking may decide it: the assessor of the learner's registration on its framework
    decidable: bool = False
    signed: bool = False  # its standard is signed off: reopened before it is judged again
    # the learner withdrew from its registration (on ``framework``): decided once reinstated
    withdrawn_at: date | None = None
    framework: str = ""
    suggested: str = ""  # "Suggested by the engine (strong)": where the claim came from

    @property
    def done(self) -> bool:
        """Accepted: nothing more to do, so the page shows it folded away."""
        return self.status == "accepted"

    @property
    def last(self) -> DecisionRow | None:
        return self.history[-1] if self.history else None

    @property
    def earlier(self) -> tuple[DecisionRow, ...]:
        """The decisions before the last, folded away under it."""
        return self.history[:-1]


# where a criterion of the checklist stands across the learner's evidence (missing: said by nothing)
STATE_WORDS = {"met": "already met", "awaiting": "awaiting a decision", "referred": "referred",
               "uncounted": "accepted, not counting"}  # fmt: skip


@dataclass(frozen=True)
class Choice:
    criterion: Claimable
    claimed: bool
    suggested: SuggestedCriterion | None
    twins: tuple[str, ...]  # "SE04 P6" of identical text
    state: str = ""  # where it stands across the learner's evidence, when said (STATE_WORDS)

    @property
    def state_words(self) -> str:
        return STATE_WORDS.get(self.state, "")


@dataclass
class StandardChoices:
    code: str
    title: str
    choices: list[Choice] = field(default_factory=list)
    # the learner withdrew from its registration: its claims are shown, nothing new is offered
    withdrawn_at: date | None = None

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
    judgements: list[JudgementRow]
    can_map: bool
    can_decide: bool
    judges: bool = False  # the viewer records the VACSR judgement: something here is theirs
    files: dict[int, FileReading] = field(default_factory=dict)  # by attachment id
    received: list[ReceivedRow] = field(default_factory=list)
    vacsr: tuple[str, ...] = VACSR
    # fresh: the stored suggestions are current; stale: shown while they are worked out again;
    # missing: none stored yet (the page says they are being worked out)
    suggestions_state: str = "fresh"
    # the checklist and suggestions start open while the item is a draft (mapping is still to
    # do); once submitted they start folded, each standard a line with its count ticked
    map_open: bool = True
    criteria: list[Claimable] = field(default_factory=list)  # of the learner's standards
    rules: dict[int, CoverageRules] = field(default_factory=dict)  # of their frameworks, by id
    plan: tuple[int, str] | None = None  # the plan it was written for: (id, title)

    @property
    def received_verified(self) -> bool:
        """The item came in a bundle a trusted key verified: what is received is only who wrote
        versions at a third centre, its decisions having been recreated as decisions here."""
        return bool(self.received) and all(r.signature == "verified" for r in self.received)

    @property
    def to_decide(self) -> list[ClaimRow]:
        """The claims still needing someone: awaiting a decision, or referred back."""
        return [c for c in self.claims if not c.done]

    @property
    def decides(self) -> bool:
        """Some claim here is the viewer's to decide: the page offers the decisions form."""
        return self.can_decide and any(c.decidable for c in self.claims)

    @property
    def nothing_to_decide(self) -> str:
        """Why the viewer, who decides claims, is offered no decisions form here, or "" when
        they are (or decide nothing at all): every claim already decided, or else none of
        those still open is theirs (another assessor's, of a registration the learner withdrew
        from, of a signed-off standard: each row says which). When every claim is already
        accepted it is "": the page's own line says so ("Every claim is accepted: nothing awaits
        a decision."), and a second sentence saying it again is noise."""
        if self.decides or not self.can_decide or not self.to_decide:
            return ""
        return "Nothing here is yours to decide: each claim says why."

    @property
    def accepted(self) -> list[ClaimRow]:
        return [c for c in self.claims if c.done]

    @property
    def not_counting(self) -> int:
        """Accepted claims whose method does not count for their criterion."""
        return sum(1 for c in self.claims if c.done and c.needs)

    @property
    def suggestions_due(self) -> bool:
        """Whether the version's suggestions should be computed (again) in the background."""
        return self.suggestions_state != "fresh"

    @property
    def reading(self) -> bool:
        """Whether the text of some attachment is still being read."""
        return any(f.status == "pending" for f in self.files.values())

    @property
    def ticked(self) -> list[int]:
        """The criteria the mapping form starts with ticked: those claimed, or before any claim
        the strong suggestions."""
        return [
            choice.criterion.criterion_id
            for group in self.standards
            for choice in group.choices
            if choice.claimed
            or (
                not self.claims
                and group.withdrawn_at is None
                and choice.suggested is not None
                and choice.suggested.strong
            )
        ]


# Built once: the evidence page runs each of these on every visit, and building a statement
# costs about as much as running it
_EVIDENCE_ID: BindParameter[int] = bindparam("evidence_id")
# the claims and their decisions, plain rows in one statement (a claim without any: one row)
_SIGNED = (  # the claim's standard is signed off for the item's learner
    sa_select(col(SignOff.id))
    .join(Registration, col(Registration.id) == SignOff.registration_id)
    .join(Criterion, col(Criterion.standard_id) == SignOff.standard_id)
    .join(Evidence, col(Evidence.learner_id) == Registration.learner_id)
    .where(col(Criterion.id) == Claim.criterion_id, col(Evidence.id) == Claim.evidence_id)
    .where(col(SignOff.status) == "signed")
    .exists()
)
_CLAIMS = (
    sa_select(
        col(Claim.id),
        col(Claim.criterion_id),
        col(Claim.status),
        col(Claim.method),
        col(Claim.revision),
        _SIGNED,
        col(Claim.suggested_engine),
        col(Claim.suggested_strong),
        col(Decision.id),
        col(Decision.at),
        col(Person.name),
        col(Decision.old_status),
        col(Decision.new_status),
        col(Decision.method),
        col(Decision.feedback),
    )
    .select_from(Claim)
    .outerjoin(Decision, col(Decision.claim_id) == Claim.id)
    .outerjoin(Person, col(Person.id) == Decision.actor_id)
    .where(col(Claim.evidence_id) == _EVIDENCE_ID)
    .order_by(col(Claim.id), col(Decision.id))
)
_JUDGEMENTS = (
    select(Judgement, Person.name)
    .join(Person, col(Person.id) == Judgement.actor_id)
    .where(col(Judgement.evidence_id) == _EVIDENCE_ID)
    .order_by(col(Judgement.id).desc())
)


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

    Suggestions are those stored for the version by a background job
    (:mod:`mappings.assessment.stored`): a page never runs the engine nor reads a file. When
    they are missing or out of date, ``suggestions_due`` says so and the view queues the job."""
    criteria = claimable_criteria(session, item.learner_id)
    frameworks = page_frameworks(session, [c.framework_id for c in criteria], item.id or 0)
    rows = session.connection().execute(_CLAIMS, {"evidence_id": item.id}).all()
    can_decide = "assessor" in relation and item.submitted_at is not None
    claims = _claim_rows(
        rows, criteria, frameworks.rules, item.kind, decider=actor.id if can_decide else None
    )
    readings = readings_of(session, [a.id or 0 for a in attachments])
    stored = for_page(
        session, version=version, criteria=criteria, readings=readings, frameworks=frameworks
    )
    judgements = (
        session.exec(_JUDGEMENTS, params={"evidence_id": item.id}).all()
        if frameworks.judged
        else []
    )
    scope = mapping_scope(criteria, actor=actor, rel=relation)  # an assessor: what they assess
    offered = criteria if scope is None else [c for c in criteria if c.criterion_id in scope]
    can_map = bool(relation & {"self", "assessor"}) and bool(offered)
    # where each criterion of the checklist stands, for whoever maps
    states = (
        criterion_states(
            session,
            item.learner_id,
            [(c.framework_id, c.ref) for c in offered],
            rules=frameworks.rules,
        )
        if can_map
        else {}
    )
    return MappingView(
        claims=claims,
        standards=_choices(offered, {c.criterion_id for c in claims}, stored.suggestions, states),
        suggestions=stored.suggestions,
        judgements=[
            JudgementRow(
                j.at, name, j.version_number, tuple((f, bool(getattr(j, f))) for f in VACSR), j.note
            )
            for j, name in judgements
        ],
        can_map=can_map,
        can_decide=can_decide,
        # as the service allows (deciders.require_judge): a claim of theirs to decide, or with
        # no claims, a registration of theirs not withdrawn from
        judges=can_decide
        and (
            any(c.decidable for c in claims)
            if claims
            else any(c.assessor_id == actor.id and c.withdrawn_at is None for c in criteria)
        ),
        files={
            a.id or 0: note
            for a in attachments
            if (note := file_note(readings.get(a.id or 0), a.mime)) is not None
        },
        received=received_rows(session, item.id or 0) if frameworks.received else [],
        suggestions_state=stored.state,
        map_open=item.status == "draft",
        criteria=criteria,
        rules=frameworks.rules,
        plan=frameworks.plan,
    )


def _last_method(decided: list[Any]) -> str | None:
    """The method of the claim's latest decision (rows of :data:`_CLAIMS` from ``Decision.at``):
    a new version is judged again, most often by the same method."""
    return next((row[4] for row in reversed(decided) if row[4]), None)


def _claim_rows(
    rows: Sequence[Any],
    criteria: list[Claimable],
    rules_of: dict[int, CoverageRules],
    evidence_kind: str,
    decider: int | None = None,
) -> list[ClaimRow]:
    """The claims with their decisions (``rows``: of :data:`_CLAIMS`), each offering the methods
    of its own framework, the method decided before (on this version or the last one decided)
    or else the one of the item's kind chosen.
    ``decider``: who may decide, for the claims whose registration they assess."""
    by_id = {c.criterion_id: c for c in criteria}
    claims: dict[int, tuple[Any, list[Any]]] = {}
    for row in rows:
        claim = claims.setdefault(row[0], (row, []))
        if row[8] is not None:  # a decision on it
            claim[1].append(row[9:])
    found = []
    for (
        claim_id,
        criterion_id,
        status,
        method,
        revision,
        signed,
        engine,
        strong,
        *_,
    ), decided in claims.values():
        criterion = by_id.get(criterion_id)
        rules = (
            rules_of.get(criterion.framework_id, CoverageRules()) if criterion else CoverageRules()
        )
        found.append(
            ClaimRow(
                id=claim_id,
                criterion_id=criterion_id,
                standard=criterion.standard_code if criterion else "?",
                code=criterion.code if criterion else "?",
                text=criterion.text if criterion else "",
                status=status,
                method=method,
                revision=revision,
                history=tuple(
                    DecisionRow(at, name, old, new, used, feedback, _said(rules, used))
                    for at, name, old, new, used, feedback in decided
                ),
                methods=rules.methods,
                default_method=method
                or _last_method(decided)
                or default_method(evidence_kind, rules),
                method_name=_said(rules, method),
                needs=(
                    methods_needed(rules, criterion.kind, method) or ""
                    if criterion is not None and status == "accepted"
                    else ""
                ),
                decidable=decider is not None
                and criterion is not None
                and criterion.assessor_id == decider
                and criterion.withdrawn_at is None
                and not signed,
                signed=bool(signed),
                withdrawn_at=criterion.withdrawn_at if criterion else None,
                framework=criterion.framework_title if criterion else "",
                suggested=suggested_words(engine, strong),
            )
        )
    return found


def _said(rules: CoverageRules, code: str | None) -> str:
    """A method's code in its framework's words: "WT" -> "Witness testimony"."""
    name = rules.method_name(code) if code else ""
    return name[:1].upper() + name[1:]


def _choices(
    criteria: list[Claimable],
    claimed: set[int],
    suggestions: list[SuggestedCriterion],
    states: dict[int, str],
) -> list[StandardChoices]:
    """The learner's criteria grouped by standard, for the mapping form, each with where it
    stands (``states``: by criterion id)."""
    suggested = {s.criterion_id: s for s in suggestions}
    pairs = twins(criteria)
    groups: dict[str, StandardChoices] = {}
    for c in criteria:
        group = groups.setdefault(
            c.standard_code,
            StandardChoices(c.standard_code, c.standard_title, withdrawn_at=c.withdrawn_at),
        )
        group.choices.append(
            Choice(
                criterion=c,
                claimed=c.criterion_id in claimed,
                suggested=suggested.get(c.criterion_id),
                twins=tuple(f"{t.standard_code} {t.code}" for t in pairs.get(c.criterion_id, [])),
                state=state if (state := states.get(c.criterion_id, "")) in STATE_WORDS else "",
            )
        )
    return list(groups.values())
