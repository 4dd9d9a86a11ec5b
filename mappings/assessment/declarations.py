"""The learner's declaration for a standard: an act of the learner, with the exact wording.

When every criterion of a standard is met, the learner is asked (on their home page and by a
notification, :func:`notify_awaiting`) to confirm :func:`learner_wording` for that standard.
:func:`declare` records who confirmed which wording, when, over which evidence set (its hash,
:mod:`mappings.assessment.evidence_set`). A declaration applies only while the evidence behind the
standard still has that hash: when the evidence changes the learner is asked again, and sign-off
(:mod:`mappings.assessment.signoff`) needs a declaration that applies (:func:`current_declaration`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from mappings.assessment import holds, notices
from mappings.assessment.evidence_set import basis_refs, basis_versions, hash_of, versions_of
from mappings.assessment.models import LearnerDeclaration
from mappings.assessment.standing import (
    StandardInfo,
    Standing,
    learner_standings,
    load_standings,
)
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Evidence, Registration
from portfolio.services import access, audit, notifications
from portfolio.services.people import Actor
from portfolio.services.withdrawals import KEPT_EVIDENCE, erased_words, refuse_if_erased
from portfolio.words import day_words

ASSESSOR_WORDING = (
    "I confirm that I have judged the evidence listed in this record to be valid, authentic, "
    "current, sufficient and reliable, and that the learner has met every criterion of this "
    "standard."
)


def learner_wording(code: str, title: str) -> str:
    """The words the learner confirms for one standard, exactly as stored and printed."""
    return (
        f"I declare that the evidence listed for {code} {title} is my own work, that it "
        "describes what I did, and that any witness named has seen my practice."
    )


def declaration_link(registration_id: int, code: str) -> str:
    """Where the learner confirms it: their home page, at the item for this standard."""
    return f"/#declare-{registration_id}-{code}"


@dataclass(frozen=True)
class Awaiting:
    """A complete standard, not signed off, whose learner has no declaration that applies."""

    registration_id: int
    standard_id: int
    code: str
    title: str
    wording: str
    evidence_set_sha256: str
    asked_again: bool  # the learner declared, but the evidence has changed since

    @property
    def link(self) -> str:
        return declaration_link(self.registration_id, self.code)


def awaiting_declarations(
    session: Session, *, learner_id: int, today: date | None = None
) -> list[Awaiting]:
    """What the learner is asked to declare, in a fixed number of queries."""
    standings = learner_standings(session, learner_id, today)
    return awaiting_in(session, standings)


def awaiting_in(session: Session, standings: Sequence[Standing]) -> list[Awaiting]:
    """The declarations awaited in standings already loaded (two more queries). A withdrawn
    learner is asked nothing: :func:`declare` refuses until the registration is reinstated."""
    wanted: list[tuple[Standing, StandardInfo]] = []
    for standing in standings:
        if standing.registration.withdrawn_at is not None:
            continue
        for info in standing.standards:
            found = standing.standard(info.code)
            if info.signoff is None and found is not None and found[1].complete:
                wanted.append((standing, info))
    if not wanted:
        return []
    refs = {ref for standing, info in wanted for ref in basis_refs(standing, info.code)}
    versions = versions_of(session, refs)
    made = _declarations(session, {s.registration.id or 0 for s, _ in wanted})
    result = []
    for standing, info in wanted:
        reg_id = standing.registration.id or 0
        basis = sorted(
            (ref, versions[ref]) for ref in basis_refs(standing, info.code) if ref in versions
        )
        digest = hash_of(basis)
        earlier = made.get((reg_id, info.id), {})
        if digest in earlier:
            continue
        result.append(
            Awaiting(
                registration_id=reg_id,
                standard_id=info.id,
                code=info.code,
                title=info.title,
                wording=learner_wording(info.code, info.title),
                evidence_set_sha256=digest,
                asked_again=bool(earlier),
            )
        )
    return result


def _declarations(
    session: Session, registration_ids: Iterable[int]
) -> dict[tuple[int, int], dict[str, LearnerDeclaration]]:
    """(registration, standard) -> evidence-set hash -> the latest declaration over that set."""
    found: dict[tuple[int, int], dict[str, LearnerDeclaration]] = defaultdict(dict)
    for row in session.exec(
        select(LearnerDeclaration)
        .where(col(LearnerDeclaration.registration_id).in_(sorted(registration_ids)))
        .order_by(col(LearnerDeclaration.id))
    ):
        found[(row.registration_id, row.standard_id)][row.evidence_set_sha256] = row
    return found


def current_declaration(
    session: Session, *, registration_id: int, standard_id: int, evidence_set_sha256: str
) -> LearnerDeclaration | None:
    """The learner's latest declaration for the standard over exactly this evidence set."""
    return session.exec(
        select(LearnerDeclaration)
        .where(
            LearnerDeclaration.registration_id == registration_id,
            LearnerDeclaration.standard_id == standard_id,
            LearnerDeclaration.evidence_set_sha256 == evidence_set_sha256,
        )
        .order_by(col(LearnerDeclaration.id).desc())
    ).first()


