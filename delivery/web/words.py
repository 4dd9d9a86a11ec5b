"""Words people use: dates and times in the centre's time zone, waiting times, what the audit
trail's actions, a file's type and a claim's status are called; no codes, ids or ISO timestamps.

One Jinja filter formats every date and time on ordinary pages (``{{ value|when }}``): a date as
"3 Dec 2026", a moment as "3 Dec 2026, 08:10" in the centre's time zone (``TIME_ZONE``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from mappings.assessment.words import claim_state, method_words
from mappings.quality.words import (
    RECORD_WORDS,
    gap_words,
    gaps_words,
    sample_kind,
    sample_kind_phrase,
    sample_label,
)
from portfolio.markdown import plain_words
from portfolio.words import (
    ROLE_WORDS,
    count_words,
    day_words,
    file_type,
    last_day,
    local,
    moment_words,
    number,
    plain,
    role_words,
    size_words,
)

__all__ = [
    "ROLE_WORDS", "claim_state", "day_words", "file_type", "gap_words", "gaps_words", "local",
    "method_words", "moment_words", "plain", "role_words", "sample_kind", "sample_kind_phrase",
    "sample_label",
]  # fmt: skip

# the audit trail's actions, as a sentence about what happened
ACTIONS = {
    "audit.baseline": "Audit trail started",
    "auth.confirm": "Password given again (for a recent sign-in)",
    "auth.login": "Logged in",
    "auth.logout_everywhere": "Logged out everywhere",
    "badge.issue": "Open Badge issued",
    "bundle.import": "Imported from a portfolio bundle",
    "claim.decide": "Decision recorded",
    "claims.reopen": "Claims put back for a decision (a new version was submitted)",
    "cohort.create": "Cohort created",
    "cohort.close": "Cohort closed (offered to no new registration)",
    "cohort.reopen": "Cohort reopened",
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
    "export.delete": "Export file deleted (it may hold an erased person's data)",
    "export.retry": "Export tried again",
    "framework.import": "Framework loaded",
    "framework.rules": "Coverage rules changed",
    "framework.add_standards": "Standards added to the framework",
    "framework.vocabulary": "Framework's vocabulary for suggestions replaced",
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
    "person.invited": "Invited to set their password",
    "person.password_reset": "Password reset by an administrator",
    "person.password_reset_by_link": "Password reset by e-mail link",
    "person.password_reset_requested": "Password reset asked for",
    "person.remove": "Account removed",
    "person.update": "Details changed by an administrator",
    "person.uln": "Unique learner number (ULN) given or changed",
    "person.two_step_on": "Two-step verification turned on",
    "person.two_step_off": "Two-step verification turned off",
    "person.two_step_reset": "Two-step verification reset by an administrator",
    "person.erase": "Personal data erased on request",
    "evidence.erase": "Content and files erased",
    "evidence.discard": "Draft discarded by its author",
    "privacy.backfill": "Stored evidence checked for personal data",
    "privacy.subject_access": "Everything held about the person downloaded",
    "retention.apply": "Retention rules applied",
    "registration.create": "Registered on a framework",
    "registration.update": "Registration changed",
    "registration.awarding_body_ref": "Awarding body registration number given or changed",
    "registration.withdraw": "Learner withdrawn",
    "registration.reinstate": "Withdrawal undone: registration reinstated",
    "registration.break_start": "Break in learning started",
    "registration.break_end": "Break in learning ended: planned end moved later",
    "standard.declaration": "Learner's declaration confirmed",
    "plan.set": "Assessment plan set",
    "plan.edit": "Assessment plan changed",
    "plan.done": "Assessment plan marked done",
    "plan.close": "Assessment plan closed",
    "plan.link": "Evidence written for an assessment plan",
    "plan.move": "Assessment plan's due date moved on by a break in learning",
    "reading.retry": "Attachment read again",
    "standard.reopen": "Standard reopened",
    "standard.signoff": "Standard signed off",
    "two_step.sealed": "Stored two-step secrets encrypted",
    "token.create": "API token made",
    "token.revoke": "API token withdrawn",
    "lti.platform_add": "VLE added for launches",
    "lti.platform_remove": "VLE removed",
    "lti.link": "Linked to a VLE account by an administrator",
    "lti.unlink": "VLE accounts unlinked",
    "lti.launch": "Launched from a VLE",
    "witness.request": "Witness asked by e-mail to confirm the testimony",
    "witness.answer": "The witness answered through the e-mailed link",
}
# an assessor's status sets how much of their work the IQA samples (mappings/quality/sampling.py)
# "standard" is the sampling strategy's usual rate, not a standard of a framework: "experienced"
# in sentences ("quota of an experienced assessor"); a page's value says it with a capital
ASSESSOR_STATUSES = {"new": "new", "standard": "experienced", "under_review": "under review"}
# stored statuses and outcomes (people, registrations, sign-offs, IQA actions and reviews, plans)
STATUSES = {
    "active": "Active",
    "inactive": "Inactive",
    "on a break": "On a break",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "learner erased": "Ended: the learner's personal data was erased",
    # a sign-off's, an IQA action's and a review's, in the one place the documents take them too
    **RECORD_WORDS,
    "done": "Done",
    "not reviewed": "Not reviewed",
}
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
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def centre_zone() -> ZoneInfo:
    """The centre's time zone (``TIME_ZONE``), which services that say a day are given."""
    return ZoneInfo(current_app.config.get("TIME_ZONE") or "Europe/London")


