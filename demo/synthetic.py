"""Synthetic centres for benchmarks: evidence, claims and decisions for many learners, fast.

Bulk inserts bypass the per-item services (and their per-item audit entries) for speed; one audit
entry records the generation. Never used for real learners."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision
from portfolio.models import (
    Criterion,
    Evidence,
    EvidenceVersion,
    Registration,
    RegistrationStandard,
)
from portfolio.models.base import utcnow
from portfolio.models.evidence import KINDS
from portfolio.services import audit
from portfolio.services.people import SYSTEM

METHODS_P = ("O", "WT", "P")
METHODS_K = ("PD", "Q", "RA")
EVIDENCE_KINDS = [k for k in KINDS if k != "other"]


def add_synthetic_evidence(
    session: Session,
    *,
    learner_ids: Sequence[int],
    assessor_of: dict[int, int],
    items_per_learner: int = 20,
    claims_per_item: int = 5,
    seed: int = 1,
) -> int:
    """Give each learner submitted evidence mapped to their criteria, most claims decided."""
    rng = random.Random(seed)
    criteria_of = _criteria_of(session, learner_ids)
    now = utcnow()
    made = 0
    for learner_id in learner_ids:
        choices = criteria_of.get(learner_id, [])
        if not choices:
            continue
        assessor = assessor_of.get(learner_id, learner_id)
        for n in range(items_per_learner):
            evidence_id = _add_evidence(session, rng, learner_id=learner_id, n=n, now=now)
            picked = rng.sample(choices, min(claims_per_item, len(choices)))
            claim_rows = [
                _claim_row(rng, evidence_id, learner_id, assessor, criterion, now)
                for criterion in picked
            ]
            claim_ids = (
                session.execute(
                    insert(Claim).returning(col(Claim.id), sort_by_parameter_order=True), claim_rows
                )
                .scalars()
                .all()
            )
            decisions = _decision_rows(claim_ids, claim_rows, assessor, now)
            if decisions:
                session.execute(insert(Decision), decisions)
            made += 1
    audit.record(
        session,
        actor=SYSTEM,
        action="demo.synthetic_evidence",
        subject_type="centre",
        subject_id=None,
        data={"learners": len(learner_ids), "items": made, "seed": seed},
    )
    return made


def _criteria_of(session: Session, learner_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Learner id -> (criterion id, kind) of every criterion of the standards they are on."""
    rows = session.exec(
        select(Registration.learner_id, Criterion.id, Criterion.kind)
        .join(RegistrationStandard, col(RegistrationStandard.registration_id) == Registration.id)
        .join(Criterion, col(Criterion.standard_id) == RegistrationStandard.standard_id)
        .where(col(Registration.learner_id).in_(learner_ids))
    ).all()
    criteria_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for learner_id, criterion_id, kind in rows:
        criteria_of[learner_id].append((criterion_id or 0, kind))
    return criteria_of


def _add_evidence(
    session: Session, rng: random.Random, *, learner_id: int, n: int, now: datetime
) -> int:
    """The ``n``-th submitted evidence item of a learner, with its one version; returns its id."""
    when = date.today() - timedelta(days=rng.randint(1, 400))
    title = f"Synthetic evidence {n + 1}"
    body = f"Synthetic account {n + 1} of supporting a job seeker into work."
    digest = hashlib.sha256(f"{learner_id}:{n}:{body}".encode()).hexdigest()
    evidence_id: int = session.execute(
        insert(Evidence).returning(col(Evidence.id)),
        [
            {
                "learner_id": learner_id,
                "kind": rng.choice(EVIDENCE_KINDS),
                "title": title,
                "activity_date": when,
                "status": "submitted",
                "current_version": 1,
                "created_by": learner_id,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
        ],
    ).scalar_one()
    session.execute(
        insert(EvidenceVersion),
        [
            {
                "evidence_id": evidence_id,
                "number": 1,
                "title": title,
                "activity_date": when,
                "body": body,
                "fields": {},
                "sha256": digest,
                "created_by": learner_id,
                "created_at": now,
                "declared_at": now,
            }
        ],
    )
    return evidence_id


def _claim_row(
    rng: random.Random,
    evidence_id: int,
    learner_id: int,
    assessor: int,
    criterion: tuple[int, str],
    now: datetime,
) -> dict[str, Any]:
    """A claim of ``criterion``: accepted (70 %), referred (10 %) or still awaiting a decision."""
    criterion_id, kind = criterion
    roll = rng.random()
    status = "accepted" if roll < 0.7 else ("referred" if roll < 0.8 else "claimed")
    method = (
        None
        if status == "claimed"
        else rng.choice(METHODS_P if kind == "performance" else METHODS_K)
    )
    return {
        "evidence_id": evidence_id,
        "criterion_id": criterion_id,
        "claimed_by": learner_id,
        "created_at": now,
        "status": status,
        "method": method,
        "decided_at": None if status == "claimed" else now,
        "decided_by": None if status == "claimed" else assessor,
        "revision": 0 if status == "claimed" else 1,
    }


def _decision_rows(
    claim_ids: Sequence[int | None],
    claim_rows: list[dict[str, Any]],
    assessor: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """The decision behind each decided claim."""
    return [
        {
            "claim_id": cid,
            "old_status": "claimed",
            "new_status": row["status"],
            "method": row["method"],
            "feedback": "" if row["status"] == "accepted" else "Show this in your practice.",
            "actor_id": assessor,
            "at": now,
        }
        for cid, row in zip(claim_ids, claim_rows, strict=True)
        if row["status"] != "claimed"
    ]
