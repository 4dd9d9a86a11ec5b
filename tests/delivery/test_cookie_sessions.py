"""The session cookie is checked once and remembered (delivery.web.cookies): what is remembered
follows the same rules as a fresh check of the signature and age."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request

from delivery.web import cookies


def _signed(app: Flask, data: dict[str, Any]) -> str:
    return str(app.session_interface.get_signing_serializer(app).dumps(data))  # type: ignore[attr-defined]


def _open(app: Flask, cookie: str) -> dict[str, Any]:
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        return dict(app.session_interface.open_session(app, request) or {})


def test_a_cookie_seen_before_opens_to_the_same_session_each_time_a_copy(app) -> None:
    cookie = _signed(app, {"_user_id": "abc.def", "csrf_token": "t"})
    first = _open(app, cookie)
    first["_user_id"] = "changed by the request"
    assert _open(app, cookie) == {"_user_id": "abc.def", "csrf_token": "t"}
    assert _open(app, cookie) == {"_user_id": "abc.def", "csrf_token": "t"}


def test_a_remembered_cookie_older_than_the_sessions_lifetime_is_refused(app, monkeypatch) -> None:
    cookie = _signed(app, {"_user_id": "abc.def"})
    assert _open(app, cookie) == {"_user_id": "abc.def"}
    later = cookies.time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(cookies.time, "time", lambda: later)
    assert _open(app, cookie) == {}


def test_a_new_secret_key_refuses_a_remembered_cookie(app) -> None:
    cookie = _signed(app, {"_user_id": "abc.def"})
    assert _open(app, cookie) == {"_user_id": "abc.def"}
    app.secret_key = "another secret key entirely"
    assert _open(app, cookie) == {}


def _flip(text: str, at: int) -> str:
    at %= len(text)
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


@pytest.mark.parametrize("at", [1, -3])  # in the data, in the signature
def test_a_changed_cookie_is_refused(app, at: int) -> None:
    cookie = _signed(app, {"_user_id": "abc.def"})
    assert _open(app, cookie) == {"_user_id": "abc.def"}
    assert _open(app, _flip(cookie, at)) == {}


def test_flashed_messages_are_never_shared_between_requests(app) -> None:
    cookie = _signed(app, {"_flashes": [["info", "Saved."]]})
    first = _open(app, cookie)
    first["_flashes"].append(["info", "a second message, added in place"])
    assert _open(app, cookie) == {"_flashes": [["info", "Saved."]]}
