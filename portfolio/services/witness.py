"""A witness confirms their testimony: the learner (or their assessor) gives the witness's e-mail
address and the witness is sent a link, single use and valid for 14 days, to a page that shows
the submitted version's text, their details and its files, where they answer whether it is an
accurate account. Only a hash of the link's token is kept (as password-reset links).

The answer is the witness's: it is recorded with their address, the version (by id and content
hash) they were shown and the time, never as an act of a person with an account here (the audit
entry has no actor). A later version is not covered by an earlier answer.

Asking again replaces the item's earlier links that still work (unanswered, unexpired): they are
marked replaced, in the same transaction, so the witness can answer only the newest e-mail. The
item's row is locked first, so two requests at once are made one after the other, and an answer
locks its link's row, so an answer and a new request at once leave either the answer recorded
(and the link not replaced) or the link replaced (and the answer refused)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Evidence, EvidenceVersion, Person, WitnessConfirmation
from portfolio.models.base import utcnow
from portfolio.services import access, audit, logins, withdrawals
from portfolio.services.actors import SYSTEM, Actor
from portfolio.services.evidence import attachments_of, latest_submitted, require_shown
from portfolio.services.people import check_email
from portfolio.services.witness_confirmed import confirmation_of, confirmed_words
from portfolio.words import day_words, local

LIFETIME = timedelta(days=14)
MAX_COMMENT = 2000
SHOWN = 10  # requests listed on the testimony's page, newest first; the earlier ones counted
KIND = "witness_testimony"
# why the witness of a testimony never submitted cannot be asked (the page, and the refusal)
NOT_SUBMITTED = (
    "Submit the testimony first: no version of it was ever submitted, and the witness only "
    "sees a submitted version."
)
NEVER_SUBMITTED = NOT_SUBMITTED + " Nothing was sent, and the draft is kept as it is."
# after "The learner's personal data was erased on 7 Dec 2026: " (the page, and the refusal)
ERASED = (
    "what is kept of their evidence is the awarding body's record, and no witness is asked to "
    "confirm it"
)
CLOSED = ERASED + ": nothing was sent."
# why a link no longer works, in words for its page
GONE = {
    "unknown": "This link is not known here. Check that you opened the whole link from the "
    "e-mail, or ask the person who sent it for a new one.",
    "used": "This link has already been used: the answer was recorded, and it cannot be "
    "changed through the link. Thank you.",
    "expired": "This link has expired: links work for 14 days. Ask the person who sent it for "
    "a new one if you still want to answer.",
    "superseded": "The testimony was changed and submitted again after this link was sent, so "
    "the version it shows is no longer the current one. Ask for a new link to see the new "
    "version.",
    "erased": "This testimony is no longer held here.",
    "replaced": "This request was replaced by a later one; use the newest e-mail about this "
    "testimony. Nothing was recorded through this link.",
}


class LinkGone(Invalid):
    """The link does not work (unknown, used, replaced, expired, superseded or erased); ``why``
    says which."""

    def __init__(self, why: str) -> None:
        super().__init__(GONE[why])
        self.why = why


def may_ask(session: Session, *, actor: Actor, evidence_id: int, lock: bool = False) -> Evidence:
    """The item, if ``actor`` may ask its witness: the learner who owns it or their assessor
    (NotFound for those who may not see it, PermissionDenied for other readers). ``lock``: its
    row is held until this transaction ends (PostgreSQL: FOR UPDATE) and read as committed."""
    if lock:
        item = session.get(Evidence, evidence_id, with_for_update=True, populate_existing=True)
    else:
        item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound("No such evidence.")
    access.require_view(session, actor, item.learner_id)
    require_shown(item, actor)
    if actor.id == item.learner_id:
        if not actor.has("learner"):
            raise PermissionDenied("Only the learner or their assessor may ask the witness.")
        return item
    try:
        access.require_assessor(session, actor, item.learner_id)
    except PermissionDenied:
        raise PermissionDenied("Only the learner or their assessor may ask the witness.") from None
    return item


def closed_words(erased_at: datetime) -> str:
    """Why no witness is asked about an erased learner's kept testimony, for its page (in place
    of the form): "The learner's personal data was erased on 7 Dec 2026: what is kept ..."."""
    return f"{withdrawals.erased_words(erased_at)}: {ERASED}."


@dataclass(frozen=True)
class Asked:
    """A new request: its row, the token to e-mail (not kept), and which version the witness
    will see, in words for the person asking."""

    row: WitnessConfirmation
    token: str
    shown: str
    replaced: list[int]  # the earlier requests this one replaced


def shown_words(
    version: EvidenceVersion, *, draft: bool, yours: bool, learner: str, zone: ZoneInfo
) -> str:
    """Which version the witness will see, said to the person asking: "The witness will see the
    version you submitted on 3 Dec 2026, not your draft changes." ``draft``: a newer version is
    being written; ``yours``: the person asking is the learner who wrote it."""
    day = day_words(local(version.declared_at or version.created_at, zone).date())
    said = f"The witness will see the version {'you' if yours else learner} submitted on {day}"
    if not draft:
        return said + "."
    return said + (", not your draft changes." if yours else ", not the draft changes made since.")


def request(
    session: Session,
    *,
    actor: Actor,
    evidence_id: int,
    email: str,
    zone: ZoneInfo = ZoneInfo("Europe/London"),
) -> Asked:
    """A new link for the witness of the item's latest submitted version (its token is to be
    e-mailed; it is not kept); the item's earlier links that still work are marked replaced.
    Only the learner who owns the testimony or their assessor may ask, never once the learner's
    personal data is erased (a request is a new record about them), nor about a version the
    witness confirmed (their answer stands; a version submitted later can be asked about)."""
    item = may_ask(session, actor=actor, evidence_id=evidence_id, lock=True)
    if item.kind != KIND:
        raise Invalid("Only a witness testimony is confirmed by its witness.")
    if item.erased_at is not None:
        raise Invalid("This evidence was erased.")
    withdrawals.refuse_if_erased(session, item.learner_id, CLOSED)  # nothing new about them
    version = latest_submitted(session, item)
    if version is None:
        raise Invalid(NEVER_SUBMITTED)
    learner = session.get(Person, item.learner_id)
    learner_name = learner.name if learner is not None else "the learner"

    def refuse_if_confirmed() -> None:  # their answer stands: a new version can be asked about
        confirmed = confirmation_of(session, version)
        if confirmed is not None:
            draft, yours = item.current_version > version.number, actor.id == item.learner_id
            raise Invalid(
                confirmed_words(
                    confirmed, version, draft=draft, yours=yours, learner=learner_name,
                    zone=zone, refused=True,
                )
            )  # fmt: skip

    refuse_if_confirmed()
    address = check_email(email)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = WitnessConfirmation(
        token_hash=logins.digest(token),
        evidence_id=item.id or 0,
        version_id=version.id or 0,
        version_number=version.number,
        version_sha256=version.sha256,
        witness_email=address,
        requested_by=actor.id,
        requested_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    session.flush()
    replaced = _replace_earlier(session, row)
    # read again once the live links are locked: an answer through one that was being recorded
    # meanwhile has committed (the caller's rollback takes the new request back)
    refuse_if_confirmed()
    audit.record(
        session,
        actor=actor,
        action="witness.request",
        subject_type="evidence",
        subject_id=item.id,
        data={
            "confirmation": row.id,
            "version": version.number,
            "sha256": version.sha256,
            "replaced": replaced,
        },
    )
    shown = shown_words(
        version,
        draft=item.current_version > version.number,
        yours=actor.id == item.learner_id,
        learner=learner_name,
        zone=zone,
    )
    return Asked(row=row, token=token, shown=shown, replaced=replaced)


def _replace_earlier(session: Session, row: WitnessConfirmation) -> list[int]:
    """Mark the item's other links that still work as replaced by ``row``; their ids. Each is
    locked first (PostgreSQL), so an answer through one either went first (and it is left as
    answered) or waits and then finds it replaced."""
    earlier = session.exec(
        select(WitnessConfirmation)
        .where(
            WitnessConfirmation.evidence_id == row.evidence_id,
            WitnessConfirmation.id != row.id,
            col(WitnessConfirmation.answered_at).is_(None),
            col(WitnessConfirmation.replaced_at).is_(None),
            WitnessConfirmation.expires_at > row.requested_at,
        )
        .order_by(col(WitnessConfirmation.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for old in earlier:
        old.replaced_at = row.requested_at
        old.replaced_by = row.id
        session.add(old)
    session.flush()
    return [old.id or 0 for old in earlier]


@dataclass(frozen=True)
class LinkPage:
    """What the witness's page shows: the exact version they are asked about."""

    row: WitnessConfirmation
    learner_name: str
    version: EvidenceVersion
    files: list[str]


