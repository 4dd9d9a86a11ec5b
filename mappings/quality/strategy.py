"""The centre's sampling strategy: the planner's rates and dimensions, and which records are sampled.

One row holds it (:class:`mappings.quality.models.SamplingStrategy`); a new cycle takes a copy
(:func:`mappings.quality.cycles.create_cycle`), so changing the strategy leaves existing cycles as
they were planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from mappings.quality import sampling
from mappings.quality.models import SamplingStrategy
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.people import Actor


@dataclass(frozen=True)
class Strategy:
    """The centre's strategy: the planner's part plus which kinds of record are sampled."""

    plan: sampling.SamplingStrategy = field(default_factory=sampling.SamplingStrategy)
    interim: bool = True
    summative: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.plan.to_dict(),
            "interim": self.interim,
            "summative": self.summative,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Strategy:
        return cls(
            plan=sampling.SamplingStrategy.from_dict(data.get("strategy", {})),
            interim=bool(data.get("interim", True)),
            summative=bool(data.get("summative", True)),
        )


def _stored(session: Session) -> SamplingStrategy | None:
    return session.exec(select(SamplingStrategy).order_by(col(SamplingStrategy.id))).first()


def get_strategy(session: Session) -> Strategy:
    row = _stored(session)
    if row is None:
        return Strategy()
    return Strategy(sampling.SamplingStrategy.from_dict(row.data), row.interim, row.summative)


def save_strategy(
    session: Session,
    *,
    actor: Actor,
    rates: dict[str, float],
    interim: bool,
    summative: bool,
    dimensions: tuple[str, ...] | None = None,
    bump_on_disagreement: bool = True,
) -> Strategy:
    """Change the centre's strategy (IQAs and administrators). Existing cycles keep their copy."""
    if not (actor.has("iqa") or actor.has("admin")):
        raise PermissionDenied("Only IQAs and administrators change the sampling strategy.")
    if not (interim or summative):
        raise Invalid("Sample interim decisions, summative sign-offs, or both.")
    current = get_strategy(session)
    try:
        plan = sampling.SamplingStrategy.from_dict(
            {
                "rates": rates,
                "dimensions": list(dimensions or current.plan.dimensions),
                "bump_on_disagreement": bump_on_disagreement,
            }
        )
    except ValueError as exc:
        raise Invalid(f"The strategy is not valid: {exc}.") from exc
    row = _stored(session) or SamplingStrategy()
    row.data = plan.to_dict()
    row.interim, row.summative = interim, summative
    row.updated_at, row.updated_by = utcnow(), actor.id or None
    session.add(row)
    session.flush()
    strategy = Strategy(plan, interim, summative)
    audit.record(
        session,
        actor=actor,
        action="iqa.strategy",
        subject_type="iqa_strategy",
        subject_id=row.id,
        data=strategy.to_dict(),
    )
    return strategy
