"""What others see of what is not yet submitted: a version not declared is its author's alone
(:func:`is_private`: others see that it exists, not its text), and an assessor's record about a
learner never submitted is not even shown to that learner (:func:`hidden_from`: the learner's
evidence list leaves it out, and its address answers them as another learner's evidence does)."""

from __future__ import annotations

from portfolio.errors import NotFound
from portfolio.models import Evidence, EvidenceVersion
from portfolio.services.people import Actor


def hidden_from(item: Evidence, actor: Actor) -> bool:
    """An item someone else wrote about the learner (an assessor's observation record or
    professional discussion) and never submitted is not the learner's to read until it is: the
    evidence list leaves it out for them, and its address answers them as another learner's
    evidence does. Its author and the staff who read the portfolio still see that it exists."""
    return (
        actor.id == item.learner_id
        and item.created_by != item.learner_id
        and item.submitted_at is None
    )


def require_shown(item: Evidence, actor: Actor, what: str = "No such evidence.") -> None:
    """NotFound (saying ``what``) for an item :func:`hidden_from` the actor."""
    if hidden_from(item, actor):
        raise NotFound(what)


def is_private(item: Evidence, version: EvidenceVersion, actor: Actor) -> bool:
    """A version not yet submitted is its author's alone: others see that it exists (title,
    "Draft", dates), not its text, fields or files."""
    return version.declared_at is None and item.created_by != actor.id
