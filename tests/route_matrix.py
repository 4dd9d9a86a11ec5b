"""The route matrix: who may open each page (GET) and send each form (POST), by persona.

tests/portfolio/test_routes.py walks every route with every persona through the Flask test client;
tests/browser/test_phone_walk.py opens every page each persona may see in Chromium at 320 px. A new
route needs its row in EXPECT, or both fail."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import Rule

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
    "two_step.settings": (ALL, ALL),  # each person's own two-step verification
    # the second step of a log-in: with no password step passed, back to the log-in page
    "two_step.code": (set(PERSONAS), set(PERSONAS)),
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
    "icon.favicon": (set(PERSONAS), set()),  # the site's icon, asked for by browsers
    "admin.index": ({"admin"}, set()),
    "admin.people": ({"admin"}, {"admin"}),
    "admin.people_import": ({"admin"}, {"admin"}),
    "admin.bundle_import": ({"admin"}, {"admin"}),  # a portfolio bundle from another centre
    "admin.person": ({"admin"}, {"admin"}),
    "admin.reallocate": ({"admin"}, {"admin"}),  # an assessor's or IQA's learners moved at once
    "admin.cohorts": ({"admin"}, {"admin"}),
    "admin.close_cohort": ({"admin"}, {"admin"}),  # confirmed: offered to no new registration
    "admin.reopen_cohort": (set(), {"admin"}),
    "admin.registrations": ({"admin"}, {"admin"}),
    "admin.registration": ({"admin"}, {"admin"}),
    "admin.audit": ({"admin"}, set()),  # the audit trail searched (GET only)
    "admin.audit_csv": ({"admin"}, set()),  # the entries the search finds, as CSV
    "admin.withdraw": ({"admin"}, {"admin"}),  # a learner's withdrawal from a registration
    "admin.reinstate": (set(), {"admin"}),
    "admin.start_break": ({"admin"}, {"admin"}),  # a break in learning (maternity, sickness)
    "admin.end_break": (set(), {"admin"}),
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
    "evidence.discard": ({"owner"}, {"owner"}),  # the author's draft, while never submitted
    "evidence.personal_data": (set(), {"owner"}),  # the author acts on findings in a draft
    "evidence.set_claims": (set(), {"owner", "assessor"}),
    "evidence.decide": (set(), {"assessor"}),
    "evidence.decide_all": (set(), {"assessor"}),  # several claims of one item at once
    "evidence.judge": (set(), {"assessor"}),
    "evidence.comment": (set(), {"owner", "assessor"}),  # IQA and EQA read the conversation
    "evidence.witness_ask": (set(), {"owner", "assessor"}),  # the learner or their assessor
    "witness.answer": (set(), set()),  # an unknown link: 404 for everyone, logged in or not
    "evidence.download": (SAMPLED_READERS, set()),
    "caseload.index": ({"assessor", "other_assessor"}, set()),
    "marking.index": ({"assessor", "other_assessor"}, set()),  # each their own learners' items
    "coverage.learner": (SAMPLED_READERS, set()),
    # assessment plans: the allocated assessor sets and ends them; readers of the portfolio and
    # administrators read them (the learner writes evidence for them in evidence.new)
    "plans.new": ({"assessor"}, {"assessor"}),
    "plans.edit": ({"assessor"}, {"assessor"}),
    "plans.detail": (SAMPLED_READERS | {"admin"}, set()),
    "plans.index": (SAMPLED_READERS | {"admin"}, set()),  # every plan of the learner, paged
    "plans.done": (set(), {"assessor"}),
    "plans.close": (set(), {"assessor"}),
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
    "two_step.code",
    "account.forgot",
    "account.reset",
    "api_docs.openapi_json",
    "api_docs.docs",
    "notifications.unsubscribe",
    "witness.answer",
    "health.healthz",
    "health.readyz",
    "observe.metrics",
    "static",
    "icon.favicon",
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


def is_api_operation(app: Flask, rule: Rule) -> bool:
    """True for the JSON API's operations (they have their own walk)."""
    return hasattr(app.view_functions[rule.endpoint], "api_scope")


def url_of(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's address with each of its parameters filled from ``values``."""
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(values[arg])).replace(
            f"<path:{arg}>", str(values[arg])
        )
        url = url.replace(f"<{arg}>", str(values[arg]))
    return url