def _state(session: Session, row: WitnessConfirmation, item: Evidence | None) -> str | None:
    """Why the link does not work, or None when it does."""
    if item is None or item.erased_at is not None:
        return "erased"
    if row.answered_at is not None:
        return "used"
    if row.replaced_at is not None:
        return "replaced"
    if row.expires_at <= utcnow():
        return "expired"
    latest = latest_submitted(session, item)
    if latest is None or latest.id != row.version_id:
        return "superseded"
    return None


def _find(session: Session, token: str, *, lock: bool = False) -> WitnessConfirmation:
    if not token or len(token) > 100:
        raise LinkGone("unknown")
    query = select(WitnessConfirmation).where(
        WitnessConfirmation.token_hash == logins.digest(token)
    )
    if lock:  # PostgreSQL: a second answer at once waits here, then finds the row used
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.exec(query).first()
    if row is None:
        raise LinkGone("unknown")
    return row


def open_link(session: Session, *, token: str) -> LinkPage:
    """The page of a working link; LinkGone (with why) otherwise."""
    row = _find(session, token)
    item = session.get(Evidence, row.evidence_id)
    why = _state(session, row, item)
    if why is not None:
        raise LinkGone(why)
    version = session.get(EvidenceVersion, row.version_id)
    learner = session.get(Person, item.learner_id) if item is not None else None
    if version is None or learner is None:
        raise LinkGone("erased")
    files = [a.filename for a in attachments_of(session, version.id or 0)]
    return LinkPage(row=row, learner_name=learner.name, version=version, files=files)


