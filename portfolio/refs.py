"""Typed references to records. A reference is a value; its text ("E12v3") is only for display."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class EvidenceRef:
    """One version of one piece of evidence: ``EvidenceRef(12, 3)`` reads ``E12v3``.

    Ordered by evidence id, then version number. The text is what people see (and what the
    evidence set hash of a sign-off is computed over); code never reads a reference back from it.
    """

    evidence_id: int
    version: int

    def __str__(self) -> str:
        return f"E{self.evidence_id}v{self.version}"
