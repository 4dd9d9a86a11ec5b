"""Words people use: dates and times in the centre's time zone, waiting times, what the audit
trail's actions, a file's type and a claim's status are called; no codes, ids or ISO timestamps.

One Jinja filter formats every date and time on ordinary pages (``{{ value|when }}``): a date as
"3 Dec 2026", a moment as "3 Dec 2026, 08:10" in the centre's time zone (``TIME_ZONE``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from mappings.assessment.coverage import DEFAULT_METHODS
from portfolio.models.evidence import KINDS

# the audit trail's actions, as a sentence about what happened
ACTIONS = {
    "audit.baseline": "Audit trail started",
    "auth.login": "Logged in",
    "auth.logout_everywhere": "Logged out everywhere",
    "badge.issue": "Open Badge issued",
    "bundle.import": "Imported from a portfolio bundle",
    "claim.decide": "Decision recorded",
    "claims.reopen": "Claims put back for a decision (a new version was submitted)",
    "cohort.create": "Cohort created",
    "eqa.grant": "External QA access granted",
    "eqa.revoke": "External QA access withdrawn",
    "evidence.create": "Draft created",
    "evidence.edit": "Edited",
    "evidence.comment": "Comment added",
    "evidence.attach": "File attached",
    "evidence.submit": "Submitted for assessment",
    "evidence.map": "Criteria mapped",
    "evidence.privacy_confirm": "Personal data confirmed as intended",
    "evidence.judge": "VACSR judgement recorded",
    "export.queue": "Export started",
    "export.retry": "Export tried again",
    "framework.import": "Framework loaded",
    "framework.rules": "Coverage rules changed",
    "iqa.action.close": "IQA action closed",
    "iqa.action.respond": "Response to an IQA action",
    "iqa.cycle.create": "Sampling cycle created",
    "iqa.plan": "Sampling plan made",
    "iqa.review": "Sample reviewed",
    "iqa.sample.add": "Sample added",
    "iqa.sample.drop": "Sample dropped",
    "iqa.strategy": "Sampling strategy changed",
    "person.create": "Account created",
    "person.password_change": "Password changed",
    "person.password_reset": "Password reset by an administrator",
    "person.password_reset_by_link": "Password reset by e-mail link",
    "person.password_reset_requested": "Password reset asked for",
    "person.remove": "Account removed",
    "person.erase": "Personal data erased on request",
    "evidence.erase": "Content and files erased",
    "privacy.backfill": "Stored evidence checked for personal data",
    "privacy.subject_access": "Everything held about the person downloaded",
    "retention.apply": "Retention rules applied",
    "registration.create": "Registered on a framework",
    "registration.update": "Registration changed",
    "standard.declaration": "Learner's declaration confirmed",
    "standard.reopen": "Standard reopened",
    "standard.signoff": "Standard signed off",
}
CLAIM_STATES = {"claimed": "awaiting decision", "accepted": "accepted", "referred": "referred"}
FORMATS = {
    "nos-text": "NOS text",
    "nos-docx": "NOS Word document",
    "nos-page": "NOS page text",
    "nos-json": "NOS database record",
    "topic-guide": "topic guide",
    "case": "CASE package",
    "csv": "CSV",
    "json": "portfolio JSON export",
}
FILE_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "text/plain": "text",
    "text/markdown": "Markdown",
}
# an assessment method's code ("WT") as people say it; a framework's own methods are named by its
# rules where the page knows the framework (the evidence page), these are the usual ones
METHODS = {code: name[:1].upper() + name[1:] for code, name in DEFAULT_METHODS}
SAMPLE_KINDS = {"interim": "Interim (before sign-off)", "summative": "Summative (after sign-off)"}
# roles as people say them
ROLE_WORDS = {
    "admin": "administrator",
    "assessor": "assessor",
    "iqa": "internal quality assurer",
    "learner": "learner",
    "eqa": "external quality assurer",
}
# what an IQA plan's gap names ("CAMERA: method P"), in words
GAP_LABELS = {
    "cohort": "Cohort",
    "assessor": "Assessor",
    "method": "Method",
    "evidence": "Kind of evidence",
    "record": "Record",
    "site": "Site",
    "standard": "Standard",
}
_GAP = re.compile(r"^(?:CAMERA|coverage): (\w+) (.*)$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ID = re.compile(r" \(#\d+\)")
_KIND = re.compile(r"\b(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")\b")


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIME_ZONE") or "Europe/London")


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (aware, or naive UTC as the database gives it back) in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


# what strftime's %b gives without a locale set (Python never sets one): a page shows dozens
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: date) -> str:
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def moment_words(moment: datetime, zone: ZoneInfo) -> str:
    """ "3 Dec 2026, 08:10" in ``zone``."""
    here = local(moment, zone)
    return f"{here.day} {MONTHS[here.month]} {here.year}, {here.hour:02d}:{here.minute:02d}"


def clock(moment: datetime) -> str:
    """The time of day of ``moment`` in the centre's time zone: "14:05"."""
    return local(moment, _zone()).strftime("%H:%M")