def answer(
    session: Session, *, token: str, accurate: bool, comment: str = ""
) -> WitnessConfirmation:
    """Record the witness's answer, once: the row is locked first, so of two answers sent at
    once one is recorded and the other finds the link used."""
    comment = comment.strip()
    if "\x00" in comment:
        raise Invalid("The comment holds a character that cannot be kept.", field="comment")
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"The comment may be at most {MAX_COMMENT:,} characters.", field="comment")
    row = _find(session, token, lock=True)
    item = session.get(Evidence, row.evidence_id)
    why = _state(session, row, item)
    if why is not None:
        raise LinkGone(why)
    row.answer = "accurate" if accurate else "not_accurate"
    row.comment = comment
    row.answered_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(  # no actor: the witness has no account here
        session,
        actor=SYSTEM,
        action="witness.answer",
        subject_type="evidence",
        subject_id=row.evidence_id,
        data={
            "confirmation": row.id,
            "by": "the witness, through the e-mailed link",
            "answer": row.answer,
            "version": row.version_number,
            "sha256": row.version_sha256,
        },
    )
    return row


def message(
    *, learner: str, title: str, link: str, asked_by: str, site: str = "Competence Portfolio"
) -> tuple[str, str]:
    """The e-mail to the witness: its subject and body."""
    days = LIFETIME.days
    body = (
        "Hello,\n\n"
        f"{learner} wrote a witness testimony in their portfolio at {site} that names you as "
        "the witness: "
        f"“{title}”. {asked_by} asks you to confirm whether it is an accurate account of what "
        "you saw.\n\n"
        "To read it and answer, open this link (no account or password is needed):\n\n"
        f"{link}\n\n"
        f"The link works once, for {days} days. If you do not know about this testimony, "
        "open the link and answer that it is not accurate, or ignore this e-mail.\n"
    )
    return f"Please confirm a witness testimony for {learner}", body


