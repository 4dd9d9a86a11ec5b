"""The suggestion engine fed from the database: criteria of loaded frameworks, past decisions as examples.

Engines are cached per set of framework versions; decisions made since the engine was built are
added as examples on the next request (instantly: the engine learns without retraining).
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.suggest import (
    CriterionDoc,
    Example,
    Suggestion,
    SuggestionEngine,
    criterion_embeddings,
)
from mappings.engine.vocabulary import Vocabulary
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Criterion,
    Evidence,
    EvidenceVersion,
    Framework,
    Standard,
)

_lock = threading.Lock()
_cache: dict[tuple[tuple[int, str], ...], tuple[SuggestionEngine, int]] = {}


def criteria_docs(session: Session, framework_ids: Sequence[int]) -> list[CriterionDoc]:
    rows = session.exec(
        select(Criterion, Standard)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(col(Standard.framework_id).in_(framework_ids))
        .order_by(col(Standard.framework_id), col(Standard.position), col(Criterion.position))
    ).all()
    return [
        CriterionDoc(
            standard=s.code,
            code=c.code,
            kind=c.kind,
            text=c.text,
            standard_title=s.title,
            standard_overview=s.overview,
        )
        for c, s in rows
    ]


def evidence_text(body: str, attachment_texts: Iterable[str] = ()) -> str:
    """What the engine reads of a piece of evidence: its body, then the text of its attachments."""
    parts = [body.strip(), *(t.strip() for t in attachment_texts)]
    return "\n\n".join(p for p in parts if p)


_vectors_lock = threading.Lock()
_vectors: dict[tuple[str, ...], np.ndarray] = {}  # criterion embeddings per set of versions


def shared_encoder() -> MemoEncoder | None:
    """The process's encoder (None when the embedding weights are not installed)."""
    return _memo_encoder()


@functools.cache
def _memo_encoder() -> MemoEncoder | None:
    encoder = load_encoder()
    return MemoEncoder(encoder) if encoder is not None else None


def build_engine(session: Session, framework_ids: Sequence[int]) -> SuggestionEngine:
    """A new engine over these frameworks' criteria, glossaries, statements of values and
    vocabularies, reading meaning when the embedding weights are installed. The criteria's
    embeddings are computed once per set of framework versions (by content) in a process."""
    frameworks = session.exec(
        select(Framework).where(col(Framework.id).in_(framework_ids)).order_by(col(Framework.id))
    ).all()
    glossary = [
        (str(g["term"]), str(g["definition"]))
        for fw in frameworks
        for g in (fw.extra or {}).get("glossary", [])
    ]
    values = [str(v) for fw in frameworks for v in (fw.extra or {}).get("values", [])]
    vocabulary = Vocabulary.parse(
        "\n".join(str((fw.extra or {}).get("vocabulary", "")) for fw in frameworks)
    )
    criteria = criteria_docs(session, framework_ids)
    encoder = shared_encoder()
    vectors = None
    if encoder is not None:
        key = tuple(fw.content_hash for fw in frameworks)
        with _vectors_lock:
            vectors = _vectors.get(key)
        if vectors is None or len(vectors) != len(criteria):
            vectors = criterion_embeddings(encoder, criteria)
            with _vectors_lock:
                _vectors[key] = vectors
    return SuggestionEngine.build(criteria, glossary, None, values, vocabulary, encoder, vectors)


