"""Sessions: log-out ends them on the server, nothing of the password is in the cookie, idle
sessions end, "log out everywhere", changing one's own password, accounts with no password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from portfolio.models import Person
from portfolio.models.base import utcnow
from tests.conftest import PASSWORD


def _cookie(client: FlaskClient, app: Flask) -> str:
    found = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert found is not None
    return found.value


def _user_id(app: Flask, cookie: str) -> str:
    data = app.session_interface.get_signing_serializer(app).loads(cookie)  # type: ignore[attr-defined]
    return str(data["_user_id"])


def _copy(app: Flask, cookie: str) -> FlaskClient:
    thief = app.test_client()
    thief.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    return thief


def test_a_copied_cookie_stops_working_after_log_out(app, client, auth) -> None:
    auth.login("learner")
    cookie = _cookie(client, app)
    thief = _copy(app, cookie)
    assert thief.get("/").status_code == 200  # the copy works while the session lasts
    auth.logout()
    assert thief.get("/").status_code == 302  # ended on the server: the copy is refused
    assert "/login" in thief.get("/").headers["Location"]


def test_no_part_of_the_password_hash_is_in_the_cookie(app, client, auth, session) -> None:
    person = auth.login("learner")
    session.refresh(person)
    user_id = _user_id(app, _cookie(client, app))
    hashed = person.password_hash
    pieces = {hashed[i : i + 8] for i in range(0, len(hashed) - 8)}
    assert not any(piece in user_id for piece in pieces), user_id


def test_an_account_with_no_password_never_logs_in_whatever_the_secret_key(
    app, client, make_person, session
) -> None:
    from portfolio.models import Person

    person = make_person("admin")
    person.password_hash = ""
    session.add(person)
    session.commit()
    assert isinstance(person, Person)
    # the log-in form refuses every password, the empty one included
    for password in ("", " ", "anything-at-all"):
        r = client.post("/login", data={"email": person.email, "password": password})
        assert r.status_code in (200, 422)
    # a cookie forged with the secret key (as anyone who knows it could) gets nowhere either
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for user_id in (f"{person.id}:", f"{person.id}", f"{person.id}:x", ""):
        forged = _copy(app, serializer.dumps({"_user_id": user_id, "_fresh": True}))
        assert forged.get("/").status_code == 302, user_id


def test_log_out_everywhere_ends_every_session_of_the_person(app, client, auth, session) -> None:
    from portfolio.models import AuditEntry

    person = auth.login("learner")
    elsewhere = app.test_client()
    r = elsewhere.post("/login", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 302
    assert elsewhere.get("/").status_code == 200
    r = client.post("/account/logout-everywhere")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert elsewhere.get("/").status_code == 302
    assert client.get("/").status_code == 302
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "auth.logout_everywhere", AuditEntry.subject_id == person.id
        )
    ).one()
    assert entry.data == {"sessions": 2}


def test_idle_sessions_end_and_activity_keeps_them(app, client, auth, monkeypatch) -> None:
    import portfolio.services.logins as logins

    app.config["SESSION_IDLE_MINUTES"] = 30
    auth.login("learner")
    start = utcnow()
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(minutes=20))
    assert client.get("/").status_code == 200  # seen again after 20 minutes: still there
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(minutes=45))
    assert client.get("/").status_code == 200  # 25 minutes after it was last seen
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(minutes=76))
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(minutes=77))
    assert client.get("/").status_code == 302  # ended for good, not only while idle


def test_last_seen_is_written_at_most_once_a_minute(app, client, auth, session, monkeypatch):
    import portfolio.services.logins as logins
    from portfolio.models.logins import LoginSession

    person = auth.login("learner")
    start = utcnow()

    def last_seen():
        session.expire_all()
        rows = session.exec(select(LoginSession).where(LoginSession.person_id == person.id))
        return [row.last_seen_at for row in rows]

    first = last_seen()
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(seconds=30))
    client.get("/")
    assert last_seen() == first
    monkeypatch.setattr(logins, "utcnow", lambda: start + timedelta(seconds=90))
    client.get("/")
    assert last_seen() != first


def test_change_own_password_needs_the_current_one(app, client, auth) -> None:
    person = auth.login("assessor")
    other = app.test_client()
    assert (
        other.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    )
    page = client.get("/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'for="current"' in html and 'for="password"' in html and 'for="confirm"' in html
    wrong = client.post(
        "/account",
        data={
            "current": "not-it-at-all",
            "password": "a-new-password",
            "confirm": "a-new-password",
        },
    )
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert 'id="current-error"' in text and "current password" in text
    ok = client.post(
        "/account",
        data={"current": PASSWORD, "password": "a-new-password", "confirm": "a-new-password"},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # every other one has ended
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": person.email, "password": PASSWORD}).status_code != 302
    )
    r = fresh.post("/login", data={"email": person.email, "password": "a-new-password"})
    assert r.status_code == 302


def test_a_short_new_password_is_refused_in_words(app, client, auth) -> None:
    """Not WTForms' "Field must be between 8 and 256 characters long.": which field, and why."""
    auth.login("learner")
    short = client.post(
        "/account", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 422
    text = short.get_data(as_text=True)
    assert "Field must be" not in text
    assert "The new password must be at least 8 characters long." in text


def test_the_administrators_short_passwords_are_refused_in_words(
    client, auth, session, make_person
) -> None:
    """Adding a person with a short initial password, or resetting one to a short password,
    said WTForms' "Field must be between 8 and 256 characters long."; now which and why."""
    target = make_person("learner")
    auth.login("admin")
    added = client.post(
        "/admin/people",
        data={"name": "Nadia New", "email": "nadia-short@test.example", "roles": ["learner"],
              "site": "Main site", "password": "short"},
    )  # fmt: skip
    assert added.status_code == 422
    text = added.get_data(as_text=True)
    assert "Field must be" not in text
    assert "The initial password must be at least 8 characters long." in text
    assert (
        session.exec(select(Person).where(Person.email == "nadia-short@test.example")).first()
        is None
    )
    reset = client.post(
        f"/admin/people/{target.id}",
        data={"pw-password": "short", "pw-confirm": "short", "pw-reset": "Reset password"},
    )
    assert reset.status_code == 422
    text = reset.get_data(as_text=True)
    assert "Field must be" not in text
    assert "The new password must be at least 8 characters long." in text
    too_long = "x" * 257
    reset = client.post(
        f"/admin/people/{target.id}",
        data={"pw-password": too_long, "pw-confirm": too_long, "pw-reset": "Reset password"},
    )
    assert reset.status_code == 422
    assert "The new password must be at most 256 characters long." in reset.get_data(as_text=True)


def test_a_password_reset_by_an_admin_ends_the_persons_sessions(app, client, auth, make_person):
    target = make_person("learner")
    theirs = app.test_client()
    assert (
        theirs.post("/login", data={"email": target.email, "password": PASSWORD}).status_code == 302
    )
    auth.login("admin")
    r = client.post(
        f"/admin/people/{target.id}",
        data={"pw-password": "new-password-1", "pw-confirm": "new-password-1",
              "pw-reset": "Reset password"},
    )  # fmt: skip
    assert r.status_code == 302
    assert theirs.get("/").status_code == 302


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/x%0aLocation:%20//evil.example"])
def test_a_next_with_a_line_break_is_a_bad_request(client, make_person, target) -> None:
    person = make_person("learner")
    assert client.get(f"/login?next={target}").status_code == 400
    r = client.post(f"/login?next={target}", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 400 and "line break" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["/\\evil.example", "//evil.example", "https://evil.example/", "/%09/evil.example",
     "javascript:alert(1)"],
)  # fmt: skip
def test_an_unsafe_next_is_ignored_never_a_server_error(client, make_person, target) -> None:
    person = make_person("learner")
    r = client.post(f"/login?next={target}", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_a_safe_next_is_followed(client, make_person) -> None:
    person = make_person("learner")
    r = client.post("/login?next=/evidence", data={"email": person.email, "password": PASSWORD})
    assert r.headers["Location"] == "/evidence"


def test_old_sessions_are_forgotten_at_the_next_log_in(client, auth, session, make_person) -> None:
    from portfolio.models.logins import LoginSession
    from portfolio.services import logins

    person = make_person("learner")
    long_ago = utcnow() - logins.KEEP - timedelta(days=1)
    session.add_all(
        [
            LoginSession(token_hash="a" * 64, person_id=person.id, created_at=long_ago,
                         last_seen_at=long_ago, ended_at=long_ago, ended_why="logout"),
            LoginSession(token_hash="b" * 64, person_id=person.id, created_at=long_ago,
                         last_seen_at=long_ago),
        ]
    )  # fmt: skip
    session.commit()
    auth.login(person)
    session.expire_all()
    rows = session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).all()
    assert [row.token_hash for row in rows if row.token_hash in ("a" * 64, "b" * 64)] == []
    assert len(rows) == 1 and rows[0].ended_at is None


def test_logging_in_again_in_the_same_browser_ends_the_session_it_had(app, client, auth) -> None:
    auth.login("learner")
    first = _cookie(client, app)
    auth.login("assessor")  # someone else, on the same shared computer
    assert _copy(app, first).get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_a_page_reads_the_visitor_in_its_own_session(app, client, auth, monkeypatch) -> None:
    """One database session a page view: the visitor is looked up in the request's own, and a
    second opens only when "last seen" is due (at most once a minute), to write it."""
    import portfolio.services.logins as logins

    auth.login("learner")
    ext = app.extensions["portfolio"]
    made = []
    factory = ext.session_factory

    def counting():  # type: ignore[no-untyped-def]
        made.append(1)
        return factory()

    monkeypatch.setattr(ext, "session_factory", counting)
    assert client.get("/notifications").status_code == 200
    assert len(made) == 1
    start = utcnow()
    monkeypatch.setattr(logins, "utcnow", lambda: start + logins.TOUCH_EVERY * 2)
    made.clear()
    assert client.get("/notifications").status_code == 200
    assert len(made) == 2  # "last seen" written in a transaction of its own
    made.clear()
    assert client.get("/notifications").status_code == 200
    assert len(made) == 1


def _form_token(page: str) -> str:
    import re

    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, "no form token on the page"
    return found.group(1)


def test_the_form_token_of_a_browser_changes_at_log_in(app, client, make_person) -> None:
    """A form token given before logging in (to whoever had this browser, or planted with a
    cookie by someone who fetched it first) no longer sends the logged-in person's forms: the
    log-in gives the session a new one, as it gives it a new session token."""
    app.config["WTF_CSRF_ENABLED"] = True
    person = make_person("learner")
    before = _form_token(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": before}
    )
    assert answer.status_code == 302
    assert client.post("/notifications/read-all", data={"csrf_token": before}).status_code == 400
    after = _form_token(client.get("/").get_data(as_text=True))
    assert after != before
    assert client.post("/notifications/read-all", data={"csrf_token": after}).status_code == 302


def test_completing_a_reset_ends_the_session_this_browser_held_whoever_s(
    app, client, auth, session, make_person
) -> None:
    """Someone else was logged in on the browser where a reset is completed: their session ends
    on the server, as log-out ends it (not only the cookie cleared), and every session of the
    person whose password changed ends too."""
    from datetime import timedelta

    from portfolio.models.logins import LoginSession
    from portfolio.services import resets

    owner = make_person("learner")
    elsewhere = app.test_client()
    assert (
        elsewhere.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code
        == 302
    )
    other = auth.login("assessor")  # the one logged in on this browser
    copy = _copy(app, _cookie(client, app))
    found = resets.request_link(session, email=owner.email, lifetime=timedelta(minutes=30))
    assert found is not None
    session.commit()
    path = f"/password/reset/{found[1]}"
    done = client.post(path, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert copy.get("/").status_code == 302  # the other person's session ended on the server
    assert elsewhere.get("/").status_code == 302  # and every session of the account
    session.expire_all()
    rows = session.exec(select(LoginSession).where(LoginSession.person_id == other.id)).all()
    assert [r.ended_why for r in rows] == ["logout"]
