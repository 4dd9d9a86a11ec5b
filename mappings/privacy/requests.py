"""Erasure on request: a person's personal data goes; what the awarding body requires stays.

What goes: their name and e-mail (replaced by a placeholder), their password and log-ins (the
account can no longer be used), their notifications, password-reset links, log-in sessions, API
tokens, links to VLE accounts and e-mail choices, their name in other people's notifications
(the placeholder instead), the content and files of their evidence that no current sign-off
rests on, and whatever higher layers keep of them (the hooks of
:func:`~mappings.privacy.erasure.register_forget_hook`: the cohort export files). What stays:
the evidence behind their sign-offs (kept until the retention rules erase it), the sign-off
records, registrations, claims, decisions and judgements (their existence and outcomes: the
awarding body's record) and the audit trail, to which one ``person.erase`` entry is added with
counts, never the erased data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, or_, update
from sqlmodel import Session, col, select

from mappings.assessment import summaries
from mappings.assessment.completion import CENTRE
from mappings.assessment.models import SignOff, SignOffEvidence
from mappings.privacy.erasure import Erased, erase_items, forget_people
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import (
    ApiToken,
    Evidence,
    EvidenceVersion,
    LoginSession,
    LtiLink,
    Notification,
    NotificationPreference,
    PasswordReset,
    Person,
    RecoveryCode,
    Registration,
    TwoStep,
)
from portfolio.models.base import utcnow
from portfolio.models.people import new_session_secret
from portfolio.services import audit, files, notifications
from portfolio.services.actors import Actor

PLACEHOLDER_NAME = "Erased person"
PLACEHOLDER_REASON = "(erased)"  # why a learner withdrew, once they are erased


def placeholder_email(person_id: int) -> str:
    return f"erased-{person_id}@erased.invalid"


@dataclass(frozen=True)
class Erasure:
    """What erasing a person did (or, on a dry run, would do)."""

    person_id: int
    erased: Erased
    kept_items: int  # evidence kept: a current sign-off rests on it
    notifications: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "dry_run": self.dry_run,
            "evidence_erased": self.erased.items,
            "files_erased": self.erased.files,
            "files_removed_from_store": self.erased.removed_files,
            "evidence_kept": self.kept_items,
            "notifications": self.notifications,
        }


def find_person(session: Session, email: str) -> Person:
    person = session.exec(
        select(Person).where(func.lower(Person.email) == email.strip().lower())
    ).first()
    if person is None:
        raise NotFound(f"No person with the e-mail “{email.strip()}”.")
    return person


def _split(session: Session, learner_id: int) -> tuple[list[int], list[int]]:
    """The learner's items not erased yet: those no current sign-off rests on, and the kept."""
    items = [
        i
        for i in session.exec(
            select(Evidence.id).where(
                Evidence.learner_id == learner_id, col(Evidence.erased_at).is_(None)
            )
        )
        if i is not None
    ]
    if not items:
        return [], []
    kept = set(
        session.exec(
            select(EvidenceVersion.evidence_id)
            .join(SignOffEvidence, col(SignOffEvidence.version_id) == EvidenceVersion.id)
            .join(SignOff, col(SignOff.id) == SignOffEvidence.signoff_id)
            .where(col(EvidenceVersion.evidence_id).in_(items), SignOff.status == "signed")
        )
    )
    return [i for i in items if i not in kept], [i for i in items if i in kept]


def _rename(session: Session, person: Person) -> None:
    """The account goes: the placeholder name and e-mail, no password, no log-in (flushed)."""
    now = utcnow()
    person.name = PLACEHOLDER_NAME
    person.email = placeholder_email(person.id or 0)
    person.password_hash = ""
    person.active = False
    person.removed_at = person.removed_at or now
    person.erased_at = now
    person.uln = None
    person.session_secret = new_session_secret()
    person.failed_logins = 0
    person.locked_until = None
    session.add(person)
    session.flush()


def erase_person(
    session: Session,
    *,
    actor: Actor,
    person_id: int,
    store: files.Store | None,
    dry_run: bool = False,
    zone: ZoneInfo = CENTRE,
) -> Erasure:
    """Erase a person's personal data on their request (administrators only; not oneself).
    Their registrations' summaries are stored again (``zone``: the centre's, as the caseload
    stores them), so the caseload lists them as ended from the moment the erasure commits."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may erase a person's data.")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    if person_id == actor.id:
        raise Invalid("You cannot erase your own account.")
    if person.erased_at is not None:
        raise Invalid("This person's data was already erased.")
    gone, kept = _split(session, person_id)
    notes = int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == person_id)
        ).one()
    )
    # their registrations are held (after the items, as every writer takes them) before the
    # rename below deletes the stored summaries that sort by their name
    erased = erase_items(
        session, actor=actor, evidence_ids=gone, reason="request", store=store, dry_run=dry_run,
        hold_learners=[person_id],
    )  # fmt: skip
    result = Erasure(person_id, erased, len(kept), notes, dry_run)
    if dry_run:
        return result
    # with the account: what it was told, its log-ins, two-step verification, API tokens, VLE
    # links and e-mail choices
    gone_with: tuple[Any, ...] = (
        Notification, LoginSession, PasswordReset, RecoveryCode, TwoStep, ApiToken, LtiLink,
    )  # fmt: skip
    for model in (*gone_with, NotificationPreference):
        session.execute(delete(model).where(col(model.person_id) == person_id))
    notifications.forget_name(session, person.name, PLACEHOLDER_NAME)
    # why they withdrew or took a break (often their health) is about them: the dates stay, the
    # words go, and so does the number the awarding body knows them by (one statement: a bulk
    # change of registrations sets every caseload summary aside)
    withdrawn, away = col(Registration.withdrawn_reason), col(Registration.break_reason)
    numbered = col(Registration.awarding_body_ref)
    session.execute(
        update(Registration)
        .where(
            col(Registration.learner_id) == person_id,
            or_(withdrawn.is_not(None), away.is_not(None), numbered.is_not(None)),
        )
        .values(
            withdrawn_reason=case((withdrawn.is_not(None), PLACEHOLDER_REASON)),
            break_reason=case((away.is_not(None), PLACEHOLDER_REASON)),
            awarding_body_ref=None,
        )
    )
    forget_people(session, actor=actor, person_ids=[person_id], reason="request")
    _rename(session, person)
    # the rename deleted their registrations' summaries: stored again, ended (stage 3)
    regs = session.exec(select(Registration.id).where(Registration.learner_id == person_id))
    summaries.save(session, [r for r in regs if r is not None], date.today(), zone=zone)
    data = {k: v for k, v in result.as_dict().items() if k not in ("person_id", "dry_run")}
    audit.record(
        session,
        actor=actor,
        action="person.erase",
        subject_type="person",
        subject_id=person_id,
        data=data,
    )
    return result
