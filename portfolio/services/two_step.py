"""Two-step verification of a log-in: a 6-digit code from an authenticator app (TOTP, RFC 6238,
with pyotp), or one of ten single-use recovery codes.

A person turns it on by confirming a code of the new secret (nothing is stored before that),
and off by giving a current code (or a recovery code) and their password; an administrator
resets it for someone who lost their phone. A code is accepted once: the last time step used is
recorded and only a later one is taken, with one step (30 s) of clock drift either way. Only the
SHA-256 of each recovery code is stored. Wrong codes count as failed log-ins: the account waits
as after wrong passwords (:class:`~portfolio.services.people.Delays`).

The secret is stored encrypted (:mod:`portfolio.sealing`, with the keys the process is configured
with through :func:`use_sealer`). One stored plain, before encryption came, is still read, and
is sealed under the first key at its next successful use, as is one sealed under an older key;
``portfolio two-step seal`` does all at once (:func:`seal_all`). A secret no key opens is
refused with :data:`UNREADABLE`: recovery codes still work, and an administrator can reset it."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pyotp
from sqlmodel import Session, col, delete, select, update

from portfolio import sealing
from portfolio.config import DEFAULT_SECRET_KEY
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Person, RecoveryCode, TwoStep
from portfolio.models.base import utcnow
from portfolio.models.lti import STAFF_ROLES
from portfolio.services import audit, logins
from portfolio.services.actors import Actor
from portfolio.services.passwords import verify_password
from portfolio.services.people import Delays, note_failure

RECOVERY_CODES = 10
DRIFT = 1  # time steps of 30 s accepted either side of now
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
_SECRET_LENGTH = 32  # base32 characters: 160 bits, as RFC 4226 recommends
WRONG_CODE = (
    "That code does not match. Type the 6-digit code your app shows now (each code works once); "
    "if it still does not match, check that the time on your phone is right."
)
CODE_AGAIN = "Type the 6-digit code your app shows, or one of your recovery codes."
WRONG_AGAIN = (
    "That code does not match, or it was used already (each code works once). Type the next "
    "code your app shows, or a recovery code."
)
UNREADABLE = (
    "Your two-step verification cannot be checked at the moment: this site can no longer read "
    "the secret your app shares with it. Log in with one of your recovery codes, or ask an "
    "administrator of your centre to reset two-step verification for you; you then log in with "
    "your password and set it up again."
)
log = logging.getLogger(__name__)
_sealer = sealing.from_settings({"SECRET_KEY": DEFAULT_SECRET_KEY})  # until the process is set up


class Unreadable(Invalid):
    """The person's stored secret cannot be decrypted with the keys in use (:data:`UNREADABLE`)."""


def use_sealer(sealer: sealing.Sealer) -> None:
    """Encrypt and decrypt the stored secrets with ``sealer`` from now on in this process (the
    wiring passes the configured keys)."""
    global _sealer
    _sealer = sealer


def _opened(row: TwoStep) -> tuple[str, bool] | None:
    """The row's secret and whether it is stored as it should be (sealed under the first key);
    None, logged, when no key opens it. A secret stored plain (before encryption) is read."""
    if is_secret(row.secret):
        return row.secret, False
    try:
        return _sealer.open(row.secret)
    except sealing.Unreadable:
        log.error(
            "The two-step secret of person %s cannot be decrypted with the keys in use "
            "(PORTFOLIO_ENCRYPTION_KEYS, or PORTFOLIO_SECRET_KEY when unset, changed?)",
            row.person_id,
        )
        return None


def new_secret() -> str:
    """A fresh secret for an authenticator app (base32)."""
    return pyotp.random_base32(length=_SECRET_LENGTH)


def is_secret(secret: str) -> bool:
    """Whether ``secret`` has the shape of one :func:`new_secret` makes."""
    return len(secret) == _SECRET_LENGTH and all(
        c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in secret
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, as a person types it into their app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_uri(secret: str, *, email: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def is_on(session: Session, *, person_id: int) -> bool:
    return session.get(TwoStep, person_id) is not None


def person_with_state(session: Session, *, person_id: int) -> tuple[Person, bool] | None:
    """The person and whether they have two-step verification on, in one statement (their
    administrator's page reads both); None when there is no such person."""
    found = session.exec(
        select(Person, col(TwoStep.person_id).is_not(None))
        .outerjoin(TwoStep, col(TwoStep.person_id) == Person.id)
        .where(Person.id == person_id)
    ).first()
    return None if found is None else (found[0], bool(found[1]))


def must_set_up(session: Session, *, person: Person) -> bool:
    """Whether the centre's rule (staff must use two-step verification) obliges ``person`` to
    turn it on before anything else: a member of staff who has not."""
    return bool(person.role_set & STAFF_ROLES) and not is_on(session, person_id=person.id or 0)


def recovery_left(session: Session, *, person_id: int) -> int:
    """How many of the person's recovery codes are still unused."""
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.person_id == person_id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _normal(code: str) -> str:
    """A recovery code as it is hashed: lower case, without spaces or dashes."""
    return "".join(c for c in code.lower() if c not in " -\t")


def _matching_step(secret: str, code: str, *, after: int, now: datetime) -> int | None:
    """The time step (within the drift, later than ``after``) whose code ``code`` is."""
    digits = code.replace(" ", "")
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _new_recovery_codes(session: Session, person_id: int) -> list[str]:
    """Ten new recovery codes (``xxxx-xxxx-xxxx``); the person's old ones are deleted."""
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.person_id) == person_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(person_id=person_id, code_hash=_digest(raw)))
    return codes


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.id)
    if person is None or not logins.can_log_in(person):
        raise PermissionDenied("This account cannot change how it logs in.")
    return person


