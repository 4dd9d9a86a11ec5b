"""In production the cookies are named with the ``__Host-`` prefix: a browser keeps such a cookie
only when it is Secure, on Path=/ and without a Domain, so a sibling subdomain of the centre's
(``evil.example.org`` beside ``portfolio.example.org``) can neither plant a session cookie of
its choosing nor overwrite this one. Outside production (plain http) the names stay as they
were: a browser refuses a ``__Host-`` cookie that is not Secure."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from flask import Flask

from delivery.web.app import create_app
from tests.conftest import PASSWORD

SITE = "https://localhost"


@pytest.fixture
def production(app: Flask, engine, tmp_path) -> Flask:
    """The test app's settings and database, in production."""
    made = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "a-long-random-production-secret",
            "ENV": "production",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "production"),
        }
    )
    made.extensions["portfolio"].session_factory = app.extensions["portfolio"].session_factory
    return made


def _set_cookies(response) -> dict[str, dict[str, str | bool]]:
    """Each cookie the answer sets: its name, and its attributes by lower-case name."""
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        (morsel,) = parsed.values()
        attributes = {key: morsel[key] for key in morsel if morsel[key]}
        found[morsel.key] = attributes
    return found


def test_production_log_in_sets_a_host_only_session_cookie_that_works(
    production: Flask, make_person
) -> None:
    person = make_person("learner", name="Hana Host")
    client = production.test_client()
    response = client.post(
        "/login", data={"email": person.email, "password": PASSWORD}, base_url=SITE
    )
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert list(cookies) == ["__Host-session"]  # no cookie of the old name beside it
    cookie = cookies["__Host-session"]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert cookie["samesite"] == "Lax"
    assert "domain" not in cookie
    # the next page reads the session from that cookie
    home = client.get("/", base_url=SITE)
    assert home.status_code == 200 and "Hana Host" in home.get_data(as_text=True)
    # a cookie of the old name, as a sibling subdomain could plant, names no session here
    planted = production.test_client()
    value = client.get_cookie("__Host-session")
    assert value is not None
    planted.set_cookie("session", value.value)
    assert planted.get("/", base_url=SITE).status_code == 302


def test_production_names_the_remember_cookie_host_only_too(production: Flask) -> None:
    """No log-in is remembered (the cookie is never set), but Flask-Login reads a cookie of
    that name when the session holds no one: in production only a ``__Host-`` one."""
    assert production.config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_PATH"] == "/"
    assert production.config.get("REMEMBER_COOKIE_DOMAIN") is None


def test_outside_production_the_cookie_keeps_its_name(app: Flask, make_person) -> None:
    person = make_person("learner")
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert list(cookies) == ["session"]
    assert "secure" not in cookies["session"]  # plain http on 127.0.0.1 keeps it
    assert client.get("/").status_code == 200
