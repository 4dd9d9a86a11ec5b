"""An assessor's or IQA's own learners, a keyset page at a time, each registration with where it
stands: what the caseload page shows of it (criteria met of all, claims awaiting a decision, RAG
while the learner is still learning; completed, withdrawn, on a break or ended by the learner's
erasure), for the API (``GET /api/v1/caseload``).

Who may read it is checked here (:func:`portfolio.services.registration_rows.caseload_roles`, which
the caseload page's figures check too): the person themselves, as assessor and/or IQA, never
anyone else's. The page is read by keyset (:func:`portfolio.services.registration_rows.caseload_after`:
one statement of ``limit + 1`` registrations, one for their standards), and its registrations'
figures are worked out now from what is committed
(:func:`mappings.assessment.standing.load_standings`, counts only: a fixed number of statements
for the whole page), not read from the stored summaries: an answer never lacks a learner whose
summary is not stored yet, nor gives an earlier day's figures, and reading writes nothing. So the
statements of a page do not grow with the number of learners nor with their history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mappings.assessment.progress import Rag, whole_percent
from mappings.assessment.standing import load_standings
from portfolio.services.people import Actor
from portfolio.services.registration_rows import RegistrationRow, caseload_after
from portfolio.services.registration_standards import CENTRE

Position = tuple[tuple[str, int], int]  # the learner's name and id, and the registration's id


@dataclass(frozen=True)
class CaseloadEntry:
    """One registration of the caseload, with the holder's part in it and where it stands."""

    registration: RegistrationRow
    roles: tuple[str, ...]  # "assessor", "iqa" (or both): what the holder is to this learner
    met: int
    total: int
    percent: int
    awaiting_claims: int
    rag: Rag | None  # None once completed, withdrawn or ended (the page says so instead)


def entries_after(
    session: Session,
    *,
    actor: Actor,
    role: str | None = None,
    after: Position | None,
    limit: int,
    today: date | None = None,
    zone: ZoneInfo = CENTRE,
) -> tuple[list[CaseloadEntry], Position | None]:
    """Up to ``limit`` of the registrations ``actor`` is allocated as assessor or IQA (with
    ``role``, as that one only), by learner's name, past ``after``; and the position of the last
    of them while more follow (None at the end). PermissionDenied for a person who is neither
    (or not the ``role`` asked for): nobody reads another's caseload."""
    rows, last = caseload_after(
        session, actor=actor, role=role, after=after, limit=limit, zone=zone
    )
    standings = {
        s.registration.id: s
        for s in load_standings(session, [r.id for r in rows], today or date.today(), detail=False)
    }
    entries = []
    for row in rows:
        standing = standings[row.id]
        learning = row.state in ("active", "on a break")
        entries.append(
            CaseloadEntry(
                registration=row,
                roles=tuple(
                    r
                    for r, holder in (("assessor", row.assessor_id), ("iqa", row.iqa_id))
                    if holder == actor.id and actor.has(r) and role in (None, r)
                ),
                met=standing.met,
                total=standing.total,
                percent=whole_percent(standing.met, standing.total),
                awaiting_claims=standing.awaiting_claims,
                rag=standing.rag if learning else None,
            )
        )
    return entries, last
