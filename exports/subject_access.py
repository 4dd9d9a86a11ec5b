"""A subject-access archive: everything the system holds about one person, as one zip.

    README.txt              what each file is
    person.json             the person's record (never the password hash or session secret)
    portfolio-bundle.zip    their portable portfolio bundle, when they have been a learner
    audit.json              audit entries by them or about them or anything of theirs (evidence,
                            registrations, claims, sign-offs, plans, samples)
                            (their evidence as their own export shows it; see evidence_held)
    decisions.json          decisions on the claims of their evidence, and decisions they made
    judgements.json         VACSR judgements of their evidence
    comments.json           comments they wrote, and comments on their evidence
    notifications.json      notifications sent to them
    logins.json             their log-in sessions (when, not the tokens)
    registrations.json      their registrations (as learner, assessor or IQA)
    signoffs.json           sign-offs of their standards
    declarations.json       declarations they made over their evidence
    badges.json             Open Badges issued to them
    iqa_actions.json        IQA actions set for them or by them
    eqa_grants.json         their grants of read-only access as an external quality assurer
    lti_links.json          their VLE accounts linked to this one (platform and subject)
    api_tokens.json         their API tokens (name, scopes, dates; never the secret or its hash)
    email_choices.json      what they chose to receive by e-mail
    two_step.json           whether two-step verification is on, since when, and when each
                            recovery code was used (never the secret or the codes' hashes)
    claims.json             the claims of their evidence, or that they made, with what the
                            engine had suggested (engine version, score, strong)
    plans.json              assessment plans set them as a learner, or that they set or ended,
                            each with its criteria and the evidence linked to it
    witness_confirmations.json  the confirmations asked of the witnesses of their testimonies (or
                            that they asked): the request, the witness's address, answer, comment

Times are ISO 8601 UTC. Writing one appends a ``privacy.subject_access`` audit entry.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from exports.badges.models import Badge
from exports.bundle import write_bundle
from exports.subject_access_records import assessment_records, evidence_held
from mappings.assessment.models import Claim, Decision, Judgement, LearnerDeclaration, SignOff
from mappings.quality.models import Action, EqaAccess
from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import (
    ApiToken,
    Attachment,
    AuditEntry,
    Evidence,
    EvidenceComment,
    EvidenceVersion,
    LoginSession,
    LtiLink,
    Notification,
    NotificationPreference,
    Person,
    RecoveryCode,
    Registration,
    TwoStep,
)
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.actors import Actor
from portfolio.services.audit_about import discarded_since
from portfolio.services.files import Store
from portfolio.services.registration_standards import CENTRE

README = """Subject-access archive: everything {centre} holds about {name}, {when} (UTC).

person.json            your record: name, e-mail, roles, site, unique learner number, dates (no password is stored readable)
portfolio-bundle.zip   your portfolio, browsable offline (open index.html), when you were a learner
audit.json             entries of the audit trail made by you or about you and your evidence,
                       claims, sign-offs, plans and anything else of yours
decisions.json         assessors' decisions on your claims, and decisions you made
judgements.json        VACSR judgements of your evidence
comments.json          comments you wrote, and comments on your evidence
notifications.json     the notifications the application sent you
logins.json            when you logged in and out (the tokens are never stored)
registrations.json     your registrations on frameworks
signoffs.json          the sign-offs of your standards
declarations.json      the declarations you made over your evidence
badges.json            the Open Badges issued to you (each a signed credential)
iqa_actions.json       actions quality assurers set you, or you set
eqa_grants.json        your read-only access as an external quality assurer
lti_links.json         the VLE accounts (course platforms) linked to your account
api_tokens.json        your API tokens: names, scopes and dates (the secrets are never stored)
email_choices.json     what you chose to receive by e-mail
two_step.json          whether two-step verification is on, since when, and when each recovery
                       code was used (the secret and the codes are not included)
