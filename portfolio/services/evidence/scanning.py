"""Scanning evidence for personal data and storing what was found, per version.

A version's body is scanned whenever a draft is saved (synchronously: about 10 ms once the
named-entity model is loaded), an attachment's text once it has been read (by the background
job), and whatever was not scanned yet when the version is submitted. Each scan replaces the
unresolved findings of that text; findings the learner replaced with a placeholder stay as a
record, and a finding the learner confirmed as intended stays confirmed wherever the same text
of the same kind is found again in the item (a later save or version), with who confirmed it
and when. The findings are in :class:`~portfolio.models.privacy.PrivacyFinding`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.models import (
    Attachment,
    AttachmentReading,
    Evidence,
    EvidenceVersion,
    Person,
    PrivacyFinding,
    PrivacyScan,
)
from portfolio.privacy.scan import LABELS, centre_identifiers, parse_identifiers, scan

FINISHED = ("done", "truncated")
Confirmation = tuple[int | None, datetime | None]  # who and when
# the centre's own identifiers (PORTFOLIO_PRIVACY_IDENTIFIERS), set once at start by
# ``delivery.wiring.configure``: every scan of evidence reports them as kinds of their own
_identifiers: dict[str, re.Pattern[str]] = {}


def use_identifiers(spec: str | None) -> Mapping[str, re.Pattern[str]]:
    """Scan evidence for these identifiers of the centre's (``KIND=REGEX; ...``; none: only the
    built-in kinds) from now on in this process; Invalid with the reason for a bad one."""
    compiled = centre_identifiers(parse_identifiers(spec or ""))
    _identifiers.clear()
    _identifiers.update(compiled)
    return dict(compiled)


def identifiers() -> dict[str, re.Pattern[str]]:
    """The centre's identifiers in use."""
    return dict(_identifiers)


def label(kind: str) -> str:
    """A kind in words: "phone number", "name of a person"; a centre's own kind as written."""
    return LABELS.get(kind, kind.replace("_", " "))


def placeholder(kind: str, text: str) -> str:
    """What replaces a finding: a name's initials ("Dean Smith" -> "DS", so "Mr Okafor" becomes
    "Mr O"), any other kind its words in brackets ("[phone number]")."""
    if kind == "name":
        initials = "".join(word[0].upper() for word in text.split() if word[:1].isalpha())
        return initials or "[name]"
    return f"[{label(kind)}]"


def _allowed_names(session: Session, item: Evidence, version: EvidenceVersion) -> list[str]:
    """Names never reported: the learner's own, and a witness testimony's witness."""
    learner = session.get(Person, item.learner_id)
    names = [learner.name] if learner is not None else []
    witness = (version.fields or {}).get("witness_name")
    return names + ([str(witness)] if witness else [])


def _confirmed(session: Session, evidence_id: int) -> dict[tuple[str, str], Confirmation]:
    """What the learner confirmed as intended anywhere in the item: (kind, text) -> who, when."""
    rows = session.exec(
        select(PrivacyFinding)
        .join(EvidenceVersion, col(EvidenceVersion.id) == PrivacyFinding.version_id)
        .where(EvidenceVersion.evidence_id == evidence_id, PrivacyFinding.state == "confirmed")
        .order_by(col(PrivacyFinding.id))
    )
    return {(r.kind, r.text): (r.decided_by, r.decided_at) for r in rows}


def _store(
    session: Session,
    item: Evidence,
    version: EvidenceVersion,
    attachment_id: int | None,
    text: str,
) -> list[PrivacyFinding]:
    findings = scan(text, learner=_allowed_names(session, item, version), identifiers=_identifiers)
    confirmed = _confirmed(session, item.id or 0)
    version_id = version.id or 0
    same_text = [
        col(PrivacyFinding.version_id) == version_id,
        col(PrivacyFinding.attachment_id).is_(None)
        if attachment_id is None
        else col(PrivacyFinding.attachment_id) == attachment_id,
    ]
    # the unresolved and confirmed findings of this text are found again; replaced ones stay
    session.execute(
        delete(PrivacyFinding).where(
            *same_text, col(PrivacyFinding.state).in_(("found", "confirmed"))
        )
    )
    session.execute(
        delete(PrivacyScan).where(
            col(PrivacyScan.version_id) == version_id,
            col(PrivacyScan.attachment_id).is_(None)
            if attachment_id is None
            else col(PrivacyScan.attachment_id) == attachment_id,
        )
    )
    rows = []
    for f in findings:
        who, when = confirmed.get((f.kind, f.text), (None, None))
        rows.append(
            PrivacyFinding(
                version_id=version_id,
                attachment_id=attachment_id,
                kind=f.kind,
                start=f.start,
                end=f.end,
                text=f.text,
                state="confirmed" if when is not None else "found",
                decided_by=who,
                decided_at=when,
            )
        )
    session.add_all(rows)
    session.add(PrivacyScan(version_id=version_id, attachment_id=attachment_id, findings=len(rows)))
    session.flush()
    return rows


