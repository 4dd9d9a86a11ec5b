"""The audit trail's entries in words, for the administrators' search page and its CSV: when,
who, what, about what (with a link where the administrator may open it) and a short summary of
the entry's data (never JSON, hashes or ISO timestamps). Where the person an entry is about has
had their personal data erased, the text the entry kept about them shows as erased."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import url_for

from delivery.web.words import action_words, fact_words, label_words, role_words, when
from mappings.assessment.words import decision_words, method_words
from mappings.privacy.requests import PLACEHOLDER_REASON
from portfolio.models import AuditCheck, AuditEntry
from portfolio.services.audit_search import Related
from portfolio.words import kind_words, moment_words

SYSTEM = "System"
ERASED = PLACEHOLDER_REASON  # "(erased)", as a withdrawn learner's reason shows once erased
SUMMARY_LIMIT = 200
_HEX = re.compile(r"^[0-9a-f]{32,}$")
_ID = re.compile(r"(^|_)ids?$")
# codes some entries keep, as the pages say them
_CODES = {"kind": kind_words, "evidence_kind": kind_words, "method": method_words}
# lists of criteria's row ids, counted ("2 criteria added"): an id means nothing to a reader
_CRITERIA = {"criteria": "{n}", "added": "{n} added", "removed": "{n} removed"}
_SECRET_KEYS = ("hash", "sha256", "digest", "secret", "token", "fingerprint")
# what an entry is about, when no page of it is linked
SUBJECTS = {
    "assessment_plan": "An assessment plan",
    "attachment": "An attachment",
    "badge": "An Open Badge",
    "claim": "A claim",
    "cohort": "A cohort",
    "eqa_access": "External QA access",
    "evidence": "An evidence item",
    "exportjob": "An export",
    "framework": "A framework",
    "iqa_action": "An IQA action",
    "iqa_cycle": "A sampling cycle",
    "iqa_sample": "An IQA sample",
    "iqa_strategy": "The sampling strategy",
    "learner_declaration": "A learner's declaration",
    "lti_platform": "A VLE",
    "person": "A person",
    "registration": "A registration",
    "signoff": "A sign-off",
    "two_step": "Two-step verification",
}


@dataclass(frozen=True)
class TrailRow:
    """One entry as the page shows it."""

    when: str
    who: str
    who_url: str | None
    what: str
    about: str
    about_url: str | None
    summary: str


def who_of(entry: AuditEntry, names: Related) -> tuple[str, str | None]:
    if entry.actor_id is None:
        return SYSTEM, None
    person = names.people.get(entry.actor_id)
    if person is None:
        return "Someone no longer held", None
    return person.name, url_for("admin.person", person_id=entry.actor_id)


def about_of(entry: AuditEntry, names: Related) -> tuple[str, str | None]:
    """What the entry is about in words, with the administrator's page of it where there is one
    (the evidence pages are for the learner's assessors: the learner's page is linked; so is the
    person anything else belongs to: "A claim (Bob Smith)")."""
    kind, sid = entry.subject_type, entry.subject_id
    learner = names.learner_of(entry)
    if kind == "person" and learner is not None:
        return learner.name, url_for("admin.person", person_id=sid)
    if kind == "registration" and learner is not None and sid is not None:
        return f"Registration of {learner.name}", url_for("admin.registration", registration_id=sid)
    if kind == "evidence" and learner is not None:
        return f"Evidence of {learner.name}", url_for("admin.person", person_id=learner.id)
    words = SUBJECTS.get(kind) or label_words(kind)
    if learner is not None:  # a claim, a sign-off, a sample...: whose it is
        return f"{words} ({learner.name})", url_for("admin.person", person_id=learner.id)
    return (words if sid is not None or kind == "two_step" else f"{words} (several)"), None


def _value(value: object, erased: bool) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return when(value)
    if isinstance(value, str):
        if _HEX.match(value):
            return None
        shown = fact_words(value)
        if shown != value:  # a date or a moment, in words
            return str(shown)
        return ERASED if erased else value
    if isinstance(value, dict):
        if set(value) == {"old", "new"}:
            old, new = _value(value["old"], erased), _value(value["new"], erased)
            return f"{old or 'none'} → {new or 'none'}"
        return summary_of(value, erased) or None
    if isinstance(value, list | tuple):
        parts = [p for p in (_value(v, erased) for v in value[:5]) if p]
        if len(parts) < min(len(value), 5) or any(isinstance(v, dict) for v in value):
            return f"{len(value)} item{'s' if len(value) != 1 else ''}"
        more = f" and {len(value) - 5} more" if len(value) > 5 else ""
        return ", ".join(parts) + more
    return None


def _roles(value: object) -> object:
    """Roles as people say them, also in an old and new pair: "assessor,iqa" -> "Assessor,
    internal quality assurer"."""
    if isinstance(value, dict):
        return {k: _roles(v) for k, v in value.items()}
    if isinstance(value, str | list):
        return role_words(value) or None
    return value


