"""Suggestions of evidence awaiting a decision, worked out again once their framework has learnt.

A version's stored suggestions record the newest decision the engine had learnt
(``VersionSuggestions.decision_id``). A decision made later teaches the engine about its
framework, and the evidence still before an assessor is where that matters. So once a request
that decided claims has committed, a background job (:func:`relearn`) works out again the
suggestions of every item with a claim awaiting a decision in those frameworks whose stored
suggestions are behind the framework's newest decision: of the version the assessor decides on
(a submitted item's current version; the newest submitted one of an item back in draft while its
learner edits), a batch of :data:`BATCH` versions
at a time, each through :func:`~mappings.assessment.stored.compute` (which writes the same row in
one short transaction: the page reads the old suggestions or the new ones, never an empty or half
row). Nothing of this runs on a request: the page only reads, as before.

The job is queued by framework; a framework whose job is still waiting is not queued again
(however many decisions are made meanwhile): in this process's background thread
(:func:`start_thread`), or on RQ (:func:`enqueue_rq`, a Redis key per framework like the
suggestions' own). ``portfolio worker --pending`` runs it for every framework.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import timedelta

from sqlalchemy import Integer, bindparam, case, func, literal, literal_column, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment import background, queued, stored
from mappings.assessment.models import Claim, Decision, VersionSuggestions
from mappings.engine.suggest import ENGINE_VERSION
from portfolio.models import Criterion, Evidence, EvidenceVersion, Standard

log = logging.getLogger(__name__)

BATCH = 50  # versions read per statement, each then worked out on its own
NOW = timedelta(0)  # the framework has learnt: stored suggestions behind it are stale at once


# the last entry of ix_decision_framework before the next framework's (ids are above 0): the
# framework's newest decision if the entry is the framework's. Asked as "the newest with this
# framework", PostgreSQL may guess a framework's decisions are spread evenly over time and walk
# back along every decision instead, through the other frameworks' newer ones; this order, by
# framework then id, only the index has
_LAST_BEFORE = (
    sa_select(col(Decision.framework_id), col(Decision.id))
    .where(
        tuple_(col(Decision.framework_id), col(Decision.id))
        < tuple_(bindparam("next", type_=Integer), literal(0, Integer))
    )
    .order_by(col(Decision.framework_id).desc(), col(Decision.id).desc())
    .limit(1)
)


def newest_in(session: Session, framework_ids: Sequence[int]) -> int:
    """The newest decision on a claim of these frameworks (0 without any): for each, one probe
    of ix_decision_framework, whatever other frameworks decided since."""
    newest = 0
    for framework_id in framework_ids:
        last = session.connection().execute(_LAST_BEFORE, {"next": framework_id + 1}).first()
        if last is not None and last[0] == framework_id:
            newest = max(newest, int(last[1] or 0))
    return newest


def awaiting_behind(
    session: Session, framework_ids: Sequence[int], *, newest: int, after: int, limit: int = BATCH
) -> list[int]:
    """The versions an assessor decides on (ids above ``after``, ``limit`` of them, by id) of items
    with a claim awaiting a decision in these frameworks whose stored suggestions learnt no
    decision as new as ``newest``, are of another engine version, or are missing.

    That is a submitted item's current version, and the newest submitted version of an item its
    learner is editing again (back in draft): what the assessor reads, maps from and decides on
    until the draft is submitted. The draft itself is its author's alone, worked out when saved;
    an item never submitted has nothing before an assessor."""
    # the items with a claim awaiting a decision in these frameworks, found in the index of the
    # awaiting claims alone (ix_claim_awaiting): what is before an assessor, not every claim ever
    awaiting = (
        sa_select(col(Claim.evidence_id).label("evidence_id"))
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(
            col(Claim.status) == literal_column("'claimed'"),  # as the index's condition says
            col(Standard.framework_id).in_(framework_ids),
        )
        .distinct()
        .subquery()
    )
    # each item's one version an assessor decides on, by its number (uq_version_evidence_number):
    # the current one of a submitted item, the newest submitted one of an item back in draft
    later = aliased(EvidenceVersion)
    newest_submitted = (
        sa_select(func.max(col(later.number)))
        .where(col(later.evidence_id) == Evidence.id, col(later.declared_at).is_not(None))
        .correlate(Evidence)
        .scalar_subquery()
    )
    decided_on = case(
        (col(Evidence.status) == "submitted", col(Evidence.current_version)),
        else_=newest_submitted,
    )
    rows = session.connection().execute(
        sa_select(col(EvidenceVersion.id))
        .select_from(awaiting)
        .join(Evidence, col(Evidence.id) == awaiting.c.evidence_id)
        .join(
            EvidenceVersion,
            (col(EvidenceVersion.evidence_id) == Evidence.id)
            & (col(EvidenceVersion.number) == decided_on),
        )
        .outerjoin(VersionSuggestions, col(VersionSuggestions.version_id) == EvidenceVersion.id)
        .where(
            col(EvidenceVersion.id) > after,
            col(Evidence.status).in_(("submitted", "draft")),
            col(EvidenceVersion.declared_at).is_not(None),
            col(Evidence.erased_at).is_(None),
            col(VersionSuggestions.id).is_(None)
            | (col(VersionSuggestions.decision_id) < newest)
            | (col(VersionSuggestions.engine_version) != ENGINE_VERSION),
        )
        .order_by(col(EvidenceVersion.id))
        .limit(limit)
    )
    return [int(i or 0) for i in rows.scalars()]


def relearn(
    session_factory: stored.SessionFactory, framework_ids: Sequence[int], *, batch: int = BATCH
) -> int:
    """Work out again the suggestions of the versions awaiting a decision in these frameworks
    that are behind their newest decision, ``batch`` at a time; how many ran the engine (a
    version that fails is logged and passed over)."""
    if not framework_ids:
        return 0
    with session_factory() as session:
        newest = newest_in(session, framework_ids)
    ran, after = 0, 0
    while True:
        with session_factory() as session:
            found = awaiting_behind(session, framework_ids, newest=newest, after=after, limit=batch)
        if not found:
            return ran
        for version_id in found:
            try:
                ran += stored.compute(session_factory, version_id, settle=NOW)
            except Exception:  # noqa: BLE001 - a background job has nobody else to tell
                log.exception("suggestions for version %s failed", version_id)
        after = found[-1]


# ------------------------------------------------------------------ where jobs run
KIND = "relearn"  # its RQ jobs' pending keys (queued.pending_key)
_queued: set[int] = set()  # frameworks waiting in this process's background thread
_queued_lock = threading.Lock()


def start_thread(
    session_factory: stored.SessionFactory, framework_ids: Sequence[int]
) -> Future[None] | None:
    """Relearn in this process's background thread, behind the readings and suggestions; a
    framework already waiting there is not queued twice (None when nothing new is queued)."""
    with _queued_lock:
        new = sorted(set(framework_ids) - _queued)
        _queued.update(new)
    if not new:
        return None

    def run() -> None:
        with _queued_lock:  # from now on a new decision queues the framework again
            _queued.difference_update(new)
        try:
            relearn(session_factory, new)
        except Exception:  # noqa: BLE001 - a background job has nobody else to tell
            log.exception("relearning frameworks %s failed", new)

    return background.submit(run)


def relearn_task(framework_id: int, database_url: str, redis_url: str | None = None) -> None:
    """The RQ entry point: a fresh database engine in the worker process, then :func:`relearn`."""
    from portfolio.db import make_engine

    # from now on a new decision queues the framework again
    queued.release(redis_url, database_url, framework_id, KIND)
    engine = make_engine(database_url)
    try:
        relearn(lambda: Session(engine, expire_on_commit=False), [framework_id])
    finally:
        engine.dispose()


def enqueue_rq(
    redis_url: str, framework_ids: Sequence[int], *, database_url: str, queue: str = stored.QUEUE
) -> list[str]:
    """Queue one job per framework on the suggestions' RQ queue; their RQ job ids. A framework
    whose job is still waiting is not queued again."""
    return queued.enqueue_once(
        redis_url,
        sorted(set(framework_ids)),
        database_url=database_url,
        kind=KIND,
        task=relearn_task,
        describe=lambda framework_id: f"portfolio suggestions relearnt in framework {framework_id}",
        queue=queue,
        job_timeout=3600,
    )
