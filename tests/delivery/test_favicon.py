"""The site's icon: every page names it, and /favicon.ico answers it (a 404 there was a console
error on every page a browser opened)."""

from __future__ import annotations

import re

from delivery.web import SECURITY_HEADERS


def test_favicon_ico_answers_the_icon_to_anyone(client) -> None:
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.get_data()


def test_every_page_links_the_icon_the_policy_allows(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)
    assert link is not None, "base.html names no icon"
    href = link.group(1)
    assert href.startswith("/static/")  # same origin: img-src 'self' allows it
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    policy = dict((name, value) for name, _, value in SECURITY_HEADERS)
    assert "img-src 'self'" in policy["Content-Security-Policy"]
