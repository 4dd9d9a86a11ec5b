"""Reviewing IQA samples, the assessor's actions that follow, and read-only access for the EQA.

* :func:`sample_details` gathers what a reviewer reads (evidence, the assessor's decisions and VACSR
  judgements, the sign-off) for any number of samples in a fixed number of queries.
* :func:`review_sample` records the IQA's decision once per sample: agree or disagree with each
  assessor decision and overall, feedback, actions with due dates; a disagreement may reopen the
  sign-off through :func:`mappings.assessment.signoff.reopen` (the reason is logged there).
  Nobody reviews a sample holding their own assessment decisions.
* Actions go open -> responded (the assessor) -> closed (the IQA who set them).
* An administrator grants a person with the ``eqa`` role read-only access to one cycle's samples
  until ``expires_at``; the grant needs no clean-up, it simply stops counting.
  :func:`eqa_can_view` is registered with :mod:`portfolio.services.access` as relation "eqa".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment import signoff as signoffs
from mappings.assessment.claims import VACSR
from mappings.assessment.models import Claim, Decision, Judgement, SignOff, SignOffEvidence
from mappings.quality.models import (
    OUTCOMES,
    Action,
    EqaAccess,
    Sample,
    SampleDecisionCheck,
    SampleReview,
    SamplingCycle,
)
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Criterion, Evidence, EvidenceVersion, Person, Standard
from portfolio.models.base import utcnow
from portfolio.models.evidence import KINDS
from portfolio.services import audit
from portfolio.services.people import SYSTEM, Actor


def may_manage(actor: Actor, cycle: SamplingCycle) -> bool:
    """The cycle's own IQA, or the system itself (command line)."""
    return (actor.has("iqa") and actor.id == cycle.iqa_id) or actor == SYSTEM


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- what a reviewer reads


@dataclass(frozen=True)
class DecisionLine:
    id: int
    criterion: str
    evidence_ref: str
    evidence_title: str
    old_status: str
    new_status: str
    method: str
    feedback: str
    at: datetime
    actor_id: int
    actor_name: str


@dataclass(frozen=True)
class JudgementLine:
    evidence_title: str
    version: int
    flags: tuple[tuple[str, bool], ...]
    note: str
    at: datetime
    actor_name: str


@dataclass(frozen=True)
class EvidenceLine:
    id: int
    ref: str
    title: str
    kind: str
    activity_date: date
    body: str
    frozen: bool  # the version frozen by the sign-off


@dataclass(frozen=True)
class SampleView:
    sample: Sample
    cycle: SamplingCycle
    learner_name: str
    assessor_name: str
    standard_code: str
    standard_title: str
    signoff: SignOff | None
    decisions: tuple[DecisionLine, ...]
    judgements: tuple[JudgementLine, ...]
    evidence: tuple[EvidenceLine, ...]
    review: SampleReview | None
    reviewer_name: str
    checks: Mapping[int, SampleDecisionCheck]
    actions: tuple[Action, ...]


