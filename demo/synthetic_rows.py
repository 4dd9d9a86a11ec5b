"""The rows of synthetic learners (:mod:`demo.synthetic`), as the services would write them, with
their ids taken up front and the audit entries that vouch for them chained in order."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Table

from demo.bulk import BulkWriter
from mappings.assessment.models import Claim, Decision
from portfolio.models import AuditEntry, AuditRow, Evidence, EvidenceVersion
from portfolio.services import audit, audit_rows

Row = dict[str, Any]
Record = tuple[str, int, str | None]  # kind, row id, its hash: what an audit entry vouches for


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


class Item(NamedTuple):
    kind: str
    activity_date: date
    claims: list[tuple[int, str, str | None]]  # criterion id, status, method


@dataclass
class Learner:
    """One synthetic learner as drawn: who, where, on which standards, with what evidence."""

    number: int
    site: str
    assessor: int
    start: date
    codes: list[str]
    items: list[Item] = field(default_factory=list)


class Ids:
    """The ids a batch takes for a table, handed out in order."""

    def __init__(self, writer: BulkWriter, model: Any, count: int) -> None:
        self._ids = iter(writer.ids(table(model), count))

    def __call__(self) -> int:
        return next(self._ids)


def person_row(person_id: int, learner: Learner, now: datetime) -> Row:
    """A learner account with no password: it cannot log in."""
    return {
        "id": person_id,
        "name": f"Synthetic Learner {learner.number}",
        "email": f"synthetic{learner.number}@example.org",
        "password_hash": "",
        "roles": "learner",
        "active": True,
        "site": learner.site,
        "assessor_status": "standard",
        "session_secret": secrets.token_hex(16),
        "failed_logins": 0,
        "created_at": now,
    }


def registration_row(
    reg_id: int, learner_id: int, learner: Learner, framework_id: int, iqa_id: int, now: datetime
) -> Row:
    return {
        "id": reg_id,
        "learner_id": learner_id,
        "framework_id": framework_id,
        "cohort_id": None,
        "assessor_id": learner.assessor,
        "iqa_id": iqa_id,
        "start_date": learner.start,
        "planned_end": learner.start + timedelta(days=365),
        "created_at": now,
    }


class EvidenceRows:
    """Evidence items, their first versions, claims and decisions of a batch of learners."""

    def __init__(self, writer: BulkWriter, learners: Sequence[Learner], framework_id: int) -> None:
        claims = [c for p in learners for i in p.items for c in i.claims]
        items = sum(len(p.items) for p in learners)
        self.writer = writer
        self.framework_id = framework_id  # of every claim's criterion: the decisions name it
        self.evidence_id = Ids(writer, Evidence, items)
        self.version_id = Ids(writer, EvidenceVersion, items)
        self.claim_id = Ids(writer, Claim, len(claims))
        self.decision_id = Ids(writer, Decision, sum(1 for c in claims if c[1] != "claimed"))
        self.evidence: list[Row] = []
        self.versions: list[Row] = []
        self.claims: list[Row] = []
        self.decisions: list[Row] = []

    def add(self, learner_id: int, learner: Learner, now: datetime) -> list[Record]:
        """A learner's submitted evidence; the records of the hashed rows it wrote."""
        records: list[Record] = []
        for n, item in enumerate(learner.items):
            evidence_id = self.evidence_id()
            title = f"Synthetic evidence {n + 1}"
            body = f"Synthetic account {n + 1} of supporting a job seeker into work."
            self.evidence.append(
                {
                    "id": evidence_id,
                    "learner_id": learner_id,
                    "kind": item.kind,
                    "title": title,
                    "activity_date": item.activity_date,
                    "status": "submitted",
                    "current_version": 1,
                    "created_by": learner_id,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            )
            version = {
                "id": self.version_id(),
                "evidence_id": evidence_id,
                "number": 1,
                "title": title,
                "activity_date": item.activity_date,
                "body": body,
                "fields": {},
                "sha256": hashlib.sha256(f"{learner_id}:{n}:{body}".encode()).hexdigest(),
                "created_by": learner_id,
                "created_at": now,
                "declared_at": now,
            }
            self.versions.append(version)
            records.append(_record("evidenceversion", version))
            for criterion_id, status, method in item.claims:
                records.extend(
                    self._claim(evidence_id, learner_id, learner.assessor, criterion_id, status,
                                method, now)
                )  # fmt: skip
        return records

    def _claim(
        self,
        evidence_id: int,
        learner_id: int,
        assessor: int,
        criterion_id: int,
        status: str,
        method: str | None,
        now: datetime,
    ) -> list[Record]:
        decided = status != "claimed"
        claim = {
            "id": self.claim_id(),
            "evidence_id": evidence_id,
            "criterion_id": criterion_id,
            "claimed_by": learner_id,
            "created_at": now,
            "status": status,
            "method": method,
            "decided_at": now if decided else None,
            "decided_by": assessor if decided else None,
            "revision": 1 if decided else 0,
        }
        self.claims.append(claim)
        if not decided:
            return [_record("claim", claim)]
        decision = {
            "id": self.decision_id(),
            "claim_id": claim["id"],
            "framework_id": self.framework_id,
            "old_status": "claimed",
            "new_status": status,
            "method": method,
            "feedback": "" if status == "accepted" else "Show this in your practice.",
            "actor_id": assessor,
            "at": now,
        }
        self.decisions.append(decision)
        return [_record("claim", claim), _record("decision", decision)]

    def write(self) -> None:
        for model, rows in (
            (Evidence, self.evidence),
            (EvidenceVersion, self.versions),
            (Claim, self.claims),
            (Decision, self.decisions),
        ):
            self.writer.write(table(model), rows)


def _record(kind: str, row: Row) -> Record:
    return (kind, row["id"], ROW_HASHES[kind](row))


# The canonical hash of :func:`portfolio.services.audit_rows.row_hash`, written out for the three
# kinds generated here: the same JSON (keys sorted, no spaces, times in UTC ISO form) built by
# formatting instead of ``json.dumps``, which is most of the cost of a generated row. A test holds
# them equal (tests/demo/test_synthetic.py), and ``portfolio audit verify`` checks them all.


@lru_cache(maxsize=1024)
def _text(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _when(value: date | None) -> str:
    if isinstance(value, datetime):
        return f'"{value.isoformat(timespec="microseconds")}"'
    return "null" if value is None else f'"{value.isoformat()}"'


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _sha(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _claim_hash(r: Row) -> str:
    return _sha(
        f'["claim",{_int(r["id"])},{{"claimed_by":{_int(r["claimed_by"])},'
        f'"created_at":{_when(r["created_at"])},"criterion_id":{_int(r["criterion_id"])},'
        f'"decided_at":{_when(r["decided_at"])},"decided_by":{_int(r["decided_by"])},'
        f'"evidence_id":{_int(r["evidence_id"])},"method":{_text(r["method"])},'
        f'"revision":{_int(r["revision"])},"status":{_text(r["status"])}}}]'
    )


def _decision_hash(r: Row) -> str:
    return _sha(
        f'["decision",{_int(r["id"])},{{"actor_id":{_int(r["actor_id"])},"at":{_when(r["at"])},'
        f'"claim_id":{_int(r["claim_id"])},"feedback":{_text(r["feedback"])},'
        f'"method":{_text(r["method"])},"new_status":{_text(r["new_status"])},'
        f'"old_status":{_text(r["old_status"])}}}]'
    )


def _version_hash(r: Row) -> str:
    fields = json.dumps(r["fields"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha(
        f'["evidenceversion",{_int(r["id"])},{{"activity_date":{_when(r["activity_date"])},'
        f'"body":{_text(r["body"])},"created_at":{_when(r["created_at"])},'
        f'"created_by":{_int(r["created_by"])},"declared_at":{_when(r["declared_at"])},'
        f'"evidence_id":{_int(r["evidence_id"])},"fields":{fields},"number":{_int(r["number"])},'
        f'"sha256":{_text(r["sha256"])},"title":{_text(r["title"])}}}]'
    )


ROW_HASHES: dict[str, Callable[[Row], str]] = {
    "claim": _claim_hash,
    "decision": _decision_hash,
    "evidenceversion": _version_hash,
}


class Entry(NamedTuple):
    """An audit entry to append: what :func:`portfolio.services.audit.record` takes."""

    action: str
    subject_type: str
    subject_id: int | None
    data: dict[str, Any]
    records: list[Record]
    about: int | None = None  # the person the subject belongs to (AuditEntry.about_id)


def write_entries(
    writer: BulkWriter, entries: Sequence[Entry], after: audit.Head, at: datetime
) -> audit.Head:
    """Append ``entries`` by the system after the head ``after``, hashed, chained and placed as
    :func:`portfolio.services.audit.record` does (the caller holds the trail's lock:
    :func:`portfolio.services.audit.head_locked`); the new head."""
    prev, place = after.hash, after.entries
    ids = writer.ids(table(AuditEntry), len(entries))
    rows: list[Row] = []
    records: list[Row] = []
    for entry_id, entry in zip(ids, entries, strict=True):
        recorded = sorted(set(entry.records))
        row_hash = audit_rows.digest(recorded)
        digest = audit.entry_hash(
            prev, at, None, entry.action, entry.subject_type, entry.subject_id, entry.data,
            row_hash,
        )  # fmt: skip
        rows.append(
            {
                "id": entry_id,
                "at": at,
                "actor_id": None,
                "action": entry.action,
                "subject_type": entry.subject_type,
                "subject_id": entry.subject_id,
                "data": entry.data,
                "prev_hash": prev,
                "hash": digest,
                "row_hash": row_hash,
                "seq": place + 1,
                "about_id": entry.about,
            }
        )
        records.extend(
            {"entry_id": entry_id, "kind": k, "row_id": i, "hash": h} for k, i, h in recorded
        )
        prev, place = digest, place + 1
    writer.write(table(AuditEntry), rows)
    writer.write(table(AuditRow), records)
    return audit.Head(entries=place, hash=prev)
