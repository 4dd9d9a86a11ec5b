"""Files attached to evidence: checked by content, stored under their hash, downloaded by those
who may see the evidence."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

from sqlmodel import Session, col, select

from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import Attachment, Evidence, EvidenceVersion
from portfolio.models.base import utcnow
from portfolio.services import access
from portfolio.services.evidence.drafts import (
    for_author,
    log,
    rehash,
    writable_version,
)
from portfolio.services.evidence.hidden import is_private, require_shown
from portfolio.services.evidence.reading import queue
from portfolio.services.files import Store, discard_on_rollback, hold_content, too_large
from portfolio.services.people import Actor, without_controls
from portfolio.services.sniff import sniff


def display_name(filename: str) -> str:
    """The name an upload is shown and downloaded under: its last path part, on one line,
    without the marks that reorder or hide what a page shows (``invoice\u202etxt.exe`` would
    read as ``invoiceexe.txt``), at most 255 characters."""
    last = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return without_controls(last)[:255].strip() or "upload"


def attach(
    session: Session,
    *,
    actor: Actor,
    store: Store,
    evidence_id: int,
    filename: str,
    stream: BinaryIO,
    max_bytes: int,
) -> Attachment:
    """Store an upload under its hash, checked by content, and attach it to the draft version.

    Its text is not read here: a pending reading is queued, read later in the background."""
    item = for_author(session, actor, evidence_id, lock=True)
    display = display_name(filename)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max_bytes, display)
    kind = sniff(data, display)
    # held before it is stored: an erasure of the same content waits, or is waited for
    hold_content(session, [hashlib.sha256(data).hexdigest()])
    stored = store.put(io.BytesIO(data), max_bytes=max_bytes, name=display)
    discard_on_rollback(session, store, stored)  # a failed upload leaves no file behind
    version = writable_version(session, actor, item)
    attachment = Attachment(
        version_id=version.id or 0,
        sha256=stored.sha256,
        filename=display,
        mime=kind.mime,
        size=stored.size,
    )
    session.add(attachment)
    session.flush()
    queue(session, [attachment.id or 0])
    rehash(session, item, version)
    item.updated_at = utcnow()
    session.add(item)
    log(
        session,
        actor,
        item,
        "evidence.attach",
        # never the file's name: the trail is append-only, and an erasure must be able to
        # take the name away (the page's history reads it from the attachment row)
        {"file": stored.sha256, "mime": kind.mime},
    )
    return attachment


def attachment_for(session: Session, *, actor: Actor, attachment_id: int) -> Attachment:
    """An attachment the actor may download (NotFound otherwise)."""
    row = session.exec(
        select(Attachment, Evidence, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound("No such file.")
    attachment, item, version = row
    access.require_view(session, actor, item.learner_id)
    require_shown(item, actor, "No such file.")
    if attachment.erased_at is not None:
        raise NotFound("This file was erased.")
    if is_private(item, version, actor):
        raise PermissionDenied("This file is on a draft: it can be read once it is submitted.")
    return attachment