def sample_details(session: Session, sample_ids: Sequence[int]) -> list[SampleView]:
    """Views of the samples (in the order given), in eleven queries whatever their number.

    No permission check: callers check (see :func:`sample_view`)."""
    if not sample_ids:
        return []
    head = session.exec(
        select(Sample, SamplingCycle, Standard.code, Standard.title)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .where(col(Sample.id).in_(sample_ids))
    ).all()
    learners = {s.learner_id for s, *_ in head}
    standards = {s.standard_id for s, *_ in head}
    so_rows = session.exec(
        select(SignOff).where(col(SignOff.id).in_([s.signoff_id for s, *_ in head]))
    ).all()
    by_signoff = {so.id: so for so in so_rows}
    decided = session.execute(
        sa_select(
            Decision,
            col(Claim.evidence_id),
            col(Criterion.code),
            col(Criterion.standard_id),
            Evidence,
        )
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(col(Evidence.learner_id).in_(learners), col(Criterion.standard_id).in_(standards))
        .order_by(col(Decision.at), col(Decision.id))
    ).all()
    evidence_ids = {e.id or 0 for *_, e in decided}
    judged = session.exec(
        select(Judgement)
        .where(col(Judgement.evidence_id).in_(evidence_ids))
        .order_by(col(Judgement.at))
    ).all()
    current = session.exec(
        select(EvidenceVersion)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(
            col(EvidenceVersion.evidence_id).in_(evidence_ids),
            EvidenceVersion.number == Evidence.current_version,
        )
    ).all()
    frozen = session.exec(
        select(SignOffEvidence.signoff_id, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .where(col(SignOffEvidence.signoff_id).in_(list(by_signoff)))
    ).all()
    reviews = session.exec(
        select(SampleReview).where(col(SampleReview.sample_id).in_(sample_ids))
    ).all()
    review_of = {r.sample_id: r for r in reviews}
    checks = session.exec(
        select(SampleDecisionCheck).where(
            col(SampleDecisionCheck.review_id).in_([r.id for r in reviews])
        )
    ).all()
    actions = session.exec(
        select(Action).where(col(Action.sample_id).in_(sample_ids)).order_by(col(Action.id))
    ).all()
    person_ids = (
        {s.assessor_id for s, *_ in head}
        | learners
        | {d.actor_id for d, *_ in decided}
        | {j.actor_id for j in judged}
        | {r.reviewed_by for r in reviews}
    )
    names = dict(
        session.exec(select(Person.id, Person.name).where(col(Person.id).in_(person_ids))).all()
    )

    items = {e.id: e for *_, e in decided}
    current_of = {v.evidence_id: v for v in current}
    frozen_of: dict[int, list[EvidenceVersion]] = defaultdict(list)
    for so_id, version in frozen:
        frozen_of[so_id].append(version)
    checks_of: dict[int, dict[int, SampleDecisionCheck]] = defaultdict(dict)
    for c in checks:
        checks_of[c.review_id][c.decision_id] = c
    actions_of: dict[int, list[Action]] = defaultdict(list)
    for a in actions:
        actions_of[a.sample_id].append(a)

    views: dict[int, SampleView] = {}
    for sample, cycle, code, title in head:
        so = by_signoff.get(sample.signoff_id) if sample.signoff_id else None
        lines = [
            (d, ev_id, crit, e)
            for d, ev_id, crit, std_id, e in decided
            if e.learner_id == sample.learner_id
            and std_id == sample.standard_id
            and _belongs(d, sample, cycle, so)
        ]
        shown = {e.id or 0 for *_, e in lines}
        if so is not None:
            versions = frozen_of.get(so.id or 0, [])
            shown |= {v.evidence_id for v in versions}
            frozen_ids = {v.evidence_id for v in versions}
            version_of = {v.evidence_id: v for v in versions}
        else:
            frozen_ids, version_of = set(), {}
        evidence = []
        for ev_id in sorted(shown):
            item = items.get(ev_id)
            found = version_of.get(ev_id) or current_of.get(ev_id)
            if item is None or found is None:
                continue
            evidence.append(
                EvidenceLine(
                    ev_id,
                    f"E{ev_id}v{found.number}",
                    found.title,
                    KINDS.get(item.kind, item.kind),
                    found.activity_date,
                    found.body,
                    ev_id in frozen_ids,
                )
            )
        review = review_of.get(sample.id or 0)
        views[sample.id or 0] = SampleView(
            sample=sample,
            cycle=cycle,
            learner_name=names.get(sample.learner_id, "?"),
            assessor_name=names.get(sample.assessor_id, "?"),
            standard_code=code,
            standard_title=title,
            signoff=so,
            decisions=tuple(
                DecisionLine(
                    d.id or 0,
                    crit,
                    f"E{ev_id}",
                    e.title,
                    d.old_status,
                    d.new_status,
                    d.method or "",
                    d.feedback,
                    d.at,
                    d.actor_id,
                    names.get(d.actor_id, "?"),
                )
                for d, ev_id, crit, e in lines
            ),
            judgements=tuple(
                JudgementLine(
                    items[j.evidence_id].title if j.evidence_id in items else "?",
                    j.version_number,
                    tuple((name, bool(getattr(j, name))) for name in VACSR),
                    j.note,
                    j.at,
                    names.get(j.actor_id, "?"),
                )
                for j in judged
                if j.evidence_id in shown
            ),
            evidence=tuple(evidence),
            review=review,
            reviewer_name=names.get(review.reviewed_by, "?") if review else "",
            checks=checks_of.get(review.id or 0, {}) if review else {},
            actions=tuple(actions_of.get(sample.id or 0, [])),
        )
    return [views[i] for i in sample_ids if i in views]


def _belongs(d: Decision, sample: Sample, cycle: SamplingCycle, so: SignOff | None) -> bool:
    """Summative: every decision up to the sign-off. Interim: the assessor's, in the cycle."""
    at = _aware(d.at)
    if so is not None:
        return at <= _aware(so.signed_at)
    start = datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=UTC)
    return d.actor_id == sample.assessor_id and start <= at < end


