"""Mapping evidence to criteria and judging the claims: decisions are appended, never edited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment import declarations, notices, suggested
from mappings.assessment.coverage import CriterionRef
from mappings.assessment.decided import decided_in
from mappings.assessment.deciders import hold_registrations_of, require_judge, to_decide
from mappings.assessment.methods import method_warning
from mappings.assessment.models import Claim, Decision, Judgement
from mappings.assessment.rules import rules_for
from portfolio.errors import Conflict, DomainError, Invalid, NotFound, PermissionDenied
from portfolio.models import (
    Criterion,
    Evidence,
    Framework,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.models.base import utcnow
from portfolio.services import access, audit, evidence, registrations
from portfolio.services.people import Actor
from portfolio.services.withdrawals import KEPT_EVIDENCE, refuse_if_erased
from portfolio.words import day_words

DECISIONS = ("accepted", "referred")
VACSR = ("valid", "authentic", "current", "sufficient", "reliable")


@dataclass(frozen=True)
class Claimable:
    """A criterion the learner may map evidence to."""

    criterion_id: int
    standard_id: int
    standard_code: str
    standard_title: str
    framework_id: int
    code: str
    kind: str
    text: str
    assessor_id: int | None = None  # of the learner's registration on its framework
    withdrawn_at: date | None = None  # that registration's withdrawal: nothing new is mapped
    framework_title: str = ""  # its framework's title, as a withdrawal is said ("withdrew from …")

    @property
    def ref(self) -> CriterionRef:
        """The criterion as the coverage computation takes it."""
        kind: Any = self.kind  # a criterion kind, as stored
        return CriterionRef(self.criterion_id, self.standard_code, self.code, kind, self.text)


# built once, plain rows: every evidence page reads the learner's criteria
_CLAIMABLE = (
    sa_select(
        col(Criterion.id),
        col(Standard.id),
        col(Standard.code),
        col(Standard.title),
        col(Standard.framework_id),
        col(Criterion.code),
        col(Criterion.kind),
        col(Criterion.text),
        col(Registration.assessor_id),
        col(Registration.withdrawn_at),
        col(Framework.title),
    )
    .join(Standard, col(Standard.id) == Criterion.standard_id)
    .join(Framework, col(Framework.id) == Standard.framework_id)
    .join(RegistrationStandard, col(RegistrationStandard.standard_id) == Standard.id)
    .join(Registration, col(Registration.id) == RegistrationStandard.registration_id)
    .where(col(Registration.learner_id) == bindparam("learner_id"))
    .order_by(col(Standard.framework_id), col(Standard.position), col(Criterion.position))
)


def claimable_criteria(session: Session, learner_id: int) -> list[Claimable]:
    """Every criterion of every standard the learner is registered on, in one query."""
    rows = session.connection().execute(_CLAIMABLE, {"learner_id": learner_id})
    return [Claimable(cid or 0, sid or 0, *rest) for cid, sid, *rest in rows]


def twins(criteria: Iterable[Claimable]) -> dict[int, list[Claimable]]:
    """Criteria of identical text in other standards: mapping one offers the others."""
    by_text: dict[tuple[int, str], list[Claimable]] = {}
    for c in criteria:
        key = (c.framework_id, " ".join(c.text.lower().split()))
        by_text.setdefault(key, []).append(c)
    return {
        c.criterion_id: [o for o in group if o.criterion_id != c.criterion_id]
        for group in by_text.values()
        if len(group) > 1
        for c in group
    }


def _evidence(session: Session, evidence_id: int, actor: Actor) -> Evidence:
    """The item; NotFound when there is none, or it is not yet the actor's to see (an
    assessor's record not submitted, to its learner: :func:`evidence.hidden_from`)."""
    item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound("No such evidence.")
    evidence.require_shown(item, actor)
    return item