def summary_of(data: dict[str, object], erased: bool = False, action: str = "") -> str:
    """An entry's data in a line of words: "Email: ann@example.org; Roles: Learner"; a
    decision as the pages say it ("Decision: awaiting decision → accepted")."""
    parts = []
    if action == "claim.decide" and isinstance(data.get("to"), str):
        old, new = str(data.get("from") or "claimed"), str(data["to"])
        parts.append(f"Decision: {decision_words(old, new)}")
        data = {k: v for k, v in data.items() if k not in ("from", "to")}
    for key, value in data.items():
        if any(word in key.lower() for word in _SECRET_KEYS) or _ID.search(key):
            continue  # fingerprints, and rows' ids: the "about" column names the subject
        if _criteria_ids(key, value, action):
            assert isinstance(value, list)
            n = f"{len(value)} criteri{'on' if len(value) == 1 else 'a'}"
            parts.append(_CRITERIA[key].format(n=n))
            continue
        if key == "roles":
            value = _roles(value)
        elif key in _CODES and isinstance(value, str):
            value = _CODES[key](value)
        shown = _value(value, erased)
        if shown:
            parts.append(f"{label_words(key)}: {shown}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _criteria_ids(key: str, value: object, action: str) -> bool:
    """Whether ``value`` is a list of criteria's ids: a plan's criteria, or those a mapping added
    or removed."""
    if key not in _CRITERIA or not isinstance(value, list) or not value:
        return False
    if key != "criteria" and action != "evidence.map":
        return False
    return all(isinstance(v, int) for v in value)


def erased_subject(entry: AuditEntry, names: Related) -> bool:
    """Whether the person the entry is about has had their personal data erased."""
    person = names.learner_of(entry)
    return person is not None and person.erased_at is not None


def trail_row(entry: AuditEntry, names: Related) -> TrailRow:
    who, who_url = who_of(entry, names)
    about, about_url = about_of(entry, names)
    return TrailRow(
        when=when(entry.at),
        who=who,
        who_url=who_url,
        what=action_words(entry.action),
        about=about,
        about_url=about_url,
        summary=summary_of(entry.data or {}, erased_subject(entry, names), entry.action),
    )


@dataclass(frozen=True)
class CheckWords:
    """When the trail was last checked, in a sentence (a command in backquotes, shown as code);
    ``broken`` when that check found it so, with its first finding."""

    text: str
    broken: bool = False
    finding: str = ""


def check_words(check: AuditCheck | None, zone: ZoneInfo) -> CheckWords:
    """ "The trail was last checked on 6 Dec 2026, 23:40: 1,204 entries, unbroken." (the moment
    said as every other page says it)."""
    if check is None:
        return CheckWords("The trail has not been checked yet: run `portfolio audit verify`.")
    on = moment_words(check.at, zone)
    counted = f"{check.entries:,} entr{'y' if check.entries == 1 else 'ies'}"
    if check.intact:
        return CheckWords(f"The trail was last checked on {on}: {counted}, unbroken.")
    many = f"{check.findings:,} problem{'' if check.findings == 1 else 's'}"
    return CheckWords(
        f"Warning: the trail was broken when last checked, on {on} ({counted}): {many}. "
        "Run `portfolio audit verify` to list them.",
        broken=True,
        finding=check.first_finding,
    )
