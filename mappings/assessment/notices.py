"""Who is told of what in assessment: the learner of decisions and referrals on their evidence,
of standards signed off or reopened and of plans set for them or changed, the allocated assessor of evidence submitted for a decision,
of standards the learner declared, ready to sign off, and of the plans a break's end moved on. (Comments tell the other party in
:mod:`portfolio.services.comments`; quality assurance tells its people in mappings.quality.)"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from mappings.assessment.models import AssessmentPlan
from mappings.assessment.plan_state import written_by_assessor
from mappings.assessment.standing import StandardInfo
from portfolio.models import (
    Criterion,
    Evidence,
    Framework,
    Person,
    Registration,
    Standard,
)
from portfolio.models.evidence import KINDS
from portfolio.services import access, notifications
from portfolio.services.actors import Actor
from portfolio.words import a_or_an, day_words


def _claims(n: int) -> str:
    return "a claim" if n == 1 else f"{n} claims"


def decided(session: Session, *, actor: Actor, item: Evidence, decisions: Counter[str]) -> None:
    """Tell the learner of the decisions one assessor just made on one item."""
    link = notifications.evidence_link(item.id)
    if decisions["accepted"]:
        notifications.notify(
            session,
            person_id=item.learner_id,
            text=f"{actor.name} accepted {_claims(decisions['accepted'])} on “{item.title}”.",
            link=link,
            kind="decision",
        )
    if decisions["referred"]:
        notifications.notify(
            session,
            person_id=item.learner_id,
            text=f"{actor.name} referred {_claims(decisions['referred'])} on “{item.title}”: "
            "read the feedback and add to your evidence.",
            link=link,
            kind="referral",
        )


def submitted(session: Session, item: Evidence) -> None:
    """Tell the learner's assessors that an item they are to decide on was submitted (the
    learner's own evidence; an assessor's record is their own), not those of a registration the
    learner withdrew from. Registered by delivery.wiring."""
    if item.created_by != item.learner_id:
        return
    learner = session.get(Person, item.learner_id)
    name = learner.name if learner is not None else "Your learner"
    notifications.notify_many(
        session,
        person_ids=access.assessors_of(session, item.learner_id, deciding=True),
        text=f"{name} submitted “{item.title}” for a decision.",
        link=notifications.evidence_link(item.id),
        kind="submission",
    )


def declared(
    session: Session, *, actor: Actor, registration: Registration, standard: StandardInfo
) -> None:
    """Tell the registration's allocated assessor (while they hold the role and have not left)
    that the learner confirmed their declaration for a complete standard not yet signed off, so
    they can sign it off (kind signoff_ready), linking to the standard's page."""
    assessor = session.get(Person, registration.assessor_id) if registration.assessor_id else None
    if assessor is None or assessor.removed_at is not None or not assessor.has_role("assessor"):
        return
    learner, named = registration.learner_id, f"{standard.code} {standard.title}"
    notifications.notify(
        session,
        person_id=assessor.id or 0,
        text=f"{actor.name} confirmed their declaration for {named}: you can sign it off.",
        link=f"/learners/{learner}/standards/{standard.code}",
        kind="signoff_ready",
    )


def signed_off(
    session: Session, *, actor: Actor, registration: Registration, standard: StandardInfo
) -> None:
    """Tell the learner their assessor signed a standard off (kind decision), linking to the
    standard's page, where the sign-off record is."""
    learner, named = registration.learner_id, f"{standard.code} {standard.title}"
    notifications.notify(
        session,
        person_id=learner,
        text=f"{actor.name} signed off {named}: your sign-off record is on its page.",
        link=f"/learners/{learner}/standards/{standard.code}",
        kind="decision",
    )