def sample_view(session: Session, *, actor: Actor, sample_id: int) -> SampleView:
    """One sample for its cycle's IQA, or read-only for an EQA with a live grant to the cycle."""
    found = sample_details(session, [sample_id])
    if not found:
        raise NotFound("No such sample.")
    view = found[0]
    if may_manage(actor, view.cycle) or (
        not view.sample.dropped and _grant_for(session, actor, view.cycle.id or 0) is not None
    ):
        return view
    raise NotFound("No such sample, or it is not one you may see.")


# ---------------------------------------------------------------- the review


def review_sample(
    session: Session,
    *,
    actor: Actor,
    sample_id: int,
    outcome: str,
    feedback: str,
    checks: Mapping[int, tuple[bool, str]],
    actions: Iterable[tuple[str, date]] = (),
    reopen: bool = False,
    today: date | None = None,
) -> SampleReview:
    """Record the IQA's review of a sample (once). ``checks``: decision id -> (agree, note)."""
    today = today or date.today()
    view = sample_view(session, actor=actor, sample_id=sample_id)
    sample, cycle = view.sample, view.cycle
    if not (actor.has("iqa") and actor.id == cycle.iqa_id):
        raise PermissionDenied("Only the cycle's IQA reviews its samples.")
    if actor.id == sample.assessor_id or any(d.actor_id == actor.id for d in view.decisions):
        raise PermissionDenied("You cannot sample your own assessment decisions.")
    if view.review is not None:
        raise Conflict("This sample is already reviewed.")
    if sample.dropped:
        raise Invalid("This sample was dropped from the plan.")
    if outcome not in OUTCOMES:
        raise Invalid("The overall outcome is agree or disagree.")
    known = {d.id for d in view.decisions}
    stray = set(checks) - known
    if stray:
        raise Invalid("Only the assessor decisions of this sample can be checked.")
    if any(not agree for agree, _ in checks.values()) and outcome != "disagree":
        raise Invalid("You disagree with a decision, so the overall outcome is disagree.")
    for decision_id, (agree, note) in checks.items():
        if not agree and not note.strip():
            raise Invalid(f"Say why you disagree with decision {decision_id}.")
    feedback = feedback.strip()
    if outcome == "disagree" and not feedback:
        raise Invalid("Give the assessor feedback when you disagree.")
    wanted = [(text.strip(), due) for text, due in actions if text.strip()]
    if any(due < today for _, due in wanted):
        raise Invalid("An action is due today or later.")
    if reopen and (outcome != "disagree" or view.signoff is None):
        raise Invalid("Only a disagreement with a signed-off standard reopens the sign-off.")

    review = SampleReview(sample_id=sample_id, outcome=outcome, feedback=feedback,
                          reviewed_by=actor.id)  # fmt: skip
    session.add(review)
    session.flush()
    for decision_id, (agree, note) in sorted(checks.items()):
        session.add(SampleDecisionCheck(review_id=review.id or 0, decision_id=decision_id,
                                        agree=agree, note=note.strip()))  # fmt: skip
    for text, due in wanted:
        session.add(Action(review_id=review.id or 0, sample_id=sample_id,
                           assessor_id=sample.assessor_id, set_by=actor.id, text=text,
                           due_date=due))  # fmt: skip
    if reopen and view.signoff is not None:
        signoffs.reopen(
            session,
            actor=actor,
            signoff_id=view.signoff.id or 0,
            reason=f"IQA disagreed in sampling cycle {cycle.name}: {feedback}",
        )
        review.reopened_signoff = True
        session.add(review)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="iqa.review",
        subject_type="iqa_sample",
        subject_id=sample_id,
        data={
            "outcome": outcome,
            "disagreed": sorted(i for i, (agree, _) in checks.items() if not agree),
            "actions": len(wanted),
            "reopened": review.reopened_signoff,
        },
    )
    return review


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionRow:
    action: Action
    assessor_name: str
    set_by_name: str
    learner_name: str
    standard_code: str
    cycle_name: str
    overdue: bool


