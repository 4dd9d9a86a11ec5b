"""Demo assessments: evidence, claims, decisions and one sign-off for the demo learners.

Everything goes through the real services (evidence, claims, decisions, sign-off), so the demo
shows what a centre would see a few months in:

* learner1: SE03 complete and signed off, SE01 part-way with a referral;
* learner2: part-way, with claims awaiting the assessor's decision;
* learner3: early, a couple of drafts and one submitted account;
* learner4: nothing yet.

:func:`add_demo_assessments` is idempotent: a learner who already has evidence is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from mappings.assessment import claims
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


SE03_K = "K1,K2,K3,K4,K5,K6,K7,K8,K9,K10"

LEARNER1: tuple[DemoItem, ...] = (
    DemoItem(
        kind="witness_testimony",
        title="Witness testimony: work trial at Greenway Garden Centre",
        weeks_ago=20,
        fields={
            "witness_name": "Priya Shah",
            "witness_role": "Garden centre manager",
            "witness_relationship": "Employer who hosted the work trial",
        },
        body=(
            "Lena contacted us through the local disability employment network and explained "
            "how supported employment works, including what she would do and what we would "
            "do.\n\n"
            "Before the trial she met the job seeker's mother, who was worried that paid work "
            "would affect his benefits and that he might be left on his own. Lena went through "
            "a better-off calculation with them both and agreed a plan for the first weeks, "
            "which settled those concerns.\n\n"
            "She negotiated a two-week work trial with clear criteria (arriving on time, "
            "watering and stock rotation to the standard of the team, asking for help when "
            "unsure) and reviewed them with us and with him at the end of each week. When one "
            "of my supervisors doubted he could use the till, Lena spoke up for him and "
            "suggested a picture-based checklist, which worked. She introduced him to two "
            "colleagues who now give him lifts and include him in the team's breaks.\n\n"
            "He was offered a 16-hour contract at the end of the trial."
        ),
        claims=(("SE03", "P1,P4,P5,P6,P7,P8", "accepted", "WT", ""),),
    ),
    DemoItem(
        kind="product",
        title="Better-off calculation and easy-read CV for a job seeker",
        weeks_ago=22,
        body=(
            "Attached in the paper file: the better-off calculation I prepared with J. for 16 "
            "and 24 hours a week, with the housing element and travel costs shown separately, "
            "and the easy-read CV we wrote together using photographs of his volunteering at "
            "the community garden.\n\n"
            "J. chose the layout and the photographs; I checked the figures with the welfare "
            "rights adviser before we shared them with his family."
        ),
        claims=(("SE03", "P2,P3", "accepted", "P", ""),),
    ),
    DemoItem(
        kind="reflective_account",
        title="Reflective account: raising aspirations with job seekers and families",
        weeks_ago=18,
        body=(
            "Most of the people referred to us have been told, in one way or another, that "
            "work is not for them. In this account I reflect on how I work with local "
            "services (the learning disability team, the mental health recovery college, the "
            "community centre's job club) to reach people who could benefit, and on the "
            "accessible information we use: easy-read leaflets, short videos and the "
            "better-off calculation talked through face to face.\n\n"
            "I describe how I help a job seeker write a CV that shows who they are rather "
            "than gaps, and how I prepare them for interviews or, where an interview would "
            "not show their abilities, present them to the employer through a working "
            "interview. I explain why families are often worried (benefits, safety, past "
            "disappointments), how I involve them early, how circles of support and "
            "partnerships keep aspirations going, and when I need to advocate for the job "
            "seeker.\n\n"
            "Finally I reflect on work trials: when they help, and how we agree criteria "
            "with the employer and the job seeker beforehand so that success is measured "
            "fairly."
        ),
        claims=(
            ("SE03", SE03_K, "accepted", "RA", ""),
            ("SE01", "K1,K3", "accepted", "RA", ""),
        ),
    ),
    DemoItem(
        kind="star_narrative",
        title="STAR: challenging assumptions at a family meeting",
        weeks_ago=12,
        fields={
            "situation": (
                "A job seeker with autism told me he wanted to work in a bike repair shop. At "
                "a review meeting his key worker said this was unrealistic and suggested "
                "sheltered work instead."
            ),
            "task": (
                "Make sure the job seeker's informed choice was respected and that the "
                "meeting looked at what support would make his choice possible."
            ),
            "action": (
                "I asked him to show the group the bike he had rebuilt, explained the "
                "'zero rejection' principle and the place-and-train model, and suggested a "
                "task analysis of the repair shop role. I also noted that the key worker's "
                "concern was about safety and agreed we would cover it in a risk assessment."
            ),
            "result": (
                "The meeting agreed to a vocational profile focused on bike mechanics. The "
                "key worker later thanked me for the way I had challenged the assumption."
            ),
        },
        body="",
        claims=(
            ("SE01", "K4,K6,K12", "accepted", "RA", ""),
            (
                "SE01",
                "P5",
                "referred",
                "RA",
                "Your account describes this well, but performance criteria need to be shown "
                "in real work: ask the key worker for a short witness testimony, or let me "
                "observe the next review.",
            ),
            (
                "SE01",
                "K15",
                "referred",
                "RA",
                "Say more about what you learned about your own values from this meeting and "
                "what you now do differently.",
            ),
        ),
    ),
    DemoItem(
        kind="observation_record",
        title="Observation: vocational profile meeting with a job seeker",
        weeks_ago=6,
        by_assessor=True,
        body=(
            "I observed Lena's second vocational profiling meeting with a job seeker at the "
            "community centre (45 minutes).\n\n"
            "- She explained the confidentiality rules and her organisation's code of conduct "
            "before starting, and checked the job seeker was happy for notes to be taken.\n"
            "- She used the job seeker's own words when summarising his wishes and did not "
            "steer him towards vacancies she knew about.\n"
            "- When he asked whether he 'would be allowed' to work evenings, she explained the "
            "options impartially and left the decision with him.\n\n"
            "Mapped to the criteria observed; the claims wait for my decision."
        ),
        claims=(("SE01", "P1,P3,P4,P8,P9", None, "O", ""),),
    ),
)

LEARNER2: tuple[DemoItem, ...] = (
    DemoItem(
        kind="reflective_account",
        title="Reflective account: co-producing a vocational profile",
        weeks_ago=14,
        body=(
            "I reflect on the vocational profile I completed with M. over four meetings: why "
            "I asked for her consent before contacting her college tutor, how we chose a "
            "photo-diary format she could share with employers, and why the profile has to "
            "be hers rather than my assessment of her."
        ),
        claims=(("SE04", "K1,K3,K5,K6", "accepted", "RA", ""),),
    ),
    DemoItem(
        kind="witness_testimony",
        title="Witness testimony from my team leader: vocational profiling",
        weeks_ago=12,
        fields={
            "witness_name": "Tom Reid",
            "witness_role": "Team leader, supported employment service",
            "witness_relationship": "Line manager",
        },
        body=(
            "I sat in on two of Leo's profiling sessions. He helped the job seeker describe "
            "her skills from volunteering and college, sought information from her tutor "
            "with her written consent, and presented the profile back to her as a photo "
            "diary she could follow."
        ),
        claims=(("SE04", "P1,P2,P5", "accepted", "WT", ""),),
    ),
    DemoItem(
        kind="star_narrative",
        title="STAR: job analysis at a hotel laundry",
        weeks_ago=3,
        fields={
            "situation": "A hotel had a vacancy in its laundry and was open to job carving.",
            "task": "Understand the job and the workplace before matching a job seeker to it.",
            "action": (
                "I worked a morning shift alongside the team, broke the role into tasks, timed "
                "them, and noted how co-workers shared breaks and passed on instructions."
            ),
            "result": (
                "The task analysis showed two tasks that could be carved into a 12-hour role; "
                "the head housekeeper agreed to discuss it with HR."
            ),
        },
        body="",
        claims=(("SE06", "P3,P8,K3,K6", None, "", ""),),
    ),
    DemoItem(
        kind="reflective_account",
        title="Reflective account: a tailored risk assessment for a new starter",
        weeks_ago=2,
        body=(
            "Before D. started at the warehouse I completed a risk assessment with him and "
            "his supervisor, covering the loading bay, lone working and his epilepsy. I "
            "reflect on the employer's duties, how I shared the outcome, and whom I "
            "reported it to."
        ),
        claims=(("SE06", "P9,K11,K12,K13", None, "", ""),),
    ),
    DemoItem(
        kind="professional_discussion",
        title="Professional discussion: impartial advice and autonomy",
        weeks_ago=1,
        by_assessor=True,
        body=(
            "**Q:** How do you make sure the advice you give is impartial?\n\n"
            "**A:** Leo described setting out every option, including staying on benefits, "
            "and recording the job seeker's own decision.\n\n"
            "**Q:** How do you encourage autonomy?\n\n"
            "**A:** He gave examples of letting the job seeker make the phone call to the "
            "employer himself, with a script they wrote together.\n\n"
            "Mapped to the knowledge statements discussed; the claims wait for my decision."
        ),
        claims=(("SE01", "K8,K9,K10", None, "PD", ""),),
    ),
)

LEARNER3: tuple[DemoItem, ...] = (
    DemoItem(
        kind="reflective_account",
        title="Reflective account: what I learned in my first supervision",
        weeks_ago=4,
        body=(
            "In my first supervision we looked at how I keep a reflective log. I describe "
            "how I now note after each meeting what went well and what I would change."
        ),
        claims=(("SE08", "K1", None, "", ""),),
    ),
    DemoItem(
        kind="reflective_account",
        title="Draft: employer engagement visit to a logistics firm",
        weeks_ago=2,
        submit=False,
        body=(
            "Notes so far: met the site manager, talked through the business case for a "
            "diverse workforce, agreed to send labour market figures for the area."
        ),
        claims=(("SE02", "P3,P4,K3,K4", None, "", ""),),
    ),
    DemoItem(
        kind="star_narrative",
        title="Draft: agreeing a development plan with a job seeker",
        weeks_ago=1,
        submit=False,
        fields={
            "situation": "A job seeker wanted to move from volunteering to paid retail work.",
            "task": "Agree a development plan she owned.",
            "action": "Still to write.",
            "result": "Still to write.",
        },
        body="",
    ),
)

PLANS = {
    "learner1@example.org": (LEARNER1, ("SE03",)),
    "learner2@example.org": (LEARNER2, ()),
    "learner3@example.org": (LEARNER3, ()),
    "learner4@example.org": ((), ()),
}


def _actor(person: Person) -> Actor:
    return Actor.of(person)


def add_demo_assessments(session: Session, *, today: date | None = None) -> DemoAssessments:
    """Give the demo learners evidence, decisions and a sign-off (idempotent)."""
    today = today or date.today()
    report = DemoAssessments()
    for email, (items, sign) in PLANS.items():
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