def turn_on(
    session: Session, *, actor: Actor, secret: str, code: str, now: datetime | None = None
) -> list[str]:
    """Turn two-step verification on for the actor with ``secret``, once ``code`` shows their app
    holds it; the ten recovery codes, to show once."""
    person = _person(session, actor)
    if session.get(TwoStep, actor.id) is not None:
        raise Invalid("Two-step verification is already on for your account.")
    if not is_secret(secret):
        raise Invalid("Start again: open the two-step verification page for a new secret.")
    step = _matching_step(secret, code, after=0, now=now or utcnow())
    if step is None:
        raise Invalid(WRONG_CODE, field="code")
    session.add(TwoStep(person_id=actor.id, secret=_sealer.seal(secret), last_step=step))
    codes = _new_recovery_codes(session, actor.id)
    session.flush()
    audit.record(
        session, actor=actor, action="person.two_step_on", subject_type="person",
        subject_id=person.id,
    )  # fmt: skip
    return codes


def use_code(
    session: Session, *, person_id: int, code: str, now: datetime | None = None
) -> str | None:
    """Accept ``code`` for the person's second step, once: ``"code"`` (from the app),
    ``"recovery"`` (a recovery code, now used up), or None when it is neither. Two requests with
    the same code at once: the conditional write lets only one of them through. A secret stored
    plain or under an older key is sealed under the first key once a code is accepted; one that
    cannot be decrypted leaves recovery codes working and raises :class:`Unreadable` otherwise."""
    row = session.get(TwoStep, person_id)
    if row is None:
        return None
    now = now or utcnow()
    opened = _opened(row)
    step = None
    if opened is not None:
        step = _matching_step(opened[0], code.strip(), after=row.last_step, now=now)
    if opened is not None and step is not None:
        values: dict[str, object] = {"last_step": step}
        if not opened[1]:
            values["secret"] = _sealer.seal(opened[0])
        claimed = session.execute(
            update(TwoStep)
            .where(col(TwoStep.person_id) == person_id, col(TwoStep.last_step) < step)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.expire(row)
        return "code" if claimed.rowcount == 1 else None  # type: ignore[attr-defined]
    how = _use_recovery(session, person_id, code, now)
    if opened is None and how is None:
        raise Unreadable(UNREADABLE, field="code")
    if how is not None and opened is not None and not opened[1]:
        row.secret = _sealer.seal(opened[0])
        session.add(row)
    return how


def _use_recovery(session: Session, person_id: int, code: str, now: datetime) -> str | None:
    wanted = _digest(_normal(code))
    found = session.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.person_id == person_id,
            RecoveryCode.code_hash == wanted,
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if found is None:
        return None
    claimed = session.execute(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == found, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return "recovery" if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def complete_log_in(
    session: Session, *, person_id: int, code: str, delays: Delays | None = None
) -> tuple[Person, str] | None:
    """The second step of a log-in whose password was right: the person and how they proved it
    (``"code"`` or ``"recovery"``), or None. As for passwords, while the account waits after
    repeated failures no code is tried (and the try does not count); a wrong code counts."""
    delays = delays or Delays()
    person = session.get(Person, person_id)
    now = utcnow()
    if person is None or not logins.can_log_in(person):
        return None
    if person.locked_until is not None and person.locked_until > now:
        return None
    how = use_code(session, person_id=person_id, code=code, now=now)
    if how is None:
        note_failure(session, person, delays, now)
        return None
    person.failed_logins = 0
    person.locked_until = None
    session.add(person)
    return person, how


def count_failure(make_session: Callable[[], Session], *, person_id: int, delays: Delays) -> None:
    """A wrong password or code given again on an account page (changing the password, turning
    two-step verification off, confirming a sign-in) counts towards the account's wait as a
    failed log-in does, in a transaction of its own: the page refusing it rolls its own back. A
    try while the account already waits is not counted (none is tried then), as at log-in."""
    with make_session() as session:
        person = session.get(Person, person_id, with_for_update=True)
        now = utcnow()
        if person is not None and logins.waiting_words(person, now) is None:
            note_failure(session, person, delays, now)
            session.commit()


def confirm_sign_in(
    session: Session,
    *,
    actor: Actor,
    login: str | None,
    password: str,
    code: str = "",
    delays: Delays | None = None,
) -> str | None:
    """The person gives their password again in their session ``login`` (before making an API
    token): it counts as a recent sign-in (:data:`logins.RECENT`). With two-step verification on
    they also give a code or a recovery code, checked as at log-in (:func:`complete_log_in`: the
    account's wait, a code accepted once, a wrong one counted), so that the password alone is
    not enough, as it is not at log-in. The password is checked first (a code is not spent on a
    wrong password). Returns how the second step was passed (``"code"``, ``"recovery"``), or
    None when it is off."""
    row = logins.password_again(session, actor=actor, login=login, password=password)
    how = None
    if is_on(session, person_id=actor.id):
        if not code.strip():
            raise Invalid(CODE_AGAIN, field="code")
        found = complete_log_in(session, person_id=actor.id, code=code, delays=delays)
        if found is None:
            raise Invalid(WRONG_AGAIN, field="code")
        how = found[1]
    logins.confirmed(session, actor=actor, row=row, second_step=how)
    return how


def _remove(session: Session, person_id: int) -> None:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.person_id) == person_id))
    session.exec(delete(TwoStep).where(col(TwoStep.person_id) == person_id))