def _action_rows(session: Session, where: object, today: date) -> list[ActionRow]:
    rows = session.exec(
        select(Action, Sample, SamplingCycle.name, Standard.code)
        .join(Sample, col(Sample.id) == Action.sample_id)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .where(where)  # type: ignore[arg-type]
        .order_by(col(Action.due_date), col(Action.id))
    ).all()
    ids = {a.assessor_id for a, *_ in rows} | {a.set_by for a, *_ in rows}
    ids |= {s.learner_id for _, s, *_ in rows}
    names = dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all())
    return [
        ActionRow(
            a,
            names.get(a.assessor_id, "?"),
            names.get(a.set_by, "?"),
            names.get(s.learner_id, "?"),
            code,
            cycle_name,
            a.status == "open" and a.due_date < today,
        )
        for a, s, cycle_name, code in rows
    ]


def actions_for_assessor(
    session: Session, *, actor: Actor, today: date | None = None
) -> list[ActionRow]:
    """The actions set for the actor as assessor, soonest due first (two queries)."""
    return _action_rows(session, col(Action.assessor_id) == actor.id, today or date.today())


def actions_set_by(
    session: Session, *, actor: Actor, today: date | None = None, include_closed: bool = False
) -> list[ActionRow]:
    """Actions the IQA set (not closed unless asked), soonest due first; ``overdue`` flagged."""
    where = col(Action.set_by) == actor.id
    if not include_closed:
        where = where & (col(Action.status) != "closed")
    return _action_rows(session, where, today or date.today())


def respond_action(session: Session, *, actor: Actor, action_id: int, response: str) -> Action:
    action = session.get(Action, action_id)
    if action is None or action.assessor_id != actor.id:
        raise NotFound("No such action for you.")
    if action.status == "closed":
        raise Invalid("This action is closed.")
    if not response.strip():
        raise Invalid("Write your response.")
    action.response, action.status, action.responded_at = response.strip(), "responded", utcnow()
    session.add(action)
    session.flush()
    audit.record(session, actor=actor, action="iqa.action.respond",
                 subject_type="iqa_action", subject_id=action_id, data={})  # fmt: skip
    return action


