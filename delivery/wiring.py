"""Explicit wiring: the one place that connects higher layers' rules into the core services.

The web app factory, the command line and the background worker each call :func:`wire` once at
start. Importing a module never changes behaviour; only this function does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlmodel import Session

from mappings.assessment import completion, plan_breaks, resubmitted, summaries
from mappings.assessment.declarations import (
    evidence_submitted,
    registration_reinstated,
    registration_withdrawn,
)
from mappings.assessment.guards import signed_standards_stay
from mappings.assessment.notices import submitted
from mappings.assessment.recorded import written_elsewhere
from mappings.privacy.erasure import register_forget_hook
from mappings.quality.eqa import eqa_ended, eqa_relation
from portfolio import sealing, storable
from portfolio.services import (
    access,
    breaks,
    evidence,
    registration_standards,
    registrations,
    two_step,
    withdrawals,
)
from portfolio.services.actors import Actor


def wire() -> None:
    """Register guards, relations and hooks (idempotent)."""
    # A standard signed off on a registration cannot be taken off it (reopen it first).
    registrations.register_removal_guard(signed_standards_stay)
    # An EQA with a live grant may read the sampled learners' portfolios.
    access.register_relation(eqa_relation)
    # ... and, once it has ended, is told so and since when on the pages it opened.
    access.register_ended_relation(eqa_ended)
    # Text with a NUL character is refused alike on SQLite and PostgreSQL (PostgreSQL cannot
    # store it): every row is checked before it is written.
    storable.install()
    # A version submitted after the first is not what the assessor decided on: its decided
    # claims (of standards not signed off) await a decision again.
    evidence.register_submit_hook(resubmitted.reopen_decided)
    # A newly submitted version changes the evidence behind complete standards: the learner is
    # asked to confirm their declaration again.
    evidence.register_submit_hook(evidence_submitted)
    # The learner's assessors are told of evidence submitted for a decision.
    evidence.register_submit_hook(submitted)
    # An item a bundle says someone else wrote at the centre that sent it is stored with its
    # learner as author (nobody here wrote it) but is not theirs to change or declare.
    evidence.register_read_only_reason(written_elsewhere)
    # A learner who withdraws is no longer asked to confirm a declaration for that registration.
    withdrawals.register_withdraw_hook(registration_withdrawn)
    # ... and, reinstated, is asked again for the declarations the withdrawal set aside.
    withdrawals.register_reinstate_hook(registration_reinstated)
    # Ending a break in learning moves the learner's open plans due since it began on by its
    # length, as it moves the planned end (recorded in the break's audit entry).
    breaks.register_end_hook(plan_breaks.moved_by_break)
    # Where each registration stands is kept for the caseload, and forgotten in the same
    # transaction as any change that could alter it.
    summaries.install()
    # A registration whose every standard is signed off is completed: the registrations list
    # joins the current sign-offs to the standards it reads.
    registration_standards.register_signed_standards(completion.current_signoffs)


def configure(conf: Mapping[str, Any]) -> None:
    """Apply the settings the core services read in every process (the app factory, the command
    line and the worker call it once the configuration is known): the centre's own identifiers
    that the personal-data scan of evidence reports, the keys that encrypt two-step secrets
    in the database (``ENCRYPTION_KEYS``, else derived from ``SECRET_KEY``). The centre's time
    zone (``TIME_ZONE``) is not one of them: it is read where a day is said, from the settings
    of the app answering (an EQA told the day their access was withdrawn: AccessEnded)."""
    evidence.scanning.use_identifiers(conf.get("PRIVACY_IDENTIFIERS"))
    two_step.use_sealer(sealing.from_settings(conf))
    # An erasure (on request or by retention) deletes the cohort export files in this instance
    # folder that may hold the people it erases.
    register_forget_hook("exports", _exports_forgotten_in(Path(conf["INSTANCE_PATH"])))


def _exports_forgotten_in(instance: Path) -> Callable[[Session, Actor, Sequence[int], str], int]:
    def forget(session: Session, actor: Actor, person_ids: Sequence[int], reason: str) -> int:
        from exports.forget import forget_exports  # when an erasure runs: a command needs none

        return forget_exports(session, actor, person_ids, reason, instance_path=instance)

    return forget
