"""Importing a portable portfolio bundle into another database.

Everything is checked before anything is written: every file the manifest lists must be in the
zip with the same SHA-256 (and nothing unlisted may be), every attachment must point at a listed
file of its own hash, every evidence version's hash must match its content, and every sign-off's
evidence-set hash must match its frozen versions. Any failure refuses the whole bundle, naming
the file or record. Then the framework is found by code and content hash (or imported), the
learner matched by e-mail (or created), and the evidence, versions, attachments, claims, decision
history, judgements and sign-offs recreated with their original times and hashes, inside one
savepoint of the caller's transaction.

Importing the same bundle twice is refused (:class:`~portfolio.errors.Conflict`) and writes
nothing: a bundle whose evidence or sign-off records are already present is recognised.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from exports.bundle import FORMAT, MANIFEST, SCHEMA_VERSION
from framework.export_json import framework_from_json
from framework.spec import FrameworkFormatError
from mappings.assessment.models import Claim, Decision, Judgement, SignOff, SignOffEvidence
from mappings.assessment.signoff import evidence_set_hash
from portfolio.errors import Conflict, Invalid, PermissionDenied
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
from portfolio.services import audit, people
from portfolio.services.evidence import version_hash
from portfolio.services.files import CHUNK, FileStore
from portfolio.services.frameworks import import_framework
from portfolio.services.people import Actor

MAX_MEMBER = 4 * 1024**3


@dataclass
class ImportReport:
    learner_id: int
    learner_email: str
    learner_created: bool
    frameworks_imported: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        who = "new learner" if self.learner_created else "existing learner"
        return (
            f"Imported the bundle of {self.learner_email} ({who}, id {self.learner_id}): {parts}."
        )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _need_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _hash_member(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    try:
        with zf.open(name) as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Invalid(f"Bundle refused: {name} is damaged ({exc}). Nothing was imported.") from exc
    return digest.hexdigest()


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise Invalid("Bundle refused: it has no manifest.json.") from None
    except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise Invalid(f"Bundle refused: manifest.json is damaged ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Invalid("Bundle refused: manifest.json is not a portfolio bundle manifest.")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise Invalid(
            f"Bundle refused: schema version {manifest.get('schema_version')!r} "
            f"(this program reads {SCHEMA_VERSION})."
        )
    return manifest


def verify_bundle(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of a bundle whose every hash holds; :class:`Invalid` naming the first fault."""
    manifest = read_manifest(zf)
    files: dict[str, str] = manifest.get("files") or {}
    present = {i.filename for i in zf.infolist() if not i.is_dir()} - {MANIFEST}
    missing = sorted(set(files) - present)
    if missing:
        raise Invalid(f"Bundle refused: {missing[0]} is listed in the manifest but missing.")
    extra = sorted(present - set(files))
    if extra:
        raise Invalid(f"Bundle refused: {extra[0]} is not listed in the manifest.")
    for name, expected in sorted(files.items()):
        if _hash_member(zf, name) != expected:
            raise Invalid(f"Bundle refused: {name} does not match its SHA-256 in the manifest.")
    for item in manifest["evidence"]:
        for v in item["versions"]:
            ref = f"E{item['id']}v{v['number']}"
            for a in v["attachments"]:
                if files.get(a["path"]) != a["sha256"]:
                    raise Invalid(f"Bundle refused: the file {a['filename']} of {ref} is missing.")
            actual = version_hash(
                item["kind"],
                v["title"],
                _day(v["activity_date"]),
                v["body"],
                v["fields"],
                [a["sha256"] for a in v["attachments"]],
            )
            if actual != v["sha256"]:
                raise Invalid(f"Bundle refused: evidence {ref} does not match its SHA-256.")
    for s in manifest["signoffs"]:
        digest = evidence_set_hash((e["ref"], e["sha256"]) for e in s["evidence"])
        if digest != s["evidence_set_sha256"]:
            raise Invalid(
                f"Bundle refused: the evidence set of sign-off {s['document_id']} "
                "does not match its SHA-256."
            )
    return manifest


