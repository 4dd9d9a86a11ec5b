"""LTI 1.3 launches from a VLE simulated in the tests (its own keys, its JWKS over HTTP on
loopback): the OIDC log-in, the signed launch, and every way a launch is refused."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from portfolio.models import AuditEntry, LtiLink, Person
from portfolio.services import lti, lti_tokens
from portfolio.services.people import SYSTEM
from tests.delivery.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    TEACHING_ASSISTANT,
    Platform,
    new_key,
    serving,
)

SITE = "https://localhost"


@pytest.fixture(scope="module")
def moodle() -> Iterator[Platform]:
    with serving(Platform(key=new_key())) as platform:
        yield platform


@pytest.fixture(scope="module")
def stranger_key():
    return new_key()


@pytest.fixture
def registered(session: Session, moodle: Platform) -> Platform:
    lti.add_platform(
        session,
        actor=SYSTEM,
        name="Moodle",
        issuer=moodle.issuer,
        client_id=moodle.client_id,
        deployment_ids=[moodle.deployment, "9"],
        auth_login_url=moodle.auth_login_url,
        token_url=moodle.token_url,
        jwks_url=moodle.jwks_url,
    )
    session.commit()
    return moodle


def link_by_hand(session: Session, person: Person, subject: str = "moodle-user-17") -> None:
    """What an administrator does for a staff account (``portfolio lti link``)."""
    (platform,) = lti.list_platforms(session)
    lti.link_subject(
        session, actor=SYSTEM, person_id=person.id or 0, platform_id=platform.id, subject=subject
    )
    session.commit()


def start(client: FlaskClient, platform: Platform, **extra: str) -> dict[str, str]:
    """Step 1 as the platform starts it; the parameters the tool sends to its auth endpoint."""
    query = {
        "iss": platform.issuer,
        "login_hint": "17",
        "target_link_uri": f"{SITE}/lti/launch",
        "lti_message_hint": "msg-42",
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment,
        **extra,
    }
    response = client.get(f"{SITE}/lti/login?{urlencode(query)}")
    assert response.status_code == 302, response.get_data(as_text=True)
    where = urlsplit(response.headers["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == platform.auth_login_url
    return {k: v[0] for k, v in parse_qs(where.query).items()}


def launch(client: FlaskClient, sent: dict[str, str], token: str):
    return client.post(f"{SITE}/lti/launch", data={"state": sent["state"], "id_token": token})


def refused(response, words: str) -> None:
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Could not open your portfolio" in page
    assert words in page, page


def logged_in_as(client: FlaskClient) -> str:
    home = client.get("/")
    return home.get_data(as_text=True) if home.status_code == 200 else ""


def test_learner_launch_opens_their_home_and_stores_the_subject(
    client, session, registered, make_person
) -> None:
    learner = make_person("learner", name="Ada Learner", email="ada@centre.test")
    sent = start(client, registered)
    assert sent["scope"] == "openid"
    assert sent["response_type"] == "id_token"
    assert sent["response_mode"] == "form_post"
    assert sent["prompt"] == "none"
    assert sent["client_id"] == registered.client_id
    assert sent["redirect_uri"] == f"{SITE}/lti/launch"
    assert sent["login_hint"] == "17" and sent["lti_message_hint"] == "msg-42"
    assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32
    cookie = client.get_cookie(f"lti-state-{sent['state']}", domain="localhost", path="/lti/launch")
    assert cookie is not None and cookie.secure and cookie.http_only
    assert cookie.same_site == "None"

    token = registered.id_token(nonce=sent["nonce"], email="ADA@centre.test")
    response = launch(client, sent, token)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/"
    assert "Ada Learner" in logged_in_as(client)
    link = session.exec(select(LtiLink).where(LtiLink.person_id == learner.id)).one()
    assert (link.issuer, link.subject) == (registered.issuer, "moodle-user-17")
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.actor_id == learner.id))
    assert "lti.launch" in list(actions)


def test_a_later_launch_uses_the_stored_subject_even_if_the_email_changed(
    app, client, session, registered, make_person
) -> None:
    learner = make_person("learner", name="Ben Learner", email="ben@centre.test")
    sent = start(client, registered)
    assert launch(client, sent, registered.id_token(nonce=sent["nonce"], email=learner.email))
    client.post("/logout")
    sent = start(client, registered)
    moved = registered.id_token(nonce=sent["nonce"], email="ben.new@elsewhere.test")
    assert launch(client, sent, moved).status_code == 303
    assert "Ben Learner" in logged_in_as(client)
    # someone else of the same VLE bringing Ben's e-mail does not get Ben's account
    other = app.test_client()
    sent = start(other, registered)
    token = registered.id_token(nonce=sent["nonce"], sub="moodle-user-99", email=learner.email)
    refused(launch(other, sent, token), "linked to someone else")
    assert "Ben Learner" not in logged_in_as(other)


@pytest.mark.parametrize(
    ("account", "roles", "opens"),
    [
        ("assessor", [INSTRUCTOR], "/caseload"),
        ("iqa", [INSTRUCTOR], "/caseload?role=iqa"),  # an IQA who assesses no one
        ("assessor,iqa", [TEACHING_ASSISTANT], "/caseload"),
        ("learner", [LEARNER, "Instructor"], "/"),  # a learner also named teacher: their home
    ],
)
def test_assessor_launch_opens_their_caseload(
    client, session, registered, make_person, account, roles, opens
) -> None:
    person = make_person(account, name="Cat Staff", email="cat@centre.test")
    link_by_hand(session, person)  # staff are not linked by e-mail (test_lti_linking.py)
    sent = start(client, registered)
    token = registered.id_token(nonce=sent["nonce"], email="cat@centre.test", roles=roles)
    response = launch(client, sent, token)
    assert response.status_code == 303
    where = urlsplit(response.headers["Location"])
    assert where.path + (f"?{where.query}" if where.query else "") == opens
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_platform_that_rotated_its_key_is_read_again(
    client, registered, make_person, monkeypatch
) -> None:
    monkeypatch.setattr(lti_tokens, "JWKS_REFETCH_SECONDS", 0)  # the rotation is not brand new
    make_person("learner", name="Ivy Learner", email="ivy@centre.test")
    sent = start(client, registered)
    assert launch(client, sent, registered.id_token(nonce=sent["nonce"], email="ivy@centre.test"))
    client.post("/logout")
    old_key, old_kid = registered.key, registered.kid
    registered.key, registered.kid = new_key(), "moodle-key-2"
    registered.publish()  # the kept key set does not name the new key id: fetched again
    try:
        sent = start(client, registered)
        token = registered.id_token(nonce=sent["nonce"], email="ivy@centre.test")
        assert launch(client, sent, token).status_code == 303
        assert "Ivy Learner" in logged_in_as(client)
    finally:
        registered.key, registered.kid = old_key, old_kid
        registered.publish()


def test_a_bad_signature_is_refused(client, registered, make_person, stranger_key) -> None:
    make_person("learner", email="dan@centre.test")
    sent = start(client, registered)
    forged = registered.id_token(nonce=sent["nonce"], email="dan@centre.test", key=stranger_key)
    refused(launch(client, sent, forged), "signature does not match")
    assert client.get("/").status_code == 302  # not logged in


def test_in_production_the_state_cookie_is_host_only(app, client, registered, make_person) -> None:
    """In production the state cookie is named ``__Host-``: Secure, on every path (a
    ``__Host-`` cookie must be on ``/``), without Domain, so a sibling subdomain cannot plant a
    state of its own launch in this browser. The launch reads that name alone, and deletes it."""
    from delivery.web.cookies import host_only_cookies

    app.config.update(ENV="production", **host_only_cookies())
    make_person("learner", name="Hal Host", email="hal@centre.test")
    sent = start(client, registered)
    name = f"__Host-lti-state-{sent['state']}"
    cookie = client.get_cookie(name, domain="localhost", path="/")
    assert cookie is not None and cookie.secure and cookie.http_only
    assert cookie.same_site == "None" and cookie.origin_only
    assert client.get_cookie(f"lti-state-{sent['state']}", path="/lti/launch") is None
    # the plain name, as another site of the domain could set it, starts no launch here
    client.set_cookie(f"lti-state-{sent['state']}", cookie.value, path="/lti/launch")
    client.delete_cookie(name, path="/")
    token = registered.id_token(nonce=sent["nonce"], email="hal@centre.test")
    refused(launch(client, sent, token), "did not start this launch")
    client.set_cookie(name, cookie.value, path="/")
    response = launch(client, sent, token)
    assert response.status_code == 303 and "Hal Host" in logged_in_as(client)
    assert client.get_cookie(name, domain="localhost", path="/") is None  # deleted


def test_a_wrong_or_replayed_nonce_is_refused(client, registered, make_person) -> None:
    make_person("learner", name="Eve Learner", email="eve@centre.test")
    sent = start(client, registered)
    wrong = registered.id_token(nonce="not-the-nonce-we-sent", email="eve@centre.test")
    refused(launch(client, sent, wrong), "nonce differs")

    token = registered.id_token(nonce=sent["nonce"], email="eve@centre.test")
    name = f"lti-state-{sent['state']}"
    kept = client.get_cookie(name, domain="localhost", path="/lti/launch")
    assert kept is not None
    assert launch(client, sent, token).status_code == 303
    client.post("/logout")
    # the same launch posted again, with the browser's state cookie put back: a replay
    client.set_cookie(name, kept.value, domain="localhost", path="/lti/launch")
    refused(launch(client, sent, token), "used already")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aud": "another-tool"}, "another tool (wrong audience)"),
        ({"aud": ["another-tool", "tool-client-1"], "azp": "another-tool"}, "wrong audience"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "has expired"),
        ({"exp": 10**12}, "valid for more than a day"),  # beyond year 9999: not a 500
        ({"exp": int(time.time()) + 3 * 86400}, "valid for more than a day"),
        ({"iss": "https://other-moodle.test"}, "another VLE"),
        ({"lti_deployment_id": "8"}, "deployment of the tool"),
        ({"lti_message_type": "LtiDeepLinkingRequest"}, "Only course links"),
        ({"lti_version": "1.1"}, "Only LTI 1.3"),
        ({"without": ("nonce",)}, "could not be checked"),
        ({"without": ("sub",)}, "could not be checked"),
    ],
)
def test_a_token_failing_a_check_is_refused(
    client, registered, make_person, changes, words
) -> None:
    make_person("learner", email="fay@centre.test")
    sent = start(client, registered)
    token = registered.id_token(nonce=sent["nonce"], email="fay@centre.test", **changes)
    refused(launch(client, sent, token), words)
    assert client.get("/").status_code == 302


def test_an_unknown_person_is_refused_and_no_account_is_made(client, session, registered) -> None:
    before = session.exec(select(func.count()).select_from(Person)).one()
    sent = start(client, registered)
    token = registered.id_token(nonce=sent["nonce"], email="nobody@centre.test", sub="u-1")
    refused(launch(client, sent, token), "no portfolio account for you")
    assert session.exec(select(func.count()).select_from(Person)).one() == before
    assert session.exec(select(LtiLink)).all() == []


@pytest.mark.parametrize(
    ("roles", "account", "words"),
    [
        ([INSTRUCTOR], "learner", "says you are a teacher"),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"],
            "assessor",
            "neither",
        ),
        ([LEARNER], "assessor", "says you are a learner"),
        ([INSTRUCTOR], "admin,assessor", "Administrators"),
    ],
)
def test_the_vle_role_must_fit_the_account(
    client, session, registered, make_person, roles, account, words
) -> None:
    person = make_person(account, email="gus@centre.test")
    link_by_hand(session, person)
    sent = start(client, registered)
    token = registered.id_token(nonce=sent["nonce"], email="gus@centre.test", roles=roles)
    refused(launch(client, sent, token), words)


def test_a_launch_this_browser_did_not_start_is_refused(app, registered, make_person) -> None:
    make_person("learner", email="hal@centre.test")
    victim, attacker = app.test_client(), app.test_client()
    sent = start(attacker, registered)
    token = registered.id_token(nonce=sent["nonce"], email="hal@centre.test")
    refused(launch(victim, sent, token), "did not start this launch")


def test_an_unregistered_platform_cannot_start(client, registered) -> None:
    query = urlencode({"iss": "https://unknown.test", "login_hint": "1"})
    refused(client.get(f"{SITE}/lti/login?{query}"), "not registered here")
    query = urlencode({"iss": registered.issuer, "login_hint": "1", "lti_deployment_id": "77"})
    refused(client.post(f"{SITE}/lti/login", data=dict(parse_qs(query))), "deployment")


def test_the_tool_publishes_its_key_set(client, app) -> None:
    first = client.get("/lti/jwks.json")
    assert first.status_code == 200
    (key,) = first.get_json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert client.get("/lti/jwks.json").get_json()["keys"][0] == key  # the same key kept
    path = Path(app.instance_path) / "lti-tool-key.pem"
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_platforms_are_registered_on_the_command_line(cli) -> None:
    args = [
        "lti", "add-platform", "--name", "Moodle", "--issuer", "https://moodle.example.org",
        "--client-id", "abc", "--deployment-id", "1", "--deployment-id", "2",
        "--auth-login-url", "https://moodle.example.org/mod/lti/auth.php",
        "--token-url", "https://moodle.example.org/mod/lti/token.php",
        "--jwks-url", "https://moodle.example.org/mod/lti/certs.php",
    ]  # fmt: skip
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    assert '"issuer": "https://moodle.example.org"' in result.output
    again = cli(*args)
    assert again.exit_code == 1 and "registered already" in again.output
    listed = cli("lti", "list", "--json")
    assert '"deployment_ids": [\n      "1",\n      "2"\n    ]' in listed.output
    plain = [
        a.replace("https://moodle.example.org/mod/lti/certs", "http://moodle.example.org/certs")
        for a in args
    ]
    refused_url = cli(*[a.replace("abc", "abd") for a in plain])
    assert refused_url.exit_code == 1 and "https://" in refused_url.output
    platform_id = listed.output.split('"id": ')[1].split(",")[0]
    assert "Removed Moodle" in cli("lti", "remove-platform", platform_id).output
    assert cli("lti", "list").output.strip() == "No platform registered."
    urls = cli("lti", "urls", "--base-url", "https://portfolio.example.org/")
    assert "Initiate login URL: https://portfolio.example.org/lti/login" in urls.output
    assert "Public keyset URL: https://portfolio.example.org/lti/jwks.json" in urls.output


def test_administrators_register_a_platform_on_their_page(auth, client, session) -> None:
    auth.login("admin")
    page = client.get("/admin/lti").get_data(as_text=True)
    assert "http://localhost/lti/login" in page and "http://localhost/lti/jwks.json" in page
    form = {
        "name": "Moodle",
        "issuer": "https://moodle.example.org",
        "client_id": "xyz",
        "deployment_ids": "3\n4",
        "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
        "token_url": "https://moodle.example.org/mod/lti/token.php",
        "jwks_url": "ftp://moodle.example.org/certs",
    }
    bad = client.post("/admin/lti", data={**form, "add": "1"})
    assert bad.status_code == 422 and "must be an https:// address" in bad.get_data(as_text=True)
    form["jwks_url"] = "https://moodle.example.org/mod/lti/certs.php"
    done = client.post("/admin/lti", data={**form, "add": "1"}, follow_redirects=True)
    assert done.status_code == 200
    assert "Registered Moodle" in done.get_data(as_text=True)
    assert "3, 4" in done.get_data(as_text=True)
    (platform,) = lti.list_platforms(session)
    unsure = client.post("/admin/lti", data={"rm-platform": platform.id, "rm-remove": "1"})
    assert unsure.status_code == 422 and "Tick the box" in unsure.get_data(as_text=True)
    gone = client.post(
        "/admin/lti",
        data={"rm-platform": platform.id, "rm-sure": "y", "rm-remove": "1"},
        follow_redirects=True,
    )
    assert "Removed Moodle" in gone.get_data(as_text=True)
    assert lti.list_platforms(session) == []


def test_an_administrator_unlinks_a_person_made_in_error(
    client, cli, session, registered, make_person
) -> None:
    learner = make_person("learner", name="Jo Learner", email="jo@centre.test")
    sent = start(client, registered)
    assert launch(client, sent, registered.id_token(nonce=sent["nonce"], email=learner.email))
    client.post("/logout")
    result = cli("lti", "unlink", "--person", str(learner.id))
    assert result.output.strip() == (
        f"Forgot 1 stored VLE subject of Jo Learner (person {learner.id}): their next launch is "
        "matched by e-mail again."
    )
    nobody = cli("lti", "unlink", "--person", "999999")
    assert nobody.exit_code == 1 and "No person with the id 999999" in nobody.output
    assert session.exec(select(LtiLink).where(LtiLink.person_id == learner.id)).all() == []
    # the next launch of another subject with Jo's e-mail is matched by e-mail again
    sent = start(client, registered)
    token = registered.id_token(nonce=sent["nonce"], sub="moodle-user-5", email=learner.email)
    assert launch(client, sent, token).status_code == 303
    assert "Jo Learner" in logged_in_as(client)


def test_unknown_key_ids_do_not_flood_the_platform(moodle, monkeypatch) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> dict:
        fetched.append(url)
        return moodle.served

    keys = lti_tokens.KeySets(fetch)
    assert keys.key(moodle.jwks_url, moodle.kid) is not None
    assert keys.key(moodle.jwks_url, moodle.kid) is not None
    assert len(fetched) == 1  # kept
    for made_up in ("a", "b", "c"):
        with pytest.raises(lti.LaunchRefused, match="signature does not match"):
            keys.key(moodle.jwks_url, made_up)
    assert len(fetched) == 1  # a key set fetched moments ago is not fetched again
    monkeypatch.setattr(lti_tokens, "JWKS_REFETCH_SECONDS", 0)
    with pytest.raises(lti.LaunchRefused):
        keys.key(moodle.jwks_url, "d")
    assert len(fetched) == 2  # later, an unknown key id fetches the set once more


def test_an_unreachable_key_set_is_refused_in_words(moodle) -> None:
    def fetch(url: str) -> dict:
        raise OSError("connection refused")

    with pytest.raises(lti.LaunchRefused, match="public keys could not be read"):
        lti_tokens.KeySets(fetch).key(moodle.jwks_url, moodle.kid)


def test_a_key_set_nested_thousands_deep_is_refused_in_words(moodle, monkeypatch) -> None:
    """A VLE answering its key set with thousands of [ made Python's JSON reader give up
    (RecursionError, a server error at the launch); the launch is refused saying why."""

    class Answer(io.BytesIO):
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(
        lti_tokens.urllib.request, "urlopen", lambda *a, **k: Answer(b"[" * 100_000)
    )
    with pytest.raises(lti.LaunchRefused, match="could not be read.*nested too deeply"):
        lti_tokens.KeySets().key(moodle.jwks_url, moodle.kid)
