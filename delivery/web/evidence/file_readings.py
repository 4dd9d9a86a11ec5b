"""What the evidence page says of each attachment's text: read, being read, or not readable."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.models import AttachmentReading
from portfolio.services.evidence.reading import FINISHED
from portfolio.services.extract import DOCX, TEXT_KINDS


@dataclass(frozen=True)
class FileReading:
    """What the page says of one attachment's text: read, being read, or not readable."""

    attachment_id: int
    status: str  # pending | done | truncated | failed
    note: str
    preview: str = ""  # of a Word or PDF file: its text as read (the first PREVIEW_CHARS)
    preview_cut: bool = False  # the text read is longer than the preview


# the files previewed on the evidence page by the text read from them
PREVIEWED = frozenset({"application/pdf", DOCX})
PREVIEW_CHARS = 20_000
# the files text is read from; of the others (photos, audio, video) the page says nothing of text
READABLE = PREVIEWED | frozenset(TEXT_KINDS)


def file_note(reading: AttachmentReading | None, mime: str = "") -> FileReading | None:
    if reading is None:
        return None
    if mime not in READABLE and reading.status != "failed":
        return None  # a photo has no text to read: "Text read: 0 characters." told nothing
    text = reading.text.strip() if reading.status in FINISHED and mime in PREVIEWED else ""
    if reading.status == "pending":
        note = "Text is being read; suggestions from it will follow."
    elif reading.status == "failed":
        note = f"The text could not be read: {reading.error}"
    elif reading.status == "truncated":
        cap = {"chars": "characters", "pages": "pages", "time": "time"}.get(reading.truncated, "")
        note = f"Text read: the first {reading.chars:,} characters (limit on {cap} reached)."
    elif reading.chars == 0:
        note = "No text was read from this file."
    else:
        note = f"Text read: {reading.chars:,} characters."
    return FileReading(
        reading.attachment_id,
        reading.status,
        note,
        preview=text[:PREVIEW_CHARS],
        preview_cut=len(text) > PREVIEW_CHARS,
    )
