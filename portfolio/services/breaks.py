"""A break in learning (maternity leave, long-term sickness): the registration stays active while
the learner is away, and the time away is added to its planned end when the break ends.

While a registration is on a break the learner still reads and writes their evidence (their work
is theirs), their assessor's caseload and the administrators' list say so, and the due dates of
their plans are not counted late. Both functions are for administrators, hold the registration
as a withdrawal does, flush (never commit) and write one audit entry, and tell the learner and
their allocated assessor (kind ``break``: in the app, and by e-mail as each chose). Ending a break
also moves on what else the time away delayed (the end hooks: the learner's open plans), in the
same transaction, listed in the same audit entry (the hooks may write entries of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from portfolio.errors import Invalid
from portfolio.models import Registration
from portfolio.services import audit, notifications
from portfolio.services.people import Actor
from portfolio.services.withdrawals import held, names, reason_given, withdrawn_words
from portfolio.words import day_words

LONGEST = timedelta(days=5 * 366)  # an expected return further away is a mistyped year


@dataclass(frozen=True)
class Moved:
    """What an end hook moved on: ``data`` for the break's audit entry, beside the planned end;
    ``told``, words for the allocated assessor, added to their one notice of the break's end
    (nothing when the hook moved nothing they need to know), and ``link``, where that notice then
    leads instead of the learner's progress page."""

    data: dict[str, object] = field(default_factory=dict)
    told: str = ""
    link: str = ""


# run in the ending's transaction once the planned end has moved, with the administrator ending it,
# the day the break began and its length in days: higher layers move on what the break delayed
# (``delivery.wiring`` registers them; each may record entries of its own, by that administrator)
# and return what they moved (:class:`Moved`)
EndHook = Callable[[Session, Actor, Registration, date, int], Moved]
_END_HOOKS: list[EndHook] = []


def register_end_hook(hook: EndHook) -> None:
    if hook not in _END_HOOKS:
        _END_HOOKS.append(hook)


def _reason(reason: str) -> str:
    return reason_given(reason, missing="Say why the learner is taking a break.")


def _until(until: date | None, today: date) -> date | None:
    if until is None:
        return None
    if until <= today:
        raise Invalid("The expected return must be after today.", field="until")
    if until > today + LONGEST:
        raise Invalid("The expected return must be within five years.", field="until")
    return until


def _tell(
    session: Session, reg: Registration, learner: str, own: str, theirs: str, link: str = ""
) -> None:
    """Tell the learner (``own``) and their allocated assessor (``theirs``, linking to ``link``,
    else the learner's progress page) of a break, each in the app and by e-mail as they chose for
    breaks; never why: the reason is about the learner."""
    notifications.notify(session, person_id=reg.learner_id, text=own, link="/", kind="break")
    if reg.assessor_id is not None:
        notifications.notify(
            session,
            person_id=reg.assessor_id,
            text=f"{learner}'s {theirs}",  # the name first, as forget_name looks for it
            link=link or f"/learners/{reg.learner_id}/progress",
            kind="break",
        )


def start_break(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    reason: str,
    until: date | None = None,
    today: date | None = None,
) -> Registration:
    """Put the registration on a break from ``today``, for ``reason``, the learner expected
    back by ``until`` if said. Refused on a withdrawn registration or one already on a break."""
    today = today or date.today()
    reg = held(session, actor, registration_id, "put registrations on a break")
    learner, framework = names(session, reg)
    if reg.withdrawn_at is not None:
        raise Invalid(
            f"{learner} {withdrawn_words(reg.withdrawn_at, None)} from {framework}: "
            "reinstate the registration before a break is recorded."
        )
    if reg.break_since is not None:
        raise Invalid(
            f"{learner} is already on a break from {framework} since {day_words(reg.break_since)}."
        )
    reason, until = _reason(reason), _until(until, today)
    reg.break_since, reg.break_reason, reg.break_until = today, reason, until
    session.add(reg)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="registration.break_start",
        subject_type="registration",
        subject_id=registration_id,
        # the reason is kept on the registration only: the append-only trail is never erased
        data={"since": today.isoformat(), "until": until.isoformat() if until else None},
    )
    said = f"registration on {framework} is on a break from {day_words(today)}" + (
        f", expected back by {day_words(until)}." if until else "."
    )
    _tell(session, reg, learner, f"Your {said}", said)
    return reg


def end_break(
    session: Session, *, actor: Actor, registration_id: int, today: date | None = None
) -> Registration:
    """End the registration's break today: its planned end moves later by the break's length,
    and so does what the end hooks move (all recorded in the audit entry); it is active again.
    The allocated assessor's one notice of the end also says what the hooks told them of."""
    today = today or date.today()
    reg = held(session, actor, registration_id, "end breaks in learning")
    learner, framework = names(session, reg)
    if reg.break_since is None:
        raise Invalid(f"{learner} is not on a break from {framework}.")
    since = reg.break_since
    days = max((today - since).days, 0)
    was = reg.planned_end
    data: dict[str, object] = {
        "since": since.isoformat(),
        "until": reg.break_until.isoformat() if reg.break_until else None,
        "days": days,
        "planned_end": {"was": was.isoformat(), "now": (was + timedelta(days=days)).isoformat()},
    }
    reg.planned_end = was + timedelta(days=days)
    reg.break_since, reg.break_reason, reg.break_until = None, None, None
    session.add(reg)
    session.flush()
    told, link = [], ""
    for hook in _END_HOOKS:
        moved = hook(session, actor, reg, since, days)
        data.update(moved.data)
        if moved.told:
            told.append(moved.told)
            link = moved.link or link
    audit.record(
        session,
        actor=actor,
        action="registration.break_end",
        subject_type="registration",
        subject_id=registration_id,
        data=data,
    )
    said = (
        f"registration on {framework} is back from its break, which ended on {day_words(today)}: "
        f"{{}} planned end is now {day_words(reg.planned_end)}"
    )
    theirs = "; ".join([said.format("the"), *told])
    _tell(session, reg, learner, f"Your {said.format('your')}.", f"{theirs}.", link)
    return reg
