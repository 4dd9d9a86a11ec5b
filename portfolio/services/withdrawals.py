"""A learner's withdrawal from a registration (they left the programme) and its reinstatement.

While a registration is withdrawn nothing new is mapped to its criteria, its claims are not
decided and its standards are not signed off (the mapping and assessment services check
:func:`withdrawn_words`); decisions and sign-offs recorded before stay as they are. Both
functions are for administrators, flush (never commit) and write one audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Framework, Person, Registration
from portfolio.services import audit
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_words, local

REASON_LONGEST = 200

# run in the withdrawal's transaction once it is recorded: higher layers settle what the
# withdrawal makes needless (``delivery.wiring`` registers them)
WithdrawHook = Callable[[Session, Registration], None]
_WITHDRAW_HOOKS: list[WithdrawHook] = []


# run in the reinstatement's transaction once it is recorded: higher layers ask again for what
# the withdrawal set aside (the learner's declarations)
_REINSTATE_HOOKS: list[WithdrawHook] = []


def reason_given(reason: str, *, missing: str) -> str:
    """A reason typed on a form, on one line: refused (``missing``) when empty or too long."""
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(missing, field="reason")
    if len(reason) > REASON_LONGEST:
        raise Invalid(
            f"Keep the reason to {REASON_LONGEST} characters (it has {len(reason)}).",
            field="reason",
        )
    return reason


def register_withdraw_hook(hook: WithdrawHook) -> None:
    if hook not in _WITHDRAW_HOOKS:
        _WITHDRAW_HOOKS.append(hook)


def register_reinstate_hook(hook: WithdrawHook) -> None:
    if hook not in _REINSTATE_HOOKS:
        _REINSTATE_HOOKS.append(hook)


def withdrawn_words(when: date, reason: str | None) -> str:
    """ "withdrew on 3 Dec 2026 (moved away)": how pages and refusals say a withdrawal."""
    said = f"withdrew on {day_words(when)}"
    return f"{said} ({reason})" if reason else said


def held(session: Session, actor: Actor, registration_id: int, what: str) -> Registration:
    if not actor.has("admin"):
        raise PermissionDenied(f"Only administrators {what}.")
    # held until the transaction ends (PostgreSQL: FOR UPDATE, as deciding, the learner's
    # declaration and signing off hold it), and read as committed now: a writer judging the
    # registration meanwhile reads the withdrawal once it is committed, and two administrators
    # withdrawing at once are told it is done already
    reg = session.get(Registration, registration_id, with_for_update=True, populate_existing=True)
    if reg is None:
        raise NotFound("No such registration.")
    # they can no longer learn: what is recorded stays as the awarding body's record
    refuse_if_erased(session, reg.learner_id, KEPT_REGISTRATIONS)
    return reg


KEPT_REGISTRATIONS = (
    "their registrations are kept as the awarding body's record and can no longer be changed."
)
NOTHING_NEW = (
    "what is kept of them is the awarding body's record, and nothing new is written for them: "
    "no evidence is added to their portfolio and no plan set or changed."
)
KEPT_EVIDENCE = (
    "what is kept of their evidence is the awarding body's record: its claims are no longer "
    "mapped or decided, its VACSR judgement not recorded, no declaration confirmed over it, its "
    "standards neither signed off nor reopened."
)


def erased_words(erased_at: datetime) -> str:
    """ "The learner's personal data was erased on 7 Dec 2026": how refusals begin."""
    return f"The learner's personal data was erased on {day_words(local(erased_at, CENTRE).date())}"


def refuse_if_erased(session: Session, learner_id: int, why: str) -> None:
    """Refused (Invalid, saying ``why``) once the learner's personal data is erased, as
    committed now (one statement): what is kept of them is the awarding body's record. The
    withdrawal and break services (:func:`held`) and the mapping, deciding, judging,
    declaration and sign-off services check it, and so do evidence written for them
    (:func:`portfolio.services.evidence.create`), their plans, comments on their evidence
    (:func:`portfolio.services.comments.add`) and requests to a witness to confirm it
    (:func:`portfolio.services.witness.request`)."""
    erased_at = session.exec(select(Person.erased_at).where(Person.id == learner_id)).first()
    if erased_at is not None:
        raise Invalid(f"{erased_words(erased_at)}: {why}")


def names(session: Session, reg: Registration) -> tuple[str, str]:
    learner = session.get(Person, reg.learner_id)
    framework = session.get(Framework, reg.framework_id)
    return (learner.name if learner else "The learner"), (framework.title if framework else "")


def withdraw(
    session: Session, *, actor: Actor, registration_id: int, on: date, reason: str
) -> Registration:
    """Record that the learner left this registration's programme on ``on``, for ``reason``."""
    reg = held(session, actor, registration_id, "record withdrawals")
    learner, framework = names(session, reg)
    if reg.withdrawn_at is not None:
        raise Invalid(
            f"{learner} already {withdrawn_words(reg.withdrawn_at, None)} from {framework}."
        )
    if reg.break_since is not None:  # ending it moves the planned end: an administrator's choice
        raise Invalid(
            f"{learner} is on a break from {framework} since {day_words(reg.break_since)}: "
            "end the break before recording a withdrawal."
        )
    if on < reg.start_date:
        raise Invalid(
            f"The withdrawal date cannot be before the start of the registration, "
            f"{day_words(reg.start_date)}.",
            field="on",
        )
    if on > date.today():
        raise Invalid("The withdrawal date cannot be in the future.", field="on")
    reason = reason_given(reason, missing="Say why the learner withdrew.")
    reg.withdrawn_at, reg.withdrawn_reason = on, reason
    session.add(reg)
    session.flush()
    for hook in _WITHDRAW_HOOKS:
        hook(session, reg)
    audit.record(
        session,
        actor=actor,
        action="registration.withdraw",
        subject_type="registration",
        subject_id=registration_id,
        # the reason is kept on the registration only: the append-only trail is never erased
        data={"on": on.isoformat()},
    )
    return reg


def reinstate(session: Session, *, actor: Actor, registration_id: int) -> Registration:
    """Undo a withdrawal: the learner's evidence is mapped and assessed again, and they are
    asked again for the declarations the withdrawal set aside (the reinstate hooks)."""
    reg = held(session, actor, registration_id, "reinstate registrations")
    if reg.withdrawn_at is None:
        learner, framework = names(session, reg)
        raise Invalid(f"{learner} has not withdrawn from {framework}.")
    was = {"on": reg.withdrawn_at.isoformat(), "reason": reg.withdrawn_reason}
    reg.withdrawn_at, reg.withdrawn_reason = None, None
    session.add(reg)
    session.flush()
    for hook in _REINSTATE_HOOKS:
        hook(session, reg)
    audit.record(
        session,
        actor=actor,
        action="registration.reinstate",
        subject_type="registration",
        subject_id=registration_id,
        data={"was": was},
    )
    return reg
