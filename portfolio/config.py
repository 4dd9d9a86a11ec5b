"""Configuration from environment variables with one prefix, ``PORTFOLIO_``.

Every key below can be set as ``PORTFOLIO_<KEY>`` (for example ``PORTFOLIO_DATABASE_URL``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "PORTFOLIO_"
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused in production
SIGNING_KEY_FILE = "centre-signing-key.pem"  # in the instance folder: the centre's bundle key

# key -> (default, description); README documents every key (a test checks it).
SETTINGS: dict[str, tuple[Any, str]] = {
    "ENV": (
        "development",
        "`development` or `production`; production refuses the default secret key",
    ),
    "SECRET_KEY": (DEFAULT_SECRET_KEY, "signs session cookies and CSRF tokens"),
    "ENCRYPTION_KEYS": (
        None,
        "keys encrypting two-step secrets in the database, comma-separated: the first encrypts, "
        "all decrypt (rotation); unset: one derived from the secret key",
    ),
    "DATABASE_URL": (
        None,
        "SQLAlchemy URL; default: SQLite file `portfolio.sqlite3` in the instance folder",
    ),
    "INSTANCE_PATH": (None, "instance folder (database, file store); default `./instance`"),
    "FILE_STORE": (
        None,
        "folder of uploaded files, or `s3://bucket/prefix` for S3-compatible storage; default "
        "`<instance>/files`",
    ),
    "S3_ENDPOINT_URL": (
        None,
        "the S3 server's address for an `s3://` file store (MinIO, Ceph, …); unset: AWS",
    ),
    "S3_ACCESS_KEY_ID": (None, "access key of the `s3://` file store; unset: boto3's usual search"),
    "S3_SECRET_ACCESS_KEY": (None, "secret key of the `s3://` file store"),
    "S3_REGION": ("us-east-1", "region of the `s3://` file store"),
    "MAX_UPLOAD_MB": (25, "largest accepted upload, in megabytes"),
    "TRUSTED_CENTRES": (
        None,
        "folder of other centres' public keys (one `.pem` file each, from their `portfolio key "
        "show`, named for the centre) that the administrator's bundle import page may trust; "
        "default `<instance>/trusted-centres`",
    ),
    "CENTRE_NAME": ("Demo Training Centre", "centre name printed on documents"),
    "TIME_ZONE": (
        "Europe/London",
        "the centre's time zone (an IANA name): pages show dates and times in it",
    ),
    "REDIS_URL": (None, "Redis URL; when set, background jobs run on RQ workers"),
    "LOG_FORMAT": (
        "json",
        "`json` (one JSON object per record, with the request id) or `text`",
    ),
    "METRICS_TOKEN": (
        None,
        "when set, `/metrics` answers only a scraper sending `Authorization: Bearer <token>`",
    ),
    "WARM_SUGGESTIONS": (
        True,
        "each web process and worker builds its suggestion engines in the background at start",
    ),
    "SESSION_IDLE_MINUTES": (30, "a log-in session ends after this many minutes without use"),
    "LOGIN_DELAY_AFTER": (3, "failed log-ins in a row before an account must wait to be tried"),
    "LOGIN_DELAY_SECONDS": (2, "the first wait, in seconds; it doubles with each further failure"),
    "LOGIN_DELAY_MAX_SECONDS": (300, "the longest wait between tries of one account, in seconds"),
    "REQUIRE_TWO_STEP_FOR_STAFF": (
        False,
        "staff (administrators, assessors, IQAs, EQAs) must turn two-step verification on at "
        "their next log-in before any other page",
    ),
    "LOGIN_RATE_LIMIT": (
        "60 per minute",
        "log-in attempts accepted from one client address (Flask-Limiter notation)",
    ),
    "LOGIN_FAILURE_LIMIT": (
        "10 per minute; 50 per hour",
        "failed log-ins accepted from one client address, whatever the accounts",
    ),
    "API_RATE_LIMIT": (
        "600 per minute; 10000 per hour",
        "requests accepted from one API token (or, without one, one client address)",
    ),
    "PASSWORD_RESET_RATE_LIMIT": (
        "5 per 15 minutes",
        "requests for a password-reset e-mail accepted from one client address",
    ),
    "WITNESS_RATE_LIMIT": (
        "20 per hour",
        "witness-confirmation e-mails asked for, and witnesses' answers sent, from one client "
        "address",
    ),
    "PROXY_HOPS": (
        0,
        "reverse proxies in front of the app whose X-Forwarded-For is trusted (rate limits "
        "count by client address)",
    ),
    "PASSWORD_RESET_MINUTES": (60, "how long a password-reset link works"),
    "BASE_URL": (
        None,
        "the site's address for links in e-mails, e.g. `https://portfolio.example`; without it no "
        "notification e-mail is sent (`portfolio serve` uses its own outside production)",
    ),
    "MAIL_HOST": (
        None,
        "SMTP server for e-mail (password resets, notifications, witnesses); unset: none is sent",
    ),
    "MAIL_PORT": (25, "SMTP port"),
    "MAIL_SENDER": ("portfolio@localhost", "the From address of e-mail"),
    "MAIL_STARTTLS": (False, "upgrade the SMTP connection with STARTTLS"),
    "MAIL_USERNAME": (None, "SMTP user name, when the server needs a log-in"),
    "MAIL_PASSWORD": (None, "SMTP password"),
    "PRIVACY_IDENTIFIERS": (
        None,
        "the centre's own identifiers the personal-data scan reports, as `KIND=REGEX` pairs "
        "separated by `;`, e.g. `client_ref=CR-\\d{6}`",
    ),
    "RETENTION_EVIDENCE_YEARS": (
        3,
        "years evidence content and files are kept after the learner completes or leaves",
    ),
    "RETENTION_FRAMEWORK_YEARS": (
        None,
        "other periods for some frameworks, as `CODE=YEARS` pairs separated by `;`, e.g. `SE=5`",
    ),
}


def _coerce(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    return value


def from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings read from ``environ`` (default ``os.environ``), defaults filled in."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for key, (default, _help) in SETTINGS.items():
        raw = env.get(PREFIX + key)
        config[key] = default if raw is None or raw == "" else _coerce(raw, default)
    return config


def centre_unnamed(config: dict[str, Any]) -> bool:
    """Whether the centre kept the default name (``PORTFOLIO_CENTRE_NAME`` never set), which its
    sign-off records, badges and e-mail would then carry."""
    return str(config.get("CENTRE_NAME") or "") == str(SETTINGS["CENTRE_NAME"][0])


def site_unaddressed(config: dict[str, Any]) -> bool:
    """Whether the site runs in production without its address (``PORTFOLIO_BASE_URL``): each
    Open Badge made at a sign-off then names, and is signed with, the address of the request
    that made it (whatever address it came in on), for good; no e-mail with a link is sent."""
    return config.get("ENV") == "production" and not config.get("BASE_URL")


SITE_UNADDRESSED = (
    "Without PORTFOLIO_BASE_URL (the site's address), each Open Badge made at a sign-off names, "
    "and is signed with, the address of the request that made it, for good: whatever address "
    "that request came in on; and no e-mail with a link (password reset, invitation, witness, "
    "notification) is sent. Set PORTFOLIO_BASE_URL to the site's address, for example "
    "https://portfolio.example.org."
)


def framework_years(spec: str | None) -> dict[str, int]:
    """``SE=5; ML=7`` -> {"SE": 5, "ML": 7}; ValueError with the reason otherwise."""
    years: dict[str, int] = {}
    for part in (spec or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        code, sep, value = part.partition("=")
        if not sep or not code.strip() or not value.strip().isdigit():
            raise ValueError(f"“{part.strip()}”: write CODE=YEARS (whole years)")
        years[code.strip()] = int(value)
    return years


def _check_privacy(config: dict[str, Any]) -> None:
    """A bad identifier or retention period stops the start, with the reason."""
    from portfolio.errors import Invalid
    from portfolio.privacy.scan import centre_identifiers, parse_identifiers

    try:
        centre_identifiers(parse_identifiers(config.get("PRIVACY_IDENTIFIERS") or ""))
    except Invalid as exc:
        raise RuntimeError(f"PORTFOLIO_PRIVACY_IDENTIFIERS: {exc}") from None
    try:
        framework_years(config.get("RETENTION_FRAMEWORK_YEARS"))
    except ValueError as exc:
        raise RuntimeError(f"PORTFOLIO_RETENTION_FRAMEWORK_YEARS: {exc}") from None
    years = config.get("RETENTION_EVIDENCE_YEARS", SETTINGS["RETENTION_EVIDENCE_YEARS"][0])
    if not str(years).isdigit() or int(years) < 1:
        raise RuntimeError(
            "PORTFOLIO_RETENTION_EVIDENCE_YEARS: give a whole number of years, 1 or more."
        )


def _check_keys(config: dict[str, Any]) -> None:
    """A value of PORTFOLIO_ENCRYPTION_KEYS that is not a list of keys stops the start."""
    from portfolio.sealing import parse_keys

    try:
        parse_keys(config.get("ENCRYPTION_KEYS"))
    except ValueError as exc:
        raise RuntimeError(f"PORTFOLIO_ENCRYPTION_KEYS: {exc}") from None


def finish(config: dict[str, Any]) -> dict[str, Any]:
    """Fill in paths derived from the instance folder and check production safety."""
    instance = Path(config.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    config["INSTANCE_PATH"] = str(instance)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'portfolio.sqlite3'}"
    if not config.get("FILE_STORE"):
        config["FILE_STORE"] = str(instance / "files")
    config["SIGNING_KEY"] = str(instance / SIGNING_KEY_FILE)  # made by `portfolio init`
    if not config.get("TRUSTED_CENTRES"):
        config["TRUSTED_CENTRES"] = str(instance / "trusted-centres")
    zone = config.get("TIME_ZONE") or "Europe/London"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(
            f"Unknown time zone “{zone}” in PORTFOLIO_TIME_ZONE: give an IANA name such as "
            "Europe/London."
        ) from None
    config["TIME_ZONE"] = zone
    _check_privacy(config)
    _check_keys(config)
    if config.get("ENV") == "production" and config.get("SECRET_KEY") in (None, DEFAULT_SECRET_KEY):
        raise RuntimeError(
            "Refusing to start in production with the default secret key: "
            "set PORTFOLIO_SECRET_KEY to a long random value."
        )
    return config