@dataclass(frozen=True)
class Status:
    """One request to a witness, as the evidence page and the sign-off document say it."""

    email: str
    requested_at: datetime
    expires_at: datetime
    answer: str  # "" | accurate | not_accurate
    answered_at: datetime | None
    comment: str
    version_number: int
    earlier: bool  # it is about a version older than the one being read
    replaced_at: datetime | None = None  # a later request replaced it before it was answered


def statuses(session: Session, *, evidence_id: int, version_number: int) -> list[Status]:
    """Every request to a witness about the item, newest first, seen from ``version_number``
    (the version being read): a request about an earlier version is marked ``earlier``. The
    caller has checked that the reader may see the item."""
    rows = session.exec(
        select(WitnessConfirmation)
        .where(WitnessConfirmation.evidence_id == evidence_id)
        .order_by(col(WitnessConfirmation.id).desc())
    )
    return [s for r in rows if (s := status_of(r, version_number)) is not None]


def newest_statuses(
    session: Session, *, evidence_id: int, version_number: int, shown: int = SHOWN
) -> tuple[list[Status], int]:
    """The newest ``shown`` requests about the item seen from ``version_number`` (as
    :func:`statuses`) and how many earlier ones there are, in one statement however many
    the item has had. The caller has checked that the reader may see the item."""
    rows = session.execute(
        sa_select(WitnessConfirmation, func.count().over())
        .where(
            col(WitnessConfirmation.evidence_id) == evidence_id,
            col(WitnessConfirmation.version_number) <= version_number,
        )
        .order_by(col(WitnessConfirmation.id).desc())
        .limit(shown)
    ).all()
    found = [s for r, _ in rows if (s := status_of(r, version_number)) is not None]
    return found, (int(rows[0][1]) - len(rows) if rows else 0)


def status_of(row: WitnessConfirmation, version_number: int) -> Status | None:
    """One request seen from the version being read; None for one about a later version."""
    if row.version_number > version_number:
        return None
    return Status(
        email=row.witness_email,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        answer=row.answer,
        answered_at=row.answered_at,
        comment=row.comment,
        version_number=row.version_number,
        earlier=row.version_number < version_number,
        replaced_at=row.replaced_at,
    )


def words(status: Status, zone: ZoneInfo, now: datetime | None = None) -> str:
    """One request in words: "Confirmed by the witness (j.smith@employer.org) on 3 Dec 2026"."""

    def day(moment: datetime) -> str:
        return day_words(local(moment, zone).date())

    which = f"an earlier version (version {status.version_number})" if status.earlier else "it"
    if status.answered_at is not None and status.answer == "accurate":
        if status.earlier:
            return (
                f"The witness ({status.email}) confirmed an earlier version (version "
                f"{status.version_number}) on {day(status.answered_at)}; this version is not "
                "confirmed"
            )
        said = f"Confirmed by the witness ({status.email}) on {day(status.answered_at)}"
        # the answer page tells the witness a comment is shown to the assessor: a confirmation's too
        return f"{said}: {status.comment}" if status.comment else said
    if status.answered_at is not None:
        said = f"Witness said {which} is not accurate ({status.email}, {day(status.answered_at)})"
        return f"{said}: {status.comment}" if status.comment else f"{said}, with no comment"
    asked = f"Confirmation requested on {day(status.requested_at)}"
    if status.replaced_at is None:
        asked += ", not answered"
    if status.earlier:
        asked += f" (for an earlier version, version {status.version_number})"
    if status.replaced_at is not None:
        asked += f", replaced by a later request on {day(status.replaced_at)}"
    elif status.expires_at <= (now or utcnow()):
        asked += f"; the link expired on {day(status.expires_at)}"
    return f"{asked} (sent to {status.email})"
