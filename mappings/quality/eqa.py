"""External quality assurance: time-boxed, read-only access to one cycle's samples.

An administrator grants a person with the ``eqa`` role access to a cycle until ``expires_at``;
the grant needs no clean-up, it simply stops counting (or is revoked earlier). While it counts,
the EQA reads the cycle's samples (:func:`mappings.quality.samples.sample_view`) and the portfolios
of the learners sampled: :func:`eqa_relation` is the relation "eqa" that
:func:`delivery.wiring.wire` registers with :mod:`portfolio.services.access`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from mappings.quality.cycles import aware
from mappings.quality.models import EqaAccess, Sample, SampleReview, SamplingCycle
from portfolio.errors import AccessEnded, Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Person, Standard
from portfolio.models.base import utcnow
from portfolio.services import audit, notifications
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_words, last_day, local


def _live(person_id: int | None, now: datetime | None = None) -> tuple[ColumnElement[bool], ...]:
    """The conditions on a grant of the person that counts at ``now``."""
    return (
        col(EqaAccess.person_id) == person_id,
        col(EqaAccess.revoked_at).is_(None),
        col(EqaAccess.expires_at) > (now or utcnow()),
    )


def live_grant(
    session: Session, actor: Actor, cycle_id: int, now: datetime | None = None
) -> EqaAccess | None:
    """The actor's grant to the cycle that counts now, if they are an EQA and hold one."""
    if not actor.has("eqa"):
        return None
    return session.exec(
        select(EqaAccess).where(*_live(actor.id, now), EqaAccess.cycle_id == cycle_id)
    ).first()


def eqa_can_view(
    session: Session, person: Actor | Person, learner_id: int, now: datetime | None = None
) -> bool:
    """True while the person (role eqa) holds a live grant to a cycle that sampled the learner."""
    roles = person.roles if isinstance(person, Actor) else person.role_set
    if "eqa" not in roles:
        return False
    found = session.exec(
        select(EqaAccess.id)
        .join(Sample, col(Sample.cycle_id) == EqaAccess.cycle_id)
        .where(
            *_live(person.id, now),
            Sample.learner_id == learner_id,
            col(Sample.dropped).is_(False),
        )
        .limit(1)
    ).first()
    return found is not None


def eqa_relation(session: Session, actor: Actor, learner_id: int) -> str | None:
    return "eqa" if actor.has("eqa") and eqa_can_view(session, actor, learner_id) else None


def withdrawal_day(zone: ZoneInfo) -> Callable[[datetime], str]:
    """The day a grant was withdrawn, as ``zone`` (the centre's, given by the caller: the
    answering app's ``TIME_ZONE``) has it: "4 Feb 2027"."""
    return lambda moment: day_words(local(moment, zone).date())


def ended_words(
    grant: EqaAccess, cycle_name: str, said: Callable[[datetime], str], zone: ZoneInfo
) -> str:
    """ "Your access to C1 ended after 4 Feb 2027, its last day." (the day in the centre's
    ``zone``), or "... was withdrawn on 3 Feb 2027." (the moment as ``said`` puts it: the /eqa
    page gives the time too, a page the EQA may no longer open :func:`withdrawal_day`). The /eqa
    page and a page the EQA may no longer open say it alike."""
    if grant.revoked_at is not None:
        return f"Your access to {cycle_name} was withdrawn on {said(grant.revoked_at)}."
    return (
        f"Your access to {cycle_name} ended after {last_day(grant.expires_at, zone)}, its last day."
    )


CLOSED_SAID = (
    "Its samples and portfolios are closed to you now. To read them again, ask the centre's "
    "administrator to grant access again."
)