def import_bundle(
    session: Session, store: FileStore, zip_path: str | Path, actor: Actor
) -> ImportReport:
    """Verify, then recreate a bundle's portfolio. Flushes, never commits."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators import portfolio bundles.")
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Invalid(f"Bundle refused: {zip_path} is not a zip file ({exc}).") from exc
    with zf:
        manifest = verify_bundle(zf)
        _refuse_duplicate(session, manifest)
        with session.begin_nested():
            return _Importer(session, store, zf, actor, manifest).run()


def _refuse_duplicate(session: Session, manifest: dict[str, Any]) -> None:
    documents = [s["document_id"] for s in manifest["signoffs"]]
    if documents:
        found = session.exec(
            select(SignOff.document_id).where(col(SignOff.document_id).in_(documents))
        ).first()
        if found:
            raise Conflict(
                f"This bundle is already imported: sign-off {found} exists. Nothing was written."
            )
    email = people.normalise_email(manifest["learner"]["email"])
    learner = session.exec(select(Person).where(Person.email == email)).first()
    if learner is None or not manifest["evidence"]:
        return
    existing = {
        (e.title, e.created_at)
        for e in session.exec(select(Evidence).where(Evidence.learner_id == learner.id))
    }
    for item in manifest["evidence"]:
        if (item["title"], _dt(item["created_at"])) in existing:
            raise Conflict(
                f"This bundle is already imported: {email} already has the evidence "
                f"{item['title']!r} created at {item['created_at']}. Nothing was written."
            )


class _Importer:
    def __init__(
        self,
        session: Session,
        store: FileStore,
        zf: zipfile.ZipFile,
        actor: Actor,
        manifest: dict[str, Any],
    ) -> None:
        self.session, self.store, self.zf, self.actor, self.m = session, store, zf, actor, manifest
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "registrations",
                "evidence",
                "versions",
                "attachments",
                "claims",
                "decisions",
                "judgements",
                "sign-offs",
            ),
            0,
        )
        self.person: dict[str, int] = {}
        self.created: list[str] = []

    def run(self) -> ImportReport:
        learner_email = people.normalise_email(self.m["learner"]["email"])
        learner_known = self._find_person(learner_email) is not None
        self._people([self.m["learner"], *self.m["people"]])
        fw_ids, imported = self._frameworks()
        standards, criteria = self._criteria(fw_ids)
        regs = self._registrations(fw_ids, standards)
        evidence, versions = self._evidence()
        self._claims(evidence, criteria)
        self._judgements(evidence)
        self._signoffs(regs, standards, versions)
        report = ImportReport(
            learner_id=self.person[learner_email],
            learner_email=learner_email,
            learner_created=not learner_known,
            frameworks_imported=imported,
            people_created=self.created,
            counts=self.counts,
        )
        audit.record(
            self.session,
            actor=self.actor,
            action="bundle.import",
            subject_type="person",
            subject_id=report.learner_id,
            data={"generated_at": self.m.get("generated_at"), "counts": self.counts},
        )
        return report

    # -------------------------------------------------------------- people and frameworks
    def _find_person(self, email: str) -> Person | None:
        return self.session.exec(select(Person).where(Person.email == email)).first()

    def _people(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            email = people.normalise_email(entry["email"])
            if email in self.person:
                continue
            found = self._find_person(email)
            if found is None:
                found = people.create_person(
                    self.session,
                    actor=self.actor,
                    name=entry["name"],
                    email=email,
                    roles=entry["roles"] or ["learner"],
                    password=None,
                    site=entry.get("site") or "Main site",
                )
                self.created.append(email)
            self.person[email] = found.id or 0

    def _pid(self, email: str | None) -> int | None:
        return self.person[people.normalise_email(email)] if email else None

    def _frameworks(self) -> tuple[dict[tuple[str, str], int], list[str]]:
        ids: dict[tuple[str, str], int] = {}
        imported: list[str] = []
        for fw in self.m["frameworks"]:
            key = (fw["code"], fw["content_hash"])
            found = self.session.exec(
                select(Framework).where(
                    Framework.code == fw["code"], Framework.content_hash == fw["content_hash"]
                )
            ).first()
            if found is None:
                try:
                    spec = framework_from_json(json.dumps(fw["spec"]), source=MANIFEST)
                except FrameworkFormatError as exc:
                    raise Invalid(f"Bundle refused: framework {fw['code']}: {exc}") from exc
                result = import_framework(
                    self.session, actor=self.actor, spec=spec, new_version=True
                )
                found = self.session.get(Framework, result.framework_id)
                assert found is not None
                if result.status != "unchanged":
                    found.rules = fw.get("rules") or {}
                    self.session.add(found)
                    imported.append(f"{found.code} v{found.version}")
            ids[key] = found.id or 0
        return ids, imported

    def _criteria(
        self, fw_ids: dict[tuple[str, str], int]
    ) -> tuple[dict[tuple[int, str], int], dict[tuple[int, str, str], int]]:
        standards: dict[tuple[int, str], int] = {}
        criteria: dict[tuple[int, str, str], int] = {}
        rows = self.session.exec(
            select(Standard, Criterion)
            .join(Criterion, col(Criterion.standard_id) == Standard.id)
            .where(col(Standard.framework_id).in_(set(fw_ids.values())))
        ).all()
        for std, crit in rows:
            standards[(std.framework_id, std.code)] = std.id or 0
            criteria[(std.framework_id, std.code, crit.code)] = crit.id or 0
        return standards, criteria

    # -------------------------------------------------------------- registrations
    def _cohort(self, name: str | None) -> int | None:
        if not name:
            return None
        found = self.session.exec(select(Cohort).where(Cohort.name == name)).first()
        if found is None:
            found = Cohort(name=name)
            self.session.add(found)
            self.session.flush()
        return found.id

    def _registrations(
        self, fw_ids: dict[tuple[str, str], int], standards: dict[tuple[int, str], int]
    ) -> dict[int, tuple[int, int]]:
        """Old registration id -> (new registration id, framework id)."""
        learner_id = self.person[people.normalise_email(self.m["learner"]["email"])]
        out: dict[int, tuple[int, int]] = {}
        for r in self.m["registrations"]:
            fw_id = fw_ids[(r["framework"]["code"], r["framework"]["content_hash"])]
            reg = self.session.exec(
                select(Registration).where(
                    Registration.learner_id == learner_id, Registration.framework_id == fw_id
                )
            ).first()
            if reg is None:
                reg = Registration(
                    learner_id=learner_id,
                    framework_id=fw_id,
                    cohort_id=self._cohort(r.get("cohort")),
                    assessor_id=self._pid(r.get("assessor")),
                    iqa_id=self._pid(r.get("iqa")),
                    start_date=_day(r["start_date"]),
                    planned_end=_day(r["planned_end"]),
                    created_at=_need_dt(r["created_at"]),
                )
                self.session.add(reg)
                self.session.flush()
                self.counts["registrations"] += 1
            have = set(
                self.session.exec(
                    select(RegistrationStandard.standard_id).where(
                        RegistrationStandard.registration_id == reg.id
                    )
                )
            )
            for code in r["standards"]:
                sid = standards[(fw_id, code)]
                if sid not in have:
                    self.session.add(
                        RegistrationStandard(registration_id=reg.id or 0, standard_id=sid)
                    )
            out[r["id"]] = (reg.id or 0, fw_id)
        self.session.flush()
        return out

    # -------------------------------------------------------------- evidence
    def _store(self, path: str, sha256: str, size: int) -> None:
        if self.store.exists(sha256):
            return
        with self.zf.open(path) as src:
            stored = self.store.put(src, max_bytes=max(size, 1))  # type: ignore[arg-type]
        if stored.sha256 != sha256:  # pragma: no cover - verified before
            raise Invalid(f"Bundle refused: {path} changed while importing.")

    def _evidence(self) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
        learner_id = self.person[people.normalise_email(self.m["learner"]["email"])]
        evidence: dict[int, int] = {}
        versions: dict[tuple[int, int], int] = {}
        for item in self.m["evidence"]:
            row = Evidence(
                learner_id=learner_id,
                kind=item["kind"],
                title=item["title"],
                activity_date=_day(item["activity_date"]),
                status=item["status"],
                current_version=item["current_version"],
                created_by=self._pid(item["created_by"]) or learner_id,
                created_at=_need_dt(item["created_at"]),
                updated_at=_need_dt(item["updated_at"]),
                submitted_at=_dt(item["submitted_at"]),
            )
            self.session.add(row)
            self.session.flush()
            evidence[item["id"]] = row.id or 0
            self.counts["evidence"] += 1
            for v in item["versions"]:
                version = EvidenceVersion(
                    evidence_id=row.id or 0,
                    number=v["number"],
                    title=v["title"],
                    activity_date=_day(v["activity_date"]),
                    body=v["body"],
                    fields=v["fields"],
                    sha256=v["sha256"],
                    created_by=self._pid(v["created_by"]) or learner_id,
                    created_at=_need_dt(v["created_at"]),
                    declared_at=_dt(v["declared_at"]),
                )
                self.session.add(version)
                self.session.flush()
                versions[(item["id"], v["number"])] = version.id or 0
                self.counts["versions"] += 1
                for a in v["attachments"]:
                    self._store(a["path"], a["sha256"], a["size"])
                    self.session.add(
                        Attachment(
                            version_id=version.id or 0,
                            sha256=a["sha256"],
                            filename=a["filename"],
                            mime=a["mime"],
                            size=a["size"],
                            text=a.get("text", ""),
                            created_at=_need_dt(a["created_at"]),
                        )
                    )
                    self.counts["attachments"] += 1
        self.session.flush()
        return evidence, versions

    def _claims(self, evidence: dict[int, int], criteria: dict[tuple[int, str, str], int]) -> None:
        fw_by_key = {(f.code, f.content_hash): f.id for f in self.session.exec(select(Framework))}
        for c in self.m["claims"]:
            crit = c["criterion"]
            fw_id = fw_by_key.get((crit["framework"], crit["framework_hash"]))
            criterion_id = criteria.get((fw_id or 0, crit["standard"], crit["code"]))
            if criterion_id is None:
                raise Invalid(
                    f"Bundle refused: criterion {crit['standard']} {crit['code']} "
                    f"of {crit['framework']} is not in the framework."
                )
            claim = Claim(
                evidence_id=evidence[c["evidence_id"]],
                criterion_id=criterion_id,
                claimed_by=self._pid(c["claimed_by"]) or 0,
                created_at=_need_dt(c["created_at"]),
                status=c["status"],
                method=c["method"],
                decided_at=_dt(c["decided_at"]),
                decided_by=self._pid(c["decided_by"]),
                revision=c["revision"],
            )
            self.session.add(claim)
            self.session.flush()
            self.counts["claims"] += 1
            for d in c["decisions"]:
                self.session.add(
                    Decision(
                        claim_id=claim.id or 0,
                        old_status=d["old_status"],
                        new_status=d["new_status"],
                        method=d["method"],
                        feedback=d["feedback"],
                        actor_id=self._pid(d["actor"]) or 0,
                        at=_need_dt(d["at"]),
                    )
                )
                self.counts["decisions"] += 1
        self.session.flush()

    def _judgements(self, evidence: dict[int, int]) -> None:
        for j in self.m["judgements"]:
            self.session.add(
                Judgement(
                    evidence_id=evidence[j["evidence_id"]],
                    version_number=j["version_number"],
                    valid=j["valid"],
                    authentic=j["authentic"],
                    current=j["current"],
                    sufficient=j["sufficient"],
                    reliable=j["reliable"],
                    note=j["note"],
                    actor_id=self._pid(j["actor"]) or 0,
                    at=_need_dt(j["at"]),
                )
            )
            self.counts["judgements"] += 1
        self.session.flush()

    def _signoffs(
        self,
        regs: dict[int, tuple[int, int]],
        standards: dict[tuple[int, str], int],
        versions: dict[tuple[int, int], int],
    ) -> None:
        for s in self.m["signoffs"]:
            reg_id, fw_id = regs[s["registration_id"]]
            record = SignOff(
                registration_id=reg_id,
                standard_id=standards[(fw_id, s["standard"])],
                assessor_id=self._pid(s["assessor"]) or 0,
                document_id=s["document_id"],
                summary=s["summary"],
                feedback=s["feedback"],
                learner_declared_at=_need_dt(s["learner_declared_at"]),
                assessor_declared_at=_need_dt(s["assessor_declared_at"]),
                signed_at=_need_dt(s["signed_at"]),
                evidence_set_sha256=s["evidence_set_sha256"],
                status=s["status"],
                reopened_at=_dt(s["reopened_at"]),
                reopened_by=self._pid(s["reopened_by"]),
                reopen_reason=s["reopen_reason"],
            )
            self.session.add(record)
            self.session.flush()
            for e in s["evidence"]:
                self.session.add(
                    SignOffEvidence(
                        signoff_id=record.id or 0,
                        version_id=versions[(e["evidence_id"], e["version"])],
                        sha256=e["sha256"],
                    )
                )
            self.counts["sign-offs"] += 1
        self.session.flush()