def close_action(session: Session, *, actor: Actor, action_id: int) -> Action:
    """The IQA who set the action closes it, once satisfied."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("No such action.")
    if action.set_by != actor.id or not actor.has("iqa"):
        raise PermissionDenied("Only the IQA who set an action closes it.")
    if action.status == "closed":
        raise Invalid("This action is already closed.")
    before = action.status
    action.status, action.closed_at, action.closed_by = "closed", utcnow(), actor.id
    session.add(action)
    session.flush()
    audit.record(session, actor=actor, action="iqa.action.close",
                 subject_type="iqa_action", subject_id=action_id,
                 data={"from": before})  # fmt: skip
    return action


# ---------------------------------------------------------------- external quality assurance


def _grant_for(
    session: Session, actor: Actor, cycle_id: int, now: datetime | None = None
) -> EqaAccess | None:
    if not actor.has("eqa"):
        return None
    return session.exec(
        select(EqaAccess).where(
            EqaAccess.person_id == actor.id,
            EqaAccess.cycle_id == cycle_id,
            col(EqaAccess.revoked_at).is_(None),
            col(EqaAccess.expires_at) > (now or utcnow()),
        )
    ).first()


def eqa_can_view(
    session: Session, person: Actor | Person, learner_id: int, now: datetime | None = None
) -> bool:
    """True while the person (role eqa) holds a live grant to a cycle that sampled the learner."""
    roles = person.roles if isinstance(person, Actor) else person.role_set
    if "eqa" not in roles:
        return False
    found = session.exec(
        select(EqaAccess.id)
        .join(Sample, col(Sample.cycle_id) == EqaAccess.cycle_id)
        .where(
            EqaAccess.person_id == person.id,
            col(EqaAccess.revoked_at).is_(None),
            col(EqaAccess.expires_at) > (now or utcnow()),
            Sample.learner_id == learner_id,
            col(Sample.dropped).is_(False),
        )
        .limit(1)
    ).first()
    return found is not None


def eqa_relation(session: Session, actor: Actor, learner_id: int) -> str | None:
    return "eqa" if actor.has("eqa") and eqa_can_view(session, actor, learner_id) else None


def grant_eqa(
    session: Session, *, actor: Actor, person_id: int, cycle_id: int, expires_at: datetime
) -> EqaAccess:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators grant external quality assurers access.")
    person = session.get(Person, person_id)
    if person is None or not person.has_role("eqa") or person.removed_at is not None:
        raise Invalid("Access is granted to a person with the EQA role.")
    if session.get(SamplingCycle, cycle_id) is None:
        raise NotFound("No such sampling cycle.")
    expires_at = _aware(expires_at)
    if expires_at <= utcnow():
        raise Invalid("The access must end in the future.")
    grant = EqaAccess(person_id=person_id, cycle_id=cycle_id, granted_by=actor.id or person_id,
                      expires_at=expires_at)  # fmt: skip
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="eqa.grant",
                 subject_type="eqa_access", subject_id=grant.id,
                 data={"person": person_id, "cycle": cycle_id,
                       "expires_at": expires_at.isoformat()})  # fmt: skip
    return grant


def revoke_eqa(session: Session, *, actor: Actor, grant_id: int) -> EqaAccess:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators end external access.")
    grant = session.get(EqaAccess, grant_id)
    if grant is None:
        raise NotFound("No such grant.")
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        session.add(grant)
        session.flush()
        audit.record(session, actor=actor, action="eqa.revoke",
                     subject_type="eqa_access", subject_id=grant_id, data={})  # fmt: skip
    return grant


@dataclass(frozen=True)
class GrantRow:
    grant: EqaAccess
    person_name: str
    cycle_name: str
    active: bool


def list_grants(session: Session, *, actor: Actor) -> list[GrantRow]:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators see external access grants.")
    rows = session.exec(
        select(EqaAccess, Person.name, SamplingCycle.name)
        .join(Person, col(Person.id) == EqaAccess.person_id)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .order_by(col(EqaAccess.expires_at).desc())
    ).all()
    now = utcnow()
    return [
        GrantRow(g, p, c, g.revoked_at is None and _aware(g.expires_at) > now) for g, p, c in rows
    ]


@dataclass(frozen=True)
class EqaCycle:
    grant: EqaAccess
    cycle: SamplingCycle
    samples: tuple[tuple[Sample, str, str, str], ...]  # sample, learner, standard, outcome


def eqa_grants_of(session: Session, *, actor: Actor) -> list[EqaCycle]:
    """The live grants of an EQA with their cycles' samples (three queries)."""
    if not actor.has("eqa"):
        raise PermissionDenied("This page is for external quality assurers.")
    grants = session.exec(
        select(EqaAccess, SamplingCycle)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .where(
            EqaAccess.person_id == actor.id,
            col(EqaAccess.revoked_at).is_(None),
            col(EqaAccess.expires_at) > utcnow(),
        )
    ).all()
    rows = session.exec(
        select(Sample, Person.name, Standard.code, SampleReview.outcome)
        .join(Person, col(Person.id) == Sample.learner_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .join(SampleReview, col(SampleReview.sample_id) == Sample.id, isouter=True)
        .where(col(Sample.cycle_id).in_([c.id for _, c in grants]), col(Sample.dropped).is_(False))
        .order_by(col(Sample.position))
    ).all()
    by_cycle: dict[int, list[tuple[Sample, str, str, str]]] = defaultdict(list)
    for s, learner, code, outcome in rows:
        by_cycle[s.cycle_id].append((s, learner, code, outcome or "not reviewed"))
    return [EqaCycle(g, c, tuple(by_cycle.get(c.id or 0, []))) for g, c in grants]
