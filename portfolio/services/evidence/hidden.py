"""What others see of what is not yet submitted: a version not declared is its author's alone
(:func:`is_private`: others see that it exists, not its text), and an assessor's record about a
learner never submitted is not even shown to that learner (:func:`hidden_from`: the learner's
evidence list leaves it out, and its address answers them as another learner's evidence does)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, func, null, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

from portfolio.errors import NotFound
from portfolio.models import Attachment, Evidence, EvidenceVersion
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


def files_shown() -> Any:
    """How many files an evidence list shows of each item (an expression on ``Evidence``, the
    reader bound as ``reader``): those of the newest version the reader may read. A draft is its
    author's alone, so others count what was last submitted, as the item's page shows it; of a
    draft never submitted, nothing (NULL)."""
    newest = aliased(EvidenceVersion)
    readable = (
        sa_select(func.max(col(newest.number)))
        .where(
            col(newest.evidence_id) == Evidence.id,
            or_(
                col(newest.declared_at).is_not(None),
                col(Evidence.created_by) == bindparam("reader"),
            ),
        )
        .correlate(Evidence)
        .scalar_subquery()
    )
    counted = (
        sa_select(func.count(col(Attachment.id)))
        .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
        .where(
            col(EvidenceVersion.evidence_id) == Evidence.id,
            col(EvidenceVersion.number) == readable,
        )
        .scalar_subquery()
    )
    return case((readable.is_(None), null()), else_=counted)
