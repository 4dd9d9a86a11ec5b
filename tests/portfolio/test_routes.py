"""Every route, every role: the answer is what the design says.

Each route of the app must have an entry in EXPECT; a new route without one fails this test,
so access rules are decided when a page is added, not discovered later."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlmodel import select

from mappings.assessment.models import Claim
from portfolio.models import Attachment, Cohort, Notification
from portfolio.services import tokens
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD, actor_of

# the EQA walks early: later personas revoke its grant and drop samples (which it must then lose)
PERSONAS = ("anon", "eqa", "owner", "other_learner", "assessor", "other_assessor", "iqa", "admin")
ALL = set(PERSONAS) - {"anon"}
PORTFOLIO_READERS = {"owner", "assessor", "iqa"}
# an external QA with a live grant reads the sampled portfolios, never changes them
SAMPLED_READERS = PORTFOLIO_READERS | {"eqa"}

# endpoint -> (personas allowed for GET, personas allowed for POST). Everyone else is refused
# (403 or 404 for logged-in people; a redirect to the log-in page for anonymous visitors).
EXPECT: dict[str, tuple[set[str], set[str]]] = {
    "home.index": (ALL, set()),
    "home.declare": (set(), {"owner"}),  # the learner's own declaration, no one else's
    "notifications.index": (ALL, set()),
    "notifications.read": (set(), {"owner"}),  # the owner's notification
    "notifications.read_all": (set(), ALL),
    "notifications.choose": (set(), ALL),  # one's own e-mail choices
    "notifications.unsubscribe": (set(), set()),  # a link not signed here: 404 for everyone
    "auth.login": (set(PERSONAS), set(PERSONAS)),
    "auth.logout": (set(), ALL),
    "account.settings": (ALL, ALL),
    "account.logout_everywhere": (set(), ALL),
    "account.tokens": (ALL, ALL),  # each person's own API tokens
    "account.revoke_token": (set(), {"owner"}),  # the owner's token; others' are not found
    "api_docs.openapi_json": (set(PERSONAS), set()),
    "api_docs.docs": (set(PERSONAS), set()),
    "account.forgot": (set(PERSONAS), set(PERSONAS)),
    "account.reset": (set(), set()),  # an unknown link: 410 for everyone
    "health.healthz": (set(PERSONAS), set()),
    "health.readyz": (set(PERSONAS), set()),
    "observe.metrics": (set(PERSONAS), set()),  # for scrapers; PORTFOLIO_METRICS_TOKEN guards it
    "jobs.index": ({"admin"}, set()),
    "jobs.reading_again": (set(), {"admin"}),
    "jobs.queued_again": (set(), {"admin"}),
    "static": (set(PERSONAS), set()),
    "admin.index": ({"admin"}, set()),
    "admin.people": ({"admin"}, {"admin"}),
    "admin.people_import": ({"admin"}, {"admin"}),
    "admin.person": ({"admin"}, {"admin"}),
    "admin.cohorts": ({"admin"}, {"admin"}),
    "admin.registrations": ({"admin"}, {"admin"}),
    "admin.registration": ({"admin"}, {"admin"}),
    "admin.lti_platforms": ({"admin"}, {"admin"}),
    # LTI 1.3: an empty log-in or launch names no platform and carries no token: refused (403)
    # for everyone, logged in or not; the tool's public key set is for anyone
    "lti.login": (set(), set()),
    "lti.launch": (set(), set()),
    "lti.jwks": (set(PERSONAS), set()),
    # a person's data: the subject-access zip (a POST: it is recorded) and erasure on request
    "privacy.subject_access": (set(), {"admin"}),
    "privacy.erase": ({"admin"}, {"admin"}),
    "privacy.retention_page": ({"admin"}, {"admin"}),  # the rules, what is due; erase now
    "frameworks.index": (ALL, set()),
    "frameworks.show": (ALL, set()),
    "frameworks.standard": (ALL, set()),
    "frameworks.search": (ALL, set()),
    "frameworks.download": (ALL, set()),
    "frameworks.standard_download": (ALL, set()),
    "frameworks.upload": ({"admin"}, {"admin"}),
    "frameworks.upload_confirm": (set(), {"admin"}),
    "evidence.index": (ALL, set()),  # learners see theirs; others are sent home
    "evidence.learner_index": (SAMPLED_READERS, set()),
    "evidence.new": ({"owner", "assessor"}, {"owner", "assessor"}),
    "evidence.detail": (SAMPLED_READERS, set()),
    "evidence.edit": ({"owner"}, {"owner"}),
    "evidence.autosave": (set(), {"owner"}),  # the author's draft, saved in the background
    "evidence.autosave_new": (set(), {"owner", "assessor"}),  # as evidence.new
    "evidence.preview": (set(), ALL),  # renders the text sent; reads no one's evidence
    "evidence.attach": (set(), {"owner"}),
    "evidence.submit": (set(), {"owner"}),
    "evidence.personal_data": (set(), {"owner"}),  # the author acts on findings in a draft
    "evidence.set_claims": (set(), {"owner", "assessor"}),
    "evidence.decide": (set(), {"assessor"}),
    "evidence.decide_all": (set(), {"assessor"}),  # several claims of one item at once
    "evidence.judge": (set(), {"assessor"}),
    "evidence.comment": (set(), {"owner", "assessor"}),  # IQA and EQA read the conversation
    "evidence.download": (SAMPLED_READERS, set()),
    "caseload.index": ({"assessor", "other_assessor"}, set()),
    "marking.index": ({"assessor", "other_assessor"}, set()),  # each their own learners' items
    "coverage.learner": (SAMPLED_READERS, set()),
    "coverage.standard": (SAMPLED_READERS, set()),
    "coverage.cohort": ({"admin", "assessor", "iqa"}, set()),  # staff with learners in it
    "coverage.signoff": (set(), {"assessor"}),
    "coverage.reopen": (set(), {"assessor", "iqa"}),
    "exports.learner": (SAMPLED_READERS, set()),
    "exports.signoff_docx": (SAMPLED_READERS, set()),
    "exports.bundle": ({"owner", "assessor"}, set()),
    "leap2a.download": ({"owner", "admin"}, set()),  # the learner themself, administrators
    "leap2a.upload": ({"owner", "other_learner"}, {"owner", "other_learner"}),  # own drafts
    "exports.cohort": ({"admin", "assessor", "iqa"}, set()),
    "exports.cohort_coverage": ({"admin", "assessor", "iqa"}, set()),
    # the register lists only the sign-offs each member of staff may see
    "exports.register": ({"admin", "assessor", "other_assessor", "iqa"}, set()),
    "exports.bulk_start": (set(), {"admin", "assessor", "iqa"}),
    "exports.job": ({"admin"}, set()),
    "exports.job_retry": (set(), {"admin"}),
    "exports.job_download": (set(), set()),
    "iqa.index": ({"iqa"}, set()),
    "iqa.strategy": ({"iqa"}, {"iqa"}),
    "iqa.cycle_new": ({"iqa"}, {"iqa"}),
    "iqa.cycle": ({"iqa"}, set()),
    "iqa.grid": ({"iqa"}, set()),
    "iqa.report": ({"iqa"}, set()),  # the cycle's own IQA
    "iqa.plan": (set(), {"iqa"}),
    "iqa.add": (set(), {"iqa"}),
    "iqa.drop": (set(), {"iqa"}),
    "iqa.sample": ({"iqa"}, {"iqa"}),
    "iqa.actions": ({"assessor", "other_assessor", "iqa"}, set()),
    "iqa.respond": (set(), {"assessor"}),
    "iqa.close": (set(), {"iqa"}),
    "iqa.eqa_grants": ({"admin"}, {"admin"}),
    "iqa.eqa_revoke": (set(), {"admin"}),
    "iqa.eqa_index": ({"eqa"}, set()),
    "iqa.eqa_sample": ({"eqa"}, set()),
    # Open Badges: anyone checks a badge and reads the key set, issuer, achievements and status
    # lists without logging in; the badge files are the learner's and their staff's
    "badges.jwks": (set(PERSONAS), set()),
    "badges.issuer": (set(PERSONAS), set()),
    "badges.achievement": (set(PERSONAS), set()),
    "badges.status_list": (set(PERSONAS), set()),
    "badges.verify": (set(PERSONAS), set(PERSONAS)),
    "badges.show": (set(PERSONAS), set()),
    "badges.download_jwt": (SAMPLED_READERS, set()),
    "badges.download_json": (SAMPLED_READERS, set()),
}
PUBLIC = {
    "auth.login",
    "account.forgot",
    "account.reset",
    "api_docs.openapi_json",
    "api_docs.docs",
    "notifications.unsubscribe",
    "health.healthz",
    "health.readyz",
    "observe.metrics",
    "static",
    "badges.jwks",
    "badges.issuer",
    "badges.achievement",
    "badges.status_list",
    "badges.verify",
    "badges.show",
    "lti.login",
    "lti.launch",
    "lti.jwks",
}
REFUSED = {403, 404, 405, 410}  # 410: a password-reset link that does not work
# a GET that is allowed may also redirect (e.g. /evidence sends non-learners home)
GET_OK = {200, 302}
# an allowed POST with an empty form is answered, not refused for who you are
POST_OK = {200, 302, 400, 409, 413, 422}


@pytest.fixture
def world(session, make_person, make_registration, make_evidence, app: Flask):
    from exports import jobs
    from portfolio.services.files import FileStore
    from tests.exports.export_case import build_case

    app.config["EXPORTS_INLINE"] = True
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    people = {
        "owner": case.learner,
        "other_learner": make_person("learner"),
        "assessor": case.assessor,
        "other_assessor": make_person("assessor"),
        "iqa": case.iqa,
        "admin": make_person("admin"),
    }
    cohort = Cohort(name="Walk cohort")
    session.add(cohort)
    session.flush()
    reg = case.registration
    reg.cohort_id = cohort.id
    session.add(reg)
    session.commit()
    attachment = session.exec(select(Attachment)).first()
    claim = session.exec(select(Claim).where(Claim.status == "accepted")).first()
    job = jobs.create_cohort_job(session, actor=actor_of(people["admin"]), cohort_id=cohort.id)
    session.commit()
    # a quality-assurance cycle with a reviewed sample, an action for the assessor and an EQA
    from datetime import UTC, datetime, timedelta

    from mappings.quality.cycles import create_cycle
    from mappings.quality.eqa import grant_eqa
    from mappings.quality.models import Action, Sample
    from mappings.quality.plan import plan_cycle
    from mappings.quality.review import review_sample

    iqa_actor = actor_of(people["iqa"])
    cycle = create_cycle(
        session,
        actor=iqa_actor,
        name="Walk cycle",
        start=date.today() - timedelta(days=30),
        end=date.today() + timedelta(days=30),
    )
    plan_cycle(session, actor=iqa_actor, cycle_id=cycle.id, seed=1)
    sample = session.exec(select(Sample).where(Sample.cycle_id == cycle.id)).first()
    review_sample(
        session,
        actor=iqa_actor,
        sample_id=sample.id,
        outcome="agree",
        feedback="Sound.",
        checks={},
        actions=[("Add dates to observation records", date.today())],
    )
    action = session.exec(select(Action)).first()
    people["eqa"] = make_person("eqa")
    grant = grant_eqa(
        session,
        actor=actor_of(people["admin"]),
        person_id=people["eqa"].id,
        cycle_id=cycle.id,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    session.commit()
    from pathlib import Path

    from exports.badges import issue as badges
    from portfolio.models import Framework
    from portfolio.services.keys import ensure_key

    badge = badges.issue(
        session,
        actor=actor_of(people["assessor"]),
        signoff_id=case.signoff.id,
        key=ensure_key(Path(app.config["SIGNING_KEY"]))[0],
        site=badges.Site(base_url="http://localhost", centre_name="Walk centre"),
    )
    session.commit()
    fw = session.exec(select(Framework).where(Framework.code == "SE")).first()
    values = {
        "person_id": people["owner"].id,
        "registration_id": reg.id,
        "claim_id": claim.id,
        "cohort_id": cohort.id,
        "evidence_id": case.account_id,
        "number": 1,
        "attachment_id": attachment.id,
        "framework_id": fw.id,
        "code": "SE01",
        "fmt": "csv",
        "learner_id": people["owner"].id,
        "filename": "site.css",
        "signoff_id": case.signoff.id,
        "job_id": job.id,
        "cycle_id": cycle.id,
        "sample_id": sample.id,
        "action_id": action.id,
        "grant_id": grant.id,
        "token": "not-a-real-link",
        "credential_uuid": badge.credential_uuid,
        "standard_id": case.signoff.standard_id,
        "token_id": tokens.create(
            session, actor=SYSTEM, person_id=people["owner"].id, name="walk", scopes=["read"]
        ).token.id,
        "notification_id": session.exec(
            select(Notification.id).where(Notification.person_id == people["owner"].id)
        ).first(),
    }
    return people, values


def _is_api_operation(app: Flask, rule) -> bool:
    return hasattr(app.view_functions[rule.endpoint], "api_scope")


def _url(rule, values) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(values[arg])).replace(
            f"<path:{arg}>", str(values[arg])
        )
        url = url.replace(f"<{arg}>", str(values[arg]))
    return url


def test_every_route_answers_every_role_as_designed(app: Flask, world) -> None:
    people, values = world
    # the JSON API's operations have their own walk (tests/delivery/test_api_routes.py)
    rules = [r for r in app.url_map.iter_rules() if not _is_api_operation(app, r)]
    unknown = sorted({r.endpoint for r in rules} - set(EXPECT))
    problems: list[str] = [f"no access expectation for {e}" for e in unknown]
    rules = [r for r in rules if r.endpoint in EXPECT]
    for persona in PERSONAS:
        client = app.test_client()
        if persona != "anon":
            r = client.post("/login", data={"email": people[persona].email, "password": PASSWORD})
            assert r.status_code == 302
        for rule in rules:
            get_ok, post_ok = EXPECT[rule.endpoint]
            url = _url(rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if rule.endpoint in ("auth.logout", "account.logout_everywhere"):
                    continue  # would end the walk's session; tested on its own
                allowed = persona in (get_ok if method == "GET" else post_ok)
                response = client.open(url, method=method, data={})
                status = response.status_code
                if persona == "anon" and rule.endpoint not in PUBLIC:
                    ok = status == 302 and "/login" in response.headers.get("Location", "")
                elif allowed:
                    ok = status in (GET_OK if method == "GET" else POST_OK)
                else:
                    ok = status in REFUSED
                if not ok:
                    problems.append(f"{persona:>14} {method:<4} {url} -> {status}")
    assert not problems, "unexpected answers:\n" + "\n".join(problems)


def test_forms_need_a_csrf_token(engine, connection, tmp_path, make_person) -> None:
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app({"ENGINE": engine, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    person = make_person("learner")
    client = app.test_client()
    r = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 400  # no token
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302
    r = client.post(
        f"/learners/{person.id}/evidence/new?kind=reflective_account",
        data={"title": "t", "activity_date": date.today().isoformat(), "body": "b"},
    )
    assert r.status_code == 400