_zone = centre_zone


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


def day_of(moment: datetime) -> str:
    """The day of ``moment`` in the centre's time zone, without the time: "3 Dec 2026"."""
    return day_words(local(moment, _zone()).date())


def grant_last_day(end: datetime | None) -> str:
    """The last day of a period ending at midnight after it, in the centre's time zone."""
    return last_day(end, _zone())


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


def status_words(value: str | None) -> str:
    """A stored status or outcome in words: "signed" -> "Signed off", "disagree" -> "Disagreed";
    one not in the map with its first letter in capitals and spaces for underscores."""
    if not value:
        return "—"
    text = STATUSES.get(value) or value.replace("_", " ")
    return text[:1].upper() + text[1:]


def format_words(fmt: str | None) -> str:
    return FORMATS.get(fmt or "", fmt or "—")


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Reflective account" -> "reflective account", but an acronym
    keeps its capitals: "STAR narrative" stays (``|lower`` made it "star narrative")."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def new_kind(label: str) -> str:
    """A button or heading for a new item of a kind: "New reflective account"; the kind "Other"
    is "New item of another kind" (it said "New other")."""
    return "New item of another kind" if label == "Other" else f"New {in_sentence(label)}"


# the facts a CASE package brings whose field names do not read as words on their own
FACT_LABELS = {
    "case_version": "CASE version",
    "lastChangeDateTime": "Last changed",
    "other_associations": "Other links between its items",
}


def label_words(key: str) -> str:
    """A field's name as a label: "adoptionStatus" or "date_approved" -> "Adoption status"."""
    if key in FACT_LABELS:
        return FACT_LABELS[key]
    text = _CAMEL.sub(" ", key).replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower()


_ASSOCIATION = re.compile(r"\b([a-z]+(?:[A-Z][a-z]*)+|[a-z]+)(?=: \d)")


def association_words(text: str) -> str:
    """CASE's association types in a framework's facts as words: "exactMatchOf: 16,
    isRelatedTo: 2" -> "exact match of: 16, related to: 2"."""

    def words(match: re.Match[str]) -> str:
        said = _CAMEL.sub(" ", match.group(1)).lower()
        return said.removeprefix("is ").removeprefix("has ")

    return _ASSOCIATION.sub(words, text)


def fact_words(value: object, key: str = "") -> object:
    """A value of a framework's facts: an ISO date or time in words, CASE's association types
    in words, anything else as it is."""
    if key == "other_associations" and isinstance(value, str):
        return association_words(value)
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
        ("count_words", count_words),  # "1 decision", "5 decisions": never "decision(s)"
        ("number", number),  # "1,812": thousands by commas, as count_words says them
        ("day_of", day_of),
        ("waited", waited),
        ("last_day", grant_last_day),
        ("action_words", action_words),
        ("claim_state", claim_state),
        ("method_words", method_words),
        ("sample_label", sample_label),
        ("sample_kind", sample_kind),
        ("sample_kind_phrase", sample_kind_phrase),
        ("format_words", format_words),
        ("file_type", file_type),
        ("size_words", size_words),  # "17.6 MB", "657 bytes": as the bundle says a file's size
        ("plain", plain),
        ("role_words", role_words),
        ("gap_words", gap_words),
        ("gaps_words", gaps_words),
        ("label_words", label_words),
        ("in_sentence", in_sentence),
        ("new_kind", new_kind),
        ("status_words", status_words),
        ("fact_words", fact_words),
        ("quote_words", plain_words),
    ):
        app.add_template_filter(function, name)
