"""Erasure reaches the files exports keep: a cohort's finished "every sign-off record" zip names
its learners, their assessors and IQAs, and their evidence. When a person's data is erased (on
request or by retention) every finished export of a cohort they have a registration in (as
learner, assessor or IQA) is deleted from the instance folder once the erasure commits; its job
row stays, with the status ``deleted``, and its page says the file is gone.

:func:`forget_exports` runs in the erasure's transaction (delivery.wiring.configure registers it
with the instance folder through :func:`mappings.privacy.erasure.register_forget_hook`). Each
export deleted appends one ``export.delete`` entry to the audit trail with the reason, never a
name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, or_
from sqlmodel import Session, col, select

from exports.models import KIND_COHORT_SIGNOFFS, ExportJob  # light: the CLI imports this
from portfolio.models import Registration
from portfolio.services import audit
from portfolio.services.actors import Actor

log = logging.getLogger(__name__)
DELETED = "deleted"
_PENDING = "exports.forget"


def forget_exports(
    session: Session,
    actor: Actor,
    person_ids: Sequence[int],
    reason: str,
    *,
    instance_path: str | Path,
) -> int:
    """Mark ``deleted`` every finished cohort export that may hold these people and delete its
    file once the transaction commits (flushed; nothing is deleted if it rolls back). How many."""
    if not person_ids:
        return 0
    cohorts = set(
        session.exec(
            select(Registration.cohort_id).where(
                col(Registration.cohort_id).is_not(None),
                or_(
                    col(Registration.learner_id).in_(person_ids),
                    col(Registration.assessor_id).in_(person_ids),
                    col(Registration.iqa_id).in_(person_ids),
                ),
            )
        )
    )
    if not cohorts:
        return 0
    found = [
        job
        for job in session.exec(
            select(ExportJob).where(
                ExportJob.kind == KIND_COHORT_SIGNOFFS, ExportJob.status == "done"
            )
        )
        if job.params.get("cohort_id") in cohorts
    ]
    for job in found:
        job.status = DELETED
        session.add(job)
        if job.result_path:
            _delete_on_commit(session, Path(instance_path) / job.result_path)
    session.flush()
    for job in found:
        audit.record(
            session,
            actor=actor,
            action="export.delete",
            subject_type="exportjob",
            subject_id=job.id,
            data={"reason": reason, "cohort": job.params.get("cohort_id")},
        )
    return len(found)


def _delete_on_commit(session: Session, path: Path) -> None:
    session.info.setdefault(_PENDING, []).append(path)
    if not event.contains(session, "after_commit", _delete):
        event.listen(session, "after_commit", _delete)
        event.listen(session, "after_soft_rollback", _forget)


def _delete(session: Session) -> None:
    for path in session.info.pop(_PENDING, []):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete the export file %s of an erasure", path)


def _forget(session: Session, previous: Any) -> None:
    session.info.pop(_PENDING, None)
