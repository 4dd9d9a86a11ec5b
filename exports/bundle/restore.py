"""Importing a portable portfolio bundle into another database.

Everything is checked before anything is written (:mod:`exports.bundle.check`); any failure
refuses the whole bundle, naming the file or record. Then the framework is found by code and
content hash (or imported), the learner matched by e-mail (or created, as a learner), and the
evidence, versions and attachments recreated from the manifest's records with their original
times and hashes, inside one savepoint of the caller's transaction.

Decisions carry authority only when a key the importing centre trusts verifies the bundle's
signature (:mod:`exports.bundle.signing`). Then the claims, decision history, judgements and
sign-offs are recreated too, and the frameworks of the decisions are noted on the session
(:func:`~mappings.assessment.decided.decided_in`) so that, once the caller commits, the suggestions
of evidence awaiting a decision there are worked out again, as after a decision made here.
Otherwise the learner's claims come back awaiting a decision here,
and the sending centre's decisions, judgements and sign-offs are kept as its record
(:mod:`exports.bundle.received`): not counted, attributed to nobody here, nobody created for
them. Roles are never taken from a bundle (:mod:`exports.bundle.persons`), nor is a learner
made their own assessor or IQA. Importing the same bundle twice is refused (:class:`~portfolio.errors.Conflict`) and writes
nothing: a bundle whose evidence or sign-off records are already present is recognised.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, SQLModel, col, select

from exports.bundle import enrol, frameworks, persons, received
from exports.bundle.check import check_authors, manifest_bytes, verify_bundle
from exports.bundle.manifest import (
    AttachmentRecord,
    ClaimRecord,
    EvidenceRecord,
    Manifest,
    PersonRecord,
    Record,
    RegistrationRecord,
    SignOffRecord,
    copied,
    iso_time,
)
from exports.bundle.report import COUNTED, ImportReport
from exports.bundle.signing import SignatureCheck, check_signature
from mappings.assessment.decided import decided_in
from mappings.assessment.models import (
    Claim,
    Decision,
    Judgement,
    ReceivedRecord,
    SignOff,
    SignOffEvidence,
)
from portfolio.errors import Conflict, Invalid, PermissionDenied
from portfolio.models.evidence import Attachment, Evidence, EvidenceVersion
from portfolio.models.framework import Criterion, Framework, Standard
from portfolio.models.people import Registration
from portfolio.services import audit, people, registration_holds
from portfolio.services.files import Store, discard_on_rollback, hold_content
from portfolio.services.people import Actor

Row = TypeVar("Row", bound=SQLModel)


def import_bundle(
    session: Session,
    store: Store,
    zip_path: str | Path,
    actor: Actor,
    *,
    trusted: Sequence[Ed25519PublicKey] = (),
) -> ImportReport:
    """Verify, then recreate a bundle's portfolio; its decisions count only when a ``trusted``
    key verifies its signature. Flushes, never commits."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators import portfolio bundles.")
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Invalid(f"Bundle refused: {zip_path} is not a zip file ({exc}).") from exc
    with zf:
        manifest = verify_bundle(zf)
        names = persons.check_people(manifest)
        signature = check_signature(zf, manifest_bytes(zf), trusted)
        check_authors(manifest, verified=signature.verified)
        _refuse_duplicate(session, manifest)
        with session.begin_nested():
            restorer = _Restorer(session, store, zf, actor, manifest, signature, names)
            report = restorer.run()
    for framework_id in sorted(restorer.learnt):  # once the caller commits, as a decision made
        decided_in(session, framework_id)  # here: awaiting evidence's suggestions worked out again
    return report


def _refuse_duplicate(session: Session, manifest: Manifest) -> None:
    documents = [s.document_id for s in manifest.signoffs]
    if documents:
        found = session.exec(
            select(SignOff.document_id).where(col(SignOff.document_id).in_(documents))
        ).first()
        if found:
            raise Conflict(
                f"This bundle is already imported: sign-off {found} exists. Nothing was written."
            )
    email = people.normalise_email(manifest.learner.email)
    learner = persons.find_person(session, email)
    if learner is None or not manifest.evidence:
        return
    existing = {
        (e.title, e.created_at)
        for e in session.exec(select(Evidence).where(Evidence.learner_id == learner.id))
    }
    for item in manifest.evidence:
        if (item.title, item.created_at) in existing:
            raise Conflict(
                f"This bundle is already imported: {email} already has the evidence "
                f"“{item.title}” created at {iso_time(item.created_at)}. Nothing was written."
            )


