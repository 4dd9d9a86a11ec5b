"""What the evidence page shows about personal data: the body with each finding marked in place,
the findings with what the learner may do about them, and, for everyone who reads the item,
whether it was scanned and what the learner confirmed. Prepared here; the template only loops."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from portfolio.models import Attachment, Evidence, EvidenceVersion, Person, PrivacyFinding
from portfolio.services.evidence import scanning

CONTEXT = 40  # characters each side of a finding in a file's text


@dataclass(frozen=True)
class FindingRow:
    id: int
    kind: str  # in words: "phone number"
    code: str  # the detector's kind ("phone"), for counting; never shown
    text: str
    state: str  # found | replaced | confirmed
    where: str  # "the text" or the file's name
    in_body: bool
    placeholder: str  # what "Replace" puts in its place (or put, once replaced)
    before: str = ""  # a file's text around it (the body is shown whole)
    after: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Segment:
    text: str
    finding: FindingRow | None = None


@dataclass
class PrivacyView:
    scanned_at: datetime | None
    findings: list[FindingRow] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)  # the body, findings marked
    can_act: bool = False  # the author, on the current draft
    summary: str = ""  # "1 name of a person confirmed as intended"
    being_read: list[str] = field(default_factory=list)  # files whose text is not read yet

    @property
    def being_read_words(self) -> str:
        """ "shift log.txt is still being read: it is checked once read." (else "")"""
        if not self.being_read:
            return ""
        names = self.being_read
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        if len(names) == 1:
            return f"{listed} is still being read: it is checked once read."
        return f"{listed} are still being read: they are checked once read."

    @property
    def unresolved(self) -> list[FindingRow]:
        return [f for f in self.findings if f.state == "found"]

    @property
    def confirmed(self) -> list[FindingRow]:
        return [f for f in self.findings if f.state == "confirmed"]

    @property
    def marked(self) -> bool:
        """Whether the page shows the body with its findings marked (the author's draft)."""
        return self.can_act and any(s.finding and s.finding.state == "found" for s in self.segments)


def _summary(rows: list[FindingRow], scanned: bool, reading: bool = False) -> str:
    """ "1 name of a person confirmed as intended; 2 replaced with placeholders"; nothing found
    while a file is still being ``reading``: "no personal data found so far"."""
    if not scanned:
        return ""
    parts = []
    confirmed = [r.code for r in rows if r.state == "confirmed"]
    replaced = [r for r in rows if r.state == "replaced"]
    left = [r.code for r in rows if r.state == "found"]
    if confirmed:
        parts.append(f"{scanning.counted(confirmed)} confirmed as intended")
    if replaced:
        n = len(replaced)
        parts.append(f"{n} replaced with {'a placeholder' if n == 1 else 'placeholders'}")
    if left:
        parts.append(f"{scanning.counted(left)} not yet replaced or confirmed")
    if parts:
        return "; ".join(parts)
    return "no personal data found so far" if reading else "no personal data found"


def privacy_view(
    session: Session,
    *,
    item: Evidence,
    version: EvidenceVersion,
    can_edit: bool,
    attachments: Sequence[Attachment] | None = None,
    readings: Mapping[int, str] | None = None,
) -> PrivacyView:
    """What the page says about personal data in ``version``; ``attachments``, its files, when
    the page has them already (else they are read here); ``readings``, the status of the
    reading of each file's text by attachment id (a pending one is not checked yet)."""
    scanned_at, rows = scanning.scanned(session, version.id or 0)
    if attachments is None:
        attachments = session.exec(
            select(Attachment).where(Attachment.version_id == version.id)
        ).all()
    files = {a.id: a for a in attachments}
    texts = scanning.attachment_texts(session, [i for i in files if i is not None])
    deciders = {r.decided_by for r in rows if r.decided_by}
    names = (
        {p.id: p.name for p in session.exec(select(Person).where(col(Person.id).in_(deciders)))}
        if deciders
        else {}
    )
    findings = []
    for r in rows:
        in_body = r.attachment_id is None
        before = after = ""
        if not in_body:
            text = texts.get(r.attachment_id or 0, "")
            if text[r.start : r.end] == r.text:
                before = text[max(0, r.start - CONTEXT) : r.start]
                after = text[r.end : r.end + CONTEXT]
        attachment = files.get(r.attachment_id)
        findings.append(
            FindingRow(
                id=r.id or 0,
                kind=scanning.label(r.kind),
                code=r.kind,
                text=r.text,
                state=r.state,
                where="the text" if in_body else (attachment.filename if attachment else "a file"),
                in_body=in_body,
                placeholder=r.placeholder or scanning.placeholder(r.kind, r.text),
                before=before,
                after=after,
                decided_by=names.get(r.decided_by or 0, ""),
                decided_at=r.decided_at,
            )
        )
    being_read = [a.filename for a in attachments if (readings or {}).get(a.id or 0) == "pending"]
    view = PrivacyView(
        scanned_at=scanned_at,
        findings=findings,
        can_act=can_edit and item.status == "draft" and version.number == item.current_version,
        summary=_summary(findings, scanned_at is not None, reading=bool(being_read)),
        being_read=being_read,
    )
    view.segments = _segments(version.body, findings, rows)
    return view


def _segments(body: str, findings: list[FindingRow], rows: list[PrivacyFinding]) -> list[Segment]:
    """The body cut into plain text and the findings still in it (found or confirmed)."""
    segments: list[Segment] = []
    pos = 0
    for finding, row in zip(findings, rows, strict=True):
        if not finding.in_body or finding.state == "replaced":
            continue
        if row.start < pos or body[row.start : row.end] != row.text:
            continue  # stale: the body was saved since (it is scanned on every save)
        if row.start > pos:
            segments.append(Segment(body[pos : row.start]))
        segments.append(Segment(row.text, finding))
        pos = row.end
    if pos < len(body):
        segments.append(Segment(body[pos:]))
    return segments
