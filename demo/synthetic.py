"""Synthetic centres for benchmarks: many learners with registrations, evidence, claims and
decisions, written in bulk (:mod:`demo.bulk`). Never used for real learners.

Learners are written a batch at a time, so memory stays flat however many there are. On
PostgreSQL a load that at least doubles the people is one transaction, with the secondary
indexes and foreign keys of the tables it fills set aside meanwhile (:mod:`demo.bulk_schema`, as
``pg_restore`` loads) and the registrations' summaries worked out once they are back: an
interrupted run leaves nothing. Otherwise (SQLite, or a few learners more in a big database)
they are committed a chunk at a time and an interrupted run keeps every chunk it finished.

The audit trail stays whole: each registration has its ``registration.create`` entry as the
service would write it, and each learner one ``demo.synthetic_evidence`` entry vouching for the
hash of every evidence version, claim and decision written for them; the entries are chained
with the same hashing as :func:`portfolio.services.audit.record`, with the trail locked
meanwhile. Each new registration's summary (:mod:`mappings.assessment.summaries`) is stored for
today, so the caseload reads it as it would after a visit. Generated learners have no password
(no log-in, and no password hashing to pay for).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from demo.bulk import BulkWriter
from demo.bulk_schema import indexes_set_aside
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
from mappings.assessment.models import Claim, Decision, RegistrationSummary
from portfolio.models import (
    AuditEntry,
    AuditRow,
    Criterion,
    Evidence,
    EvidenceVersion,
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
    set_aside: bool | None = None,
) -> SyntheticReport:
    """Add ``learners`` synthetic learners, each with ``items_per_learner`` submitted evidence
    items mapped to up to ``claims_per_item`` criteria of their standards, most decided.
    ``unit()`` gives a session committed when its block ends (a command's session, or
    :func:`portfolio.db.session_scope`), with progress after each ``chunk`` learners.

    On PostgreSQL, when ``set_aside`` (by default: when the load at least doubles the people
    in the database), everything is one transaction: the filled tables' secondary indexes and
    foreign keys are dropped for the load and made again after it
    (:func:`demo.bulk_schema.indexes_set_aside`), then the summaries stored; an interrupted run
    leaves nothing. Otherwise each ``chunk`` learners is a transaction of its own, and an
    interrupted run keeps every chunk it finished."""
    with unit() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        run = _Run(
            centre=load_centre(session),
            first=int(session.exec(select(func.count()).select_from(Person)).one()),
            learners=learners,
            shape=(items_per_learner, claims_per_item, seed),
            rng=random.Random(seed),
            progress=progress,
        )
    if set_aside is None:
        set_aside = learners >= run.first
    if postgres and set_aside:
        _load_in_one(unit, run, chunk)
        return run.report
    for start in range(0, learners, chunk):
        size = min(chunk, learners - start)
        with unit() as session:
            writer = BulkWriter(session)
            prev = audit.head_locked(session)
            run.write(writer, start, size, prev, summarise=True)
        run.done(size, writer.rows)
    if postgres:
        with unit() as session:
            # the planner's statistics of the tables just filled: without them (autovacuum off,
            # or before it comes round) a learner's claims are read by scanning every claim
            session.execute(text("ANALYZE"))
    return run.report


@dataclass
class _Run:
    """One call of :func:`add_synthetic_centre`: what it draws from and what it wrote."""

    centre: Centre
    first: int  # the number of the first learner drawn
    learners: int
    shape: tuple[int, int, int]  # items per learner, claims per item, seed
    rng: random.Random
    progress: Callable[[str], None] | None
    report: SyntheticReport = field(default_factory=SyntheticReport)
    began: float = field(default_factory=time.perf_counter)

    def write(
        self, writer: BulkWriter, start: int, size: int, prev: audit.Head, *, summarise: bool
    ) -> tuple[audit.Head, list[int]]:
        """Draw and write learners ``start`` to ``start + size``; the audit trail's new head
        and the registrations written."""
        items, claims, seed = self.shape
        registrations: list[int] = []
        for at in range(start, start + size, BATCH):
            plans = [
                draw(self.rng, self.centre, self.first + n, items, claims)
                for n in range(at, min(at + BATCH, start + size))
            ]
            prev, regs = _write_batch(writer, self.centre, plans, prev, seed)
            if summarise:
                _store_summaries(writer, regs)
            registrations.extend(regs)
        return prev, registrations

    def done(self, learners: int, rows: int) -> None:
        """Count ``learners`` more written and ``rows`` more rows; say so."""
        self.report.learners += learners
        self.report.rows += rows
        self.report.seconds = time.perf_counter() - self.began
        rate = self.report.rows / self.report.seconds
        self.say(
            f"  {self.report.learners:,} of {self.learners:,} synthetic learners: "
            f"{self.report.rows:,} rows in {self.report.seconds:.0f} s ({rate:,.0f} rows/s)"
        )

    def say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)


# what a synthetic learner fills (their summaries' table has nothing to set aside, but is locked)
FILLED = (Person, Registration, RegistrationStandard, Evidence, EvidenceVersion, Claim, Decision,
          AuditEntry, AuditRow, RegistrationSummary)  # fmt: skip
SUMMARISED = 500  # registrations whose summaries are worked out at a time


def vacuum_filled(engine: Engine) -> float:
    """``VACUUM (ANALYZE)`` the tables a load filled (PostgreSQL; outside any transaction, so
    after the load's has committed), in seconds: their visibility maps set, so an index-only
    scan (the caseload's count and pages over the summaries' indexes) reads no table page, and
    their statistics brought up to date. ``ANALYZE`` alone leaves every page unmarked until
    autovacuum comes round, if it is on."""
    began = time.perf_counter()
    names = ", ".join(f'"{table(m).name}"' for m in FILLED)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # a table another transaction holds locked (as a test's does) is left, not waited for
        connection.execute(text(f"VACUUM (ANALYZE, SKIP_LOCKED) {names}"))
    return time.perf_counter() - began


def _load_in_one(
    unit: Callable[[], AbstractContextManager[Session]], run: _Run, chunk: int
) -> None:
    """Every learner in one transaction, the filled tables' indexes and foreign keys set aside
    meanwhile; then the planner's statistics and the registrations' summaries."""
    with unit() as session:
        writer = BulkWriter(session)
        prev = audit.head_locked(session)
        registrations: list[int] = []
        with indexes_set_aside(session, [table(m) for m in FILLED]) as found:
            writer.locked = True
            for start in range(0, run.learners, chunk):
                size = min(chunk, run.learners - start)
                before = writer.rows
                prev, regs = run.write(writer, start, size, prev, summarise=False)
                registrations.extend(regs)
                run.done(size, writer.rows - before)
            began = time.perf_counter()
        run.say(
            f"  {len(found.makes)} indexes and foreign keys made again in "
            f"{time.perf_counter() - began:.0f} s"
        )
        began = time.perf_counter()
        # the statistics first: the summaries' queries are planned with them
        session.execute(text("ANALYZE"))
        before = writer.rows
        for at in range(0, len(registrations), SUMMARISED):
            _store_summaries(writer, registrations[at : at + SUMMARISED])
        session.execute(text(f'ANALYZE "{table(RegistrationSummary).name}"'))
        run.report.rows += writer.rows - before
        run.say(
            f"  statistics and {len(registrations):,} summaries in "
            f"{time.perf_counter() - began:.0f} s"
        )
    run.report.seconds = time.perf_counter() - run.began


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
    writer: BulkWriter, centre: Centre, learners: Sequence[Learner], prev: audit.Head, seed: int
) -> tuple[audit.Head, list[int]]:
    """Write a batch of learners with everything they hold but their summaries; the audit
    trail's new head and their registrations."""
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
    evidence = EvidenceRows(writer, learners, centre.framework_id)
    entries: list[Entry] = []
    for person, reg, p in zip(people, regs, learners, strict=True):
        entries.append(Entry("registration.create", "registration", reg["id"], {
            "learner_id": person["id"], "framework": centre.framework, "standards": p.codes,
            "assessor_id": p.assessor, "iqa_id": centre.iqa_id, "cohort_id": None,
        }, [], person["id"]))  # fmt: skip
        records = evidence.add(person["id"], p, now)
        data = {"items": len(p.items), "seed": seed}
        entries.append(
            Entry("demo.synthetic_evidence", "person", person["id"], data, records, person["id"])
        )
    evidence.write()
    prev = write_entries(writer, entries, prev, now)
    return prev, [reg["id"] for reg in regs]


def _store_summaries(writer: BulkWriter, registration_ids: list[int]) -> None:
    """Today's summary of each new registration, as the caseload would store it."""
    rows = summaries.rows(writer.session, registration_ids, date.today())
    writer.write(table(RegistrationSummary), rows)
