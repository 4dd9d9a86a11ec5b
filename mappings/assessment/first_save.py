"""The first save of a new piece of evidence: its text, the files chosen and the criteria ticked
on the editor, together.

One call, one transaction: the caller commits once, or rolls everything back (a criterion not
the learner's, a store that cannot be written), so that nothing half-saved is left behind. The
files chosen are checked first, all of them (:func:`check_uploads`): the editor saves a draft's
text with the files that may be attached and names every one refused.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session

from mappings.assessment import claims
from portfolio.errors import Invalid
from portfolio.models import Evidence
from portfolio.services import evidence
from portfolio.services.files import Store, TooLarge, too_large
from portfolio.services.people import Actor
from portfolio.services.sniff import sniff


@dataclass(frozen=True)
class Upload:
    """A file chosen on the editor: the name the person's computer gave it, and its bytes."""

    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class Checked:
    """The files chosen, checked by content before anything is saved."""

    uploads: tuple[Upload, ...]  # those that may be attached, their bytes read
    refused: tuple[str, ...]  # what is wrong with each of the others, naming it

    @property
    def refusal(self) -> Invalid:
        """Every refused file in one error, beside the editor's file field."""
        return Invalid(" ".join(self.refused), field="files")


def check_uploads(uploads: Sequence[Upload], max_bytes: int) -> Checked:
    """Check every file chosen (size, then content), not only up to the first refused one."""
    fine: list[Upload] = []
    refused: list[str] = []
    for upload in uploads:
        data = upload.stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            refused.append(str(too_large(max_bytes, evidence.display_name(upload.filename))))
            continue
        try:
            sniff(data, upload.filename)
        except Invalid as error:
            refused.append(str(error))
            continue
        fine.append(Upload(upload.filename, io.BytesIO(data)))
    return Checked(tuple(fine), tuple(refused))


def create_with(
    session: Session,
    *,
    actor: Actor,
    store: Store,
    learner_id: int,
    draft: evidence.Draft,
    uploads: Sequence[Upload] = (),
    criterion_ids: Sequence[int] | None = None,
    max_bytes: int,
) -> Evidence:
    """Create the draft, attach ``uploads`` and map it to ``criterion_ids``. A refused file is
    reported against the ``files`` field, a criterion against ``criterion``; the permission
    checks are those of each step (who may write this kind, attach, map)."""
    item = evidence.create(session, actor=actor, learner_id=learner_id, draft=draft)
    _files_and_criteria(session, actor, store, item, uploads, criterion_ids, max_bytes)
    return item


def update_with(
    session: Session,
    *,
    actor: Actor,
    store: Store,
    evidence_id: int,
    expected_version: int,
    draft: evidence.Draft,
    uploads: Sequence[Upload] = (),
    criterion_ids: Sequence[int] | None = None,
    max_bytes: int,
    expected_hash: str | None = None,
) -> Evidence:
    """Save the editor over an existing item: its text, more files, and the criteria ticked
    (``None``: the mapping was not on the page, left as it is). ``expected_hash``: the draft's
    hash as the editor loaded it (see :func:`portfolio.services.evidence.update`)."""
    item = evidence.update(
        session,
        actor=actor,
        evidence_id=evidence_id,
        expected_version=expected_version,
        draft=draft,
        expected_hash=expected_hash,
    )
    _files_and_criteria(session, actor, store, item, uploads, criterion_ids, max_bytes)
    return item


def _files_and_criteria(
    session: Session,
    actor: Actor,
    store: Store,
    item: Evidence,
    uploads: Sequence[Upload],
    criterion_ids: Sequence[int] | None,
    max_bytes: int,
) -> None:
    for upload in uploads:
        try:
            evidence.attach(
                session,
                actor=actor,
                store=store,
                evidence_id=item.id or 0,
                filename=upload.filename,
                stream=upload.stream,
                max_bytes=max_bytes,
            )
        except TooLarge as error:
            raise TooLarge(str(error), field="files") from error  # it names the file
        except Invalid as error:
            raise Invalid(str(error), field=error.field or "files") from error
    if criterion_ids is not None:
        claims.set_claims(
            session, actor=actor, evidence_id=item.id or 0, criterion_ids=sorted(criterion_ids)
        )
