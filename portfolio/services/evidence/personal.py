"""What the learner does about personal data found in a draft: check it again, replace a
finding with a placeholder (a new save of the draft, in the same transaction) or confirm that it
is intended (recorded with who and when)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portfolio.errors import Conflict, Invalid, NotFound
from portfolio.models import Evidence, EvidenceVersion, PrivacyFinding
from portfolio.models.base import utcnow
from portfolio.services.evidence import scanning
from portfolio.services.evidence.drafts import (
    STAR_SECTIONS,
    Draft,
    current_version,
    for_author,
    log,
    update,
)
from portfolio.services.people import Actor

CHANGED = "The text has changed since it was checked; check it again, then choose."


def _current_draft(
    session: Session, actor: Actor, evidence_id: int
) -> tuple[Evidence, EvidenceVersion]:
    item = for_author(session, actor, evidence_id, lock=True)
    if item.status != "draft":
        raise Invalid(
            "Only a draft is checked for personal data here; edit it to make a new draft."
        )
    return item, current_version(session, item)


def check(session: Session, *, actor: Actor, evidence_id: int) -> list[PrivacyFinding]:
    """Scan the draft's body and its files read so far again; the unresolved findings."""
    item, version = _current_draft(session, actor, evidence_id)
    scanning.scan_body(session, item, version)
    scanning.ensure_scanned(session, item, version)
    return scanning.unresolved(session, version.id or 0)


def _finding(session: Session, version: EvidenceVersion, finding_id: int) -> PrivacyFinding:
    finding = session.get(PrivacyFinding, finding_id)
    if finding is None or finding.version_id != version.id:
        raise NotFound("No such finding in this draft.")
    if finding.state != "found":
        raise Conflict(CHANGED)
    return finding


def _replaced(
    kind: str, body: str, fields: dict[str, str], start: int, end: int, new: str
) -> tuple[str, dict[str, str]]:
    """The editor's text and fields once ``body[start:end]`` (of the stored, composed body) is
    replaced by ``new``. A STAR narrative's body is composed of its sections and any text after
    them (:func:`~portfolio.services.evidence.drafts.compose_body`): the replacement is made in
    the section, or the text after them, that holds it."""
    if kind != "star_narrative":
        return body[:start] + new + body[end:], fields
    fields = dict(fields)
    pos, spans = 0, {}
    for name in STAR_SECTIONS:
        pos += len(f"## {name.title()}\n\n")
        spans[name] = (pos, pos + len(fields.get(name, "")))
        pos = spans[name][1] + 2
    extra = body[pos:]
    for name, (first, last) in spans.items():
        if first <= start and end <= last:
            text = fields.get(name, "")
            fields[name] = text[: start - first] + new + text[end - first :]
            return extra, fields
    if start >= pos:
        return extra[: start - pos] + new + extra[end - pos :], fields
    raise Conflict(CHANGED)


def replace(session: Session, *, actor: Actor, evidence_id: int, finding_id: int) -> str:
    """Put a placeholder in place of one finding of the draft's body and save the draft (which
    scans it again); the finding is kept as replaced, with who and when. The placeholder."""
    item, version = _current_draft(session, actor, evidence_id)
    finding = _finding(session, version, finding_id)
    if finding.attachment_id is not None:
        raise Invalid(
            "This is in an attached file: change the file and attach it again, "
            "or confirm it is intended."
        )
    if version.body[finding.start : finding.end] != finding.text:
        raise Conflict(CHANGED)
    new = scanning.placeholder(finding.kind, finding.text)
    body, fields = _replaced(
        item.kind,
        version.body,
        {k: str(v) for k, v in (version.fields or {}).items()},
        finding.start,
        finding.end,
        new,
    )
    finding.state, finding.placeholder = "replaced", new
    finding.decided_by, finding.decided_at = actor.id, utcnow()
    session.add(finding)
    session.flush()
    update(
        session,
        actor=actor,
        evidence_id=evidence_id,
        expected_version=item.current_version,
        draft=Draft(
            kind=item.kind,
            title=version.title,
            activity_date=version.activity_date,
            body=body,
            fields=fields,
        ),
    )
    return new


def confirm(session: Session, *, actor: Actor, evidence_id: int, finding_id: int) -> int:
    """Record that a finding is intended (who and when); the same text of the same kind
    elsewhere in the draft is confirmed with it. How many findings were confirmed."""
    item, version = _current_draft(session, actor, evidence_id)
    finding = _finding(session, version, finding_id)
    now = utcnow()
    same = session.exec(
        select(PrivacyFinding).where(
            PrivacyFinding.version_id == version.id,
            PrivacyFinding.state == "found",
            PrivacyFinding.kind == finding.kind,
            col(PrivacyFinding.text) == finding.text,
        )
    ).all()
    for row in same:
        row.state, row.decided_by, row.decided_at = "confirmed", actor.id, now
        session.add(row)
    session.flush()
    # the audit trail says what kind was confirmed, never the personal data itself
    log(
        session,
        actor,
        item,
        "evidence.privacy_confirm",
        {"version": version.number, "kind": finding.kind, "findings": len(same)},
    )
    return len(same)