def reopened(session: Session, *, actor: Actor, learner_id: int, standard: Standard) -> None:
    """Tell the learner a standard of theirs was reopened (kind decision): its sign-off record
    and badge no longer stand. The notice of its sign-off, if still unread, is marked read:
    it is no longer true, and left waiting it would keep the next sign-off's notice back."""
    link = f"/learners/{learner_id}/standards/{standard.code}"
    notifications.mark_link_read(session, person_id=learner_id, link=link)
    notifications.notify(
        session,
        person_id=learner_id,
        text=f"{actor.name} reopened {standard.code} {standard.title}: it is no longer signed "
        "off, and its sign-off record and any badge for it are withdrawn until it is signed off "
        "again.",
        link=link,
        kind="decision",
    )


def _kind_words(kind: str) -> str:
    """ "a witness testimony" ("an observation record, which your assessor writes" for a kind the
    assessor writes); the kind of evidence a plan asks for, in a sentence."""
    words = KINDS[kind]
    first = words.split(" ", 1)[0]
    if not first.isupper():  # "STAR narrative" keeps its capitals
        words = words[:1].lower() + words[1:]
    writes = ", which your assessor writes" if written_by_assessor(kind) else ""
    return f"{a_or_an(words)}{writes}"


def _asking(kind: str | None) -> str:
    """ ", asking for a witness testimony"; nothing for a plan that asks for any kind."""
    return f", asking for {_kind_words(kind)}" if kind in KINDS else ""


def plan_set(session: Session, *, actor: Actor, plan: AssessmentPlan) -> None:
    """Tell the learner their assessor set them a plan, and the kind of evidence it asks for if
    it asks for one (in the app, and by e-mail as they chose for plans: queued in the session,
    sent once the request has committed)."""
    notifications.notify(
        session,
        person_id=plan.learner_id,
        text=f"{actor.name} set you a plan: “{plan.title}”, due {day_words(plan.due_on)}"
        f"{_asking(plan.evidence_kind)}.",
        link=f"/plans/{plan.id}",
        kind="plan",
    )


CRITERIA_LISTED = 5  # the criteria a notice of a plan changed names; the rest are counted


@dataclass(frozen=True)
class PlanSeen:
    """What the learner sees of a plan, to tell them what changed in it."""

    title: str
    body: str
    due_on: date
    evidence_kind: str | None
    criterion_ids: frozenset[int]


def _criteria_words(session: Session, ids: set[int]) -> str:
    """ "SE03 P6 and SE03 P7", in the order of the standards and their criteria; past
    :data:`CRITERIA_LISTED`, "and 3 more"."""
    rows = session.exec(
        select(Standard.code, Criterion.code)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(col(Criterion.id).in_(ids))
        .order_by(col(Standard.code), col(Criterion.position), col(Criterion.code))
    ).all()
    named = [f"{std} {crit}" for std, crit in rows]
    if len(named) > CRITERIA_LISTED:
        named = [*named[:CRITERIA_LISTED], f"{len(named) - CRITERIA_LISTED} more"]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def plan_changed(
    session: Session, *, actor: Actor, plan: AssessmentPlan, was: PlanSeen, now: PlanSeen
) -> None:
    """Tell the learner, in words, what their assessor changed in their plan that they see (its
    title, what to do, the due date, the kind of evidence asked for, its criteria); nothing when
    none of it changed. Kind plan, e-mailed as they chose; the same notice still unread is not
    left twice (:func:`portfolio.services.notifications.notify`)."""
    changes = []
    if now.title != was.title:
        changes.append(f"renamed from “{was.title}”")
    if now.body != was.body:
        changes.append("what to do changed")
    if now.due_on != was.due_on:
        changes.append(f"due date moved to {day_words(now.due_on)}")
    if now.evidence_kind != was.evidence_kind:
        asks = _kind_words(now.evidence_kind) if now.evidence_kind in KINDS else ""
        changes.append(f"now asks for {asks or 'any kind of evidence, your choice'}")
    added = set(now.criterion_ids - was.criterion_ids)
    if added:
        changes.append(f"now also covers {_criteria_words(session, added)}")
    dropped = set(was.criterion_ids - now.criterion_ids)
    if dropped:
        changes.append(f"no longer covers {_criteria_words(session, dropped)}")
    if not changes:
        return
    notifications.notify(
        session,
        person_id=plan.learner_id,
        text=f"{actor.name} changed your plan “{now.title}”: {'; '.join(changes)}.",
        link=f"/plans/{plan.id}",
        kind="plan",
    )


