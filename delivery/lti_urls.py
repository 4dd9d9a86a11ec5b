"""Where the LTI 1.3 tool answers, for the web views and for `portfolio lti urls` alike: the
addresses an administrator enters in the VLE (Moodle: "Manage tools" > "Configure a tool
manually")."""

from __future__ import annotations

LOGIN_PATH = "/lti/login"  # Moodle: "Initiate login URL"
LAUNCH_PATH = "/lti/launch"  # Moodle: "Tool URL" and "Redirection URI(s)"
JWKS_PATH = "/lti/jwks.json"  # Moodle: "Public keyset" (key type "Keyset URL")


def tool_urls(base: str) -> dict[str, str]:
    """The tool's addresses on the site at ``base`` (e.g. ``https://portfolio.example.org``)."""
    root = base.rstrip("/")
    return {
        "tool_url": root + LAUNCH_PATH,
        "initiate_login_url": root + LOGIN_PATH,
        "redirection_uri": root + LAUNCH_PATH,
        "public_keyset_url": root + JWKS_PATH,
    }
