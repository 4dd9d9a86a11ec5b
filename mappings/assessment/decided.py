"""Assessors' decisions as the suggestion engine's examples, and which decisions an engine has learnt.

Each decision is one example: the text of the version it judged, for the criterion claimed,
accepted or referred. So what the engine knows is the same whether it learnt the decisions one by
one as they were made or all at once when its process started: a claim referred on its first text
and accepted on its second teaches both, and an overturned decision on the same text cancels out.

Decision ids are handed out when a row is inserted, not when its transaction commits: on
PostgreSQL two assessors deciding at once can commit id 101 before id 100. So an engine does not
remember only the newest id it has seen, which would skip 100 for ever; it remembers
(:class:`Learnt`) that it has every decision up to a *settled* id, older than
:data:`SETTLED_AFTER` when it last looked (no transaction of the app stays open that long, so
nothing at or below it can still commit), and which ids above that it has. Each update then reads
the ids above the settled one (the last few minutes' decisions, whatever the history) and learns
those it has not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Criterion,
    Evidence,
    EvidenceVersion,
    Standard,
)
from portfolio.models.base import utcnow

if TYPE_CHECKING:
    from mappings.engine.suggest import Example

CHUNK = 1000  # ids per IN (...) list
SETTLED_AFTER = timedelta(minutes=10)  # a decision this old has committed or never will


@dataclass(frozen=True)
class Learnt:
    """The decisions an engine has learnt: every one up to id ``settled``, and ``recent`` above it."""

    settled: int = 0
    recent: frozenset[int] = frozenset()

    @property
    def newest(self) -> int:
        return max(self.recent, default=self.settled)


def evidence_text(body: str, attachment_texts: Iterable[str] = ()) -> str:
    """What the engine reads of a piece of evidence: its body, then the text of its attachments."""
    parts = [body.strip(), *(t.strip() for t in attachment_texts)]
    return "\n\n".join(p for p in parts if p)


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


_NEWEST_DECISION = sa_select(func.max(col(Decision.id)))
# the newest decision made before a time: read backwards along the key, so it costs the decisions
# made since that time, not the table
_SETTLED = (
    sa_select(col(Decision.id))
    .where(col(Decision.at) <= bindparam("before"))
    .order_by(col(Decision.id).desc())
    .limit(1)
)
_ABOVE = sa_select(col(Decision.id)).where(col(Decision.id) > bindparam("above"))


_LEARNT = "portfolio.learnt_frameworks"  # session.info: frameworks decided in, by this session


def decided_in(session: Session, framework_id: int) -> None:
    """Note that this session decided a claim in a framework: once it commits, the engine has
    more to learn there, and the suggestions of evidence awaiting a decision in it are worked out
    again in the background (:mod:`mappings.assessment.relearn`)."""
    session.info.setdefault(_LEARNT, set()).add(framework_id)


def learnt_in(session: Session) -> list[int]:
    """The frameworks this session decided in (and forget them)."""
    return sorted(session.info.pop(_LEARNT, set()))


def newest_decision(session: Session) -> int:
    """The id of the newest decision of the centre (0 without any)."""
    return int(session.connection().execute(_NEWEST_DECISION).scalar_one() or 0)


def decided_examples(
    session: Session, framework_ids: Sequence[int], learnt: Learnt | None = None
) -> tuple[list[Example], Learnt]:
    """The decisions (accepted or referred) in these frameworks not yet ``learnt``, as examples;
    and what is learnt once they are, so later calls only add what is new, including a decision
    that committed after a newer one was seen.

    Only the columns needed are selected, and the text of each evidence version is fetched once
    however many decisions judged it (a centre's thousands of decisions rest on far fewer texts);
    the examples of one version share that one string."""
    # the engine (NumPy, its model) is imported here, not with the module: deciding a claim
    # notes the framework through decided_in, and a command that never suggests must not load it
    from mappings.engine.suggest import Example

    was = learnt or Learnt()
    connection = session.connection()
    found = connection.execute(_SETTLED, {"before": utcnow() - SETTLED_AFTER}).scalar()
    settled = max(was.settled, int(found or 0))
    above = frozenset(int(i or 0) for i in connection.execute(_ABOVE, {"above": settled}).scalars())
    now = Learnt(settled, above)
    fresh = sorted(above - was.recent)
    if settled == was.settled and not fresh:
        return [], now
    # every decision up to the settled id but those learnt before, and the new ones above it
    behind = sorted(i for i in was.recent if i <= settled)
    wanted = or_(
        and_(
            col(Decision.id) > was.settled,
            col(Decision.id) <= settled,
            col(Decision.id).not_in(behind),
        ),
        col(Decision.id).in_(fresh),
    )
    rows = session.execute(_examples_query(framework_ids).where(wanted)).all()
    texts = _version_texts(session, sorted({row[0] for row in rows}))
    examples = [
        Example(
            kind=kind,
            title=texts[version_id][0],
            text=texts[version_id][1],
            standard=std_code,
            code=crit_code,
            accepted=status == "accepted",
        )
        for version_id, kind, std_code, crit_code, status in rows
    ]
    return examples, now


def _examples_query(framework_ids: Sequence[int]) -> Select[int | None, str, str, str, str]:
    """Each decision in these frameworks with the version of the evidence it judged: the newest
    submitted by the time of the decision (a draft being written is its author's until it is
    submitted; the item's current version for a decision older than every submission, as some
    loaded records are). So a decision teaches the same thing whenever it is learnt: a referral
    of the first text still counts against that text once the second one is accepted, and an
    engine brought up to date decision by decision equals one built at once."""
    judged = (
        sa_select(func.max(col(EvidenceVersion.number)))
        .where(
            col(EvidenceVersion.evidence_id) == Evidence.id,
            col(EvidenceVersion.declared_at) <= Decision.at,
        )
        .correlate(Evidence, Decision)
        .scalar_subquery()
    )
    version = aliased(EvidenceVersion)
    return (
        sa_select(
            col(version.id),
            col(Evidence.kind),
            col(Standard.code),
            col(Criterion.code),
            col(Decision.new_status),
        )
        .select_from(Decision)
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(
            version,
            (col(version.evidence_id) == Evidence.id)
            & (col(version.number) == func.coalesce(judged, Evidence.current_version)),
        )
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(
            col(Standard.framework_id).in_(framework_ids),
            col(Decision.new_status).in_(("accepted", "referred")),
        )
        .order_by(col(Decision.id))
    )


def _version_texts(session: Session, version_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(title, text the engine reads) of each version: its body, then its attachments' text."""
    attached: dict[int, list[str]] = defaultdict(list)
    found: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(version_ids):
        for version_id, text in session.exec(
            select(Attachment.version_id, AttachmentReading.text)
            .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
            .where(col(Attachment.version_id).in_(chunk))
            .order_by(col(Attachment.id))
        ).all():
            attached[version_id].append(text)
        for vid, title, body in session.exec(
            select(EvidenceVersion.id, EvidenceVersion.title, EvidenceVersion.body).where(
                col(EvidenceVersion.id).in_(chunk)
            )
        ).all():
            found[vid or 0] = (title, evidence_text(body, attached[vid or 0]))
    return found