def _ended(session: Session, actor: Actor, *where: ColumnElement[bool]) -> AccessEnded | None:
    """The refusal the EQA is told of their latest grant meeting ``where`` (that has ended: asked
    once no live grant lets them in), or None when they never held one. Its day is said in the
    centre's time zone of the app that tells it (:meth:`AccessEnded.said_in`)."""
    if not actor.has("eqa"):
        return None
    found = session.exec(
        select(EqaAccess, SamplingCycle.name)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .where(EqaAccess.person_id == actor.id, *where)
        .order_by(col(EqaAccess.expires_at).desc(), col(EqaAccess.id).desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    grant, cycle_name = found
    return AccessEnded(
        lambda zone: f"{ended_words(grant, cycle_name, withdrawal_day(zone), zone)} {CLOSED_SAID}"
    )


def eqa_ended(session: Session, actor: Actor, learner_id: int) -> AccessEnded | None:
    """Why an EQA may no longer read the learner's portfolio: their grant to a cycle that sampled
    the learner has ended (the relation "eqa" that ended, which :func:`delivery.wiring.wire`
    registers). None for anyone who never held such a grant: they are told nothing."""
    sampled = (
        select(Sample.id)
        .where(
            col(Sample.cycle_id) == EqaAccess.cycle_id,
            Sample.learner_id == learner_id,
            col(Sample.dropped).is_(False),
        )
        .exists()
    )
    return _ended(session, actor, sampled)


def eqa_cycle_ended(session: Session, actor: Actor, cycle_id: int) -> AccessEnded | None:
    """Why an EQA may no longer read the cycle's samples: their grant to it has ended."""
    return _ended(session, actor, col(EqaAccess.cycle_id) == cycle_id)


# access is time-boxed: a year at most, granted again to go on
LONGEST_GRANT = timedelta(days=366)
LONGEST_GRANT_SAID = "Access ends within a year of today; grant it again to go on after that."


def grant_eqa(
    session: Session,
    *,
    actor: Actor,
    person_id: int,
    cycle_id: int,
    expires_at: datetime,
    zone: ZoneInfo = CENTRE,
) -> EqaAccess:
    """Grant the EQA access to the cycle until ``expires_at``: midnight in the centre's ``zone``
    after the last day the administrator chose (:func:`portfolio.words.day_end`), the day the
    notification names."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators grant external quality assurers access.")
    person = session.get(Person, person_id)
    if person is None or not person.has_role("eqa") or person.removed_at is not None:
        raise Invalid("Access is granted to a person with the EQA role.")
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None:
        raise NotFound("No such sampling cycle.")
    expires_at = aware(expires_at)
    if expires_at <= utcnow():
        raise Invalid("The access must end in the future.")
    if expires_at > utcnow() + LONGEST_GRANT:
        raise Invalid(LONGEST_GRANT_SAID)
    grant = EqaAccess(person_id=person_id, cycle_id=cycle_id, granted_by=actor.id or person_id,
                      expires_at=expires_at)  # fmt: skip
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="eqa.grant",
                 subject_type="eqa_access", subject_id=grant.id,
                 data={"person": person_id, "cycle": cycle_id,
                       "expires_at": expires_at.isoformat()})  # fmt: skip
    notifications.notify(session, person_id=person_id, link="/eqa", kind="eqa_access",
                         text=f"You may now read the portfolios sampled in cycle "
                         f"{cycle.name}, until {last_day(expires_at, zone)}.")  # fmt: skip
    return grant


def revoke_eqa(session: Session, *, actor: Actor, grant_id: int, zone: ZoneInfo) -> EqaAccess:
    """Withdraw a live grant now. A grant already withdrawn or ended is a Conflict that says so
    and when (the page was loaded before; the day withdrawn in the centre's ``zone``): nothing
    is written."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators end external access.")
    grant = session.get(EqaAccess, grant_id)
    if grant is None:
        raise NotFound("No such grant.")
    if grant.revoked_at is not None:
        raise Conflict(
            f"This access was already withdrawn on {withdrawal_day(zone)(grant.revoked_at)}: "
            "there is nothing to withdraw."
        )
    if aware(grant.expires_at) <= utcnow():
        raise Conflict(
            f"This access had already ended after {last_day(grant.expires_at, zone)}, its last day: "
            "there is nothing to withdraw."
        )
    grant.revoked_at = utcnow()
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="eqa.revoke",
                 subject_type="eqa_access", subject_id=grant_id, data={})  # fmt: skip
    return grant


@dataclass(frozen=True)
class GrantRow:
    grant: EqaAccess
    person_name: str
    cycle_name: str
    active: bool


def list_grants(session: Session, *, actor: Actor) -> list[GrantRow]:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators see external access grants.")
    rows = session.exec(
        select(EqaAccess, Person.name, SamplingCycle.name)
        .join(Person, col(Person.id) == EqaAccess.person_id)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .order_by(col(EqaAccess.expires_at).desc())
    ).all()
    now = utcnow()
    return [
        GrantRow(g, p, c, g.revoked_at is None and aware(g.expires_at) > now) for g, p, c in rows
    ]


@dataclass(frozen=True)
class EqaCycle:
    grant: EqaAccess
    cycle: SamplingCycle
    samples: tuple[tuple[Sample, str, str, str], ...]  # sample, learner, standard, outcome

    @property
    def learners(self) -> tuple[tuple[int, str, int], ...]:
        """The learners sampled (id, name, number of samples), by name."""
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for sample, name, _code, _outcome in self.samples:
            counts[(sample.learner_id, name)] += 1
        return tuple((i, n, c) for (i, n), c in sorted(counts.items(), key=lambda x: x[0][1]))


def eqa_grants_of(session: Session, *, actor: Actor) -> list[EqaCycle]:
    """The live grants of an EQA with their cycles' samples (two queries): one per cycle, the
    one lasting longest when an administrator granted the same cycle again."""
    if not actor.has("eqa"):
        raise PermissionDenied("This page is for external quality assurers.")
    longest: dict[int, tuple[EqaAccess, SamplingCycle]] = {}
    for grant, cycle in session.exec(
        select(EqaAccess, SamplingCycle)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .where(*_live(actor.id))
        .order_by(col(EqaAccess.expires_at), col(EqaAccess.id))
    ).all():
        longest[grant.cycle_id] = (grant, cycle)
    grants = list(longest.values())
    rows = session.exec(
        select(Sample, Person.name, Standard.code, SampleReview.outcome)
        .join(Person, col(Person.id) == Sample.learner_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .join(SampleReview, col(SampleReview.sample_id) == Sample.id, isouter=True)
        .where(col(Sample.cycle_id).in_([c.id for _, c in grants]), col(Sample.dropped).is_(False))
        .order_by(col(Sample.position))
    ).all()
    by_cycle: dict[int, list[tuple[Sample, str, str, str]]] = defaultdict(list)
    for s, learner, code, outcome in rows:
        by_cycle[s.cycle_id].append((s, learner, code, outcome or "not reviewed"))
    return [EqaCycle(g, c, tuple(by_cycle.get(c.id or 0, []))) for g, c in grants]


ENDED_SHOWN = 5  # the EQA's page names this many of their ended grants, the latest first
ENDED_SCANNED = 50  # of this many latest ended grants (a cycle granted again has several)


def ended_grants_of(
    session: Session, *, actor: Actor, live: list[EqaCycle]
) -> list[tuple[EqaAccess, str]]:
    """The actor's latest grants that have ended (expired or revoked) with their cycle's name,
    leaving out cycles they hold a live grant to: their page says what ended and when."""
    if not actor.has("eqa"):
        raise PermissionDenied("This page is for external quality assurers.")
    held = {g.cycle.id for g in live}
    rows = session.exec(
        select(EqaAccess, SamplingCycle.name)
        .join(SamplingCycle, col(SamplingCycle.id) == EqaAccess.cycle_id)
        .where(
            EqaAccess.person_id == actor.id,
            or_(col(EqaAccess.revoked_at).is_not(None), col(EqaAccess.expires_at) <= utcnow()),
        )
        .order_by(col(EqaAccess.expires_at).desc(), col(EqaAccess.id).desc())
        .limit(ENDED_SCANNED)
    ).all()
    said: dict[
        int, tuple[EqaAccess, str]
    ] = {}  # each cycle once: its latest grant, as refusals say
    for grant, name in rows:
        if grant.cycle_id not in held:
            said.setdefault(grant.cycle_id, (grant, name))
    return list(said.values())[:ENDED_SHOWN]
