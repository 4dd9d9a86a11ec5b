"""Synthetic centres for benchmarks: many learners with registrations, evidence, claims and
decisions, written in bulk (:mod:`demo.bulk`). Never used for real learners.

Learners are written a batch at a time and committed a chunk at a time, so memory stays flat
however many there are and an interrupted run keeps every chunk it finished. The audit trail
stays whole: each registration has its ``registration.create`` entry as the service would write
it, and each learner one ``demo.synthetic_evidence`` entry vouching for the hash of every
evidence version, claim and decision written for them; the entries are chained with the same
hashing as :func:`portfolio.services.audit.record`, with the trail locked meanwhile. Each new
registration's summary (:mod:`mappings.assessment.summaries`) is stored for today, so the
caseload reads it as it would after a visit. Generated learners have no password (no log-in,
and no password hashing to pay for).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from demo.bulk import BulkWriter
from demo.synthetic_rows import (
    Entry,
    EvidenceRows,
    Ids,
    Item,
    Learner,
    person_row,
    registration_row,
    table,
    write_entries,
)
from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.models import (
    Criterion,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.models.base import utcnow
from portfolio.models.evidence import KINDS
from portfolio.services import audit

METHODS_P = ("O", "WT", "P")
METHODS_K = ("PD", "Q", "RA")
EVIDENCE_KINDS = [k for k in KINDS if k != "other"]
SITES = ("Main site", "North site")
ASSESSOR_EMAILS = ("assessor1@example.org", "assessor2@example.org")
IQA_EMAIL = "iqa@example.org"
CHUNK = 2000  # learners per transaction
BATCH = 250  # learners drawn and sent at a time


@dataclass(frozen=True)
class Centre:
    """What every synthetic learner is registered on, read once."""

    framework_id: int
    framework: str  # "CODE vN", as registration entries name it
    assessors: tuple[int, ...]
    iqa_id: int
    standard_ids: dict[str, int]
    criteria: dict[str, list[tuple[int, str]]]  # standard code -> (criterion id, kind)


@dataclass
class SyntheticReport:
    learners: int = 0
    rows: int = 0
    seconds: float = 0.0

    def text(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (
            f"Synthetic learners added: {self.learners} ({self.rows:,} rows in "
            f"{self.seconds:.1f} s, {rate:,.0f} rows/s)"
        )


def load_centre(session: Session) -> Centre:
    """The demo framework, assessors and IQA the synthetic learners are allocated to (after
    :func:`demo.accounts.load_demo`)."""
    framework = session.exec(select(Framework).order_by(col(Framework.id))).first()
    assert framework is not None and framework.id is not None, "load the demo first"
    people = dict(session.exec(select(Person.email, Person.id)).all())
    standards = session.exec(
        select(Standard.code, Standard.id).where(Standard.framework_id == framework.id)
    ).all()
    criteria: dict[str, list[tuple[int, str]]] = {code: [] for code, _ in standards}
    for code, criterion_id, kind in session.exec(
        select(Standard.code, Criterion.id, Criterion.kind)
        .join(Criterion, col(Criterion.standard_id) == Standard.id)
        .where(Standard.framework_id == framework.id)
        .order_by(col(Criterion.id))
    ).all():
        criteria[code].append((criterion_id or 0, kind))
    return Centre(
        framework_id=framework.id,
        framework=f"{framework.code} v{framework.version}",
        assessors=tuple(people[e] or 0 for e in ASSESSOR_EMAILS),
        iqa_id=people[IQA_EMAIL] or 0,
        standard_ids={code: sid or 0 for code, sid in standards},
        criteria=criteria,
    )


def add_synthetic_centre(
    unit: Callable[[], AbstractContextManager[Session]],
    *,
    learners: int,
    items_per_learner: int = 20,
    claims_per_item: int = 5,
    seed: int = 1,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
) -> SyntheticReport:
    """Add ``learners`` synthetic learners, each with ``items_per_learner`` submitted evidence
    items mapped to up to ``claims_per_item`` criteria of their standards, most decided.
    ``unit()`` gives a session committed when its block ends (a command's session, or
    :func:`portfolio.db.session_scope`): one per ``chunk`` learners, with progress after each."""
    report = SyntheticReport()
    began = time.perf_counter()
    with unit() as session:
        centre = load_centre(session)
        first = int(session.exec(select(func.count()).select_from(Person)).one())
    rng = random.Random(seed)
    for start in range(0, learners, chunk):
        size = min(chunk, learners - start)
        with unit() as session:
            writer = BulkWriter(session)
            prev = audit.last_hash_locked(session)
            for at in range(start, start + size, BATCH):
                plans = [
                    draw(rng, centre, first + n, items_per_learner, claims_per_item)
                    for n in range(at, min(at + BATCH, start + size))
                ]
                prev = _write_batch(writer, centre, plans, prev, seed)
        report.learners += size
        report.rows += writer.rows
        report.seconds = time.perf_counter() - began
        if progress is not None:
            progress(
                f"  {report.learners:,} of {learners:,} synthetic learners: {report.rows:,} rows "
                f"in {report.seconds:.0f} s ({report.rows / report.seconds:,.0f} rows/s)"
            )
    with unit() as session:
        if session.get_bind().dialect.name == "postgresql":
            # the planner's statistics of the tables just filled: without them (autovacuum off,
            # or before it comes round) a learner's claims are read by scanning every claim
            session.execute(text("ANALYZE"))
    return report


def draw(
    rng: random.Random, centre: Centre, number: int, items: int, claims_per_item: int
) -> Learner:
    """One learner's registration and evidence, drawn from ``rng``: claims accepted (70 %),
    referred (10 %) or still awaiting a decision."""
    codes = sorted(rng.sample(sorted(centre.standard_ids), rng.randint(2, 8)))
    learner = Learner(
        number=number,
        site=rng.choice(SITES),
        assessor=rng.choice(centre.assessors),
        start=date.today() - timedelta(days=rng.randint(0, 360)),
        codes=codes,
    )
    choices = [c for code in codes for c in centre.criteria[code]]
    for _ in range(items):
        claims: list[tuple[int, str, str | None]] = []
        for criterion_id, kind in rng.sample(choices, min(claims_per_item, len(choices))):
            roll = rng.random()
            status = "accepted" if roll < 0.7 else ("referred" if roll < 0.8 else "claimed")
            methods = METHODS_P if kind == "performance" else METHODS_K
            claims.append(
                (criterion_id, status, None if status == "claimed" else rng.choice(methods))
            )
        kind = rng.choice(EVIDENCE_KINDS)
        learner.items.append(Item(kind, date.today() - timedelta(days=rng.randint(1, 400)), claims))
    return learner


def _write_batch(
    writer: BulkWriter, centre: Centre, learners: Sequence[Learner], prev: str, seed: int
) -> str:
    """Write a batch of learners with everything they hold; the newest audit entry's hash."""
    now = utcnow()
    person_id = Ids(writer, Person, len(learners))
    reg_id = Ids(writer, Registration, len(learners))
    people = [person_row(person_id(), p, now) for p in learners]
    regs = [
        registration_row(reg_id(), person["id"], p, centre.framework_id, centre.iqa_id, now)
        for person, p in zip(people, learners, strict=True)
    ]
    writer.write(table(Person), people)
    writer.write(table(Registration), regs)
    writer.write(
        table(RegistrationStandard),
        [
            {"registration_id": reg["id"], "standard_id": centre.standard_ids[code]}
            for reg, p in zip(regs, learners, strict=True)
            for code in p.codes
        ],
    )
    evidence = EvidenceRows(writer, learners)
    entries: list[Entry] = []
    for person, reg, p in zip(people, regs, learners, strict=True):
        entries.append(Entry("registration.create", "registration", reg["id"], {
            "learner_id": person["id"], "framework": centre.framework, "standards": p.codes,
            "assessor_id": p.assessor, "iqa_id": centre.iqa_id, "cohort_id": None,
        }, []))  # fmt: skip
        records = evidence.add(person["id"], p, now)
        data = {"items": len(p.items), "seed": seed}
        entries.append(Entry("demo.synthetic_evidence", "person", person["id"], data, records))
    evidence.write()
    prev = write_entries(writer, entries, prev, now)
    _store_summaries(writer, [reg["id"] for reg in regs])
    return prev


def _store_summaries(writer: BulkWriter, registration_ids: list[int]) -> None:
    """Today's summary of each new registration, as the caseload would store it."""
    rows = summaries.rows(writer.session, registration_ids, date.today())
    writer.write(table(RegistrationSummary), rows)