def turn_off(
    session: Session, *, actor: Actor, code: str, password: str, staff_rule: bool = False
) -> None:
    """Turn two-step verification off for the actor, who gives their password and a current
    code (or a recovery code). Under the centre's rule for staff (``staff_rule``) a member of
    staff cannot: an administrator resets it for a new phone."""
    person = _person(session, actor)
    if staff_rule and person.role_set & STAFF_ROLES:
        raise Invalid(
            "Your centre asks staff to use two-step verification, so it cannot be turned off. "
            "For a new phone, ask an administrator to reset it: you then set it up again when "
            "you next log in."
        )
    if session.get(TwoStep, actor.id) is None:
        raise Invalid("Two-step verification is not on for your account.")
    if (wait := logins.waiting_words(person)) is not None:  # nothing is tried while it waits
        raise Invalid(wait, field="password")
    if not verify_password(person.password_hash, password):
        raise Invalid("That is not your current password.", field="password")
    if use_code(session, person_id=actor.id, code=code) is None:
        raise Invalid(
            "That code does not match: type the code your app shows now, or a recovery code.",
            field="code",
        )
    _remove(session, actor.id)
    audit.record(
        session, actor=actor, action="person.two_step_off", subject_type="person",
        subject_id=person.id,
    )  # fmt: skip


def reset(session: Session, *, actor: Actor, person_id: int) -> Person:
    """An administrator turns someone's two-step verification off (a lost phone): they log in
    with their password alone until they turn it on again."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators reset two-step verification.")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    if session.get(TwoStep, person_id) is None:
        raise Invalid(f"{person.name} has not turned on two-step verification.")
    _remove(session, person_id)
    audit.record(
        session, actor=actor, action="person.two_step_reset", subject_type="person",
        subject_id=person_id,
    )  # fmt: skip
    return person


def reset_message(*, name: str, site: str) -> tuple[str, str]:
    """The e-mail telling a person an administrator reset their two-step verification."""
    body = (
        f"Hello {name},\n\n"
        f"An administrator of {site} has turned off two-step verification on your Competence "
        "Portfolio account, as is done for a lost or replaced phone. You now log in with your "
        "password alone. Turn two-step verification on again on your account page.\n\n"
        "If you did not ask for this, tell your centre at once and change your password.\n"
    )
    return "Two-step verification was turned off on your portfolio account", body


@dataclass
class Sealed:
    """What :func:`seal_all` did: how many secrets it sealed that were stored plain, how many it
    sealed again under the first key, how many already were, and whose no key opens."""

    plain: int = 0
    older: int = 0
    current: int = 0
    unreadable: list[int] = field(default_factory=list)  # person ids


def seal_all(session: Session, *, actor: Actor) -> Sealed:
    """Seal every secret stored plain, and seal again under the first key each one sealed under
    an older key, in the caller's transaction (one audit entry, ``two_step.sealed``). A secret
    no key opens is left as it is and named: an administrator resets that person's two-step
    verification."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators seal the stored two-step secrets.")
    done = Sealed()
    rows = session.exec(select(TwoStep).order_by(col(TwoStep.person_id)).with_for_update())
    for row in rows.all():
        opened = _opened(row)
        if opened is None:
            done.unreadable.append(row.person_id)
        elif opened[1]:
            done.current += 1
        else:
            done.plain += is_secret(row.secret)
            done.older += not is_secret(row.secret)
            row.secret = _sealer.seal(opened[0])
            session.add(row)
    if done.plain or done.older:
        audit.record(
            session, actor=actor, action="two_step.sealed", subject_type="two_step",
            subject_id=None, data={"plain": done.plain, "older_key": done.older},
        )  # fmt: skip
    return done