def set_claims(
    session: Session, *, actor: Actor, evidence_id: int, criterion_ids: Iterable[int]
) -> tuple[list[int], list[int]]:
    """Make the claims of an item exactly ``criterion_ids``; decided claims are never removed.
    The learner maps their evidence to the criteria of any of their registrations; an assessor
    only to those of the registrations they assess, and the claims on other registrations'
    criteria stay as they are, whether named or not (another assessor's to judge).

    Returns (added, removed) criterion ids."""
    item = _evidence(session, evidence_id, actor)
    rel = access.require_view(session, actor, item.learner_id)
    if not rel & {"self", "assessor"}:
        raise PermissionDenied("Only the learner and their assessor map evidence.")
    if item.created_by != actor.id and evidence.latest_submitted(session, item) is None:
        raise PermissionDenied(  # its criteria are its author's, as its text is, till then
            "This draft is its author's until it is submitted: map it once it is."
        )
    if item.submitted_at is not None:  # summaries count its claims (a draft's count nowhere)
        registrations.hold_learner(session, item.learner_id)
        refuse_if_erased(session, item.learner_id, KEPT_EVIDENCE)  # read once held
    criteria = claimable_criteria(session, item.learner_id)
    wanted = set(criterion_ids)
    if wanted - {c.criterion_id for c in criteria}:
        raise Invalid(
            "Evidence can only be mapped to criteria of the learner's standards.", field="criterion"
        )
    # a claim decided before, even one awaiting a decision again, keeps its history: it stays
    ever = sa_select(col(Decision.id)).where(col(Decision.claim_id) == Claim.id).exists()
    rows = session.exec(select(Claim, ever).where(Claim.evidence_id == evidence_id)).all()
    existing = {c.criterion_id: c for c, _ in rows}
    theirs = mapping_scope(criteria, actor=actor, rel=rel)
    if theirs is not None:
        _within_scope(session, wanted - existing.keys() - theirs, criteria)
        wanted |= existing.keys() - theirs  # other registrations' claims are not this actor's
    added = sorted(wanted - existing.keys())
    _not_withdrawn(session, set(added), criteria)
    removable = [c.criterion_id for c, was in rows if c.criterion_id not in wanted and not was]
    new = [Claim(evidence_id=evidence_id, criterion_id=cid, claimed_by=actor.id) for cid in added]
    # whether the engine had suggested each: from its stored suggestions, never from the form
    suggested.record(
        session,
        item=item,
        actor=actor,
        claims=new,
        criterion_ids=[c.criterion_id for c in criteria],
    )
    session.add_all(new)
    removed = [("claim", existing[cid].id or 0) for cid in removable]
    for cid in removable:
        session.delete(existing[cid])
    session.flush()
    if added or removable:
        audit.record(
            session,
            actor=actor,
            action="evidence.map",
            subject_type="evidence",
            subject_id=evidence_id,
            data={"added": added, "removed": sorted(removable)},
            rows=new,
            removed=removed,
        )
    return added, sorted(removable)


def mapping_scope(criteria: Iterable[Claimable], *, actor: Actor, rel: set[str]) -> set[int] | None:
    """The criteria ids ``actor`` may map the learner's evidence to and from: ``None`` for the
    learner themselves (every one of their registrations), else those of the registrations the
    actor assesses."""
    if "self" in rel:
        return None
    return {c.criterion_id for c in criteria if c.assessor_id == actor.id}


def _within_scope(session: Session, outside: set[int], criteria: Sequence[Claimable]) -> None:
    """Refused (PermissionDenied) when an assessor would add claims on criteria of a
    registration they do not assess, naming its framework."""
    if not outside:
        return
    framework_ids = {c.framework_id for c in criteria if c.criterion_id in outside}
    titles = session.exec(select(Framework.title).where(col(Framework.id).in_(framework_ids))).all()
    raise PermissionDenied(
        f"Only the assessor allocated to the learner's {', '.join(sorted(titles))} registration "
        "maps evidence to its criteria."
    )


