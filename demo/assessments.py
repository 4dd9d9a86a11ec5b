"""Demo assessments: evidence, claims, decisions and one sign-off for the demo learners.

Everything goes through the real services (evidence, claims, decisions, sign-off), so the demo
shows what a centre would see a few months in:

* learner1: SE03 complete, declared by the learner and signed off, SE01 part-way with a referral;
* learner2: part-way, with claims awaiting the assessor's decision;
* learner3: early, a couple of drafts and one submitted account;
* learner4: nothing yet.

:func:`add_demo_assessments` is idempotent: a learner who already has evidence is left alone. The
evidence itself (its prose, claims and decisions) is data: ``demo/data/assessments.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.declarations import declare
from mappings.assessment.models import Claim
from mappings.assessment.signoff import sign_off
from mappings.assessment.standing import registrations_of_learner
from portfolio.models import Evidence, Person, Registration
from portfolio.services import evidence
from portfolio.services.people import Actor

# (standard, criterion codes, decision or None while awaiting, method, feedback)
ClaimPlan = tuple[str, str, str | None, str, str]


@dataclass(frozen=True)
class DemoItem:
    kind: str
    title: str
    weeks_ago: int
    body: str
    claims: tuple[ClaimPlan, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    by_assessor: bool = False
    submit: bool = True


@dataclass
class DemoAssessments:
    created: list[str] = field(default_factory=list)

    def text(self) -> str:
        if not self.created:
            return "Demo assessments were already loaded; nothing changed."
        return "Demo assessments: " + "; ".join(self.created)


DATA = "assessments.toml"


def demo_plans(data: str = DATA) -> dict[str, tuple[tuple[DemoItem, ...], tuple[str, ...]]]:
    """Learner email -> (their evidence items, the standards signed off for them), read from
    ``demo/data/assessments.toml`` (or another file of ``demo/data`` written the same way)."""
    text = resources.files("demo").joinpath("data", data).read_text("utf-8")
    return {
        learner["email"]: (
            tuple(_item(item) for item in learner.get("item", [])),
            tuple(learner.get("sign_off", [])),
        )
        for learner in tomllib.loads(text)["learner"]
    }


def _item(data: dict[str, Any]) -> DemoItem:
    return DemoItem(
        kind=data["kind"],
        title=data["title"],
        weeks_ago=data["weeks_ago"],
        body=data["body"],
        claims=tuple(
            (
                c["standard"],
                c["criteria"],
                c.get("decision"),
                c.get("method", ""),
                c.get("feedback", ""),
            )
            for c in data.get("claim", [])
        ),
        fields=dict(data.get("fields", {})),
        by_assessor=data.get("by_assessor", False),
        submit=data.get("submit", True),
    )


def _actor(person: Person) -> Actor:
    return Actor.of(person)


def add_demo_assessments(
    session: Session, *, today: date | None = None, data: str = DATA
) -> DemoAssessments:
    """Give the demo learners of ``data`` evidence, decisions and sign-offs (idempotent)."""
    today = today or date.today()
    report = DemoAssessments()
    for email, (items, sign) in demo_plans(data).items():
        learner = session.exec(select(Person).where(Person.email == email)).first()
        if learner is None or not items:
            continue
        has_evidence = session.exec(
            select(Evidence.id).where(Evidence.learner_id == learner.id)
        ).first()
        reg_ids = registrations_of_learner(session, learner.id or 0)
        if has_evidence is not None or not reg_ids:
            continue
        reg = session.get(Registration, reg_ids[0])
        assert reg is not None and reg.assessor_id is not None
        assessor = session.get(Person, reg.assessor_id)
        assert assessor is not None
        for item in items:
            _add_item(session, learner, assessor, item, today)
        for code in sign:
            # the learner confirms their declaration first, as they would on their home page
            declare(
                session,
                actor=_actor(learner),
                registration_id=reg.id or 0,
                standard_code=code,
                today=today,
            )
            sign_off(
                session,
                actor=_actor(assessor),
                registration_id=reg.id or 0,
                standard_code=code,
                summary=(
                    f"Every criterion of {code} is met through a witness testimony from the "
                    "employer, work products and a reflective account; the evidence is the "
                    "learner's own, current and consistent."
                ),
                feedback="Well evidenced. Keep involving families as early as you did here.",
                assessor_declaration=True,
                today=today,
            )
        report.created.append(f"{len(items)} evidence items for {email}")
        if sign:
            report.created.append(f"{', '.join(sign)} signed off for {email}")
    session.flush()
    return report


def _add_item(
    session: Session, learner: Person, assessor: Person, item: DemoItem, today: date
) -> None:
    author = assessor if item.by_assessor else learner
    writer = _actor(author)
    created = evidence.create(
        session,
        actor=writer,
        learner_id=learner.id or 0,
        draft=evidence.Draft(
            kind=item.kind,
            title=item.title,
            activity_date=today - timedelta(weeks=item.weeks_ago),
            body=item.body,
            fields=dict(item.fields) or None,
        ),
    )
    if item.submit:
        evidence.submit(session, actor=writer, evidence_id=created.id or 0, declaration=True)
    if not item.claims:
        return
    ids = {
        (c.standard_code, c.code): c.criterion_id
        for c in claims.claimable_criteria(session, learner.id or 0)
    }
    wanted = {
        ids[(std, code)]: (decision, method, feedback)
        for std, codes, decision, method, feedback in item.claims
        for code in codes.split(",")
    }
    claims.set_claims(session, actor=writer, evidence_id=created.id or 0, criterion_ids=wanted)
    if not item.submit:
        return
    rows = session.exec(select(Claim).where(Claim.evidence_id == created.id)).all()
    if any(decision == "accepted" for decision, _, _ in wanted.values()):
        # the assessor's VACSR judgement of what they accept, printed on the sign-off record
        claims.judge(
            session,
            actor=_actor(assessor),
            evidence_id=created.id or 0,
            flags=dict.fromkeys(claims.VACSR, True),
        )
    for claim in rows:
        decision, method, feedback = wanted[claim.criterion_id]
        if decision is None:
            continue
        claims.decide(
            session,
            actor=_actor(assessor),
            claim_id=claim.id or 0,
            expected_revision=claim.revision,
            decision=decision,
            method=method,
            feedback=feedback,
        )