def when(value: date | datetime | None, empty: str = "—") -> str:
    """The one filter for dates and times on pages."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        return moment_words(value, _zone())
    return day_words(value)


def last_day(end: datetime | None) -> str:
    """The last day inside a period that ends (exclusive) at midnight UTC after it, as an
    administrator chose it: access "until 10 Dec 2026" ends at 11 Dec 2026, 00:00 UTC."""
    if end is None:
        return "—"
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return day_words((end.astimezone(UTC) - timedelta(microseconds=1)).date())


def waited(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, in the words a person would say: "3 days", "5 hours"."""
    now = now or datetime.now(UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    seconds = max(0.0, (now - since).total_seconds())
    if seconds < 3600:
        return "under an hour"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''}"


def action_words(code: str) -> str:
    """What an audit action is called: "evidence.create" -> "Draft created"."""
    return ACTIONS.get(code) or code.replace(".", " ").replace("_", " ").capitalize()


def claim_state(status: str) -> str:
    return CLAIM_STATES.get(status, status)


def method_words(code: str | None) -> str:
    """ "WT" -> "Witness testimony"; an unknown code is shown as it is, none as "—"."""
    return METHODS.get(code or "", code or "—")


def sample_label(position: int, learner: str = "") -> str:
    """An IQA sample as people name it: "Sample 12 — Lena Learner" (not the planner's "S12")."""
    return f"Sample {position} — {learner}" if learner else f"Sample {position}"


def sample_kind(kind: str) -> str:
    return SAMPLE_KINDS.get(kind, kind)


def format_words(fmt: str | None) -> str:
    return FORMATS.get(fmt or "", fmt or "—")


def file_type(mime: str) -> str:
    """ "application/pdf" -> "PDF"; images, audio and video by their family."""
    if mime in FILE_TYPES:
        return FILE_TYPES[mime]
    family = mime.split("/", 1)[0]
    return {"image": "image", "audio": "audio", "video": "video", "text": "text"}.get(
        family, "file"
    )


def plain(text: str) -> str:
    """Text made by the system (a sampling reason, an assessor's label) without ids or codes:
    "Asa Assessor (#2)" -> "Asa Assessor", "reflective_account" -> "reflective account"."""
    text = _ID.sub("", text)
    return _KIND.sub(lambda m: KINDS[m.group(1)].lower(), text)


def role_words(roles: str | frozenset[str] | set[str] | list[str]) -> str:
    """ "assessor,iqa" -> "Assessor, internal quality assurer"."""
    items = roles.split(",") if isinstance(roles, str) else sorted(roles)
    text = ", ".join(ROLE_WORDS.get(r, r) for r in items if r)
    return text[:1].upper() + text[1:]


def gap_words(text: str) -> str:
    """What an IQA plan still lacks, in words: "CAMERA: method P" -> "Method “Observation”",
    "rate: Asa Assessor (#2) (new, 100%) has 0 of 1 samples" -> "Asa Assessor (new, 100%)..."."""
    text = plain(text)
    if text.startswith("rate: "):
        return text.removeprefix("rate: ")
    found = _GAP.match(text)
    if found is None:
        return text
    label, value = found.groups()
    if label == "method":
        value = method_words(value)
    elif label == "record":
        value = sample_kind(value)
    return f"{GAP_LABELS.get(label, label.capitalize())} “{value}”"


def label_words(key: str) -> str:
    """A field's name as a label: "lastChangeDateTime" or "last_change" -> "Last change..."."""
    text = _CAMEL.sub(" ", key).replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower()


def fact_words(value: object) -> object:
    """A value of a framework's facts: an ISO date or time in words, anything else as it is."""
    if isinstance(value, str) and _ISO.match(value.strip()):
        text = value.strip().replace("Z", "+00:00")
        try:
            if len(text) == 10:
                return when(date.fromisoformat(text))
            moment = datetime.fromisoformat(text)
        except ValueError:
            return value
        return when(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return value


def register(app: Flask) -> None:
    for name, function in (
        ("when", when),
        ("waited", waited),
        ("last_day", last_day),
        ("action_words", action_words),
        ("claim_state", claim_state),
        ("method_words", method_words),
        ("sample_label", sample_label),
        ("sample_kind", sample_kind),
        ("format_words", format_words),
        ("file_type", file_type),
        ("plain", plain),
        ("role_words", role_words),
        ("gap_words", gap_words),
        ("label_words", label_words),
        ("fact_words", fact_words),
    ):
        app.add_template_filter(function, name)