class _Restorer:
    """Recreates the records of one verified manifest; ids of the bundle are mapped to new ones."""

    def __init__(
        self,
        session: Session,
        store: Store,
        zf: zipfile.ZipFile,
        actor: Actor,
        manifest: Manifest,
        signature: SignatureCheck,
        names: dict[str, str],
    ) -> None:
        self.session, self.store, self.zf, self.actor, self.m = session, store, zf, actor, manifest
        self.signature, self.names = signature, names
        self.trusted = signature.verified
        self.received: list[ReceivedRecord] = []
        self.sender: received.Sender | None = None
        self.counts: dict[str, int] = dict.fromkeys(COUNTED, 0)
        self.person: dict[str, int] = {}  # e-mail -> id
        self.created: list[str] = []
        self.cohorts: list[str] = []  # the sending centre's, named in the report only
        self.not_added: list[str] = []  # "SE v1: SE03", unverified: for an administrator
        self.added: list[str] = []  # "SE v1: SE03", verified, to a registration made here
        self.regs_made: list[str] = []  # "SE v1 (registration 7): SE01, from … to …"
        self.reg_rows: list[tuple[int, int, str]] = []  # registration standards written
        self.made: list[SQLModel] = []  # every row made, for the audit entry to hash
        self.evidence: dict[int, int] = {}  # bundle's evidence id -> new id
        self.versions: dict[tuple[int, int], int] = {}  # (bundle's evidence id, number) -> id
        self.learnt: set[int] = set()  # frameworks whose decisions were recreated

    def run(self) -> ImportReport:
        learner_email = people.normalise_email(self.m.learner.email)
        learner_known = persons.find_person(self.session, learner_email) is not None
        self._learner()
        if learner_known:  # what their registrations' stored summaries count is about to change:
            # held before anything is written or held (files' content, the audit trail)
            registration_holds.hold_learners(self.session, [self.learner_id])
        for entry in self.m.people if self.trusted else ():
            self._person(entry)
        self.sender = received.Sender(
            learner_id=self.learner_id,
            centre=self.m.centre,
            signature=self.signature.state,
            key=self.signature.key,
            names=self.names,
        )
        fw_ids, imported = self._frameworks()
        standards, criteria = self._criteria(fw_ids)
        regs = {r.id: self._registration(r, fw_ids, standards) for r in self.m.registrations}
        self.session.flush()
        for item in self.m.evidence:
            self._evidence(item)
        self.session.flush()
        self._assessment(criteria, standards, regs)
        for row in self.received:
            self.session.add(row)
        self.session.flush()
        report = ImportReport(
            learner_id=self.learner_id,
            learner_email=learner_email,
            learner_created=not learner_known,
            frameworks_imported=imported,
            people_created=self.created,
            counts=self.counts,
            signature=self.signature,
            received=len(self.received),
            cohorts=self.cohorts,
            standards_not_added=self.not_added,
            standards_added=self.added,
            registrations_made=self.regs_made,
            vocabulary_not_applied=self.vocabulary_kept,
        )
        generated = self.m.generated_at
        audit.record(
            self.session,
            actor=self.actor,
            action="bundle.import",
            subject_type="person",
            subject_id=report.learner_id,
            data={
                "generated_at": generated and iso_time(generated),
                "counts": self.counts,
                "signature": self.signature.state,
                "key": self.signature.key,
                "received": len(self.received),
                "cohorts_at_sending_centre": self.cohorts,
                "standards_not_added": self.not_added,
                "standards_added": self.added,
                "registrations_made": self.regs_made,
                "vocabulary_not_applied": self.vocabulary_kept,
                # not among the rows the trail re-hashes: the entry's own hash covers them
                "registration_standards": sorted(self.reg_rows),
            },
            rows=self.made,
        )
        return report

    def _assessment(
        self,
        criteria: dict[tuple[int, str, str], int],
        standards: dict[tuple[int, str], int],
        regs: dict[int, tuple[int, int]],
    ) -> None:
        """Claims, and the decisions, judgements and sign-offs: recreated when the bundle is
        verified, kept as the sending centre's record when not."""
        assert self.sender is not None
        known = {(f.code, f.content_hash): f.id for f in self.session.exec(select(Framework))}
        known |= self.fw_ids  # as the bundle states them (found here by content)
        for c in self.m.claims:
            fw_id = known.get((c.criterion.framework, c.criterion.framework_hash))
            self._claim(
                c, criteria.get((fw_id or 0, c.criterion.standard, c.criterion.code)), fw_id
            )
            if self.trusted and c.decisions and fw_id:
                self.learnt.add(fw_id)
        for j in self.m.judgements:
            evidence_id = self.evidence[j.evidence_id]
            if not self.trusted:
                self.received.append(received.judgement(self.sender, j, evidence_id))
                continue
            self._make(
                Judgement,
                j,
                "judgements",
                evidence_id=evidence_id,
                actor_id=self._pid(j.actor) or 0,
            )
        self.session.flush()
        for s in self.m.signoffs:
            reg_id, fw_id = regs[s.registration_id]
            standard = enrol.standard(standards, fw_id, s.standard, f"sign-off {s.document_id}")
            if self.trusted:
                self._signoff(s, reg_id, standard)
            else:
                self.received.append(received.signoff(self.sender, s))

    def _make(self, table: type[Row], record: Record, counted: str, **links: Any) -> Row:
        """A new row of ``table``: the fields ``record`` shares with it, and ``links``."""
        row = table(**copied(record, type(record)), **links)
        self.session.add(row)
        self.made.append(row)
        self.counts[counted] += 1
        return row

    def _pid(self, email: str | None) -> int | None:
        """The person here of an e-mail of the bundle (unverified: nobody but its learner)."""
        return self.person.get(people.normalise_email(email)) if email else None

    def _staff(self, email: str | None) -> int | None:
        """An assessor or IQA the bundle names: never its learner (so nobody, unverified)."""
        return None if (found := self._pid(email)) == self.learner_id else found

    @property
    def learner_id(self) -> int:
        return self.person[people.normalise_email(self.m.learner.email)]

    # -------------------------------------------------------------- people and frameworks
    def _learner(self) -> None:
        entry = self.m.learner
        found, made = persons.learner(self.session, self.actor, entry, self.names)
        if made:
            self.created.append(found.email)
        self.person[found.email] = found.id or 0

    def _person(self, entry: PersonRecord) -> None:
        email = people.normalise_email(entry.email)
        if email not in self.person:
            found, made = persons.named(self.session, self.actor, entry, self.names)
            if made:
                self.created.append(email)
            self.person[email] = found.id or 0

    def _frameworks(self) -> tuple[dict[tuple[str, str], int], list[str]]:
        placed = frameworks.place(self.session, self.actor, self.m.frameworks)
        self.fw_ids: dict[tuple[str, str], int | None] = dict(placed.ids)
        self.vocabulary_kept = placed.vocabulary_kept
        return placed.ids, placed.imported

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
    def _registration(
        self,
        r: RegistrationRecord,
        fw_ids: dict[tuple[str, str], int],
        standards: dict[tuple[int, str], int],
    ) -> tuple[int, int]:
        """The learner's registration on the framework (found or made): (its id, framework id).
        Its cohort at the sending centre is only reported (:mod:`exports.bundle.enrol`)."""
        fw_id = fw_ids[(r.framework.code, r.framework.content_hash)]
        name = received.text(people.without_controls(r.cohort or ""), 200).strip()
        if name and name not in self.cohorts:
            self.cohorts.append(name)
        placed = enrol.registration(
            self.session,
            r,
            learner_id=self.learner_id,
            fw_id=fw_id,
            standards=standards,
            make=lambda **links: self._make(Registration, r, "registrations", **links),
            staff=self._staff,
            verified=self.trusted,
        )
        fw = self.session.get(Framework, fw_id)
        assert fw is not None
        for codes, said in ((placed.not_added, self.not_added), (placed.added, self.added)):
            if codes:
                said.append(f"{fw.code} v{fw.version}: {', '.join(codes)}")
        self.reg_rows.extend(placed.written)
        if placed.made:
            self.regs_made.append(enrol.described(r, placed.id, f"{fw.code} v{fw.version}"))
        return placed.id, fw_id

    # -------------------------------------------------------------- evidence
    def _store(self, a: AttachmentRecord) -> None:
        # held as an upload holds it: an erasure's clean-up then sees this import's reference
        hold_content(self.session, [a.sha256])
        if self.store.exists(a.sha256):
            return
        with self.zf.open(a.path) as src:
            stored = self.store.put(src, max_bytes=max(a.size, 1), name=a.path)
        discard_on_rollback(self.session, self.store, stored)  # a failed import leaves none
        if stored.sha256 != a.sha256:  # pragma: no cover - verified before
            raise Invalid(f"Bundle refused: {a.path} changed while importing.")

    def _evidence(self, item: EvidenceRecord) -> None:
        created_by = self._pid(item.created_by) or self.learner_id
        row = self._make(
            Evidence, item, "evidence", learner_id=self.learner_id, created_by=created_by
        )
        self.session.flush()
        self.evidence[item.id] = row.id or 0
        for v in item.versions:
            created_by = self._pid(v.created_by) or self.learner_id
            version = self._make(
                EvidenceVersion, v, "versions", evidence_id=row.id or 0, created_by=created_by
            )
            self.session.flush()
            self.versions[(item.id, v.number)] = version.id or 0
            if v.created_by and self._pid(v.created_by) is None and self.sender is not None:
                # written by someone of the sending centre: said so, as text, beside the item
                self.received.append(received.authorship(self.sender, v, row.id or 0))
            elif v.recorded_by is not None and self.sender is not None:  # by a third centre
                self.received.append(received.recorded(self.sender, v, row.id or 0))
            for a in v.attachments:
                self._store(a)
                self._make(Attachment, a, "attachments", version_id=version.id or 0)

    # -------------------------------------------------------------- assessment
    def _claim(self, c: ClaimRecord, criterion_id: int | None, framework_id: int | None) -> None:
        crit = c.criterion
        if criterion_id is None:
            raise Invalid(
                f"Bundle refused: criterion {crit.standard} {crit.code} "
                f"of {crit.framework} is not in the framework."
            )
        evidence_id = self.evidence[c.evidence_id]
        if not self.trusted:
            assert self.sender is not None
            claim = Claim(
                evidence_id=evidence_id,
                criterion_id=criterion_id,
                claimed_by=self.learner_id,
                created_at=c.created_at,
            )
            self.session.add(claim)
            self.made.append(claim)
            self.counts["claims"] += 1
            self.received.extend(received.decisions(self.sender, c, evidence_id))
            return
        claim = self._make(
            Claim,
            c,
            "claims",
            evidence_id=evidence_id,
            criterion_id=criterion_id,
            claimed_by=self._pid(c.claimed_by) or self.learner_id,
            decided_by=self._pid(c.decided_by),
        )
        self.session.flush()
        for d in c.decisions:
            actor_id = self._pid(d.actor) or 0
            self._make(
                Decision, d, "decisions",
                claim_id=claim.id or 0, framework_id=framework_id, actor_id=actor_id,
            )  # fmt: skip

    def _signoff(self, s: SignOffRecord, registration_id: int, standard_id: int) -> None:
        record = self._make(
            SignOff, s, "sign-offs",
            registration_id=registration_id,
            standard_id=standard_id,
            assessor_id=self._pid(s.assessor) or 0,
            reopened_by=self._pid(s.reopened_by),
            learner_id=self.learner_id if s.learner_wording else None,  # who declared
        )  # fmt: skip
        self.session.flush()
        for e in s.evidence:
            version_id = self.versions[(e.evidence_id, e.version)]
            self.session.add(
                SignOffEvidence(signoff_id=record.id or 0, version_id=version_id, sha256=e.sha256)
            )
        self.session.flush()
