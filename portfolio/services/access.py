"""Who may see and change whose portfolio. Every service asks here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import Session, col, select

from portfolio.errors import AccessEnded, NotFound, PermissionDenied
from portfolio.models import Person, Registration
from portfolio.models.people import roles_of
from portfolio.services.people import Actor

# Relations granted by higher layers (delivery.wiring registers mappings.quality.eqa.eqa_relation: "eqa", read-only, time-boxed).
# Each returns a relation name or None; services only ever treat these as permission to view.
ExtraRelation = Callable[[Session, Actor, int], "str | None"]
_EXTRA_RELATIONS: list[ExtraRelation] = []


def register_relation(check: ExtraRelation) -> None:
    if check not in _EXTRA_RELATIONS:
        _EXTRA_RELATIONS.append(check)


# Relations that have ended (delivery.wiring registers mappings.quality.eqa.eqa_ended: an EQA's
# grant that covered the learner and has ended). Each returns, for a person who could once read
# the learner's portfolio and no longer may, the refusal that says so and since when (in the
# centre's time zone of the app that tells it: AccessEnded.said_in); else None. Only asked once
# the actor has no relation: they are told 403 with those words where anyone else is told "not
# found", so nobody who never had access learns whether the record exists.
EndedRelation = Callable[[Session, Actor, int], "AccessEnded | None"]
_ENDED_RELATIONS: list[EndedRelation] = []


def register_ended_relation(check: EndedRelation) -> None:
    if check not in _ENDED_RELATIONS:
        _ENDED_RELATIONS.append(check)


def _refusal(session: Session, actor: Actor, learner_id: int) -> PermissionDenied | NotFound:
    """What the actor, who has no relation to the learner, is told: why their access ended if it
    has, else NotFound (ids are not confirmed to strangers)."""
    for check in _ENDED_RELATIONS:
        ended = check(session, actor, learner_id)
        if ended is not None:
            return ended
    return NotFound("No such portfolio, or it is not one you may see.")


def relation(session: Session, actor: Actor, learner_id: int) -> set[str]:
    """How ``actor`` stands to ``learner_id``: {"self", "assessor", "iqa", "eqa"} or empty."""
    return _relation(session, actor, learner_id)[0]


def _relation(
    session: Session, actor: Actor, learner_id: int
) -> tuple[set[str], dict[int, date | None]]:
    """The relation, and the withdrawal date (or None) of each registration the actor assesses,
    by framework id: read in the one select."""
    found: set[str] = set()
    assessed: dict[int, date | None] = {}
    if actor.id == learner_id and actor.has("learner"):
        found.add("self")
    if actor.has("assessor") or actor.has("iqa"):
        rows = session.exec(
            select(
                col(Registration.assessor_id),
                col(Registration.iqa_id),
                col(Registration.framework_id),
                col(Registration.withdrawn_at),
            ).where(
                Registration.learner_id == learner_id,
                or_(
                    col(Registration.assessor_id) == actor.id, col(Registration.iqa_id) == actor.id
                ),
            )
        ).all()
        for assessor_id, iqa_id, framework_id, withdrawn_at in rows:
            if assessor_id == actor.id and actor.has("assessor"):
                found.add("assessor")
                assessed[framework_id] = withdrawn_at
            if iqa_id == actor.id and actor.has("iqa"):
                found.add("iqa")
    for check in _EXTRA_RELATIONS:
        extra = check(session, actor, learner_id)
        if extra:
            found.add(extra)
    return found, assessed


def staff_scope(actor: Actor) -> Any:
    """The registrations the actor works on in a role they hold now, as a clause on
    :class:`Registration`: assessed while an assessor, quality-assured while an IQA (no role,
    none); ``None`` for an administrator (all). Allocated once, a person who has since lost the
    role reaches no one through it, as with :func:`relation`."""
    if actor.has("admin"):
        return None
    mine = [
        column == actor.id
        for role, column in (
            ("assessor", col(Registration.assessor_id)),
            ("iqa", col(Registration.iqa_id)),
        )
        if actor.has(role)
    ]
    return or_(*mine) if mine else false()


def require_view(session: Session, actor: Actor, learner_id: int) -> set[str]:
    """The actor may read this learner's portfolio, or NotFound (ids are not confirmed to
    strangers); PermissionDenied saying when it ended to one whose access has ended."""
    rel = relation(session, actor, learner_id)
    if not rel:
        raise _refusal(session, actor, learner_id)
    return rel


def require_assessor(session: Session, actor: Actor, learner_id: int) -> dict[int, date | None]:
    """The actor assesses the learner; strangers get NotFound (ids are not confirmed to them).
    Returns the withdrawal date (or None) of each registration they assess, by framework id."""
    rel, assessed = _relation(session, actor, learner_id)
    if not rel:
        raise _refusal(session, actor, learner_id)
    if "assessor" not in rel:
        raise PermissionDenied("Only the learner's allocated assessor may do this.")
    return assessed


def assessors_of(session: Session, learner_id: int, *, deciding: bool = False) -> set[int]:
    """The allocated assessors of the learner's registrations who may still act as such: they
    hold the assessor role and have not been removed. Allocated once, a person who has since
    lost the role (or left) hears no more of the learner, as :func:`relation` shows them
    nothing more. With ``deciding``, only those of registrations the learner has not withdrawn
    from: the others decide nothing until it is reinstated."""
    active = [col(Registration.withdrawn_at).is_(None)] if deciding else []
    rows = session.exec(
        select(Person.id, Person.roles)
        .join(Registration, col(Registration.assessor_id) == Person.id)
        .where(Registration.learner_id == learner_id, col(Person.removed_at).is_(None), *active)
    ).all()
    return {pid for pid, roles in rows if pid is not None and "assessor" in roles_of(roles)}
