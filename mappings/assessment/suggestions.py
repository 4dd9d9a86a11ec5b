"""The suggestion engine fed from the database: criteria of loaded frameworks, past decisions as examples.

One engine per set of framework versions (ids and content hashes), cached in the process. A cached
engine is never changed: decisions made since it was built are added with
:meth:`~mappings.engine.suggest.SuggestionEngine.with_examples`, which returns a new engine, and the
new one replaces the old reference (a request still holding the old one finishes with it). The lock
only guards the swap of references, never a database query: a thread that finds another bringing
the same engine up to date uses the older engine meanwhile, and only waits when there is none yet.
Each process warms the engines its learners need at start, in a background thread
(:func:`start_warming`), so no page pays for building one.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.decided import Learnt, decided_examples
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.semantic import CriterionMeaning, criterion_embeddings
from mappings.engine.suggest import (
    CriterionDoc,
    Suggestion,
    SuggestionEngine,
)
from mappings.engine.vocabulary import Vocabulary
from portfolio.models import (
    Criterion,
    Framework,
    Registration,
    RegistrationStandard,
    Standard,
)

log = logging.getLogger(__name__)

FrameworkKey = tuple[tuple[int, str], ...]  # ((framework id, content hash), ...) by id


@dataclass(frozen=True)
class Warm:
    """An engine and the decisions it has learnt from (never changed: replaced)."""

    engine: SuggestionEngine
    learnt: Learnt

    @property
    def seen(self) -> int:
        """The newest decision id it has learnt."""
        return self.learnt.newest


_lock = threading.Lock()  # guards _cache and _busy, and is never held across a query
_cache: dict[FrameworkKey, Warm] = {}
_busy: dict[FrameworkKey, threading.Event] = {}  # engines being built or brought up to date


_forks_forget: list[bool] = []


def _forget_busy() -> None:
    """In a forked child (an RQ job, say) no thread of the parent runs: nothing is being built."""
    global _lock
    _lock = threading.Lock()
    _busy.clear()


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


_vectors_lock = threading.Lock()
_vectors: dict[tuple[str, ...], CriterionMeaning] = {}  # criteria's meaning per set of versions


@functools.cache
def shared_encoder() -> MemoEncoder | None:
    """The process's encoder (None when the embedding weights are not installed)."""
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
        if vectors is None or len(vectors.vectors) != len(criteria):
            vectors = criterion_embeddings(encoder, criteria)
            with _vectors_lock:
                _vectors[key] = vectors
    return SuggestionEngine.build(criteria, glossary, None, values, vocabulary, encoder, vectors)


_FRAMEWORK_KEY = sa_select(
    col(Framework.id),
    col(Framework.content_hash),
    col(Framework.extra)["vocabulary_sha256"].as_string(),
).where(col(Framework.id).in_(bindparam("ids", expanding=True)))


def framework_key(session: Session, framework_ids: Sequence[int]) -> FrameworkKey:
    """Which versions of these frameworks an engine covers: (id, content hash) by id; the hash
    ends ``+`` and the start of the vocabulary's hash when the version has a vocabulary, so that a
    new vocabulary (which leaves the content as it was) makes a new engine."""
    ids = sorted(set(framework_ids))
    if not ids:
        return ()
    hashes: dict[int | None, str] = {}
    for fid, digest, words in session.connection().execute(_FRAMEWORK_KEY, {"ids": ids}).all():
        hashes[fid] = framework_hash(digest, words)
    return tuple((i, hashes.get(i, "")) for i in ids)


def framework_hash(digest: str, vocabulary: str | None) -> str:
    """One framework's part of a key: its content hash, and its vocabulary's when it has one."""
    return digest + ("+" + vocabulary[:12] if vocabulary else "")


