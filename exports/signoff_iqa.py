"""The IQA section of a sign-off record: filled from IQA sampling (:func:`sampled_iqa`, the
default of :func:`exports.signoff_view.signoff_views`), or blanks to sign for a record nobody
sampled."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session

from exports.signoff import IqaSection
from mappings.assessment.models import SignOff
from mappings.quality.cycles import aware
from mappings.quality.records import SignoffSampling, signoff_sampling
from mappings.quality.words import record_words, sample_kind_phrase

# how the IQA sections of records are found (sampled_iqa, or a test's own)
IqaLookup = Callable[[Session, Sequence[SignOff]], dict[int, IqaSection]]


def sampled_iqa(session: Session, records: Sequence[SignOff]) -> dict[int, IqaSection]:
    """The IQA section of each sampled record: the review when made, else who samples it."""
    found = signoff_sampling(session, [r.id or 0 for r in records])
    return {signoff_id: _iqa_section(s) for signoff_id, s in found.items()}


def _iqa_section(s: SignoffSampling) -> IqaSection:
    where = f"Sampled ({sample_kind_phrase(s.kind)}) in the IQA cycle “{s.cycle}”."
    if not s.reviewed:
        return IqaSection(sampled=True, decision="Review not yet made", comments=where)
    decision = record_words(s.outcome)  # as the IQA's pages say it: "Disagreed"
    if s.actions:
        decision += f": {s.actions} action{'s' if s.actions != 1 else ''} set for the assessor"
    if s.reopened:
        decision += "; the sign-off was reopened"
    return IqaSection(
        sampled=True,
        decision=decision,
        name=s.reviewer_name,
        decided_at=aware(s.reviewed_at) if s.reviewed_at else None,
        comments=" ".join(part for part in (where, s.feedback) if part),
    )
