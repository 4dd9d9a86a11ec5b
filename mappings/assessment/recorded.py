"""Versions recorded at another centre: who its bundle says wrote them, as text, nobody here.

A bundle's version written by someone other than its learner (an assessor's observation record,
say), when no trusted key vouches for that person, is kept in the learner's portfolio with its
author as the bundle states it: a :class:`~mappings.assessment.models.ReceivedRecord` of kind
``authorship`` about ``version N`` of the item. Every page and document that names a version's
author names this text instead of the learner (:attr:`RecordedElsewhere.words`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from mappings.assessment.models import ReceivedRecord
from portfolio.models import Evidence

AUTHORSHIP = "authorship"
_VERSION = "version "


def version_subject(number: int) -> str:
    """The subject of the authorship record of version ``number``: "version 2"."""
    return f"{_VERSION}{number}"


def version_of(subject: str) -> int | None:
    """The version number an authorship record is about (None when it names none)."""
    number = subject.removeprefix(_VERSION)
    return int(number) if subject.startswith(_VERSION) and number.isdigit() else None


@dataclass(frozen=True)
class RecordedElsewhere:
    """Who wrote a version at the centre that sent it, as its bundle states: text only."""

    name: str
    email: str
    centre: str

    @property
    def who(self) -> str:
        """ "Assessor 2 <a2@example.org>"."""
        said = " ".join(filter(None, (self.name, f"<{self.email}>" if self.email else "")))
        return said or "someone its bundle does not name"

    @property
    def where(self) -> str:
        return self.centre or "the centre that sent it"

    @property
    def words(self) -> str:
        """ "recorded at Northfield by Assessor 2 <a2@…>, as the bundle it came in states"."""
        return f"recorded at {self.where} by {self.who}, as the bundle it came in states"

    @property
    def author(self) -> str:
        """An author's name for a feed: "Assessor 2, recorded at Northfield"."""
        return f"{self.name or self.email or 'Unnamed'}, recorded at {self.where}"


def of_record(record: ReceivedRecord) -> RecordedElsewhere:
    return RecordedElsewhere(name=record.by_name, email=record.by_email, centre=record.centre)


def authorship_of(evidence_id: Any, number: Any) -> ColumnElement[bool]:
    """The join condition of a version (its item's id and number, as columns) to its authorship
    record, for a query that reads them together (an outer join: most versions have none)."""
    return and_(
        col(ReceivedRecord.evidence_id) == evidence_id,
        col(ReceivedRecord.kind) == AUTHORSHIP,
        col(ReceivedRecord.subject) == literal(_VERSION) + cast(number, String),
    )


def recorded_elsewhere(
    session: Session, evidence_ids: Iterable[int]
) -> dict[tuple[int, int], RecordedElsewhere]:
    """(evidence id, version number) -> who wrote it at another centre, for the versions of these
    items a bundle said were written by someone other than their learner."""
    ids = sorted(set(evidence_ids))
    if not ids:
        return {}
    found: dict[tuple[int, int], RecordedElsewhere] = {}
    for r in session.exec(
        select(ReceivedRecord).where(
            ReceivedRecord.kind == AUTHORSHIP, col(ReceivedRecord.evidence_id).in_(ids)
        )
    ):
        number = version_of(r.subject)
        if number is not None and r.evidence_id is not None:
            found[(r.evidence_id, number)] = of_record(r)
    return found


def written_elsewhere(session: Session, item: Evidence) -> str | None:
    """Why the learner may not change an item a bundle says someone else wrote at the centre
    that sent it (an assessor's observation record): stored with the learner as its author, as
    nobody here wrote it, it is still not their work to edit or declare their own (None when no
    version of it was recorded elsewhere)."""
    found = session.exec(
        select(ReceivedRecord)
        .where(ReceivedRecord.kind == AUTHORSHIP, ReceivedRecord.evidence_id == item.id)
        .order_by(col(ReceivedRecord.id))
        .limit(1)
    ).first()
    return None if found is None else read_only_words(of_record(found).words)


def read_only_words(recorded: str) -> str:
    """What the learner is told of an item ``recorded`` ("recorded at Northfield by ...") by
    someone else at the centre that sent it."""
    return (
        f"This evidence was {recorded}: it is their record, not yours, so it "
        "cannot be changed here or submitted again under your declaration."
    )
