"""A learner's portable portfolio bundle: one zip, browsable offline, complete enough to re-import.

Layout of the zip (see README, "Portable portfolio bundle", for the manifest schema)::

    index.html                   evidence, standards with coverage, sign-offs
    evidence/E<id>.html          one page per evidence item, every version, links to its files
    attachments/<sha256>.<ext>   each attached file once, streamed from the file store
    signoffs/<name>.docx         the sign-off record of every sign-off
    manifest.json                all the data, and the SHA-256 of every other file

Attachments are copied in chunks from the store into the zip, so memory stays flat whatever
their total size; only the manifest data (text, not files) is held.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from exports.bundle_html import render_page
from exports.signoff import build_signoff_docx
from exports.signoff_view import document_name, signoff_views
from framework.export_json import framework_to_json
from mappings.assessment.models import Claim, Decision, Judgement, SignOff, SignOffEvidence
from mappings.assessment.standing import load_standings
from portfolio.errors import Invalid, NotFound
from portfolio.models import (
    Attachment,
    Cohort,
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
from portfolio.services import access
from portfolio.services.files import CHUNK, FileStore
from portfolio.services.frameworks import load_spec
from portfolio.services.people import Actor

FORMAT = "competence-portfolio-bundle"
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
VACSR = ("valid", "authentic", "current", "sufficient", "reliable")


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def attachment_path(sha256: str, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = re.sub(r"[^a-z0-9]", "", ext)[:10]
    return f"attachments/{sha256}" + (f".{ext}" if ext else "")


def evidence_page(evidence_id: int) -> str:
    return f"evidence/E{evidence_id}.html"


class _Writer:
    """Writes members into the zip and remembers the SHA-256 of each."""

    def __init__(self, zf: zipfile.ZipFile, when: datetime) -> None:
        self.zf = zf
        self.stamp = max(when.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        self.files: dict[str, str] = {}

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def bytes(self, name: str, data: bytes) -> None:
        self.zf.writestr(self._info(name), data)
        self.files[name] = hashlib.sha256(data).hexdigest()

    def stream(self, name: str, store: FileStore, sha256: str, size: int) -> None:
        path = store.path(sha256)
        if not path.exists():
            raise Invalid(f"The file {sha256} is missing from the file store.")
        digest = hashlib.sha256()
        with (
            path.open("rb") as src,
            self.zf.open(self._info(name, size), "w", force_zip64=size > 2**30) as dst,
        ):
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != sha256:
            raise Invalid(f"The stored file {sha256} does not match its hash; not exported.")
        self.files[name] = sha256


def _person(p: Person) -> dict[str, Any]:
    return {"email": p.email, "name": p.name, "roles": sorted(p.role_set), "site": p.site}


def may_export_bundle(session: Session, actor: Actor, learner_id: int) -> None:
    """The learner themself or their assessor (NotFound for anyone else)."""
    rel = access.relation(session, actor, learner_id)
    if not rel & {"self", "assessor"}:
        raise NotFound("No such portfolio, or it is not one you may export.")


def write_bundle(
    session: Session,
    store: FileStore,
    learner_id: int,
    out: BinaryIO,
    *,
    centre: str = "",
    actor: Actor | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """Write the learner's bundle to ``out`` (any writable binary stream); return the manifest.

    With ``actor`` the export is checked: the learner or their assessor only.
    """
    if actor is not None:
        may_export_bundle(session, actor, learner_id)
    learner = session.get(Person, learner_id)
    if learner is None:
        raise NotFound("No such learner.")
    when = generated_at or utcnow()
    data = _collect(session, learner)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        writer = _Writer(zf, when)
        written: set[str] = set()
        for item in data["evidence"]:
            for version in item["versions"]:
                for a in version["attachments"]:
                    if a["path"] not in written:
                        writer.stream(a["path"], store, a["sha256"], a["size"])
                        written.add(a["path"])
        documents = _signoff_documents(session, data["signoffs"], centre)
        for path, blob in documents:
            writer.bytes(path, blob)
        claimed: dict[int, list[str]] = defaultdict(list)
        for c in data["claims"]:
            crit = c["criterion"]
            claimed[c["evidence_id"]].append(f"{crit['standard']} {crit['code']}: {c['status']}")
        for item in data["evidence"]:
            page = _page_of(item, claimed.get(item["id"], []))
            writer.bytes(item["page"], render_page("evidence.html", e=page, **_foot(when, centre)))
        writer.bytes("index.html", _index(session, learner, data, when, centre))
        manifest = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "generated_at": _iso(when),
            "centre": centre,
            **data,
            "files": dict(sorted(writer.files.items())),
        }
        blob = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        zf.writestr(writer._info(MANIFEST), blob)
    return manifest


def _foot(when: datetime, centre: str) -> dict[str, str]:
    return {"generated_at": when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"), "centre": centre}


def _collect(session: Session, learner: Person) -> dict[str, Any]:
    """Everything about one learner as plain JSON-ready data, in a fixed number of queries."""
    lid = learner.id or 0
    regs = list(
        session.exec(
            select(Registration)
            .where(Registration.learner_id == lid)
            .order_by(col(Registration.id))
        )
    )
    reg_ids = [r.id for r in regs]
    fw_ids = {r.framework_id for r in regs}
    frameworks = {
        f.id: f for f in session.exec(select(Framework).where(col(Framework.id).in_(fw_ids)))
    }
    cohorts = {
        c.id: c.name
        for c in session.exec(
            select(Cohort).where(col(Cohort.id).in_({r.cohort_id for r in regs if r.cohort_id}))
        )
    }
    std_of: dict[int, list[str]] = defaultdict(list)
    for reg_id, code in session.exec(
        select(RegistrationStandard.registration_id, Standard.code)
        .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
        .where(col(RegistrationStandard.registration_id).in_(reg_ids))
        .order_by(col(Standard.position))
    ):
        std_of[reg_id].append(code)
    items = list(
        session.exec(select(Evidence).where(Evidence.learner_id == lid).order_by(col(Evidence.id)))
    )
    ev_ids = [e.id for e in items]
    versions = list(
        session.exec(
            select(EvidenceVersion)
            .where(col(EvidenceVersion.evidence_id).in_(ev_ids))
            .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
        )
    )
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for a in session.exec(
        select(Attachment)
        .where(col(Attachment.version_id).in_([v.id for v in versions]))
        .order_by(col(Attachment.id))
    ):
        attachments[a.version_id].append(a)
    claim_rows = session.exec(
        select(Claim, Criterion, Standard, Framework)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(col(Claim.evidence_id).in_(ev_ids))
        .order_by(col(Claim.evidence_id), col(Claim.id))
    ).all()
    for _c, _cr, _s, fw in claim_rows:
        frameworks.setdefault(fw.id, fw)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for d in session.exec(
        select(Decision)
        .where(col(Decision.claim_id).in_([c.id for c, *_ in claim_rows]))
        .order_by(col(Decision.id))
    ):
        decisions[d.claim_id].append(d)
    judgements = list(
        session.exec(
            select(Judgement)
            .where(col(Judgement.evidence_id).in_(ev_ids))
            .order_by(col(Judgement.id))
        )
    )
    signoffs = session.exec(
        select(SignOff, Standard)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .where(col(SignOff.registration_id).in_(reg_ids))
        .order_by(col(SignOff.id))
    ).all()
    frozen: dict[int, list[tuple[SignOffEvidence, EvidenceVersion]]] = defaultdict(list)
    for f, v in session.exec(
        select(SignOffEvidence, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .where(col(SignOffEvidence.signoff_id).in_([s.id for s, _ in signoffs]))
        .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
    ):
        frozen[f.signoff_id].append((f, v))

    person_ids: set[int | None] = {lid}
    person_ids |= {r.assessor_id for r in regs} | {r.iqa_id for r in regs}
    person_ids |= {e.created_by for e in items} | {v.created_by for v in versions}
    person_ids |= {c.claimed_by for c, *_ in claim_rows} | {c.decided_by for c, *_ in claim_rows}
    person_ids |= {d.actor_id for ds in decisions.values() for d in ds}
    person_ids |= {j.actor_id for j in judgements}
    person_ids |= {s.assessor_id for s, _ in signoffs} | {s.reopened_by for s, _ in signoffs}
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(col(Person.id).in_({i for i in person_ids if i}))
        )
    }

    def email(pid: int | None) -> str | None:
        return people[pid].email if pid else None

    versions_of: dict[int, list[EvidenceVersion]] = defaultdict(list)
    for v in versions:
        versions_of[v.evidence_id].append(v)
    return {
        "learner": _person(learner),
        "people": [_person(p) for _, p in sorted(people.items(), key=lambda kv: kv[1].email)],
        "frameworks": [
            {
                "code": f.code,
                "urn": f.urn,
                "title": f.title,
                "version": f.version,
                "content_hash": f.content_hash,
                "rules": f.rules,
                "spec": json.loads(framework_to_json(load_spec(session, f.id or 0))),
            }
            for _, f in sorted(frameworks.items(), key=lambda kv: kv[0] or 0)
        ],
        "registrations": [
            {
                "id": r.id,
                "framework": {
                    "code": frameworks[r.framework_id].code,
                    "content_hash": frameworks[r.framework_id].content_hash,
                },
                "standards": std_of.get(r.id or 0, []),
                "cohort": cohorts.get(r.cohort_id) if r.cohort_id else None,
                "assessor": email(r.assessor_id),
                "iqa": email(r.iqa_id),
                "start_date": _iso(r.start_date),
                "planned_end": _iso(r.planned_end),
                "created_at": _iso(r.created_at),
            }
            for r in regs
        ],
        "evidence": [
            {
                "id": e.id,
                "page": evidence_page(e.id or 0),
                "kind": e.kind,
                "title": e.title,
                "activity_date": _iso(e.activity_date),
                "status": e.status,
                "current_version": e.current_version,
                "created_by": email(e.created_by),
                "created_at": _iso(e.created_at),
                "updated_at": _iso(e.updated_at),
                "submitted_at": _iso(e.submitted_at),
                "versions": [
                    {
                        "number": v.number,
                        "title": v.title,
                        "activity_date": _iso(v.activity_date),
                        "body": v.body,
                        "fields": v.fields,
                        "sha256": v.sha256,
                        "created_by": email(v.created_by),
                        "created_at": _iso(v.created_at),
                        "declared_at": _iso(v.declared_at),
                        "attachments": [
                            {
                                "path": attachment_path(a.sha256, a.filename),
                                "sha256": a.sha256,
                                "size": a.size,
                                "mime": a.mime,
                                "filename": a.filename,
                                "text": a.text,
                                "created_at": _iso(a.created_at),
                            }
                            for a in attachments.get(v.id or 0, [])
                        ],
                    }
                    for v in versions_of.get(e.id or 0, [])
                ],
            }
            for e in items
        ],
        "claims": [
            {
                "id": c.id,
                "evidence_id": c.evidence_id,
                "criterion": {
                    "framework": fw.code,
                    "framework_hash": fw.content_hash,
                    "standard": s.code,
                    "code": cr.code,
                },
                "claimed_by": email(c.claimed_by),
                "created_at": _iso(c.created_at),
                "status": c.status,
                "method": c.method,
                "decided_at": _iso(c.decided_at),
                "decided_by": email(c.decided_by),
                "revision": c.revision,
                "decisions": [
                    {
                        "old_status": d.old_status,
                        "new_status": d.new_status,
                        "method": d.method,
                        "feedback": d.feedback,
                        "actor": email(d.actor_id),
                        "at": _iso(d.at),
                    }
                    for d in decisions.get(c.id or 0, [])
                ],
            }
            for c, cr, s, fw in claim_rows
        ],
        "judgements": [
            {
                "evidence_id": j.evidence_id,
                "version_number": j.version_number,
                **{k: getattr(j, k) for k in VACSR},
                "note": j.note,
                "actor": email(j.actor_id),
                "at": _iso(j.at),
            }
            for j in judgements
        ],
        "signoffs": [
            {
                "id": s.id,
                "registration_id": s.registration_id,
                "standard": std.code,
                "assessor": email(s.assessor_id),
                "document_id": s.document_id,
                "summary": s.summary,
                "feedback": s.feedback,
                "learner_declared_at": _iso(s.learner_declared_at),
                "assessor_declared_at": _iso(s.assessor_declared_at),
                "signed_at": _iso(s.signed_at),
                "evidence_set_sha256": s.evidence_set_sha256,
                "status": s.status,
                "reopened_at": _iso(s.reopened_at),
                "reopened_by": email(s.reopened_by),
                "reopen_reason": s.reopen_reason,
                "evidence": [
                    {
                        "ref": f"E{v.evidence_id}v{v.number}",
                        "evidence_id": v.evidence_id,
                        "version": v.number,
                        "sha256": f.sha256,
                    }
                    for f, v in frozen.get(s.id or 0, [])
                ],
            }
            for s, std in signoffs
        ],
    }


def _signoff_documents(
    session: Session, signoffs: list[dict[str, Any]], centre: str
) -> Iterable[tuple[str, bytes]]:
    views = signoff_views(session, [s["id"] for s in signoffs], centre=centre)
    by_doc = {v.document_id: v for v in views}
    for s in signoffs:
        view = by_doc[s["document_id"]]
        s["document"] = f"signoffs/{document_name(view)}"
        yield s["document"], build_signoff_docx(view)


def _page_of(item: dict[str, Any], claims: list[str]) -> dict[str, Any]:
    return {
        **item,
        "kind": KINDS.get(item["kind"], item["kind"]),
        "claims": claims,
        "versions": [
            {**v, "fields": [(k.replace("_", " ").title(), val) for k, val in v["fields"].items()]}
            for v in reversed(item["versions"])
        ],
    }


def _index(
    session: Session, learner: Person, data: dict[str, Any], when: datetime, centre: str
) -> bytes:
    signed = {
        (s["registration_id"], s["standard"]): s
        for s in data["signoffs"]
        if s["status"] == "signed"
    }
    regs = []
    for standing in load_standings(session, [r["id"] for r in data["registrations"]]):
        rid = standing.registration.id
        rows = []
        for cov in standing.coverage.standards:
            info = next(i for i in standing.standards if i.code == cov.standard)
            s = signed.get((rid, cov.standard))
            rows.append(
                {
                    "code": cov.standard,
                    "title": info.title,
                    "met": cov.met,
                    "total": cov.total,
                    "awaiting": cov.awaiting,
                    "referred": cov.referred,
                    "missing": cov.missing,
                    "document": s["document"] if s else "",
                    "signed_on": (s["signed_at"] or "")[:10] if s else "",
                }
            )
        regs.append(
            {
                "framework": f"{standing.framework.title} (version {standing.framework.version})",
                "ref": rid,
                "standards": rows,
            }
        )
    names = {p["email"]: p["name"] for p in data["people"]}
    return render_page(
        "index.html",
        learner=data["learner"],
        registrations=regs,
        evidence=[
            {
                "page": e["page"],
                "title": e["title"],
                "kind": KINDS.get(e["kind"], e["kind"]),
                "activity_date": e["activity_date"],
                "status": e["status"],
                "versions": len(e["versions"]),
                "files": len(e["versions"][-1]["attachments"]) if e["versions"] else 0,
            }
            for e in data["evidence"]
        ],
        signoffs=[
            {**s, "assessor": names.get(s["assessor"] or "", ""), "signed_at": s["signed_at"]}
            for s in data["signoffs"]
        ],
        **_foot(when, centre),
    )
