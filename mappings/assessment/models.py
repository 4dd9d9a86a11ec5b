"""Tables of mapping and assessment: claims, appended decisions, VACSR judgements and sign-offs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow

CLAIM_STATES = ("claimed", "accepted", "referred")


class Claim(SQLModel, table=True):
    """Evidence mapped to one criterion. Its status only changes through an appended Decision."""

    __table_args__ = (
        UniqueConstraint("evidence_id", "criterion_id", name="uq_claim_evidence_criterion"),
        # the claims awaiting a decision alone (the relearning job looks for their items; the
        # decided ones only grow)
        Index(
            "ix_claim_awaiting",
            "evidence_id",
            postgresql_where=text("status = 'claimed'"),
            sqlite_where=text("status = 'claimed'"),
        ),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    claimed_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="claimed", max_length=16)
    method: str | None = Field(default=None, max_length=16)
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    revision: int = 0  # optimistic lock: bumped by every decision
    # the engine had suggested the criterion for the version mapped (its stored suggestions, read
    # on the server when the claim was made): the engine's version, the score, strong or not
    suggested_engine: str | None = Field(default=None, max_length=32)
    suggested_score: float | None = None
    suggested_strong: bool | None = None


class Decision(SQLModel, table=True):
    """An assessor's decision on a claim. Rows are appended, never edited."""

    # a claim's latest decision is one probe of this index however many it had; so is a
    # framework's newest decision (the relearning job's start) whatever the others decided
    __table_args__ = (
        Index("ix_decision_claim", "claim_id", "id"),
        Index("ix_decision_framework", "framework_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id")
    # the claim's framework (a claim never changes criterion), written with the decision by
    # claims.decide, a trusted bundle's import and the demo's bulk writer (migration 0049 gave
    # the earlier ones theirs); never empty (0050): a decision without it would be invisible to
    # the relearning job's newest-decision probe. Hand-built ones ask deciders.frameworks_of.
    framework_id: int
    old_status: str = Field(max_length=16)
    new_status: str = Field(max_length=16)
    method: str | None = Field(default=None, max_length=16)
    feedback: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor_id: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow)


class Judgement(SQLModel, table=True):
    """VACSR judgement of one evidence version by an assessor (appended)."""

    # an item's latest judgement is one probe of this index however many it had
    __table_args__ = (Index("ix_judgement_evidence", "evidence_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id")
    version_number: int
    valid: bool
    authentic: bool
    current: bool
    sufficient: bool
    reliable: bool
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor_id: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow)


class LearnerDeclaration(SQLModel, table=True):
    """A learner's declaration for one standard of a registration: who confirmed which exact
    wording, when, over which evidence set. Appended, never edited; it applies only while the
    evidence behind the standard still hashes to ``evidence_set_sha256``."""

    __tablename__ = "learner_declaration"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    standard_id: int = Field(foreign_key="standard.id", index=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    declared_at: datetime = Field(default_factory=utcnow)
    wording: str = Field(sa_column=Column(Text, nullable=False))
    evidence_set_sha256: str = Field(max_length=64)


class SignOff(SQLModel, table=True):
    # is this registration's standard signed off: a few rows of one learner's, however many
    # learners a standard has (the marking queue and every count of claims awaiting a decision
    # ask it of each claim, :func:`mappings.assessment.completion.signed_off_sql`)
    __table_args__ = (Index("ix_signoff_registration_standard", "registration_id", "standard_id"),)

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    standard_id: int = Field(foreign_key="standard.id", index=True)
    assessor_id: int = Field(foreign_key="person.id", index=True)
    document_id: str = Field(max_length=64, unique=True)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    feedback: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    learner_declared_at: datetime
    assessor_declared_at: datetime
    # each declaration as made: who, when (above) and the exact wording they confirmed; rows signed
    # before declarations were acts of their own carry no learner declaration id nor wording
    learner_declaration_id: int | None = Field(default=None, foreign_key="learner_declaration.id")
    learner_id: int | None = Field(default=None, foreign_key="person.id")
    learner_wording: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="", server_default="")
    )
    assessor_wording: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="", server_default="")
    )
    # the audit trail's head just before this sign-off was recorded (printed on the record)
    audit_entries: int | None = None
    audit_head_sha256: str | None = Field(default=None, max_length=64)
    signed_at: datetime = Field(default_factory=utcnow, index=True)
    evidence_set_sha256: str = Field(max_length=64)
    status: str = Field(default="signed", max_length=16)  # signed | reopened
    reopened_at: datetime | None = None
    reopened_by: int | None = Field(default=None, foreign_key="person.id")
    reopen_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class SignOffEvidence(SQLModel, table=True):
    """The frozen set of evidence versions behind a sign-off."""

    signoff_id: int = Field(foreign_key="signoff.id", primary_key=True)
    version_id: int = Field(foreign_key="evidenceversion.id", primary_key=True)
    sha256: str = Field(max_length=64)