def _not_withdrawn(session: Session, adding: set[int], criteria: Sequence[Claimable]) -> None:
    """Refused (Invalid) when new claims would be on criteria of a registration the learner
    withdrew from, naming its framework."""
    left = {
        c.framework_id: c.withdrawn_at
        for c in criteria
        if c.criterion_id in adding and c.withdrawn_at is not None
    }
    if not left:
        return
    fid, day = min(left.items())
    title = session.exec(select(Framework.title).where(col(Framework.id) == fid)).one()
    raise Invalid(
        f"The learner withdrew from {title} on {day_words(day)}: evidence cannot be mapped to "
        "its criteria unless an administrator reinstates the registration.",
        field="criterion",
    )


def decide(
    session: Session,
    *,
    actor: Actor,
    claim_id: int,
    expected_revision: int,
    decision: str,
    method: str,
    feedback: str = "",
    notify: bool = True,
) -> Decision:
    """Accept or refer a claim. Two assessors deciding at once: the second is told (Conflict).
    ``notify=False``: the caller tells the learner of complete standards itself, once."""
    claim, item, framework = to_decide(session, actor, claim_id)
    if decision not in DECISIONS:
        raise Invalid("A decision is either accepted or referred.", field="decision")
    if item.submitted_at is None:
        raise Invalid("This evidence has not been submitted yet.")
    method = method.strip().upper()
    if method not in {code for code, _ in rules_for(framework).methods}:
        unknown = f"Unknown assessment method “{method}”."
        raise Invalid(unknown if method else "Choose the assessment method.", field="method")
    if decision == "referred" and not feedback.strip():
        raise Invalid("Say what is missing when you refer a claim.", field="feedback")
    now = utcnow()
    result = session.execute(
        update(Claim)
        .where(col(Claim.id) == claim_id, col(Claim.revision) == expected_revision)
        .values(
            status=decision,
            method=method,
            decided_at=now,
            decided_by=actor.id,
            revision=expected_revision + 1,
        )
        # the Decision row added below tells registration summaries what changed
        .execution_options(synchronize_session=False, summaries_covered=True)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "Someone decided this claim while you were looking at it; "
            "reload to see their decision. Your decision and its feedback were not saved."
        )
    row_decision = Decision(
        claim_id=claim_id,
        framework_id=framework.id or 0,
        old_status=claim.status,
        new_status=decision,
        method=method,
        feedback=feedback.strip(),
        actor_id=actor.id,
        at=now,
    )
    session.add(row_decision)
    session.flush()
    session.expire(claim)
    decided_in(session, framework.id or 0)  # the engine learns it: awaiting evidence is redone
    audit.record(
        session,
        actor=actor,
        action="claim.decide",
        subject_type="claim",
        subject_id=claim_id,
        data={"from": row_decision.old_status, "to": decision, "method": method},
        rows=[row_decision, claim],
    )
    if notify:  # the learner hears of it; a standard may now be complete: the learner declares
        notices.decided(session, actor=actor, item=item, decisions=Counter([decision]))
        if decision == "accepted":
            declarations.notify_awaiting(session, learner_id=item.learner_id)
    return row_decision


@dataclass(frozen=True)
class DecisionChoice:
    """What the assessor chose for one claim of an item, with the revision they saw."""

    claim_id: int
    expected_revision: int
    decision: str
    method: str
    feedback: str = ""


class DecisionsRefused(DomainError):
    """Some decisions of one form were refused, so none is kept (the caller rolls back).
    ``errors``: claim id -> why (``Invalid`` naming its field, or ``Conflict``)."""

    def __init__(self, errors: dict[int, DomainError]) -> None:
        super().__init__(" ".join(str(e) for e in errors.values()))
        self.errors = errors


NOTHING_CHOSEN = "Choose Accept or Refer for at least one claim."


def _claims_of(
    session: Session, evidence_id: int, actor: Actor
) -> tuple[Evidence, dict[int, Claim]]:
    """The item and its claims, for its learner's assessor only."""
    item = _evidence(session, evidence_id, actor)
    access.require_assessor(session, actor, item.learner_id)
    return item, {
        c.id or 0: c for c in session.exec(select(Claim).where(Claim.evidence_id == evidence_id))
    }


