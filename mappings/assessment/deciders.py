"""Who decides a claim: the assessor of the learner's registration on the claim's framework, and
only while the claim's standard is not signed off (a sign-off under way is waited for); and the
framework a decision on a claim names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlalchemy.sql.expression import Exists
from sqlmodel import Session, col

from mappings.assessment import holds
from mappings.assessment.models import Claim, SignOff
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Criterion, Evidence, Framework, Person, Registration, Standard
from portfolio.services import access
from portfolio.services.people import Actor
from portfolio.services.withdrawals import KEPT_EVIDENCE, erased_words, refuse_if_erased
from portfolio.words import day_words


def frameworks_of(session: Session, claim_ids: Iterable[int]) -> dict[int, int]:
    """The framework of each claim (its criterion's standard's), by claim id: what a decision on
    it names in ``Decision.framework_id``, as ``claims.decide`` writes it (the framework
    :func:`to_decide` finds). For decisions written otherwise (a benchmark's or a test's, row by
    row or in bulk); asked 500 claims at a time."""
    ids = sorted(set(claim_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            sa_select(col(Claim.id), col(Standard.framework_id))
            .join(Criterion, col(Criterion.id) == Claim.criterion_id)
            .join(Standard, col(Standard.id) == Criterion.standard_id)
            .where(col(Claim.id).in_(ids[start : start + 500]))
        )
        found.update((claim_id or 0, framework_id) for claim_id, framework_id in rows)
    missing = set(ids) - found.keys()
    if missing:
        raise NotFound(f"No claim {min(missing)}.")
    return found


def framework_of(session: Session, claim_id: int) -> int:
    """The framework a decision on this claim names (:func:`frameworks_of` for one claim)."""
    return frameworks_of(session, [claim_id])[claim_id]


def require_decider(session: Session, *, actor: Actor, claim_id: int) -> None:
    """Refused (NotFound, PermissionDenied) unless ``actor`` decides this claim: for a view to
    check before it reads the form. A signed-off standard is said when the decision is sent."""
    to_decide(session, actor, claim_id, judging=False)


def _signed() -> Exists:
    """The claim's standard is signed off on the registration (of the joined rows)."""
    return (
        sa_select(col(SignOff.id))
        .where(col(SignOff.registration_id) == Registration.id, col(SignOff.status) == "signed")
        .where(col(SignOff.standard_id) == Criterion.standard_id)
        .exists()
    )


def require_judge(session: Session, *, actor: Actor, item: Evidence) -> None:
    """Refused unless the actor may record the item's VACSR judgement: they assess the learner on
    a registration not withdrawn from and, if the item claims criteria, decide one of its claims
    (their registration's, its standard not signed off); where nothing on it is theirs to
    decide, its judgement is not theirs to record either."""
    assessed = access.require_assessor(session, actor, item.learner_id)
    withdrawn = [(fid, on) for fid, on in assessed.items() if on is not None]
    if withdrawn and len(withdrawn) == len(assessed):  # judgements recorded before stay
        framework = session.get(Framework, withdrawn[0][0])
        raise Invalid(
            f"The learner withdrew from {framework.title if framework else 'the framework'} on "
            f"{day_words(withdrawn[0][1])}: its evidence is not judged unless an administrator "
            "reinstates the registration."
        )
    found = session.execute(
        sa_select(col(Registration.assessor_id), col(Registration.withdrawn_at), _signed())
        .select_from(Claim)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .outerjoin(
            Registration,
            and_(
                col(Registration.learner_id) == item.learner_id,
                col(Registration.framework_id) == Standard.framework_id,
            ),
        )
        .where(col(Claim.evidence_id) == item.id)
    ).all()
    if found and not any(by == actor.id and on is None and not s for by, on, s in found):
        raise Invalid(
            "Nothing on this evidence is yours to decide (each claim says why), so its VACSR "
            "judgement is not yours to record."
        )


def to_decide(
    session: Session, actor: Actor, claim_id: int, *, judging: bool = True
) -> tuple[Claim, Evidence, Framework]:
    """The claim, its evidence and framework, if the actor assesses the learner's registration on
    that framework (a learner on two frameworks may have two assessors)."""
    signed = _signed()
    row = session.execute(
        sa_select(
            Claim,
            Evidence,
            Framework,
            col(Registration.assessor_id),
            signed,
            col(Registration.id),
            col(Criterion.standard_id),
            col(Registration.withdrawn_at),
            col(Person.erased_at),
        )
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(Person, col(Person.id) == Evidence.learner_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .outerjoin(
            Registration,
            and_(
                col(Registration.learner_id) == Evidence.learner_id,
                col(Registration.framework_id) == Framework.id,
            ),
        )
        .where(col(Claim.id) == claim_id)
    ).first()
    if row is None:
        raise NotFound("No such claim.")
    claim, item, framework, assessor_id, frozen, registration_id, standard_id, withdrawn, erased = (
        row
    )
    access.require_assessor(session, actor, item.learner_id)
    if assessor_id != actor.id:  # the learner may have another assessor for this framework
        raise PermissionDenied(
            f"Only the assessor allocated to the learner's {framework.title} registration "
            "decides this claim."
        )
    if not judging:  # the view's check before it reads the form: the sign-off is said later
        return claim, item, framework
    if erased is not None:  # decisions recorded before the erasure stay as they are
        raise Invalid(f"{erased_words(erased)}: {KEPT_EVIDENCE}")
    # a sign-off, a withdrawal or an erasure under way is waited for (once: a transaction
    # holding the row read them as committed); the withdrawal is read as the row is held
    if not frozen and holds.concurrent(session) and not holds.holding(session, registration_id):
        withdrawn = holds.hold_registration(session, registration_id)
        frozen = holds.signed_now(session, registration_id, standard_id)
        refuse_if_erased(session, item.learner_id, KEPT_EVIDENCE)
    if withdrawn is not None:  # decisions recorded before the withdrawal stay as they are
        raise Invalid(
            f"The learner withdrew from {framework.title} on {day_words(withdrawn)}: its claims "
            "are not judged unless an administrator reinstates the registration."
        )
    if frozen:  # the sign-off froze the decisions it rests on
        raise Invalid("This standard is signed off: reopen it to judge its claims again.")
    return claim, item, framework


def hold_registrations_of(session: Session, claim_ids: list[int]) -> None:
    """Hold the registrations these claims are judged in, in id order, before any is decided
    (PostgreSQL only): deciding claims of two frameworks one by one would hold the second
    registration with the audit trail already held, waiting in a circle with a writer holding
    it that waits for the trail, or with a summary being stored (it holds registrations in id
    order, :func:`holds.share_registrations`)."""
    if not claim_ids or not holds.concurrent(session):
        return
    found = session.execute(
        sa_select(col(Registration.id))
        .select_from(Claim)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(
            Registration,
            and_(
                col(Registration.learner_id) == Evidence.learner_id,
                col(Registration.framework_id) == Standard.framework_id,
            ),
        )
        .where(col(Claim.id).in_(claim_ids))
    ).all()
    holds.hold_registrations(session, [int(r) for (r,) in found])