PLANS_LISTED = 3  # the new due dates a notice of plans moved on names; the rest are counted


def _days(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


def _alike(plans: list[tuple[AssessmentPlan, int]]) -> bool:
    return len({days for _plan, days in plans}) == 1


def _dates(plans: list[tuple[AssessmentPlan, int]]) -> list[str]:
    """ "“Reflect” 20 Jan 2027" for the first :data:`PLANS_LISTED` plans, each with " (10 days
    later)" when they did not all move as far, then "2 more"."""
    alike = _alike(plans)
    dates = [
        f"“{p.title}” {day_words(p.due_on)}" + ("" if alike else f" ({_days(days)} later)")
        for p, days in plans[:PLANS_LISTED]
    ]
    rest = len(plans) - PLANS_LISTED
    return [*dates, f"{rest} more"] if rest > 0 else dates


def _listed(dates: list[str]) -> str:
    return f"{', '.join(dates[:-1])} and {dates[-1]}"


def plans_link(reg: Registration) -> str:
    """The learner's plans, on their progress page."""
    return f"/learners/{reg.learner_id}/progress#plans-heading"


def plans_moved(
    session: Session, *, reg: Registration, plans: list[tuple[AssessmentPlan, int]]
) -> None:
    """Tell the learner the new due dates of the plans the end of their break moved on, each with
    the days it moved (kind plan, soonest first; one notice for them all, linking to the plan, or
    to their plans): "later by 40 days" once when they all moved as far, else each its own."""
    if not plans:
        return
    fw = session.get(Framework, reg.framework_id)
    on = f" on {fw.title}" if fw else ""
    if len(plans) == 1:
        ((plan, days),) = plans
        text = (
            f"Your break in learning moved your plan “{plan.title}”{on} later by {_days(days)}: "
            f"it is now due {day_words(plan.due_on)}."
        )
        link = f"/plans/{plan.id}"
    else:
        dates = _dates(plans)
        dates[0] = dates[0].replace("” ", "” is now due ", 1)
        text = (
            f"Your break in learning moved {len(plans)} of your plans{on} later by "
            f"{_days(plans[0][1])}: {_listed(dates)}."
            if _alike(plans)
            else f"Your break in learning moved on {len(plans)} of your plans{on}: {_listed(dates)}."
        )
        link = plans_link(reg)
    notifications.notify(session, person_id=reg.learner_id, text=text, link=link, kind="plan")


def plans_moved_for_assessor(*, reg: Registration, plans: list[tuple[AssessmentPlan, int]]) -> str:
    """What the allocated assessor is told of the plans the end of the break moved on, in their
    one notice of the end (:func:`portfolio.services.breaks.end_break`): "2 of the plans you set
    are now due 40 days later: “Reflect” 20 Jan 2027 and “Observe” 3 Feb 2027" ("the learner's
    plans" when another assessor set any of them; each its own days when they moved unlike);
    nothing when none moved or the registration has no assessor. Never the learner's name: the
    notice begins with it, where an erasure rewrites it."""
    if not plans or reg.assessor_id is None:
        return ""
    mine = all(p.set_by == reg.assessor_id for p, _days_ in plans)
    if len(plans) == 1:
        ((plan, days),) = plans
        which = (
            f"the plan you set, “{plan.title}”," if mine else f"the learner's plan “{plan.title}”"
        )
        return f"{which} is now due {day_words(plan.due_on)} ({_days(days)} later)"
    whose = "the plans you set" if mine else "the learner's plans"
    later = f"{_days(plans[0][1])} later" if _alike(plans) else "later"
    return f"{len(plans)} of {whose} are now due {later}: {_listed(_dates(plans))}"
