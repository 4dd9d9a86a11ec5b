"""The evidence set behind a standard: the versions whose accepted claims meet its criteria, and
the one hash that names that set (printed on records and kept on declarations)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlmodel import Session, col, select

from mappings.assessment.standing import Standing
from portfolio.models import EvidenceVersion
from portfolio.refs import EvidenceRef


def evidence_set_hash(items: Iterable[tuple[EvidenceRef, str]]) -> str:
    """SHA-256 over the sorted, de-duplicated (evidence version, content SHA-256) pairs.

    The pairs are hashed as canonical JSON of the references as people read them
    (``[["E1v1","ab…"],…]``, sorted as text), so no choice of reference can make two different
    sets hash alike, and a set hashes as it always has.
    """
    pairs: set[tuple[str, str]] = set()
    for ref, digest in items:
        digest = digest.strip().lower()
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError(f"not a SHA-256 hex digest for “{ref}”: “{digest}”")
        pairs.add((str(ref), digest))
    blob = json.dumps(sorted(pairs), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def basis_refs(standing: Standing, standard_code: str) -> set[EvidenceRef]:
    """The evidence versions behind the met criteria of one standard of the standing."""
    return {
        ref
        for cov in standing.coverage.criteria
        if cov.criterion.standard == standard_code and cov.state == "met"
        for ref in cov.basis
    }


def versions_of(session: Session, refs: set[EvidenceRef]) -> dict[EvidenceRef, EvidenceVersion]:
    """The stored versions named by ``refs``, in one query."""
    if not refs:
        return {}
    ids = {ref.evidence_id for ref in refs}
    versions = session.exec(
        select(EvidenceVersion).where(col(EvidenceVersion.evidence_id).in_(ids))
    ).all()
    found = {EvidenceRef(v.evidence_id, v.number): v for v in versions}
    return {ref: v for ref, v in found.items() if ref in refs}


def basis_versions(
    session: Session, standing: Standing, standard_code: str
) -> list[tuple[EvidenceRef, EvidenceVersion]]:
    """The evidence versions whose accepted claims meet the standard's criteria, in order."""
    found = versions_of(session, basis_refs(standing, standard_code))
    return sorted(found.items(), key=lambda pair: pair[0])


def hash_of(basis: Iterable[tuple[EvidenceRef, EvidenceVersion]]) -> str:
    return evidence_set_hash((ref, v.sha256) for ref, v in basis)