def decided_examples(
    session: Session, framework_ids: Sequence[int], after_decision: int = 0
) -> tuple[list[Example], int]:
    """Claims decided (accepted or referred) in these frameworks, as examples; and the newest
    decision id seen, so later calls only add what is new."""
    newest = session.exec(select(func.max(Decision.id))).one() or 0
    if newest <= after_decision:
        return [], after_decision
    changed = (
        select(Decision.claim_id).where(col(Decision.id) > after_decision).distinct().subquery()
    )
    rows = session.execute(
        sa_select(Claim, Evidence, EvidenceVersion, col(Criterion.code), col(Standard.code))
        .join(changed, changed.c.claim_id == Claim.id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(
            EvidenceVersion,
            (col(EvidenceVersion.evidence_id) == Evidence.id)
            & (col(EvidenceVersion.number) == Evidence.current_version),
        )
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(col(Standard.framework_id).in_(framework_ids), col(Claim.status) != "claimed")
    ).all()
    attached: dict[int, list[str]] = defaultdict(list)
    version_ids = sorted({version.id for _c, _i, version, _cc, _sc in rows})
    if version_ids:
        for version_id, text in session.exec(
            select(Attachment.version_id, AttachmentReading.text)
            .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
            .where(col(Attachment.version_id).in_(version_ids))
            .order_by(col(Attachment.id))
        ).all():
            attached[version_id].append(text)
    examples = [
        Example(
            kind=item.kind,
            title=version.title,
            text=evidence_text(version.body, attached[version.id or 0]),
            standard=std_code,
            code=crit_code,
            accepted=claim.status == "accepted",
        )
        for claim, item, version, crit_code, std_code in rows
    ]
    return examples, newest


def engine_for(session: Session, framework_ids: Sequence[int]) -> SuggestionEngine:
    """A cached engine over these frameworks, brought up to date with past decisions."""
    ids = sorted(set(framework_ids))
    hashes = dict(
        session.exec(
            select(Framework.id, Framework.content_hash).where(col(Framework.id).in_(ids))
        ).all()
    )
    key = tuple((i, hashes.get(i, "")) for i in ids)
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            engine = build_engine(session, ids)
            seen = 0
        else:
            engine, seen = cached
        examples, newest = decided_examples(session, ids, seen)
        if examples:
            engine.add_examples(examples)
        _cache[key] = (engine, newest)
        return engine


@dataclass(frozen=True)
class SuggestedCriterion:
    criterion_id: int
    standard: str
    code: str
    text: str
    score: float
    strong: bool
    because: tuple[str, ...]


def suggest_for_learner(
    session: Session,
    *,
    learner_standards: dict[tuple[str, str], tuple[int, str]],
    framework_ids: Sequence[int],
    kind: str,
    title: str,
    text: str,
    top: int = 10,
) -> list[SuggestedCriterion]:
    """Ranked suggestions restricted to the learner's standards.

    ``learner_standards`` maps (standard code, criterion code) to (criterion id, text)."""
    if not framework_ids or not text.strip():
        return []
    engine = engine_for(session, framework_ids)
    ranked: list[Suggestion] = engine.suggest(kind=kind, title=title, text=text, top=10_000)
    out: list[SuggestedCriterion] = []
    for s in ranked:
        found = learner_standards.get((s.standard, s.criterion))
        if found is None:
            continue
        out.append(
            SuggestedCriterion(
                criterion_id=found[0],
                standard=s.standard,
                code=s.criterion,
                text=found[1],
                score=s.score,
                strong=s.strong,
                because=s.because,
            )
        )
        if len(out) >= top:
            break
    return out


def ranked(
    session: Session, *, framework_ids: Sequence[int], kind: str, title: str, text: str, keep: int
) -> list[dict[str, Any]]:
    """The best ``keep`` criteria of these frameworks for a text, as plain data to store (an
    attachment's suggestions, computed once by its reading)."""
    if not framework_ids or not text.strip():
        return []
    engine = engine_for(session, framework_ids)
    return [
        {
            "standard": s.standard,
            "code": s.criterion,
            "score": float(s.score),
            "strong": bool(s.strong),
            "because": list(s.because),
        }
        for s in engine.suggest(kind=kind, title=title, text=text, top=keep)
    ]


def merged(
    live: Sequence[SuggestedCriterion],
    stored: Iterable[Sequence[dict[str, Any]]],
    learner_standards: dict[tuple[str, str], tuple[int, str]],
    top: int = 10,
) -> list[SuggestedCriterion]:
    """One ranking from the suggestions of an item's own text (``live``) and those stored for each
    of its attachments: a criterion scores its best, is strong if any part makes it strong, and
    quotes the sentences of every part that suggests it."""
    best: dict[int, SuggestedCriterion] = {s.criterion_id: s for s in live}
    for ranking in stored:
        for r in ranking:
            found = learner_standards.get((str(r["standard"]), str(r["code"])))
            if found is None:
                continue
            seen = best.get(found[0])
            because = tuple(str(b) for b in r.get("because", ()))
            if seen is None:
                seen = SuggestedCriterion(
                    found[0], str(r["standard"]), str(r["code"]), found[1], 0.0, False, ()
                )
            best[found[0]] = SuggestedCriterion(
                criterion_id=found[0],
                standard=seen.standard,
                code=seen.code,
                text=seen.text,
                score=max(seen.score, float(r["score"])),
                strong=seen.strong or bool(r["strong"]),
                because=tuple(dict.fromkeys(seen.because + because))[:3],
            )
    return sorted(best.values(), key=lambda s: (-s.score, s.standard, s.code))[:top]


def reset_cache() -> None:
    with _lock:
        _cache.clear()
