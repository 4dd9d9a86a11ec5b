"""Where a claim came from: whether the suggestion engine had suggested its criterion.

When a learner or an assessor maps evidence to a criterion, the claim records whether the
criterion was among the suggestions the page showed for the version mapped: the engine's version
that stored them, the score and whether the suggestion was strong. It is read from the stored
suggestions on the server (:class:`~mappings.assessment.models.VersionSuggestions`), never from
the form, and only when they were made for the version's present text (the page shows none
otherwise). An auditor can then tell a claim the assessor took from the machine from one they
made themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, VersionSuggestions
from portfolio.models import Attachment, AttachmentReading, Evidence, EvidenceVersion
from portfolio.services import evidence
from portfolio.services.people import Actor

FINISHED = ("done", "truncated")  # readings whose text the engine reads
SHOWN = 10  # suggestions the evidence page shows, best first


def basis(version_sha256: str, read: Iterable[int], criteria: Iterable[int]) -> str:
    """What a version's suggestions rest on besides the engine: the version's hash (its text and
    files), the attachments whose text was read, and the learner's criteria."""
    text = "|".join(
        [
            version_sha256,
            ",".join(str(i) for i in sorted(read)),
            ",".join(str(i) for i in sorted(criteria)),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Suggested:
    """The engine's suggestion of one criterion, as stored."""

    engine: str
    score: float
    strong: bool


def shown(
    session: Session, version: EvidenceVersion, criterion_ids: Sequence[int], top: int = SHOWN
) -> dict[int, Suggested]:
    """The criteria the evidence page suggests for ``version`` (``criterion_ids``: the learner's),
    by criterion id: its stored suggestions when they were made for its present text."""
    row = session.exec(
        select(VersionSuggestions).where(col(VersionSuggestions.version_id) == version.id)
    ).first()
    if row is None:
        return {}
    read = session.exec(
        select(Attachment.id)
        .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
        .where(
            col(Attachment.version_id) == version.id, col(AttachmentReading.status).in_(FINISHED)
        )
    ).all()
    if row.basis != basis(version.sha256, [a or 0 for a in read], criterion_ids):
        return {}  # made for other text: the page shows none
    wanted = set(criterion_ids)
    found: dict[int, Suggested] = {}
    for s in row.suggestions:
        if int(s["criterion_id"]) in wanted:
            found[int(s["criterion_id"])] = Suggested(
                row.engine_version, float(s["score"]), bool(s["strong"])
            )
            if len(found) >= top:
                break
    return found


def mapped_version(session: Session, item: Evidence, actor: Actor) -> EvidenceVersion:
    """The version whose page ``actor`` maps from: the current one, or the newest submitted when
    the current one is a draft that is not theirs (its author's alone)."""
    version = evidence.current_version(session, item)
    if version.declared_at is None and item.created_by != actor.id:
        return evidence.latest_submitted(session, item) or version
    return version


def record(
    session: Session,
    *,
    item: Evidence,
    actor: Actor,
    claims: Sequence[Claim],
    criterion_ids: Sequence[int],
) -> None:
    """Mark each of the new ``claims`` the engine had suggested for the version mapped."""
    if not claims:
        return
    found = shown(session, mapped_version(session, item, actor), criterion_ids)
    for claim in claims:
        s = found.get(claim.criterion_id)
        if s is not None:
            claim.suggested_engine = s.engine
            claim.suggested_score = round(s.score, 6)
            claim.suggested_strong = s.strong


def words(engine: str | None, strong: bool | None) -> str:
    """Where a claim came from, for assessors and quality assurers ("" when not suggested)."""
    if engine is None:
        return ""
    return "Suggested by the engine (strong)" if strong else "Suggested by the engine (weak)"
