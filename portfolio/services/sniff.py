"""What an uploaded file really is, judged by its content (the name only picks between text kinds)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import filetype

from portfolio.errors import Invalid
from portfolio.services.extract import DOCX, check_zip

IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
AUDIO = {
    "audio/mpeg",
    "audio/x-wav",
    "audio/wav",
    "audio/ogg",
    "audio/x-m4a",
    "audio/mp4",
    "audio/x-flac",
}
VIDEO = {"video/mp4", "video/webm", "video/quicktime", "video/x-m4v", "video/x-matroska"}

ALLOWED_HELP = ".docx, .pdf, .txt, .md, images (PNG, JPEG, GIF, WebP), audio and video"

# The extension a copy of a file is given in an export, from the type its content was checked to
# be: the name a learner chose (".html", ".svg" for text) must not make the copy open as a page,
# running its script, when someone saves the export to disk and opens it.
EXTENSIONS = {
    "application/pdf": "pdf",
    DOCX: "docx",
    "text/plain": "txt",
    "text/markdown": "md",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "audio/x-m4a": "m4a",
    "audio/mp4": "m4a",
    "audio/x-flac": "flac",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "video/x-m4v": "m4v",
    "video/x-matroska": "mkv",
}


def stored_extension(mime: str) -> str:
    """The extension for a copy of a file whose content was checked to be ``mime``."""
    return EXTENSIONS.get(mime, "bin")


@dataclass(frozen=True)
class Sniffed:
    mime: str
    label: str  # what to call it to people


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _check_docx(data: bytes, filename: str) -> None:
    """A Word document whose entries really inflate within the budget (their declared sizes are
    not trusted: every entry is inflated in chunks and counted)."""
    names = check_zip(data, filename)
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise Invalid(f"{filename} is a zip file but not a Word (.docx) document.")


def sniff(data: bytes, filename: str) -> Sniffed:
    """The type of ``data`` from its content; raise Invalid for anything not on the allow-list."""
    if not data:
        raise Invalid(f"{filename} is empty.")
    ext = _extension(filename)
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "PDF document")
    if data.startswith(b"PK\x03\x04"):
        if ext not in ("docx", ""):
            raise Invalid(f"{filename} is a zip archive; only Word .docx documents are accepted.")
        _check_docx(data, filename)
        return Sniffed(DOCX, "Word document")
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in IMAGES:
            return Sniffed(kind.mime, "image")
        if kind.mime in AUDIO:
            return Sniffed(kind.mime, "audio")
        if kind.mime in VIDEO:
            return Sniffed(kind.mime, "video")
        raise Invalid(
            f"{filename} is {kind.mime}, which is not accepted. Accepted: {ALLOWED_HELP}."
        )
    if ext == "docx":
        raise Invalid(f"{filename} is named .docx but is not a Word document.")
    if ext == "pdf":
        raise Invalid(f"{filename} is named .pdf but is not a PDF document.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Invalid(f"{filename} is UTF-16 text: save it as UTF-8 text and attach it again.")
    if b"\x00" in data[:65536]:
        raise Invalid(
            f"{filename} is a binary file of a kind that is not accepted ({ALLOWED_HELP})."
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{filename} is not UTF-8 text (byte {exc.start}).") from exc
    if ext == "md":
        return Sniffed("text/markdown", "Markdown text")
    return Sniffed("text/plain", "text")