class ReceivedRecord(SQLModel, table=True):
    """A decision, VACSR judgement or sign-off made at the centre that sent a bundle whose
    signature no trusted key verified: kept as that centre's record, with its people as text.
    It never counts towards coverage and is never attributed to a person of this centre."""

    __tablename__ = "received_record"

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id", index=True)
    kind: str = Field(max_length=16)  # decision | judgement | sign-off | authorship
    subject: str = Field(max_length=300)  # the criterion, version or standard it was about
    outcome: str = Field(max_length=200)
    method: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    by_name: str = Field(default="", max_length=200)  # as the bundle named them: text only
    by_email: str = Field(default="", max_length=320)
    centre: str = Field(default="", max_length=200)  # the sending centre, as the bundle says
    at: datetime
    signature: str = Field(max_length=16)  # unsigned | untrusted | invalid
    key_fingerprint: str | None = Field(default=None, max_length=80)
    imported_at: datetime = Field(default_factory=utcnow)


class VersionSuggestions(SQLModel, table=True):
    """The criteria suggested for one evidence version, computed once in the background and read
    by its page. A cache, not a record: a newer computation replaces it. It says what it was
    computed from, so a reader can tell when it is out of date: the engine's version, the
    frameworks (id and content hash), the newest decision the engine knew and ``basis`` (the
    version's hash and the attachment readings that were finished)."""

    __tablename__ = "version_suggestions"
    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="evidenceversion.id", unique=True, index=True)
    engine_version: str = Field(max_length=32)
    frameworks: list[list[Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    decision_id: int = 0
    basis: str = Field(max_length=64)
    # best first, the learner's frameworks as a whole: [{criterion_id, standard, code, score,
    # strong, because}]
    suggestions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    computed_at: datetime = Field(default_factory=utcnow)
    compute_ms: int | None = None


class RegistrationSummary(SQLModel, table=True):
    """Where a registration stood on ``computed_on``: criteria met of all, and claims awaiting a
    decision. A cache, not a record: the caseload reads it instead of folding every learner's
    claims on each visit. It is deleted in the same transaction as any change that could alter
    it (:mod:`mappings.assessment.summaries`), and a day old it no longer counts (evidence can
    fall out of currency), so a reader either finds it right or works it out again.

    It carries what the caseload sorts, searches and counts by (the registration's assessor and
    IQA, the learner and their name folded for sorting, the planned end, the whole percentage
    met and the RAG rank on ``computed_on``, whether the learner has withdrawn and the day the
    registration was completed, so its counts leave them out and its status order puts the
    completed after the working and the withdrawn last), with an index per sort of each role's
    caseload (two for the status: ``stage`` and ``stage_back`` lead them, so that either
    direction reads one index in one direction; the stage leads the others, so the learners in
    learning and the finished are listed apart): one page of a caseload is a range of an index
    with a limit."""

    __tablename__ = "registration_summary"
    __table_args__ = tuple(
        Index(f"ix_registration_summary_{role}_{key}", f"{role}_id", *columns, "registration_id")
        for role in ("assessor", "iqa")
        for key, columns in (
            # the stage leads each: the learners in learning and the finished are listed apart
            ("name", ("stage", "name_key")),
            ("progress", ("stage", "percent", "name_key")),
            # by status, the working first, then the completed, the withdrawn last, either way:
            # ascending reads this index forward, descending the next one backwards
            ("rag", ("stage", "rag_rank", "percent", "name_key")),
            ("rag_desc", ("stage_back", "rag_rank", "percent", "name_key")),
            ("end", ("stage", "planned_end", "name_key")),
        )
    )

    registration_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    met: int
    total: int
    awaiting: int
    computed_on: date
    learner_id: int
    assessor_id: int | None = None
    iqa_id: int | None = None
    name_key: str  # the learner's name, casefolded: the order by name and the search
    planned_end: date
    percent: int  # met of total, a whole percentage (halves up)
    rag_rank: int  # 0 red, 1 amber, 2 green on computed_on
    withdrawn: bool = False  # the learner withdrew: shown, not counted as active
    active: bool = True  # neither ``withdrawn`` nor ended by the learner's erasure (stage 3)
    # every standard signed off (not reopened) on this day, the latest sign-off's: completed
    completed_on: date | None = None
    # 0 working, 1 completed, 2 withdrawn (withdrawn first of the two), 3 ended: the learner's
    # personal data was erased (summaries.stage_of): the status order leads with it ascending;
    # ``stage_back`` (2 - stage, -1 when ended) leads the one read descending, backwards
    stage: int = 0
    stage_back: int = 2


class AssessmentPlan(SQLModel, table=True):
    """A task the assessor set a learner on one registration: what to do, by when, for which
    criteria. ``status`` is what the assessor decided (open, done, closed with a reason); the
    state people see is derived (:func:`mappings.assessment.plan_state.state_of`): evidence
    submitted or overdue while open."""

    __tablename__ = "assessment_plan"
    # the learner's home page reads their open plans, soonest due first, as a range of this index
    # and the API's list reads the ended ones, most recently ended first (then by id), as a range
    # of the other
    __table_args__ = (
        Index("ix_assessment_plan_learner_open", "learner_id", "status", "due_on"),
        Index(
            "ix_assessment_plan_learner_ended",
            "learner_id",
            literal_column("ended_at").desc(),
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    learner_id: int = Field(foreign_key="person.id")  # the registration's, for that index
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    due_on: date
    status: str = Field(default="open", max_length=16)  # open | done | closed
    # the kind of evidence asked for, a key of portfolio.models.evidence.KINDS; None: any kind,
    # the learner's choice (as plans set before migration 0052 ask)
    evidence_kind: str | None = Field(default=None, max_length=32)
    set_by: int = Field(foreign_key="person.id")
    set_at: datetime = Field(default_factory=utcnow)
    # the day (the server's clock's) the assessor last chose the due date: the day the plan was
    # set, or the latest day a change of it gave it a new due date; a move by a break in learning
    # is not the assessor's choice and leaves it (:mod:`mappings.assessment.plan_breaks` reads it)
    due_chosen_on: date = Field(default_factory=date.today)
    updated_at: datetime = Field(default_factory=utcnow)
    ended_by: int | None = Field(default=None, foreign_key="person.id")
    ended_at: datetime | None = None
    close_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AssessmentPlanCriterion(SQLModel, table=True):
    """A criterion an assessment plan targets (of its registration's standards)."""

    __tablename__ = "assessment_plan_criterion"

    plan_id: int = Field(foreign_key="assessment_plan.id", primary_key=True)
    criterion_id: int = Field(foreign_key="criterion.id", primary_key=True, index=True)


class AssessmentPlanEvidence(SQLModel, table=True):
    """An evidence item the learner wrote for an assessment plan."""

    __tablename__ = "assessment_plan_evidence"

    plan_id: int = Field(foreign_key="assessment_plan.id", primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True, index=True)
    linked_by: int = Field(foreign_key="person.id")
    linked_at: datetime = Field(default_factory=utcnow)
