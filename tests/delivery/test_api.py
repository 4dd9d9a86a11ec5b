"""The API's tokens, errors, paging and limits: made and revoked on the account page and by
`portfolio tokens`, stored hashed, shown once; only a bearer token authenticates (a log-in
cookie never does, so no CSRF hole); problems in RFC 9457's shape; opaque cursors; a rate limit
per token; and evidence written, uploaded and submitted through the same services as the pages."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from portfolio.models import ApiToken, Framework
from portfolio.models.base import utcnow
from portfolio.services import withdrawals
from tests.conftest import PASSWORD, _session_on, actor_of
from tests.delivery.api_world import api_world, bearer, token_for, world  # noqa: F401 - fixtures

PROBLEM = "application/problem+json"
FRAMEWORK_FILE = Path(__file__).resolve().parents[1] / "framework" / "data" / "nos_se04.json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status and body["type"].startswith("/api/v1/problems/")
    return body


def test_tokens_on_the_command_line_are_shown_once_and_stored_hashed(
    cli, session: Session, make_person, client
) -> None:
    person = make_person("learner")
    made = cli("tokens", "create", "--email", person.email, "--name", "sync", "--scope", "read",
               "--days", "30", "--json")  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.output)
    secret = data["token"]
    assert secret.startswith("pat_") and len(secret) > 40 and data["scopes"] == ["read"]
    row = session.exec(select(ApiToken).where(ApiToken.id == data["id"])).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(row.model_dump(), default=str)
    listed = cli("tokens", "list", "--email", person.email, "--json")
    assert [r["id"] for r in json.loads(listed.output)] == [data["id"]]
    assert secret not in listed.output and "token" not in json.loads(listed.output)[0]

    ok = client.get("/api/v1/frameworks", headers=bearer(secret))
    assert ok.status_code == 200 and ok.get_json()["items"][0]["code"] == "SE"
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me == {"id": person.id, "name": person.name, "roles": ["learner"],
                  "scopes": ["read"], "token_id": data["id"]}  # fmt: skip
    revoked = cli("tokens", "revoke", str(data["id"]), "--json")
    assert json.loads(revoked.output)["state"] == "revoked"
    body = _problem(client.get("/api/v1/frameworks", headers=bearer(secret)), 401)
    assert "revoked" in body["detail"]
    refused = cli("tokens", "create", "--email", "nobody@example.org", "--name", "x", "--scope",
                  "read")  # fmt: skip
    assert refused.exit_code != 0 and "No person" in refused.output


def test_a_scope_the_persons_roles_do_not_use_is_refused_in_words_and_nothing_made(
    cli, session: Session, make_person
) -> None:
    """`portfolio tokens create` gave a learner the ``admin`` scope (the page offers it only to
    administrators): the service refuses, for the page and the command line alike, a scope no
    role of the person uses; the command says why and exits non-zero; no token, no audit entry."""
    from portfolio.errors import Invalid
    from portfolio.models import AuditEntry
    from portfolio.services import tokens

    learner, eqa = make_person("learner"), make_person("eqa")
    audited = len(session.exec(select(AuditEntry)).all())
    refused = cli("tokens", "create", "--email", learner.email, "--name", "x", "--scope", "read",
                  "--scope", "admin")  # fmt: skip
    assert refused.exit_code != 0 and "pat_" not in refused.output
    assert "“admin”" in refused.output, refused.output
    assert "choose from read, evidence, assess" in refused.output
    with pytest.raises(Invalid) as caught:
        tokens.create(session, actor=actor_of(eqa), person_id=eqa.id, name="x",
                      scopes=["read", "evidence"])  # fmt: skip
    assert caught.value.field == "scopes" and "“evidence”" in str(caught.value)
    assert session.exec(select(ApiToken)).all() == []
    assert len(session.exec(select(AuditEntry)).all()) == audited
    made = cli("tokens", "create", "--email", learner.email, "--name", "x", "--scope", "evidence")
    assert made.exit_code == 0, made.output


def test_the_account_page_makes_a_token_shows_it_once_and_revokes_it(
    app: Flask, auth, session: Session
) -> None:
    person = auth.login("assessor")
    client = auth.client
    page = client.post("/account/tokens", data={"name": "My laptop", "scopes": ["read"],
                                                "days": "30"})  # fmt: skip
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('id="secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("pat_") and "shown only this once" in html
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and "My laptop" in again and secret[:12] in again
    api = app.test_client()  # another client: no cookie at all
    assert api.get("/api/v1/frameworks", headers=bearer(secret)).status_code == 200
    token = session.exec(select(ApiToken).where(ApiToken.person_id == person.id)).one()
    assert token.last_used_at is not None and token.expires_at is not None
    refused = client.post("/account/tokens", data={"name": "", "scopes": []})
    assert refused.status_code == 422
    gone = client.post(f"/account/tokens/{token.id}/revoke")
    assert gone.status_code == 302
    _problem(api.get("/api/v1/frameworks", headers=bearer(secret)), 401)


def test_the_token_list_says_what_each_token_may_do_in_words(auth) -> None:
    """The "May" column showed raw scope names ("evidence, read"); it says what the token may do in
    the words the form offered when the token was made."""
    auth.login("assessor")
    made = auth.client.post("/account/tokens", data={"name": "Phone", "scopes": ["read", "evidence"],
                                                     "days": "30"})  # fmt: skip
    assert made.status_code == 200
    html = auth.client.get("/account/tokens").get_data(as_text=True)
    cell = re.search(r'<td data-label="May">(.*?)</td>', html, re.S)
    assert cell is not None
    said = re.sub(r"<[^>]+>", " ", cell.group(1))
    assert "Read what you may see" in said and "Write, upload and submit your evidence" in said
    assert "evidence, read" not in said and "read, evidence" not in said
    assert "Record assessment decisions" not in said and "Administration" not in said


def test_a_log_in_cookie_never_authenticates_the_api(
    engine, connection, tmp_path, make_person, session: Session
) -> None:
    """With CSRF on, as in production: a logged-in browser's cookie gets 401 from the API (so a
    page elsewhere cannot make it act), while a bearer token needs no CSRF token."""
    from delivery.web.app import create_app

    app = create_app({"ENGINE": engine, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    learner = make_person("learner")
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    csrf = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    browser.post("/login", data={"email": learner.email, "password": PASSWORD, "csrf_token": csrf})
    assert browser.get("/account").status_code == 200  # logged in
    _problem(browser.get("/api/v1/frameworks"), 401)
    new = {"kind": "reflective_account", "title": "t", "activity_date": date.today().isoformat()}
    _problem(browser.post(f"/api/v1/learners/{learner.id}/evidence", json=new), 401)
    secret = token_for(session, learner.id, ("read", "evidence"))
    made = app.test_client().post(
        f"/api/v1/learners/{learner.id}/evidence", json=new, headers=bearer(secret)
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    # the pages keep their CSRF check
    page_post = browser.post(f"/learners/{learner.id}/evidence/new?kind=reflective_account",
                             data={"title": "t", "activity_date": new["activity_date"]})  # fmt: skip
    assert page_post.status_code == 400


def test_a_request_without_a_token_is_told_where_tokens_are_made(client) -> None:
    """The 401 names the page as its link in the menu names it ("Your account", then "API
    tokens", /account/tokens), not a "Settings" the menu does not have."""
    told = _problem(client.get("/api/v1/me"), 401)["detail"]
    assert "Authorization: Bearer" in told
    assert "Settings" not in told
    assert "Your account" in told and "/account/tokens" in told


def test_scopes_expiry_and_people_who_cannot_log_in(client, session: Session, make_person) -> None:
    learner = make_person("learner")
    reader = token_for(session, learner.id, ("read",))
    new = {"kind": "reflective_account", "title": "t", "activity_date": date.today().isoformat()}
    response = client.post(f"/api/v1/learners/{learner.id}/evidence", json=new,
                           headers=bearer(reader))  # fmt: skip
    body = _problem(response, 403)
    assert "evidence" in body["detail"]
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    token = session.exec(select(ApiToken).where(ApiToken.person_id == learner.id)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    _problem(client.get("/api/v1/frameworks", headers=bearer(reader)), 401)
    other = token_for(session, learner.id, ("read",))
    learner.active = False
    session.add(learner)
    session.commit()
    _problem(client.get("/api/v1/frameworks", headers=bearer(other)), 401)
    _problem(client.get("/api/v1/frameworks", headers=bearer("pat_not-a-token")), 401)
    _problem(client.get("/api/v1/frameworks", headers={"Authorization": "Basic eDp5"}), 401)


def test_errors_are_problems_with_the_fields_at_fault(client, session: Session, make_person):
    learner = make_person("learner")
    secret = token_for(session, learner.id)
    bad = client.post(f"/api/v1/learners/{learner.id}/evidence", headers=bearer(secret),
                      json={"kind": "poem", "title": "", "extra": 1})  # fmt: skip
    body = _problem(bad, 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"kind", "title", "activity_date", "extra"} <= fields
    # one type, one title (RFC 9457), as docs/api.md's example shows: the schema's refusals and
    # the services' are both "Cannot do that", never the status phrase of one of them
    assert body["title"] == "Cannot do that"
    future = {"kind": "reflective_account", "title": "Later",
              "activity_date": (date.today() + timedelta(days=30)).isoformat()}  # fmt: skip
    rule = _problem(client.post(f"/api/v1/learners/{learner.id}/evidence", json=future,
                                headers=bearer(secret)), 422)  # fmt: skip
    assert "future" in rule["detail"]  # the service's own rule, as on the page
    assert rule["title"] == body["title"] and rule["type"] == body["type"]
    assert [e["field"] for e in rule["errors"]] == ["activity_date"]  # as the docs promise
    _problem(client.get("/api/v1/evidence/999999", headers=bearer(secret)), 404)
    _problem(client.get("/api/v1/nowhere", headers=bearer(secret)), 404)
    _problem(client.get("/api/v1/evidence/99999999999999999999", headers=bearer(secret)), 404)
    _problem(client.delete("/api/v1/frameworks", headers=bearer(secret)), 405)
    _problem(client.get("/api/v1/people", headers=bearer(secret)), 403)  # not an administrator


def test_a_body_that_is_not_json_is_refused_in_words(client, session: Session, make_person):
    """A client whose JSON is broken (cut short, or not JSON at all) is told so, not given the
    server's generic "the browser (or proxy) sent a request ..." text; nothing is written."""
    from portfolio.models import Evidence

    learner = make_person("learner")
    secret = token_for(session, learner.id)
    before = len(session.exec(select(Evidence)).all())
    for body in ('{"kind":', "kind=reflective_account"):
        sent = client.post(f"/api/v1/learners/{learner.id}/evidence", data=body,
                           headers={**bearer(secret), "Content-Type": "application/json"})  # fmt: skip
        problem = _problem(sent, 400)
        assert "browser" not in problem["detail"]
        assert "not valid JSON" in problem["detail"], problem
        assert problem["errors"][0]["field"] == "(body)"
    assert len(session.exec(select(Evidence)).all()) == before


def test_a_body_that_is_not_sent_as_json_is_refused_as_such(
    client, session: Session, make_person, make_evidence
):
    """Form fields (or text) sent to an operation that reads JSON were read as no fields at all:
    "Missing data for required field" three times, and an operation whose fields are optional
    went ahead. The client is told to send JSON (415, naming the body); nothing is written."""
    from portfolio.models import Evidence

    learner = make_person("learner")
    secret = token_for(session, learner.id)
    draft = make_evidence(learner, title="Kept as it was", submit=False)
    before = len(session.exec(select(Evidence)).all())
    form = {"kind": "reflective_account", "title": "t", "activity_date": date.today().isoformat()}
    sent = [
        client.post(f"/api/v1/learners/{learner.id}/evidence", data=form, headers=bearer(secret)),
        client.post(f"/api/v1/learners/{learner.id}/evidence", data=json.dumps(form),
                    headers={**bearer(secret), "Content-Type": "text/plain"}),
        client.post(f"/api/v1/evidence/{draft.id}/submit", data={"declaration": "true"},
                    headers=bearer(secret)),
    ]  # fmt: skip
    for answer in sent:
        problem = _problem(answer, 415)
        assert "Missing data" not in answer.get_data(as_text=True)
        assert "Content-Type: application/json" in problem["detail"], problem
        assert [e["field"] for e in problem["errors"]] == ["(body)"]
    assert len(session.exec(select(Evidence)).all()) == before
    session.refresh(draft)
    assert draft.status == "draft"


def test_lists_come_a_page_at_a_time(client, session: Session, make_person, make_evidence):
    learner = make_person("learner")
    made = [make_evidence(learner, title=f"Item {n}", submit=False).id for n in range(5)]
    secret = token_for(session, learner.id)
    seen: list[int] = []
    url = f"/api/v1/learners/{learner.id}/evidence?limit=2&sort=oldest"
    pages = 0
    while url:
        body = client.get(url, headers=bearer(secret)).get_json()
        seen += [row["id"] for row in body["items"]]
        assert len(body["items"]) <= 2
        url = body["next"]
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(made) and len(set(seen)) == 5
    forged = client.get(f"/api/v1/learners/{learner.id}/evidence?cursor=eyJhdCI6IDJ9",
                        headers=bearer(secret))  # fmt: skip
    assert _problem(forged, 422)["errors"][0]["field"] == "cursor"
    _problem(client.get("/api/v1/frameworks?limit=0", headers=bearer(secret)), 422)


def test_a_token_is_limited_per_minute(app: Flask, client, session: Session, make_person):
    """Only a refusal says when to retry: every answer carried ``Retry-After: 60``, a 200 too,
    telling a client to wait that never had to; the ``X-RateLimit-*`` counts stay on all."""
    app.config["API_RATE_LIMIT"] = "3 per minute"
    person = make_person("learner")
    one, two = token_for(session, person.id), token_for(session, person.id)
    for _ in range(3):
        ok = client.get("/api/v1/frameworks", headers=bearer(one))
        assert ok.status_code == 200 and "Retry-After" not in ok.headers, ok.headers
        assert "X-RateLimit-Remaining" in ok.headers
    limited = client.get("/api/v1/frameworks", headers=bearer(one))
    _problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/frameworks", headers=bearer(two)).status_code == 200


def test_evidence_written_uploaded_and_submitted_through_the_api(
    client, session: Session, make_person, make_registration
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner)
    secret = token_for(session, learner.id, ("read", "evidence"))
    new = {
        "kind": "reflective_account",
        "title": "Job search plan",
        "activity_date": date.today().isoformat(),
        "body": "I agreed a plan with the client.",
    }
    item = client.post(f"/api/v1/learners/{learner.id}/evidence", json=new,
                       headers=bearer(secret)).get_json()  # fmt: skip
    assert item["status"] == "draft" and item["body"] == new["body"]
    edit = {
        "title": "Job search plan, agreed",
        "activity_date": new["activity_date"],
        "body": "I agreed a plan with the client and wrote it down.",
        "current_version": 1,
        "current_hash": item["current_hash"],
    }
    edited = client.put(f"/api/v1/evidence/{item['id']}", json=edit, headers=bearer(secret))
    assert edited.status_code == 200 and edited.get_json()["title"] == edit["title"]
    stale = client.put(f"/api/v1/evidence/{item['id']}", headers=bearer(secret),
                       json={**edit, "current_version": 2})  # fmt: skip
    _problem(stale, 409)
    upload = client.post(
        f"/api/v1/evidence/{item['id']}/attachments", headers=bearer(secret),
        data={"file": (io.BytesIO(b"Notes written on the day.\n"), "notes.txt")},
    )  # fmt: skip
    assert upload.status_code == 201 and upload.get_json()["mime"] == "text/plain"
    undeclared = _problem(client.post(f"/api/v1/evidence/{item['id']}/submit",
                                      json={"declaration": False}, headers=bearer(secret)), 422)  # fmt: skip
    # errors name the field at fault (docs/api.md), the declaration as any other
    assert [e["field"] for e in undeclared["errors"]] == ["declaration"], undeclared
    done = client.post(f"/api/v1/evidence/{item['id']}/submit", json={"declaration": True},
                       headers=bearer(secret))  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)
    shown = client.get(f"/api/v1/evidence/{item['id']}", headers=bearer(secret)).get_json()
    assert shown["status"] == "submitted" and shown["attachments"][0]["filename"] == "notes.txt"
    assert shown["versions"][0]["declared_at"] is not None


def test_a_file_over_the_upload_limit_is_refused_by_its_name(
    app, client, session: Session, make_person, make_registration
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner)
    secret = token_for(session, learner.id, ("read", "evidence"))
    new = {"kind": "reflective_account", "title": "Plan", "activity_date": date.today().isoformat(),
           "body": "A plan."}  # fmt: skip
    item = client.post(f"/api/v1/learners/{learner.id}/evidence", json=new,
                       headers=bearer(secret)).get_json()  # fmt: skip
    app.config["MAX_UPLOAD_MB"] = 1
    upload = client.post(
        f"/api/v1/evidence/{item['id']}/attachments", headers=bearer(secret),
        data={"file": (io.BytesIO(b"n" * (1024 * 1024 + 1)), "site notes.txt")},
    )  # fmt: skip
    body = _problem(upload, 413)
    assert body["detail"] == "site notes.txt is larger than 1 MB.", body


def test_a_framework_is_imported_after_a_dry_run(client, session: Session, make_person):
    admin = make_person("admin")
    secret = token_for(session, admin.id, ("read", "admin"))

    def send(query: str):
        return client.post(f"/api/v1/frameworks/import?{query}", headers=bearer(secret),
                           data={"file": (FRAMEWORK_FILE.open("rb"), FRAMEWORK_FILE.name)})  # fmt: skip

    before = len(session.exec(select(Framework)).all())
    refused = send("").get_json()  # code SE version 1 is loaded with other content
    assert refused["status"] == "refused" and refused["diff"]
    dry = send("new_version=true").get_json()
    assert dry["status"] == "would_add_version" and dry["framework_id"] is None, dry
    assert len(session.exec(select(Framework)).all()) == before
    real = send("new_version=true&dry_run=false").get_json()
    assert real["status"] == "new_version" and real["framework_id"]
    assert len(session.exec(select(Framework)).all()) == before + 1
    shown = client.get(f"/api/v1/frameworks/{real['framework_id']}", headers=bearer(secret))
    assert shown.get_json()["standards"][0]["criteria"]
    # docs/api.md's address, pasted as written: it wrote ?fmt=&new_version=&dry_run=, whose
    # empty values were refused (422)
    api_md = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    query = re.search(r"`POST /frameworks/import\?([^` ]+)`", api_md)
    assert query, "docs/api.md gives no address for POST /frameworks/import"
    pasted = send(query.group(1))
    assert pasted.status_code == 200, pasted.get_json()
    assert pasted.get_json()["framework_id"] is None  # the example is a dry run: nothing added
    broken = client.post("/api/v1/frameworks/import?fmt=nos-json", headers=bearer(secret),
                         data={"file": (io.BytesIO(b"not json"), "x.json")})  # fmt: skip
    assert _problem(broken, 422)["errors"][0]["field"] == "file"


def test_the_openapi_document_and_its_page(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "bearerAuth" in document["components"]["securitySchemes"]
    assert "/api/v1/learners/{learner_id}/evidence" in document["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "GET /api/v1/frameworks" in page.get_data(as_text=True)


def test_claims_decisions_coverage_and_sign_offs(
    client,
    api_world,  # noqa: F811
    session: Session,
    make_evidence,
) -> None:
    walk, values = api_world
    owner, assessor = walk["tokens"]["owner"], walk["tokens"]["assessor"]
    learner = walk["people"]["owner"]
    item = make_evidence(learner, title="Observed at work")
    from mappings.assessment.claims import claimable_criteria

    criterion = claimable_criteria(session, learner.id)[0].criterion_id
    mapped = client.put(f"/api/v1/evidence/{item.id}/claims", headers=bearer(owner),
                        json={"criterion_ids": [criterion]})  # fmt: skip
    claim = mapped.get_json()["items"][0]
    assert claim["status"] == "claimed" and claim["criterion_id"] == criterion
    decision = {"decision": "accepted", "method": "O", "revision": claim["revision"]}
    _problem(client.post(f"/api/v1/claims/{claim['id']}/decision", json=decision,
                         headers=bearer(owner)), 403)  # fmt: skip
    made = client.post(f"/api/v1/claims/{claim['id']}/decision", json=decision,
                       headers=bearer(assessor))  # fmt: skip
    assert made.status_code == 201 and made.get_json()["new_status"] == "accepted"
    stale = client.post(f"/api/v1/claims/{claim['id']}/decision", json=decision,
                        headers=bearer(assessor))  # fmt: skip
    told = _problem(stale, 409)["detail"]  # decided since that revision
    assert "Someone decided this claim" in told
    assert "below" not in told  # an API answer has no "below": the page's words were given
    coverage = client.get(f"/api/v1/learners/{learner.id}/coverage", headers=bearer(owner))
    assert any(s["counts"]["met"] for s in coverage.get_json()["standards"])
    signoffs = client.get(f"/api/v1/learners/{learner.id}/signoffs", headers=bearer(owner))
    signoff_id = signoffs.get_json()["items"][0]["id"]
    record = client.get(f"/api/v1/signoffs/{signoff_id}", headers=bearer(owner)).get_json()
    assert record["learner_id"] == learner.id and record["evidence"]
    document = client.get(f"/api/v1/signoffs/{signoff_id}/document", headers=bearer(owner))
    assert document.status_code == 200 and document.data[:2] == b"PK"
    _problem(client.get(f"/api/v1/signoffs/{signoff_id}", headers=bearer(
        walk["tokens"]["other_learner"])), 404)  # fmt: skip


def test_a_client_maps_evidence_with_the_criterion_ids_the_framework_gives(
    client,
    api_world,  # noqa: F811
    make_evidence,
) -> None:
    """`PUT /evidence/{id}/claims` takes criterion ids: the framework's page of the API gives
    each criterion's, so a client finds them as the docs say, not by guessing."""
    walk, values = api_world
    owner = walk["tokens"]["owner"]
    learner = walk["people"]["owner"]
    item = make_evidence(learner, title="Mapped by a client")
    coverage = client.get(f"/api/v1/learners/{learner.id}/coverage", headers=bearer(owner))
    wanted = coverage.get_json()["standards"][0]
    frameworks = client.get("/api/v1/frameworks?limit=200", headers=bearer(owner)).get_json()
    framework_id = next(fw["id"] for fw in frameworks["items"]
                        if (fw["code"], fw["version"]) == (wanted["framework"],
                                                           wanted["framework_version"]))  # fmt: skip
    shown = client.get(f"/api/v1/frameworks/{framework_id}", headers=bearer(owner)).get_json()
    standard = next(s for s in shown["standards"] if s["code"] == wanted["standard"])
    first, second = standard["criteria"][:2]
    assert isinstance(first["id"], int) and first["id"] != second["id"]
    mapped = client.put(f"/api/v1/evidence/{item.id}/claims", headers=bearer(owner),
                        json={"criterion_ids": [first["id"]]})  # fmt: skip
    assert mapped.status_code == 200, mapped.get_data(as_text=True)
    claim = mapped.get_json()["items"][0]
    assert (claim["standard"], claim["criterion"], claim["criterion_id"]) == (
        wanted["standard"], first["code"], first["id"])  # fmt: skip
    # a criterion of no standard of the learner's: refused naming the request's own field
    unknown = client.put(f"/api/v1/evidence/{item.id}/claims", headers=bearer(owner),
                         json={"criterion_ids": [2**31 - 1]})  # fmt: skip
    assert [e["field"] for e in _problem(unknown, 422)["errors"]] == ["criterion_ids"]


def test_administrators_register_and_reallocate(client, api_world) -> None:  # noqa: F811
    walk, values = api_world
    admin = bearer(walk["tokens"]["admin"])
    person = client.post("/api/v1/people", headers=admin, json={
        "name": "Asha Patel", "email": "asha@example.org", "roles": ["learner"]})  # fmt: skip
    assert person.status_code == 201 and person.get_json()["roles"] == ["learner"]
    end = (date.today() + timedelta(days=200)).isoformat()
    made = client.post("/api/v1/registrations", headers=admin, json={
        "learner_id": person.get_json()["id"], "framework_id": values["framework_id"],
        "standards": ["SE01", "SE04"], "assessor_id": walk["people"]["assessor"].id,
        "start_date": date.today().isoformat(), "planned_end": end})  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    reg = made.get_json()
    assert reg["standards"] == ["SE01", "SE04"] and reg["iqa_id"] is None
    changed = client.patch(f"/api/v1/registrations/{reg['id']}", headers=admin,
                           json={"iqa_id": walk["people"]["iqa"].id, "standards": ["SE01"]})  # fmt: skip
    after = changed.get_json()
    assert after["iqa_id"] == walk["people"]["iqa"].id and after["standards"] == ["SE01"]
    assert after["assessor_id"] == walk["people"]["assessor"].id  # left out: kept
    same_person = client.patch(f"/api/v1/registrations/{reg['id']}", headers=admin,
                               json={"iqa_id": walk["people"]["assessor"].id})  # fmt: skip
    _problem(same_person, 422)  # the IQA may not be the assessor


def test_a_registration_says_when_its_learner_withdrew(client, session, api_world) -> None:  # noqa: F811
    walk, values = api_world
    admin = bearer(walk["tokens"]["admin"])
    reg_id = values["registration_id"]
    url = f"/api/v1/registrations/{reg_id}"
    assert client.get(url, headers=admin).get_json()["withdrawn_on"] is None
    on = date.today() - timedelta(days=1)
    withdrawals.withdraw(
        session, actor=actor_of(walk["people"]["admin"]), registration_id=reg_id, on=on,
        reason="Moved away",
    )  # fmt: skip
    session.commit()
    assert client.get(url, headers=admin).get_json()["withdrawn_on"] == on.isoformat()
    listed = client.get("/api/v1/registrations?limit=100", headers=admin).get_json()["items"]
    assert [r["withdrawn_on"] for r in listed if r["id"] == reg_id] == [on.isoformat()]


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("eqa", {"read"}),
        ("learner", {"read", "evidence", "assess"}),
        ("assessor", {"read", "evidence", "assess"}),
        ("admin", {"read", "admin"}),
    ],
)
def test_the_token_form_offers_only_what_the_persons_roles_may_use(
    auth, role: str, offered: set[str]
) -> None:
    """An EQA only reads: their token form offered "Write, upload and submit your evidence",
    "Record assessment decisions" and "Administration", as if they might; a learner was offered
    administration. A scope not offered is refused with the form's message, nothing made."""
    auth.login(role)
    html = auth.client.get("/account/tokens").get_data(as_text=True)
    shown = set(re.findall(r'name="scopes" (?:required )?type="checkbox" value="(\w+)"', html))
    assert shown == offered
    other = next(s for s in ("admin", "evidence") if s not in offered)
    refused = auth.client.post("/account/tokens", data={"name": "x", "scopes": ["read", other]})
    assert refused.status_code == 422 and "pat_" not in refused.get_data(as_text=True)


def test_a_file_read_as_the_wrong_format_says_what_it_was_read_as_and_what_to_send(
    client, session: Session, make_person
) -> None:
    # an Open Badge (JSON, but not a framework) sent to the API was refused with only
    # "/URN: record without a URN", as the upload page's refusal was before it said more
    admin = make_person("admin")
    secret = token_for(session, admin.id, ("read", "admin"))
    badge = b'{"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["Credential"]}'

    def send(query: str) -> str:
        answer = client.post(f"/api/v1/frameworks/import?{query}", headers=bearer(secret),
                             data={"file": (io.BytesIO(badge), "badge.json")})  # fmt: skip
        problem = _problem(answer, 422)
        assert problem["errors"][0]["field"] == "file"
        return problem["detail"]

    detected = send("")
    assert "read as NOS database JSON (detected from the file)" in detected
    assert "give its format as `fmt`" in detected
    chosen = send("fmt=case")
    assert "read as 1EdTech CASE package (JSON)" in chosen
    assert "detected from the file" not in chosen and "fmt=auto" in chosen


def test_a_blank_title_is_refused_naming_the_field(client, session: Session, make_person) -> None:
    # the service's refusal of a title of spaces (or of marks it cleans away) named no field,
    # though the schema's own refusals of a title do
    learner = make_person("learner")
    secret = token_for(session, learner.id, ("read", "evidence"))
    for title in ("   ", "\n", "\u202e"):
        answer = client.post(f"/api/v1/learners/{learner.id}/evidence", headers=bearer(secret),
                             json={"kind": "reflective_account", "title": title,
                                   "activity_date": "2026-01-05", "body": "..."})  # fmt: skip
        problem = _problem(answer, 422)
        assert problem["detail"] == "A title is required."
        assert problem["errors"] == [{"field": "title", "detail": "A title is required."}]


def test_a_token_refused_says_why_and_what_to_do(client, session: Session, make_person) -> None:
    # every refused token was "unknown, revoked or expired": a script whose year-long token
    # ran out could not tell that from a typing mistake or a revocation
    learner = make_person("learner")
    expired, revoked, left = (token_for(session, learner.id, ("read",)) for _ in range(3))
    rows = session.exec(
        select(ApiToken).where(ApiToken.person_id == learner.id).order_by(ApiToken.id)
    ).all()
    rows[0].expires_at = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    rows[1].revoked_at = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
    session.add_all(rows[:2])
    session.commit()

    def detail(secret: str) -> str:
        return _problem(client.get("/api/v1/me", headers=bearer(secret)), 401)["detail"]

    assert detail(expired) == (
        "This token expired on 4 Mar 2026. Make a new one on Your account, then API tokens "
        "(/account/tokens)."
    )
    assert detail(revoked).startswith("This token was revoked on 6 May 2026. Make a new one")
    assert detail("pat_not-a-token").startswith("The token is not one this site gave out")
    learner.active = False
    session.add(learner)
    session.commit()
    assert detail(left).startswith("This token's person can no longer use the site")
