"""The database side of writing a bundle: one learner's records as a :class:`Manifest`.

Everything is read in a fixed number of queries, whatever the size of the portfolio; the
sign-off records' views come along, for their documents in the zip.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from exports.bundle.manifest import (
    AttachmentRecord,
    ClaimRecord,
    CriterionKey,
    DecisionRecord,
    EvidenceRecord,
    FrameworkKey,
    FrameworkRecord,
    FrozenEvidence,
    JudgementRecord,
    Manifest,
    PersonRecord,
    RecordedBy,
    RegistrationRecord,
    SignOffRecord,
    VersionRecord,
    WitnessRecord,
    attachment_path,
    copied,
    evidence_page,
)
from exports.signoff import SignoffView
from exports.signoff_view import document_name, signoff_views
from framework.export_json import framework_to_json
from framework.spec import FrameworkSpec
from mappings.assessment.models import Claim, Decision, Judgement, SignOff, SignOffEvidence
from mappings.assessment.recorded import recorded_elsewhere
from portfolio.models.evidence import Attachment, AttachmentReading, Evidence, EvidenceVersion
from portfolio.models.framework import Criterion, Framework, Standard
from portfolio.models.people import Cohort, Person, Registration, RegistrationStandard
from portfolio.models.witness import WitnessConfirmation
from portfolio.services.frameworks import load_spec
from portfolio.services.registration_standards import CENTRE


@dataclass(frozen=True)
class Collected:
    manifest: Manifest  # without ``files``: the writer adds them
    documents: list[tuple[str, SignoffView]]  # path in the zip, sign-off record


def collect(
    session: Session,
    learner: Person,
    *,
    centre: str,
    when: datetime,
    reader_id: int | None = None,
    zone: ZoneInfo = CENTRE,
) -> Collected:
    """The learner's portfolio as records. ``reader_id``: who exports it (the learner, their
    assessor); drafts are their authors' (issue 17), so versions not yet submitted that
    ``reader_id`` did not write are left out, with the items never submitted and their claims.
    None (the centre's own transfer from the command line): everything. The sign-off records'
    days are the centre's (``zone``)."""
    rows = _Rows(session, learner.id or 0, reader_id)
    ids = [s.id or 0 for s, _ in rows.signoffs]
    views = {v.document_id: v for v in signoff_views(session, ids, centre=centre, zone=zone)}
    documents = {
        s.id: (f"signoffs/{document_name(views[s.document_id])}", views[s.document_id])
        for s, _ in rows.signoffs
    }
    manifest = Manifest(
        generated_at=when,
        centre=centre,
        learner=_person(learner),
        people=[_person(p) for p in sorted(rows.people.values(), key=lambda p: p.email)],
        frameworks=[
            FrameworkRecord(
                **copied(f, FrameworkRecord),
                spec=json.loads(
                    framework_to_json(_without_vocabulary(load_spec(session, f.id or 0)))
                ),
            )
            for _, f in sorted(rows.frameworks.items())
        ],
        registrations=[rows.registration(r) for r in rows.registrations],
        evidence=[rows.evidence_item(e) for e in rows.items],
        claims=[rows.claim(*row) for row in rows.claims],
        judgements=[
            JudgementRecord(
                **copied(j, JudgementRecord),
                evidence_id=j.evidence_id,
                actor=rows.email(j.actor_id),
            )
            for j in rows.judgements
        ],
        signoffs=[rows.signoff(s, std, documents[s.id][0]) for s, std in rows.signoffs],
    )
    return Collected(manifest, list(documents.values()))


def _person(p: Person) -> PersonRecord:
    return PersonRecord(email=p.email, name=p.name, roles=sorted(p.role_set), site=p.site)


class _Rows:
    """The rows of one learner's portfolio, and the records made of them."""

    def __init__(self, session: Session, learner_id: int, reader_id: int | None = None) -> None:
        self.session = session
        self.reader_id = reader_id
        self._registrations(learner_id)
        self._evidence(learner_id)
        self._claims()
        self._signoffs()
        self.people = self._people(learner_id)

    def _registrations(self, learner_id: int) -> None:
        self.registrations = list(
            self.session.exec(
                select(Registration)
                .where(Registration.learner_id == learner_id)
                .order_by(col(Registration.id))
            )
        )
        fw_ids = {r.framework_id for r in self.registrations}
        self.frameworks: dict[int, Framework] = {
            f.id or 0: f
            for f in self.session.exec(select(Framework).where(col(Framework.id).in_(fw_ids)))
        }
        cohort_ids = {r.cohort_id for r in self.registrations if r.cohort_id}
        self.cohorts = {
            c.id: c.name
            for c in self.session.exec(select(Cohort).where(col(Cohort.id).in_(cohort_ids)))
        }
        self.standards_of: dict[int, list[str]] = defaultdict(list)
        for reg_id, code in self.session.exec(
            select(RegistrationStandard.registration_id, Standard.code)
            .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
            .where(col(RegistrationStandard.registration_id).in_(self.registration_ids))
            .order_by(col(Standard.position))
        ):
            self.standards_of[reg_id].append(code)

    @property
    def registration_ids(self) -> list[int]:
        return [r.id or 0 for r in self.registrations]

    def _evidence(self, learner_id: int) -> None:
        self.items = list(
            self.session.exec(
                select(Evidence).where(Evidence.learner_id == learner_id).order_by(col(Evidence.id))
            )
        )
        self.evidence_ids = [e.id or 0 for e in self.items]
        self.versions = list(
            self.session.exec(
                select(EvidenceVersion)
                .where(col(EvidenceVersion.evidence_id).in_(self.evidence_ids))
                .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
            )
        )
        if self.reader_id is not None:
            self._leave_out_others_drafts(self.reader_id)
        self.versions_of: dict[int, list[EvidenceVersion]] = defaultdict(list)
        for v in self.versions:
            self.versions_of[v.evidence_id].append(v)
        self.attachments: dict[int, list[Attachment]] = defaultdict(list)
        for a in self.session.exec(
            select(Attachment)
            .where(
                col(Attachment.version_id).in_([v.id for v in self.versions]),
                col(Attachment.erased_at).is_(None),  # an erased file is gone from the store
            )
            .order_by(col(Attachment.id))
        ):
            self.attachments[a.version_id].append(a)
        self.witness_of = self._witness_answers()
        self.elsewhere = recorded_elsewhere(self.session, self.evidence_ids)
        ids = [a.id for found in self.attachments.values() for a in found]
        self.read_text: dict[int, str] = {
            attachment_id: text
            for attachment_id, text in self.session.exec(
                select(AttachmentReading.attachment_id, AttachmentReading.text).where(
                    col(AttachmentReading.attachment_id).in_(ids),
                    col(AttachmentReading.status).in_(("done", "truncated")),
                )
            )
        }

    def _witness_answers(self) -> dict[int, list[WitnessRecord]]:
        """The witnesses' answers, by version id (a query only when there is a testimony)."""
        found: dict[int, list[WitnessRecord]] = defaultdict(list)
        if not any(e.kind == "witness_testimony" for e in self.items):
            return found
        for w in self.session.exec(
            select(WitnessConfirmation)
            .where(
                col(WitnessConfirmation.version_id).in_([v.id for v in self.versions]),
                col(WitnessConfirmation.answered_at).is_not(None),
            )
            .order_by(col(WitnessConfirmation.id))
        ):
            found[w.version_id].append(
                WitnessRecord(
                    witness_email=w.witness_email,
                    answer=w.answer,  # type: ignore[arg-type]
                    comment=w.comment,
                    answered_at=w.answered_at,  # type: ignore[arg-type]
                    version_sha256=w.version_sha256,
                )
            )
        return found

    def _leave_out_others_drafts(self, reader_id: int) -> None:
        author = {e.id: e.created_by for e in self.items}
        self.versions = [
            v
            for v in self.versions
            if v.declared_at is not None or author[v.evidence_id] == reader_id
        ]
        kept = {v.evidence_id for v in self.versions}
        self.items = [e for e in self.items if e.id in kept]
        self.evidence_ids = [e.id or 0 for e in self.items]

    def _claims(self) -> None:
        self.claims = self.session.exec(
            select(Claim, Criterion, Standard, Framework)
            .join(Criterion, col(Criterion.id) == Claim.criterion_id)
            .join(Standard, col(Standard.id) == Criterion.standard_id)
            .join(Framework, col(Framework.id) == Standard.framework_id)
            .where(col(Claim.evidence_id).in_(self.evidence_ids))
            .order_by(col(Claim.evidence_id), col(Claim.id))
        ).all()
        for *_, fw in self.claims:
            self.frameworks.setdefault(fw.id or 0, fw)
        self.decisions: dict[int, list[Decision]] = defaultdict(list)
        for d in self.session.exec(
            select(Decision)
            .where(col(Decision.claim_id).in_([c.id for c, *_ in self.claims]))
            .order_by(col(Decision.id))
        ):
            self.decisions[d.claim_id].append(d)
        self.judgements = list(
            self.session.exec(
                select(Judgement)
                .where(col(Judgement.evidence_id).in_(self.evidence_ids))
                .order_by(col(Judgement.id))
            )
        )

    def _signoffs(self) -> None:
        self.signoffs = self.session.exec(
            select(SignOff, Standard)
            .join(Standard, col(Standard.id) == SignOff.standard_id)
            .where(col(SignOff.registration_id).in_(self.registration_ids))
            .order_by(col(SignOff.id))
        ).all()
        self.frozen: dict[int, list[tuple[SignOffEvidence, EvidenceVersion]]] = defaultdict(list)
        for f, v in self.session.exec(
            select(SignOffEvidence, EvidenceVersion)
            .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
            .where(col(SignOffEvidence.signoff_id).in_([s.id for s, _ in self.signoffs]))
            .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.number))
        ):
            self.frozen[f.signoff_id].append((f, v))

    def _people(self, learner_id: int) -> dict[int, Person]:
        ids: set[int | None] = {learner_id}
        ids |= {r.assessor_id for r in self.registrations} | {r.iqa_id for r in self.registrations}
        ids |= {e.created_by for e in self.items} | {v.created_by for v in self.versions}
        ids |= {c.claimed_by for c, *_ in self.claims} | {c.decided_by for c, *_ in self.claims}
        ids |= {d.actor_id for ds in self.decisions.values() for d in ds}
        ids |= {j.actor_id for j in self.judgements}
        ids |= {s.assessor_id for s, _ in self.signoffs} | {s.reopened_by for s, _ in self.signoffs}
        found = self.session.exec(select(Person).where(col(Person.id).in_({i for i in ids if i})))
        return {p.id or 0: p for p in found}

    def email(self, person_id: int | None) -> str | None:
        return self.people[person_id].email if person_id else None

    # -------------------------------------------------------------- records
    def registration(self, r: Registration) -> RegistrationRecord:
        fw = self.frameworks[r.framework_id]
        return RegistrationRecord(
            **copied(r, RegistrationRecord),
            id=r.id or 0,
            framework=FrameworkKey(code=fw.code, content_hash=fw.content_hash),
            standards=self.standards_of.get(r.id or 0, []),
            cohort=self.cohorts.get(r.cohort_id) if r.cohort_id else None,
            assessor=self.email(r.assessor_id),
            iqa=self.email(r.iqa_id),
        )

    def author(self, evidence_id: int, v: EvidenceVersion) -> dict[str, Any]:
        """Who wrote the version: a person of the bundle, or, recorded at another centre, text."""
        said = self.elsewhere.get((evidence_id, v.number))
        if said is None:
            return {"created_by": self.email(v.created_by)}
        return {"created_by": None, "recorded_by": RecordedBy(**dataclasses.asdict(said))}

    def evidence_item(self, e: Evidence) -> EvidenceRecord:
        versions = self.versions_of.get(e.id or 0, [])
        shown = copied(e, EvidenceRecord)
        if versions and versions[-1].number != e.current_version:  # a draft on top, left out
            last = versions[-1]
            shown |= {"status": "submitted", "current_version": last.number, "title": last.title,
                      "activity_date": last.activity_date}  # fmt: skip
        return EvidenceRecord(
            **shown,
            id=e.id or 0,
            page=evidence_page(e.id or 0),
            # an item recorded at another centre names nobody here as its author
            created_by=None if (e.id or 0, 1) in self.elsewhere else self.email(e.created_by),
            versions=[
                VersionRecord(
                    **copied(v, VersionRecord),
                    **self.author(e.id or 0, v),
                    attachments=[
                        AttachmentRecord(
                            **(
                                copied(a, AttachmentRecord)
                                # the text read in the background (the row's own for older files)
                                | {"text": a.text or self.read_text.get(a.id or 0, "")}
                            ),
                            path=attachment_path(a.sha256, a.mime),
                        )
                        for a in self.attachments.get(v.id or 0, [])
                    ],
                    witness=self.witness_of.get(v.id or 0) or None,
                )
                for v in self.versions_of.get(e.id or 0, [])
            ],
        )

    def claim(self, c: Claim, cr: Criterion, s: Standard, fw: Framework) -> ClaimRecord:
        return ClaimRecord(
            **copied(c, ClaimRecord),
            id=c.id or 0,
            evidence_id=c.evidence_id,
            criterion=CriterionKey(
                framework=fw.code, framework_hash=fw.content_hash, standard=s.code, code=cr.code
            ),
            claimed_by=self.email(c.claimed_by),
            decided_by=self.email(c.decided_by),
            decisions=[
                DecisionRecord(**copied(d, DecisionRecord), actor=self.email(d.actor_id))
                for d in self.decisions.get(c.id or 0, [])
            ],
        )

    def signoff(self, s: SignOff, std: Standard, document: str) -> SignOffRecord:
        return SignOffRecord(
            **copied(s, SignOffRecord),
            id=s.id or 0,
            registration_id=s.registration_id,
            standard=std.code,
            assessor=self.email(s.assessor_id),
            document=document,
            reopened_by=self.email(s.reopened_by),
            evidence=[
                FrozenEvidence(evidence_id=v.evidence_id, version=v.number, sha256=f.sha256)
                for f, v in self.frozen.get(s.id or 0, [])
            ],
        )


def _without_vocabulary(spec: FrameworkSpec) -> FrameworkSpec:
    """The framework as a bundle carries it: its content, not the suggestion engine's vocabulary."""
    return dataclasses.replace(spec, vocabulary="")