def warm_engine(session: Session, framework_ids: Sequence[int]) -> Warm:
    """The cached engine over these frameworks, brought up to date with past decisions (and the
    decisions it has learnt). Building or updating runs outside the lock; the new engine
    replaces the cached one whole."""
    key = framework_key(session, framework_ids)
    ids = [i for i, _hash in key]
    while True:
        with _lock:
            current = _cache.get(key)
            running = _busy.get(key)
            if running is None:
                mine = _busy[key] = threading.Event()
        if running is not None:
            if current is not None:
                return current  # another thread is bringing it up to date: use this one meanwhile
            running.wait()  # nothing to use yet: wait for the thread building it, then look again
            continue
        try:
            if current is None:
                current = Warm(build_engine(session, ids), Learnt())
            examples, learnt = decided_examples(session, ids, current.learnt)
            fresh = current
            if examples:
                fresh = Warm(current.engine.with_examples(examples), learnt)
            elif learnt != current.learnt:  # decisions in other frameworks only
                fresh = Warm(current.engine, learnt)
            with _lock:
                _cache[key] = fresh
            return fresh
        finally:
            with _lock:
                _busy.pop(key, None)
            mine.set()


def engine_for(session: Session, framework_ids: Sequence[int]) -> SuggestionEngine:
    """A cached engine over these frameworks, brought up to date with past decisions."""
    return warm_engine(session, framework_ids).engine


def framework_sets(session: Session) -> list[list[int]]:
    """The sets of frameworks learners are registered on (each set is one engine), those of the
    most learners first."""
    rows = session.exec(
        select(Registration.learner_id, Standard.framework_id)
        .join(RegistrationStandard, col(RegistrationStandard.registration_id) == Registration.id)
        .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
        .distinct()
    ).all()
    per_learner: dict[int, set[int]] = defaultdict(set)
    for learner_id, framework_id in rows:
        per_learner[learner_id].add(framework_id)
    counts = Counter(tuple(sorted(ids)) for ids in per_learner.values())
    return [list(ids) for ids, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def warm(session_factory: Callable[[], Session], *, most: int = 8) -> int:
    """Build the engines of the ``most`` commonest sets of frameworks, with every past decision;
    how many were built. Pages and jobs then only add decisions made since."""
    with session_factory() as session:
        sets = framework_sets(session)[:most]
    for ids in sets:
        with session_factory() as session:
            warm_engine(session, ids)
    return len(sets)


def start_warming(
    session_factory: Callable[[], Session],
    *,
    every: float | None = None,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Warm this process's engines in a daemon thread (the app factory and the worker call it);
    with ``every`` (seconds), bring them up to date again and again until ``stop`` is set: the RQ
    worker's jobs run in forked children that start from the worker's engines and only add what
    is newer, and the worker stops its warming when it ends (a burst's last job done)."""

    with _lock:  # a child forked while this thread builds must not wait for it
        if not _forks_forget and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_forget_busy)
            _forks_forget.append(True)

    ended = stop or threading.Event()

    def run() -> None:
        while True:
            try:
                warm(session_factory)
            except Exception:  # noqa: BLE001 - a background thread has nobody else to tell
                log.exception("warming the suggestion engines failed")
            if every is None or ended.wait(every):
                return

    thread = threading.Thread(target=run, name="suggestions-warm", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class SuggestedCriterion:
    criterion_id: int
    standard: str
    code: str
    text: str
    score: float
    strong: bool
    because: tuple[str, ...]
    learned: str = ""  # a sentence accepted for this criterion before that this evidence echoes


def restricted(
    ranking: Iterable[Suggestion],
    learner_standards: dict[tuple[str, str], tuple[int, str]],
    top: int,
) -> list[SuggestedCriterion]:
    """The first ``top`` of a ranking that are criteria of the learner's standards."""
    out: list[SuggestedCriterion] = []
    for s in ranking:
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
                learned=s.learned,
            )
        )
        if len(out) >= top:
            break
    return out


def plain(ranking: Iterable[Suggestion]) -> list[dict[str, Any]]:
    """A ranking as plain data to store."""
    return [
        {
            "standard": s.standard,
            "code": s.criterion,
            "score": float(s.score),
            "strong": bool(s.strong),
            "because": list(s.because),
            "learned": s.learned,
        }
        for s in ranking
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
                learned=seen.learned or str(r.get("learned", "")),
            )
    return sorted(best.values(), key=lambda s: (-s.score, s.standard, s.code))[:top]


def reset_cache() -> None:
    """Forget this process's engines (tests)."""
    with _lock:
        _cache.clear()