def require_learner(session: Session, *, actor: Actor, registration_id: int) -> None:
    """Refuse anyone but the registration's learner before a declaration form is even read;
    strangers are told nothing."""
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("No such registration.")
    if actor.id != registration.learner_id or not actor.has("learner"):
        access.require_view(session, actor, registration.learner_id)
        raise PermissionDenied("Only the learner makes their own declaration.")


def _refuse_if_withdrawn(standing: Standing, withdrawn: date | None) -> None:
    if standing.learner.erased_at is not None:  # declarations made before the erasure stay
        raise Invalid(f"{erased_words(standing.learner.erased_at)}: {KEPT_EVIDENCE}")
    if withdrawn is not None:  # declarations made before the withdrawal stay as they are
        raise Invalid(
            f"You withdrew from {standing.framework.title} on {day_words(withdrawn)}: no "
            "declaration is recorded for it unless an administrator reinstates the registration."
        )


def declare(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    standard_code: str,
    evidence_set_sha256: str | None = None,
    today: date | None = None,
) -> LearnerDeclaration:
    """The learner confirms their declaration for a complete standard of their registration.

    Only the registration's learner may; strangers are told nothing. ``evidence_set_sha256`` is
    the set the learner was shown: if the evidence changed meanwhile they are asked to read again.
    """
    found = load_standings(session, [registration_id], today)
    if not found:
        raise NotFound("No such registration.")
    standing = found[0]
    learner_id = standing.registration.learner_id
    if actor.id != learner_id or not actor.has("learner"):
        access.require_view(session, actor, learner_id)  # strangers are told nothing
        raise PermissionDenied("Only the learner makes their own declaration.")
    _refuse_if_withdrawn(standing, standing.registration.withdrawn_at)
    pair = standing.standard(standard_code)
    if pair is None:
        raise NotFound(f"You are not registered on {standard_code}.")
    info, cov = pair
    if info.signoff is not None:
        raise Invalid(f"{standard_code} is already signed off.")
    if not cov.complete:
        raise Invalid(
            f"You can declare for {standard_code} once every criterion is met: "
            f"{cov.total - cov.met} of {cov.total} are not yet met."
        )
    digest = hash_of(basis_versions(session, standing, standard_code))
    if evidence_set_sha256 is not None and evidence_set_sha256 != digest:
        raise Conflict(
            f"The evidence behind {standard_code} changed while you were reading; "
            "read the declaration again before you confirm it."
        )
    if holds.concurrent(session):  # a double click's other request, a withdrawal: each is seen
        _refuse_if_withdrawn(standing, holds.hold_registration(session, registration_id))
        # an erasure committed while this waited (it holds the registration too)
        refuse_if_erased(session, learner_id, KEPT_EVIDENCE)
    if current_declaration(
        session, registration_id=registration_id, standard_id=info.id, evidence_set_sha256=digest
    ):
        raise Invalid(f"You have already confirmed your declaration for {standard_code}.")
    row = LearnerDeclaration(
        registration_id=registration_id,
        standard_id=info.id,
        learner_id=actor.id,
        wording=learner_wording(info.code, info.title),
        evidence_set_sha256=digest,
    )
    session.add(row)
    session.flush()
    notifications.mark_link_read(
        session, person_id=actor.id, link=declaration_link(registration_id, info.code)
    )
    audit.record(
        session,
        actor=actor,
        action="standard.declaration",
        subject_type="learner_declaration",
        subject_id=row.id,
        data={
            "registration": registration_id,
            "standard": standard_code,
            "evidence_set_sha256": digest,
            "wording": row.wording,
        },
    )
    # complete, not signed off, declared over the evidence as it stands: ready to sign off
    notices.declared(session, actor=actor, registration=standing.registration, standard=info)
    return row


def notify_awaiting(session: Session, *, learner_id: int, today: date | None = None) -> int:
    """Tell the learner of each complete standard that awaits their declaration (once while
    unread); the number of notifications added."""
    added = 0
    for item in awaiting_declarations(session, learner_id=learner_id, today=today):
        text = (
            f"The evidence behind {item.code} {item.title} changed: confirm your declaration "
            "again so your assessor can sign it off."
            if item.asked_again
            else f"{item.code} {item.title} is complete: confirm your declaration so your "
            "assessor can sign it off."
        )
        if notifications.notify(
            session, person_id=learner_id, text=text, link=item.link, kind="declaration"
        ):
            added += 1
    return added


def registration_withdrawn(session: Session, registration: Registration) -> None:
    """The learner withdrew: an ask to confirm their declaration for one of the registration's
    standards can no longer be done, so it is marked read and not e-mailed (in the same
    transaction). Registered by delivery.wiring."""
    notifications.no_longer_needed(
        session,
        person_id=registration.learner_id,
        kind="declaration",
        link_prefix=declaration_link(registration.id or 0, ""),
    )


def registration_reinstated(session: Session, registration: Registration) -> None:
    """The learner is back: each complete standard still awaiting their declaration is asked for
    again (the withdrawal marked the earlier ask read), in the reinstatement's transaction.
    Registered by delivery.wiring."""
    notify_awaiting(session, learner_id=registration.learner_id)


def evidence_submitted(session: Session, item: Evidence) -> None:
    """A new version changes the evidence set of the standards it is behind: the learner is
    asked (again) for those that are complete. Registered by delivery.wiring."""
    notify_awaiting(session, learner_id=item.learner_id)
