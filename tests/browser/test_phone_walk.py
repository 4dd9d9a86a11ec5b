"""Every page of the route matrix, opened in Chromium 320 px wide by each persona that may open it:
no document scrolls sideways (issue 17, "Phones"; WCAG 2.2 1.4.10 Reflow, whose 320 CSS px is also a
1280 px window zoomed to 400 %).

The pages and who may open them come from tests/route_matrix.py, the matrix the route test walks;
the ids in their addresses are the live demo's, plus a cycle, a grant and an export of this test's
own. A GET route that is neither opened here nor listed in SKIPPED with its reason fails the test.
One browser, one context per persona (its CSP obeyed)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from demo.accounts import DEMO_PASSWORD
from exports import jobs
from exports.badges.models import Badge
from mappings.assessment import plan_reads, plans
from mappings.quality.cycles import create_cycle
from mappings.quality.eqa import grant_eqa
from mappings.quality.models import Sample
from mappings.quality.plan import plan_cycle
from portfolio.db import session_scope
from portfolio.models import Evidence, Framework, Person, Registration, Standard
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import evidence, notice_mail, resets, witness
from portfolio.services.evidence.attachments import attach
from portfolio.services.people import Actor
from portfolio.services.stores import open_store
from tests.browser.conftest import Live
from tests.route_matrix import EXPECT, PERSONAS, is_api_operation, url_of

pytestmark = pytest.mark.browser

# GET routes not laid out here, and why: none answers with a page
SKIPPED: dict[str, str] = {
    "static": "style sheets, scripts and images",
    "icon.favicon": "the site's icon (an image)",
    "api_docs.openapi_json": "JSON: the API's description",
    "health.healthz": "plain text for load balancers",
    "health.readyz": "plain text for load balancers",
    "observe.metrics": "Prometheus text for scrapers",
    "lti.jwks": "JSON: the LTI tool's public keys",
    "lti.login": "a step of an LTI launch: answers the platform with a redirect, or refuses",
    "badges.jwks": "JSON: the badge issuer's public keys",
    "badges.issuer": "JSON-LD: the badge issuer's profile",
    "badges.achievement": "JSON-LD: what a badge is for",
    "badges.status_list": "a signed status list (JWT)",
    "badges.download_jwt": "a download: the signed badge",
    "badges.download_json": "a download: the badge as JSON",
    "frameworks.download": "a download: the framework as CSV or JSON",
    "frameworks.standard_download": "a download: one standard as CSV or JSON",
    "evidence.download": "an attached file",
    "exports.bundle": "a download: the learner's evidence bundle (zip)",
    "exports.signoff_docx": "a download: the sign-off record (Word)",
    "exports.cohort_coverage": "a download: the cohort's coverage (spreadsheet or CSV)",
    "exports.register": "a download: the sign-off register (spreadsheet or CSV)",
    "exports.job_download": "a download: the export's zip",
    "leap2a.download": "a download: the learner's portfolio as LEAP2A (zip)",
    "iqa.report": "a download: the cycle's IQA report (CSV or spreadsheet)",
    "admin.audit_csv": "a download: the audit trail's entries found, as CSV",
}
# no persona opens these with the route test's made-up links; a visitor with a real one does
BY_REAL_LINK = ("account.reset", "notifications.unsubscribe", "witness.answer")
# the same pages in other states: each kind of evidence's form (and one for a plan), search
# results, sorted lists
VARIANTS: dict[tuple[str, str], list[str]] = {
    ("evidence.new", "owner"): [
        *(f"?kind={k}" for k in KINDS if k not in ASSESSOR_KINDS),
        "?kind=star_narrative&plan={plan_id}",  # written for a plan: its note and other kinds
    ],
    ("evidence.new", "assessor"): [f"?kind={k}" for k in ASSESSOR_KINDS],
    ("evidence.index", "owner"): ["?status=draft", "?status=submitted"],
    ("frameworks.search", "owner"): ["?q=task+analysis"],
    ("caseload.index", "assessor"): ["?sort=rag&dir=desc"],
    ("marking.index", "assessor"): ["?learner={learner_id}"],
}
# pages not at the matrix's address: the owner's item with a long address in its title and text
ALSO = {"evidence.detail": ["/evidence/{own_item_id}"]}
LONG_ADDRESS = (
    "https://intranet.example.org/placements/2026/job-coaching/observation-records/week-12"
)
# WCAG 1.4.10 Reflow: 320 CSS px wide, narrower than the 375 px phone of the other browser tests
WIDTH = 320
EMAILS = {"admin": "admin@example.org", "iqa": "iqa@example.org", "eqa": "eqa@example.org"}


@dataclass
class Walk:
    emails: dict[str, str]  # persona -> e-mail address (every persona but anon)
    values: dict[str, Any]  # the route parameters
    links: dict[str, dict[str, Any]]  # endpoint -> parameters of its real link


def _one(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def _others(session: Session, role: str, not_id: int) -> Person:
    """A demo person with this role who is not ``not_id`` (demo addresses: learner1.., ...)."""
    people = session.exec(
        select(Person).where(col(Person.email).like(f"{role}_@example.org")).order_by(Person.email)
    ).all()
    return next(p for p in people if p.id != not_id)


def _quality(session: Session, iqa: Person, eqa: Person, admin: Person) -> tuple[int, Sample]:
    """A cycle of this test's own, planned over the demo's decisions, granted to the demo EQA
    (other tests drop samples and revoke grants of the demo's cycle)."""
    me = Actor.of(iqa)
    cycle = create_cycle(
        session,
        actor=me,
        name="Phone walk cycle",
        start=date.today() - timedelta(days=30),
        end=date.today() + timedelta(days=30),
    )
    assert cycle.id is not None
    plan_cycle(session, actor=me, cycle_id=cycle.id, seed=1)
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == cycle.id).order_by(col(Sample.position))
    ).all()
    grant_eqa(
        session,
        actor=Actor.of(admin),
        person_id=eqa.id or 0,
        cycle_id=cycle.id,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    # a sign-off sampled: its learner has a record, a badge and everything staff open
    return cycle.id, next((s for s in samples if s.signoff_id), samples[0])


def _own_item(session: Session, live: Live, owner: Person) -> tuple[int, int]:
    """An item the owner submitted with a long address in its title and text, and a file: the
    ids of the item and of the file (which staff and the EQA may read)."""
    me = Actor.of(owner)
    draft = evidence.Draft(
        kind="reflective_account",
        title=f"Notes from {LONG_ADDRESS}",
        activity_date=date.today(),
        body=f"Notes kept at {LONG_ADDRESS}/notes-of-the-walk-in-full.",
    )
    item = evidence.create(session, actor=me, learner_id=me.id, draft=draft)
    attached = attach(
        session,
        actor=me,
        store=open_store(live.app.config["FILE_STORE"], live.app.config),
        evidence_id=item.id or 0,
        filename="notes.txt",
        stream=io.BytesIO(b"Notes of the walk."),
        max_bytes=1 << 20,
    )
    evidence.submit(session, actor=me, evidence_id=item.id or 0, declaration=True)
    return item.id or 0, attached.id or 0


def _witness_token(session: Session, owner: Person) -> str:
    """The token of the link e-mailed to the witness of a testimony the owner submitted."""
    me = Actor.of(owner)
    draft = evidence.Draft(
        kind="witness_testimony",
        title="Trial shift agreed",
        activity_date=date.today(),
        body="The employer agreed two trial shifts with the job seeker.",
        fields={
            "witness_name": "Jo Smith",
            "witness_role": "Store manager",
            "witness_relationship": "The employer who took the job seeker on",
        },
    )
    item = evidence.create(session, actor=me, learner_id=me.id, draft=draft)
    evidence.submit(session, actor=me, evidence_id=item.id or 0, declaration=True)
    asked = witness.request(
        session, actor=me, evidence_id=item.id or 0, email="jo.smith@employer.example"
    )
    _, token = asked.row, asked.token
    return token


def _walk(live: Live) -> Walk:
    with session_scope(live.engine) as s:
        admin, iqa, eqa = (_one(s, EMAILS[p]) for p in ("admin", "iqa", "eqa"))
        cycle_id, sample = _quality(s, iqa, eqa, admin)
        reg = s.get(Registration, sample.registration_id)
        assert reg is not None and reg.assessor_id is not None and reg.cohort_id is not None
        owner, assessor = s.get(Person, sample.learner_id), s.get(Person, reg.assessor_id)
        assert owner is not None and assessor is not None
        item = s.exec(
            select(Evidence)
            .where(Evidence.learner_id == owner.id, col(Evidence.submitted_at).is_not(None))
            .order_by(col(Evidence.id))
        ).first()
        own_item, attachment = _own_item(s, live, owner)
        standard = s.get(Standard, sample.standard_id)
        framework = s.exec(select(Framework).where(Framework.code == "SE")).one()
        badge = s.exec(select(Badge).where(Badge.signoff_id == sample.signoff_id)).first()
        job = jobs.create_cohort_job(s, actor=Actor.of(admin), cohort_id=reg.cohort_id)
        plan = plans.set_plan(
            s,
            actor=Actor.of(assessor),
            registration_id=reg.id or 0,
            title="Reflect on your last job-match visit",
            body="Write a **reflective account** of the visit.",
            criterion_ids=[plan_reads.targets_of(s, reg.id or 0)[0].criterion_id],
            due_on=date.today() + timedelta(days=14),
        )
        emails = {
            **EMAILS,
            "owner": owner.email,
            "other_learner": _others(s, "learner", owner.id or 0).email,
            "assessor": assessor.email,
            "other_assessor": _others(s, "assessor", assessor.id or 0).email,
        }
        values = {
            "person_id": owner.id,
            "learner_id": owner.id,
            "registration_id": reg.id,
            "cohort_id": reg.cohort_id,
            "evidence_id": item.id if item else None,
            "number": 1,
            "attachment_id": attachment,
            "own_item_id": own_item,
            "framework_id": framework.id,
            "code": standard.code if standard else None,
            "standard_id": sample.standard_id,
            "fmt": "csv",
            "filename": "site.css",
            "signoff_id": sample.signoff_id,
            "credential_uuid": badge.credential_uuid if badge else None,
            "job_id": job.id,
            "cycle_id": cycle_id,
            "sample_id": sample.id,
            "plan_id": plan.id,
        }
        reset = resets.request_link(s, email=emails["other_learner"], lifetime=timedelta(hours=1))
        assert reset is not None
        secret = str(live.app.config["SECRET_KEY"])
        links = {
            "account.reset": {"token": reset[1]},
            "notifications.unsubscribe": {
                "token": notice_mail.token(secret, owner.id or 0, "comment")
            },
            "witness.answer": {"token": _witness_token(s, owner)},
        }
    return Walk(emails, values, links)


# the elements sticking out furthest to the right, innermost first: what to fix
_WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && Math.max(box.right, box.left + e.scrollWidth) > edge + 0.5; });
  const leaves = out.filter(e => !out.some(o => o !== e && e.contains(o)));
  return leaves.slice(0, 4).map(e => e.tagName.toLowerCase()
    + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (e.textContent || '').trim().slice(0, 40) + '"');
}"""


def _lay_out(page: Any, base: str, who: str, path: str) -> list[str]:
    response = page.goto(base + path)
    status = response.status if response else None
    kind = response.headers.get("content-type", "") if response else ""
    if status != 200 or not kind.startswith("text/html"):
        return [f"{who} {path}: {status} {kind}"]
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll <= client:
        return []
    return [f"{who} {path}: {scroll} px wide in {client} px; {page.evaluate(_WIDEST)}"]


def _not_a_page(context: Any, base: str, who: str, path: str) -> list[str]:
    """A skipped route really answers with something other than a page (asked as a browser)."""
    response = context.request.get(base + path, headers={"Accept": "text/html,*/*;q=0.8"})
    kind = response.headers.get("content-type", "")
    if response.status != 200 or kind.startswith("text/html"):
        return [f"skipped {who} {path}: {response.status} {kind}"]
    return []


def _log_in(context: Any, base: str, email: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_no_page_scrolls_sideways_at_320_px_for_any_role(browser: Any, live: Live) -> None:
    rules = [
        r
        for r in live.app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and not is_api_operation(live.app, r)
    ]
    endpoints = {r.endpoint for r in rules}
    # each GET route is opened by a persona the matrix lets in (or by a visitor with a real
    # link), or skipped with its reason
    opened = {e for e in endpoints if EXPECT.get(e, (set(),))[0]} | set(BY_REAL_LINK)
    problems = [
        f"{e}: neither opened nor skipped" for e in sorted(endpoints - opened - set(SKIPPED))
    ]
    problems += [f"{e}: skipped but no such page" for e in sorted(set(SKIPPED) - endpoints)]
    walk = _walk(live)
    seen, refused = 0, list[str]()  # refused: what the CSP stopped
    for persona in PERSONAS:
        context = browser.new_context(viewport={"width": WIDTH, "height": 800})
        context.on(
            "console",
            lambda m, who=persona, into=refused: (
                into.append(f"{who}: {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        page = (
            context.new_page()
            if persona == "anon"
            else _log_in(context, live.url, walk.emails[persona])
        )
        done: set[str] = set()
        for rule in rules:
            allowed = persona in EXPECT.get(rule.endpoint, (set(),))[0]
            if rule.endpoint in BY_REAL_LINK and persona == "anon":
                path = url_of(rule, {**walk.values, **walk.links[rule.endpoint]})
            elif allowed:
                path = url_of(rule, walk.values)
            else:
                continue
            if rule.endpoint in SKIPPED:
                # each skipped route asked once, by the first persona that may
                if persona == next(p for p in PERSONAS if p in EXPECT[rule.endpoint][0]):
                    problems += _not_a_page(context, live.url, persona, path)
                continue
            paths = [path + query for query in ["", *VARIANTS.get((rule.endpoint, persona), [])]]
            if allowed:
                paths += ALSO.get(rule.endpoint, [])
            for each in {p.format(**walk.values) for p in paths} - done:
                problems += _lay_out(page, live.url, persona, each)
                done.add(each)
        seen += len(done)
        context.close()
    print(f"{seen} pages laid out at {WIDTH} px")
    problems += refused
    assert not problems, f"{len(problems)} of {seen} pages:\n" + "\n".join(problems)
