"""Suggestions stored per evidence version: computed in the background, read by the page.

A background job (:func:`compute`) ranks the criteria of the learner's standards for one version
(its body, and the text of each attachment whose reading has finished, merged) and stores the
result as plain data in :class:`~mappings.assessment.models.VersionSuggestions`, with what it was
computed from: the engine's version (:data:`~mappings.engine.suggest.ENGINE_VERSION`), the
frameworks (id and content hash), the newest decision the engine had learnt and a ``basis`` (the
version's hash, the finished readings and the learner's criteria). The evidence page reads that
row (:func:`for_page`, two statements whatever the centre's history) and never runs the engine:
when the row is missing or out of date it shows what is stored, and the delivery layer queues the
job again.

Jobs are queued when a version is saved or submitted, after each attachment's reading, by the page
that finds its suggestions out of date, for evidence awaiting a decision once its framework has
learnt from new decisions (:mod:`mappings.assessment.relearn`) and by ``portfolio worker --pending``. They run where the
readings run: in the process's background thread (:func:`start_thread`, the default), on RQ
(:func:`enqueue_rq`, with ``PORTFOLIO_REDIS_URL``) or directly (:func:`compute_all`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mappings.assessment import background
from mappings.assessment.claims import Claimable, claimable_criteria
from mappings.assessment.decided import newest_decision
from mappings.assessment.models import Claim, Decision, VersionSuggestions
from mappings.assessment.page_frameworks import PageFrameworks, page_frameworks
from mappings.assessment.queued import enqueue_once, release
from mappings.assessment.queued import (
    pending_key as pending_key,  # its callers and tests name it here
)
from mappings.assessment.suggested import FINISHED, basis
from mappings.assessment.suggestions import (
    FrameworkKey,
    SuggestedCriterion,
    framework_key,
    merged,
    plain,
    restricted,
    warm_engine,
)
from mappings.engine.suggest import ENGINE_VERSION, SuggestionEngine
from portfolio.db import run_unit
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Criterion,
    Evidence,
    EvidenceVersion,
    Standard,
)
from portfolio.models.base import utcnow

log = logging.getLogger(__name__)

QUEUE = "portfolio-suggestions"
KEEP = 20  # criteria stored per version, best first (the page shows ten)
# Newer decisions make stored suggestions stale once these are this old: a busy centre decides
# every few seconds, and every page would otherwise be worked out again after each decision.
SETTLE = timedelta(minutes=1)

SessionFactory = Callable[[], Session]


def freshness(
    row: VersionSuggestions | None,
    *,
    key: FrameworkKey,
    basis: str,
    newest: int,
    settle: timedelta | None = None,
) -> str:
    """``missing``, ``stale`` (another engine version, other frameworks or text, or decisions
    made since they were computed at least ``settle`` ago, :data:`SETTLE` by default) or
    ``fresh``."""
    if row is None:
        return "missing"
    if not _same_input(row, key, basis):
        return "stale"
    if row.decision_id < newest and row.computed_at <= utcnow() - (
        SETTLE if settle is None else settle
    ):
        return "stale"
    return "fresh"


def _same_input(row: VersionSuggestions, key: FrameworkKey, basis: str) -> bool:
    return (
        row.engine_version == ENGINE_VERSION
        and row.frameworks == [list(pair) for pair in key]
        and row.basis == basis
    )


_ROW = select(VersionSuggestions).where(
    col(VersionSuggestions.version_id) == bindparam("version_id")
)


def _row(session: Session, version_id: int) -> VersionSuggestions | None:
    return session.exec(_ROW, params={"version_id": version_id}).first()


# ------------------------------------------------------------------ reading (the page)
@dataclass(frozen=True)
class StoredView:
    """What the page shows: the stored suggestions (best first) and whether they are current
    (``fresh``), out of date (``stale``: shown while worked out again) or not there (``missing``)."""

    suggestions: list[SuggestedCriterion]
    state: str


def for_page(
    session: Session,
    *,
    version: EvidenceVersion,
    criteria: Sequence[Claimable],
    readings: dict[int, AttachmentReading],
    frameworks: PageFrameworks | None = None,
    top: int = 10,
) -> StoredView:
    """The stored suggestions of ``version`` for its page, in two statements (one when the page
    has read its ``frameworks`` already); ``readings`` are those of its attachments, by
    attachment id (the page has them already)."""
    if not criteria:
        return StoredView([], "fresh")  # nothing to suggest: the learner has no standards
    row = _row(session, version.id or 0)
    found = frameworks or page_frameworks(session, [c.framework_id for c in criteria])
    key, newest = found.key, found.newest
    read = [a for a, r in readings.items() if r.status in FINISHED]
    now_basis = basis(version.sha256, read, [c.criterion_id for c in criteria])
    state = freshness(row, key=key, basis=now_basis, newest=newest)
    if row is None or row.basis != now_basis:
        # made for other text: its quotes may hold words no longer there (personal data the
        # learner replaced, say), so nothing is shown until they are worked out again
        return StoredView([], "missing")
    by_id = {c.criterion_id: c for c in criteria}
    shown: list[SuggestedCriterion] = []
    for s in row.suggestions:
        c = by_id.get(int(s["criterion_id"]))
        if c is None:
            continue
        shown.append(
            SuggestedCriterion(
                criterion_id=c.criterion_id,
                standard=c.standard_code,
                code=c.code,
                text=c.text,
                score=float(s["score"]),
                strong=bool(s["strong"]),
                because=tuple(str(b) for b in s.get("because", ())),
                learned=str(s.get("learned", "")),
            )
        )
        if len(shown) >= top:
            break
    return StoredView(shown, state)


# ------------------------------------------------------------------ computing (the job)
def ranking(
    engine: SuggestionEngine,
    *,
    kind: str,
    title: str,
    body: str,
    attached: Sequence[str],
    criteria: Sequence[Claimable],
    top: int = KEEP,
) -> list[SuggestedCriterion]:
    """The learner's criteria for a version: its body's ranking merged with each attachment's
    (a criterion scores its best, is strong if any part makes it strong, quotes every part)."""
    learner_standards = {(c.standard_code, c.code): (c.criterion_id, c.text) for c in criteria}
    live = (
        restricted(
            engine.suggest(kind=kind, title=title, text=body, top=10_000), learner_standards, top
        )
        if body.strip()
        else []
    )
    parts = [
        plain(engine.suggest(kind=kind, title=title, text=text, top=10_000))
        for text in attached
        if text.strip()
    ]
    return merged(live, parts, learner_standards, top=top) if parts else live


def _decided_since(session: Session, framework_ids: Sequence[int], after: int, upto: int) -> bool:
    """Whether a decision newer than ``after`` concerns a criterion of these frameworks."""
    found = session.exec(
        select(Decision.id)
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(
            col(Decision.id) > after,
            col(Decision.id) <= upto,
            col(Standard.framework_id).in_(framework_ids),
        )
        .limit(1)
    ).first()
    return found is not None


def compute(
    session_factory: SessionFactory, version_id: int, *, settle: timedelta | None = None
) -> bool:
    """Compute and store the suggestions of one version unless those stored are up to date;
    whether the engine ran. The engine runs outside any write transaction; the row is written in
    one short one (the same row updated: a page reads the old suggestions or the new, whole).
    ``settle``: how old stored suggestions must be for newer decisions to make them stale
    (:data:`SETTLE` by default; none for :mod:`~mappings.assessment.relearn`, which runs once a
    framework has learnt)."""
    with session_factory() as session:
        found = session.exec(
            select(Evidence, EvidenceVersion)
            .join(EvidenceVersion, col(EvidenceVersion.evidence_id) == Evidence.id)
            .where(EvidenceVersion.id == version_id)
        ).first()
        if found is None:
            return False
        item, version = found
        criteria = claimable_criteria(session, item.learner_id)
        framework_ids = sorted({c.framework_id for c in criteria})
        attached = session.exec(
            select(Attachment.id, AttachmentReading.text)
            .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
            .where(
                Attachment.version_id == version_id,
                col(AttachmentReading.status).in_(FINISHED),
            )
            .order_by(col(Attachment.id))
        ).all()
        rests_on = basis(
            version.sha256, [a or 0 for a, _ in attached], [c.criterion_id for c in criteria]
        )
        key = framework_key(session, framework_ids)
        row = _row(session, version_id)
        newest = newest_decision(session)
        if freshness(row, key=key, basis=rests_on, newest=newest, settle=settle) == "fresh":
            return False
        # only decisions in other frameworks since: the same suggestions, still current
        current = (
            row is not None
            and _same_input(row, key, rests_on)
            and not _decided_since(session, framework_ids, row.decision_id, newest)
        )
    if current:
        run_unit(session_factory, lambda s: _mark_current(s, version_id, newest))
        return False
    with session_factory() as session:
        started = time.monotonic()
        if framework_ids:
            warm = warm_engine(session, framework_ids)
            found_ranking = ranking(
                warm.engine,
                kind=item.kind,
                title=version.title,
                body=version.body,
                attached=[text for _id, text in attached],
                criteria=criteria,
            )
            seen = warm.seen
        else:
            found_ranking, seen = [], newest
        took = round((time.monotonic() - started) * 1000)
    values: dict[str, Any] = {
        "engine_version": ENGINE_VERSION,
        "frameworks": [list(pair) for pair in key],
        "decision_id": seen,
        "basis": rests_on,
        "suggestions": [_stored_form(s) for s in found_ranking],
        "compute_ms": took,
    }
    try:
        run_unit(session_factory, lambda s: _store(s, version_id, values))
    except IntegrityError:  # another job stored the same version's first row meanwhile
        log.info("suggestions of version %s were stored by another job", version_id)
    return True


def _store(session: Session, version_id: int, values: dict[str, Any]) -> None:
    row = _row(session, version_id) or VersionSuggestions(
        version_id=version_id, engine_version="", basis=""
    )
    for name, value in values.items():
        setattr(row, name, value)
    row.computed_at = utcnow()
    session.add(row)
    session.flush()


def _mark_current(session: Session, version_id: int, newest: int) -> None:
    row = _row(session, version_id)
    if row is not None and row.decision_id < newest:
        row.decision_id = newest
        session.add(row)


def compute_safely(session_factory: SessionFactory, version_id: int) -> None:
    """:func:`compute`, logging any failure (suggestions are a help; a job must not fail on them)."""
    try:
        compute(session_factory, version_id)
    except Exception:  # noqa: BLE001 - a background job has nobody else to tell
        log.exception("suggestions for version %s failed", version_id)


def compute_all(session_factory: SessionFactory, version_ids: Sequence[int]) -> int:
    """Compute each version in turn (one that fails is logged); how many ran the engine."""
    ran = 0
    for version_id in version_ids:
        with _queued_lock:
            _queued.discard(version_id)
        try:
            ran += compute(session_factory, version_id)
        except Exception:  # noqa: BLE001 - a background job has nobody else to tell
            log.exception("suggestions for version %s failed", version_id)
    return ran


def due(session: Session) -> list[int]:
    """Current versions with no stored suggestions or suggestions of another engine version
    (after an upgrade, a bundle import or evidence written before suggestions were stored).
    Those made stale by later decisions are recomputed when their page is next opened."""
    rows = session.exec(
        select(EvidenceVersion.id)
        .join(
            Evidence,
            (col(Evidence.id) == EvidenceVersion.evidence_id)
            & (col(Evidence.current_version) == EvidenceVersion.number),
        )
        .outerjoin(VersionSuggestions, col(VersionSuggestions.version_id) == EvidenceVersion.id)
        .where(
            (
                col(VersionSuggestions.id).is_(None)
                | (col(VersionSuggestions.engine_version) != ENGINE_VERSION)
            ),
            col(Evidence.erased_at).is_(None),  # an erased item's text is gone
        )
        .order_by(col(EvidenceVersion.id))
    ).all()
    return [i for i in rows if i is not None]


# ------------------------------------------------------------------ where jobs run
_queued: set[int] = set()  # versions waiting in this process's background thread
_queued_lock = threading.Lock()


def start_thread(
    session_factory: SessionFactory, version_ids: Sequence[int]
) -> Future[None] | None:
    """Compute in this process's background thread, behind the readings; a version already
    waiting there is not queued twice (None when there is nothing new to queue)."""
    with _queued_lock:
        new = [v for v in dict.fromkeys(version_ids) if v not in _queued]
        _queued.update(new)
    if not new:
        return None

    def run() -> None:
        compute_all(session_factory, new)

    return background.submit(run)


def compute_task(version_id: int, database_url: str, redis_url: str | None = None) -> None:
    """The RQ entry point: a fresh database engine in the worker process, then :func:`compute`
    (the suggestion engine is this process's, warmed by ``portfolio worker`` at start)."""
    from portfolio.db import make_engine

    # from now on a page that finds the version out of date queues it again
    release(redis_url, database_url, version_id, "suggestions")
    engine = make_engine(database_url)
    try:
        compute(lambda: Session(engine, expire_on_commit=False), version_id)
    finally:
        engine.dispose()


def enqueue_rq(
    redis_url: str, version_ids: Sequence[int], *, database_url: str, queue: str = QUEUE
) -> list[str]:
    """Queue the computations on RQ; their RQ job ids. A version whose job is still waiting is
    not queued again (however many pages find it out of date meanwhile)."""
    from rq import Retry

    return enqueue_once(
        redis_url,
        version_ids,
        database_url=database_url,
        kind="suggestions",
        task=compute_task,
        describe=lambda version_id: f"portfolio suggestions for version {version_id}",
        queue=queue,
        job_timeout=600,
        retry=Retry(max=3, interval=[10, 60, 300]),  # when the task itself raises
    )


def _stored_form(s: SuggestedCriterion) -> dict[str, Any]:
    """One suggestion as the plain data a row keeps."""
    return {
        "criterion_id": s.criterion_id,
        "standard": s.standard,
        "code": s.code,
        "score": round(float(s.score), 6),
        "strong": bool(s.strong),
        "because": list(s.because),
        **({"learned": s.learned} if s.learned else {}),
    }