def decide_many(
    session: Session, *, actor: Actor, evidence_id: int, choices: Sequence[DecisionChoice]
) -> list[Decision]:
    """Accept or refer several claims of one item together, each with its own method and
    feedback. Every choice is checked; if any is refused, :class:`DecisionsRefused` names each
    refusal and the caller rolls the transaction back: one refused claim saves none."""
    item, known = _claims_of(session, evidence_id, actor)
    if not choices:
        raise Invalid(NOTHING_CHOSEN)
    if any(c.claim_id not in known for c in choices):
        raise NotFound("No such claim on this evidence.")
    hold_registrations_of(session, [c.claim_id for c in choices])
    # read once held (an erasure holds them too); said once, not for each claim
    refuse_if_erased(session, item.learner_id, KEPT_EVIDENCE)
    errors: dict[int, DomainError] = {}
    made = []
    for choice in choices:
        try:  # a refused choice writes nothing of its own: the others are still checked
            made.append(
                decide(
                    session,
                    actor=actor,
                    claim_id=choice.claim_id,
                    expected_revision=choice.expected_revision,
                    decision=choice.decision,
                    method=choice.method,
                    feedback=choice.feedback,
                    notify=False,
                )
            )
        except (Invalid, Conflict) as error:
            errors[choice.claim_id] = error
    if errors:
        raise DecisionsRefused(errors)
    notices.decided(session, actor=actor, item=item, decisions=Counter(c.decision for c in choices))
    if any(c.decision == "accepted" for c in choices):
        declarations.notify_awaiting(session, learner_id=item.learner_id)
    return made


def method_warnings(
    session: Session, *, actor: Actor, evidence_id: int, choices: Sequence[DecisionChoice]
) -> dict[int, str]:
    """Claim id -> why accepting it by the method chosen will not count for its criterion under
    its framework's rules, the criterion named first ("SE01 P1: accepted by reflective account,
    this will not count: ..."); claims whose acceptance will count are left out. Writes nothing."""
    _item, known = _claims_of(session, evidence_id, actor)
    wanted = [c for c in choices if c.decision == "accepted" and c.claim_id in known]
    if not wanted:
        return {}
    rows = session.execute(
        sa_select(
            col(Claim.id), col(Criterion.kind), col(Standard.code), col(Criterion.code), Framework
        )
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(col(Claim.id).in_([c.claim_id for c in wanted]))
    ).all()
    facts = {claim: (kind, f"{std} {code}", rules_for(fw)) for claim, kind, std, code, fw in rows}
    found = {}
    for choice in wanted:
        kind, criterion, rules = facts[choice.claim_id]
        warning = method_warning(rules, kind, choice.method.strip().upper())
        if warning:
            found[choice.claim_id] = f"{criterion}: {warning[:1].lower()}{warning[1:]}"
    return found


def judge(
    session: Session,
    *,
    actor: Actor,
    evidence_id: int,
    flags: dict[str, bool],
    note: str = "",
) -> Judgement:
    """Record the VACSR judgement of the newest submitted version (a newer draft is its
    author's alone, not yet before the assessor); a failing flag needs a note. Only an assessor
    with something on the item to decide records it (:func:`deciders.require_judge`)."""
    item = _evidence(session, evidence_id, actor)
    require_judge(session, actor=actor, item=item)  # something on it is theirs to decide
    refuse_if_erased(session, item.learner_id, KEPT_EVIDENCE)
    version = evidence.latest_submitted(session, item)
    if version is None:
        raise Invalid("This evidence has not been submitted yet.")
    values = {name: bool(flags.get(name)) for name in VACSR}
    failing = [name for name, ok in values.items() if not ok]
    if failing and not note.strip():
        raise Invalid(f"Explain why the evidence is not {', '.join(failing)}.", field="note")
    judgement = Judgement(
        evidence_id=evidence_id,
        version_number=version.number,
        valid=values["valid"],
        authentic=values["authentic"],
        current=values["current"],
        sufficient=values["sufficient"],
        reliable=values["reliable"],
        note=note.strip(),
        actor_id=actor.id,
    )
    session.add(judgement)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="evidence.judge",
        subject_type="evidence",
        subject_id=evidence_id,
        data={"failing": failing, "version": version.number},
    )
    return judgement
