"""A launch from a VLE in real Chromium: the platform (simulated, on another site: `localhost`
against the app's `127.0.0.1`) auto-posts to the tool's log-in URL as Moodle does, its
authorisation page auto-posts the signed id_token back, and the learner lands on their home page,
the state cookie having survived the cross-site POSTs. The refusal page is axe-clean."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import axe_violations, login
from tests.delivery.lti_platform import Platform, new_key

pytestmark = pytest.mark.browser


def _form(action: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<!doctype html><html lang="en"><title>Moodle</title><form method="post" '
        f'action="{html.escape(action)}">{inputs}<button>Continue</button></form>'
        "<script>document.forms[0].submit()</script></html>"
    ).encode()


@pytest.fixture(scope="module")
def moodle(live_server: str) -> Iterator[Platform]:
    """A Moodle site on http://localhost:PORT: a course page whose link starts the launch, its
    authorisation endpoint (answering with the signed id_token), and its JWKS."""
    platform = Platform(key=new_key())
    launcher = platform.launcher
    launcher.update({"email": "learner1@example.org", "sub": "moodle-17"})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/jwks":
                body, kind = json.dumps(platform.served).encode(), "application/json"
            elif parts.path == "/course":  # Moodle posts the log-in initiation
                body, kind = (
                    _form(
                        f"{live_server}/lti/login",
                        {
                            "iss": platform.issuer,
                            "login_hint": "17",
                            "target_link_uri": f"{live_server}/lti/launch",
                            "client_id": platform.client_id,
                            "lti_deployment_id": platform.deployment,
                        },
                    ),
                    "text/html",
                )
            else:  # /auth: the authorisation endpoint posts the id_token back
                token = platform.id_token(nonce=query["nonce"], **launcher)
                fields = {"id_token": token, "state": query["state"]}
                body, kind = _form(query["redirect_uri"], fields), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://localhost:{server.server_address[1]}"
    platform.issuer = site
    platform.jwks_url = f"{site}/jwks"
    platform.auth_login_url = f"{site}/auth"
    platform.token_url = f"{site}/token"
    platform.publish()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()


def _register(page: Any, live_server: str, platform: Platform) -> None:
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/lti")
    for label, value in (
        ("Name", "Moodle"),
        ("Platform ID (issuer)", platform.issuer),
        ("Client ID", platform.client_id),
        ("Deployment ID (one per line)", platform.deployment),
        ("Authentication request URL", platform.auth_login_url),
        ("Access token URL", platform.token_url),
        ("Public keyset URL", platform.jwks_url),
    ):
        page.get_by_label(label, exact=False).first.fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="Register the platform").click()
    assert "Registered Moodle" in page.content()
    assert axe_violations(page) == []  # the page with a registered VLE and its removal form


def test_a_course_link_opens_the_learners_portfolio(browser, live_server, moodle) -> None:
    admin = browser.new_context(bypass_csp=True)  # lets axe-core be injected
    _register(admin.new_page(), live_server, moodle)
    admin.close()

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"http://localhost:{urlsplit(moodle.issuer).port}/course")
    page.wait_for_url(f"{live_server}/")
    assert "opened from your VLE" in page.content()
    assert page.get_by_role("button", name="Log out").count() == 1
    context.close()

    # someone Moodle knows but the portfolio does not: the refusal page, axe-clean
    moodle.launcher.update({"email": "stranger@example.org", "sub": "moodle-99"})
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"http://localhost:{urlsplit(moodle.issuer).port}/course")
    page.wait_for_url(f"{live_server}/lti/launch")
    assert "There is no portfolio account for you here" in page.content()
    assert axe_violations(page) == []
    context.close()