claims.json            the criteria you (or your assessor) claimed your evidence shows, their
                       status, and whether the application had suggested each one (with its
                       engine's version, score and whether the suggestion was strong)
plans.json             assessment plans: the tasks your assessor set you (or, as an assessor,
                       that you set), each with its criteria and the evidence linked to it
witness_confirmations.json  the requests to your witnesses to confirm your witness testimonies
                       (or that you sent): when, which version, the witness's e-mail address,
                       their answer and comment (the link's secret is never stored)
Your evidence is here as your own portfolio shows it: a record your assessor is writing about
you and has not yet submitted is theirs until they submit it, with its claims, judgements,
comments and audit entries (in their archive).
"""
PERSON_FIELDS = (
    "id", "name", "email", "roles", "active", "site", "assessor_status", "created_at",
    "removed_at", "erased_at", "uln",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(rows: Iterable[Any], skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.model_dump().items() if k not in skip} for row in rows]


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _comments(session: Session, pid: int, evidence_ids: list[int | None]) -> list[dict[str, Any]]:
    """The comments the person wrote (on anyone's evidence) and those on their evidence."""
    return _rows(
        session.exec(
            select(EvidenceComment)
            .where(
                or_(
                    col(EvidenceComment.author_id) == pid,
                    col(EvidenceComment.evidence_id).in_(evidence_ids),
                )
            )
            .order_by(col(EvidenceComment.id))
        )
    )


def _of(session: Session, pid: int, *owned: Any, skip: tuple[str, ...] = ()) -> list[Any]:
    """The rows of one table whose ``owned`` columns (any of them) name the person, by id."""
    table = owned[0].class_
    query = select(table).where(or_(*(col(c) == pid for c in owned))).order_by(col(table.id))
    return _rows(session.exec(query), skip=skip)


def _held(session: Session, pid: int) -> dict[str, Any]:
    """What else is held about the person: declarations, badges, IQA actions, EQA grants, VLE
    links, API tokens (never their hashes) and e-mail choices."""
    return {
        "declarations.json": _of(session, pid, LearnerDeclaration.learner_id),
        "badges.json": _of(session, pid, Badge.learner_id),
        "iqa_actions.json": _of(session, pid, Action.assessor_id, Action.set_by),
        "eqa_grants.json": _of(session, pid, EqaAccess.person_id),
        "lti_links.json": _of(session, pid, LtiLink.person_id),
        "api_tokens.json": _of(session, pid, ApiToken.person_id, skip=("token_hash",)),
        "email_choices.json": _of(session, pid, NotificationPreference.person_id),
        "two_step.json": _two_step(session, pid),
    }


def _two_step(session: Session, pid: int) -> dict[str, Any]:
    """Whether two-step verification is on and when each recovery code was used: never the
    secret, nor the codes' hashes."""
    row = session.get(TwoStep, pid)
    used = session.exec(
        select(RecoveryCode.used_at)
        .where(RecoveryCode.person_id == pid)
        .order_by(col(RecoveryCode.id))
    ).all()
    return {
        "on": row is not None,
        "turned_on_at": _plain(row.turned_on_at) if row else None,
        "recovery_codes": [{"used_at": _plain(at)} for at in used],
    }


def _trail(
    session: Session,
    pid: int,
    regs: list[Registration],
    held: list[int | None],
    evidence_ids: list[int | None],
) -> Iterable[AuditEntry]:
    """The trail's entries by the person or about them: about them, their registrations (and those
    they assess or quality-assure), the evidence they hold, and anything else of theirs (claims,
    sign-offs, declarations, plans, samples: the entry's ``about_id``), but not an assessor's
    record not yet submitted, nor its files, which are the assessor's alone (its claims are
    recorded on the item until decided, and a claim is decided only once the item is submitted),
    nor the entries of a draft someone else discarded before submitting it."""
    hidden = sorted(set(evidence_ids) - set(held), key=lambda i: i or 0)
    theirs_alone = or_(
        and_(col(AuditEntry.subject_type) == "evidence", col(AuditEntry.subject_id).in_(hidden)),
        and_(
            col(AuditEntry.subject_type) == "attachment",
            col(AuditEntry.subject_id).in_(
                select(Attachment.id)
                .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
                .where(col(EvidenceVersion.evidence_id).in_(hidden))
            ),
        ),
    )
    about = or_(
        col(AuditEntry.actor_id) == pid,
        and_(col(AuditEntry.subject_type) == "person", col(AuditEntry.subject_id) == pid),
        and_(
            col(AuditEntry.subject_type) == "evidence",
            col(AuditEntry.subject_id).in_(held),
            # a discarded draft's, whose id an item may hold (given on SQLite before 0051)
            ~discarded_since(AuditEntry),
        ),
        and_(
            col(AuditEntry.subject_type) == "registration",
            col(AuditEntry.subject_id).in_([r.id for r in regs]),
        ),
        # a draft someone else discarded unsubmitted was theirs alone
        and_(
            col(AuditEntry.about_id) == pid, ~theirs_alone, ~discarded_since(AuditEntry, not_by=pid)
        ),
    )
    return session.exec(select(AuditEntry).where(about).order_by(col(AuditEntry.id)))


def _collect(session: Session, person: Person) -> dict[str, Any]:
    pid = person.id or 0
    evidence_ids = list(session.exec(select(Evidence.id).where(Evidence.learner_id == pid)))
    # as the person's own export: an assessor's record not yet submitted is the assessor's
    held = evidence_held(session, pid)
    regs = list(
        session.exec(
            select(Registration)
            .where(
                or_(
                    col(Registration.learner_id) == pid,
                    col(Registration.assessor_id) == pid,
                    col(Registration.iqa_id) == pid,
                )
            )
            .order_by(col(Registration.id))
        )
    )
    mine = [r.id for r in regs if r.learner_id == pid]
    claim_ids = list(session.exec(select(Claim.id).where(col(Claim.evidence_id).in_(evidence_ids))))
    decisions = session.exec(
        select(Decision)
        .where(or_(col(Decision.claim_id).in_(claim_ids), col(Decision.actor_id) == pid))
        .order_by(col(Decision.id))
    )
    return {
        "person.json": {f: _plain(getattr(person, f)) for f in PERSON_FIELDS},
        "audit.json": _rows(_trail(session, pid, regs, held, evidence_ids)),
        "decisions.json": _rows(decisions),
        "judgements.json": _rows(
            session.exec(
                select(Judgement)
                .where(col(Judgement.evidence_id).in_(held))
                .order_by(col(Judgement.id))
            )
        ),
        "comments.json": _comments(session, pid, held),
        "notifications.json": _rows(
            session.exec(
                select(Notification)
                .where(Notification.person_id == pid)
                .order_by(col(Notification.id))
            )
        ),
        "logins.json": _rows(
            session.exec(
                select(LoginSession)
                .where(LoginSession.person_id == pid)
                .order_by(col(LoginSession.id))
            ),
            skip=("token_hash",),
        ),
        "registrations.json": _rows(regs),
        "signoffs.json": _rows(
            session.exec(
                select(SignOff)
                .where(col(SignOff.registration_id).in_(mine))
                .order_by(col(SignOff.id))
            )
        ),
        **_held(session, pid),
        **assessment_records(session, pid),
        "has_portfolio": bool(evidence_ids or mine),
    }


def write_subject_access(
    session: Session,
    store: Store,
    person_id: int,
    out: BinaryIO,
    *,
    actor: Actor,
    centre: str = "",
    signing_key: Ed25519PrivateKey | None = None,
    zone: ZoneInfo = CENTRE,
) -> list[str]:
    """Write the archive of ``person_id`` to ``out``; administrators only. Returns the names of
    its members. Appends (flushes) a ``privacy.subject_access`` audit entry. The sign-off records
    in its bundle say the centre's days (``zone``, its ``TIME_ZONE``)."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may answer a subject-access request.")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    when = utcnow()
    data = _collect(session, person)
    names: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        readme = README.format(
            centre=centre or "the centre", name=person.name, when=when.strftime("%d %b %Y %H:%M")
        )
        zf.writestr("README.txt", readme)
        names.append("README.txt")
        for name, value in data.items():
            if name.endswith(".json"):
                zf.writestr(name, _json(value))
                names.append(name)
        if data["has_portfolio"]:
            with tempfile.TemporaryFile() as tmp:
                # as the person's own export: an assessor's record not yet submitted is theirs
                write_bundle(
                    session, store, person_id, tmp, centre=centre, generated_at=when,
                    signing_key=signing_key, reader_id=person_id, zone=zone,
                )  # fmt: skip
                tmp.seek(0)
                with zf.open("portfolio-bundle.zip", "w", force_zip64=True) as member:
                    shutil.copyfileobj(tmp, member)
            names.append("portfolio-bundle.zip")
    audit.record(
        session,
        actor=actor,
        action="privacy.subject_access",
        subject_type="person",
        subject_id=person_id,
        data={"files": len(names)},
    )
    return names