def scan_body(session: Session, item: Evidence, version: EvidenceVersion) -> list[PrivacyFinding]:
    """Scan the version's body again and store its findings (flushed)."""
    return _store(session, item, version, None, version.body)


def scan_attachment(session: Session, attachment_id: int, text: str) -> list[PrivacyFinding]:
    """Scan the text read from one attachment and store its findings (flushed)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        return []
    version = session.get(EvidenceVersion, attachment.version_id)
    item = session.get(Evidence, version.evidence_id) if version is not None else None
    if version is None or item is None:
        return []
    return _store(session, item, version, attachment_id, text)


def ensure_scanned(session: Session, item: Evidence, version: EvidenceVersion) -> None:
    """Scan what of the version was not scanned yet: its body, and each attachment whose text
    has been read."""
    scanned = {
        s.attachment_id
        for s in session.exec(select(PrivacyScan).where(PrivacyScan.version_id == version.id))
    }
    if None not in scanned:
        scan_body(session, item, version)
    read = session.exec(
        select(Attachment.id, AttachmentReading.text)
        .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
        .where(
            Attachment.version_id == version.id,
            col(AttachmentReading.status).in_(FINISHED),
        )
        .order_by(col(Attachment.id))
    )
    for attachment_id, text in read:
        if attachment_id not in scanned:
            _store(session, item, version, attachment_id, text)


# built once: every evidence page reads its version's findings and scans
_FINDINGS = select(PrivacyFinding).where(col(PrivacyFinding.version_id) == bindparam("version_id"))
_SCANS = select(PrivacyScan).where(col(PrivacyScan.version_id) == bindparam("version_id"))


def findings_of(session: Session, version_id: int) -> list[PrivacyFinding]:
    """Every finding of a version: the body's first, then by attachment, in order of place."""
    rows = session.exec(_FINDINGS, params={"version_id": version_id})
    return sorted(rows, key=lambda r: (r.attachment_id or 0, r.start, r.id or 0))


def attachment_texts(session: Session, attachment_ids: Sequence[int]) -> dict[int, str]:
    """The text read from each of these attachments (those read so far)."""
    if not attachment_ids:
        return {}
    rows = session.exec(
        select(AttachmentReading.attachment_id, AttachmentReading.text).where(
            col(AttachmentReading.attachment_id).in_(attachment_ids),
            col(AttachmentReading.status).in_(FINISHED),
        )
    )
    return dict(rows.all())


def scans_of(session: Session, version_id: int) -> list[PrivacyScan]:
    return list(session.exec(_SCANS, params={"version_id": version_id}))


_VERSION_ID: BindParameter[int] = bindparam("version_id")
_LAST_SCAN = (
    sa_select(func.max(col(PrivacyScan.scanned_at)).label("at"))
    .where(col(PrivacyScan.version_id) == _VERSION_ID)
    .subquery()
)
# the last scan, then each finding: one row without any (the finding then None)
_SCANNED = (
    select(_LAST_SCAN.c.at, PrivacyFinding)
    .select_from(_LAST_SCAN)
    .outerjoin(PrivacyFinding, col(PrivacyFinding.version_id) == _VERSION_ID)
)


def scanned(session: Session, version_id: int) -> tuple[datetime | None, list[PrivacyFinding]]:
    """When a version was last scanned (None if never) and its findings in the order of
    :func:`findings_of`, in one statement."""
    rows = session.exec(_SCANNED, params={"version_id": version_id}).all()
    found = [f for _, f in rows if f is not None]
    return rows[0][0], sorted(found, key=lambda r: (r.attachment_id or 0, r.start, r.id or 0))


def counted(kinds: Sequence[str]) -> str:
    """ "2 names of people and 1 phone number" (kinds in order of first appearance)."""
    order: dict[str, int] = {}
    for kind in kinds:
        order[kind] = order.get(kind, 0) + 1
    parts = [f"{n} {plural(label(kind), n)}" for kind, n in order.items()]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def plural(words: str, n: int) -> str:
    if n == 1:
        return words
    if words == "name of a person":
        return "names of people"
    if words.endswith("address"):
        return words + "es"
    return words + "s"


def unresolved_message(findings: Sequence[PrivacyFinding]) -> str:
    """The question asked before a version with unresolved findings is submitted."""
    return (
        f"This evidence may name people or hold their personal details "
        f"({counted([f.kind for f in findings])}); replace or confirm each under "
        f"“Personal data” before submitting."
    )


def unresolved(session: Session, version_id: int) -> list[PrivacyFinding]:
    return [f for f in findings_of(session, version_id) if f.state == "found"]
