"""What an uploaded file really is, judged by its content (the name only picks between text kinds)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype

from portfolio.errors import Invalid

MAX_UNZIPPED = 200 * 1024 * 1024  # a .docx that inflates beyond this is treated as a zip bomb
MAX_RATIO = 200

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
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ALLOWED_HELP = ".docx, .pdf, .txt, .md, images (PNG, JPEG, GIF, WebP), audio and video"


@dataclass(frozen=True)
class Sniffed:
    mime: str
    label: str  # what to call it to people


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _check_docx(data: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Invalid(f"{filename} is not a Word document: the file is damaged ({exc}).") from exc
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise Invalid(f"{filename} is a zip file but not a Word (.docx) document.")
    if total > MAX_UNZIPPED or (len(data) and total / len(data) > MAX_RATIO):
        raise Invalid(f"{filename} expands to {total // (1024 * 1024)} MB when unpacked; refused.")


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


def extract_text(data: bytes, mime: str, filename: str) -> str:
    """The readable text of a document (empty for media)."""
    if mime in ("text/plain", "text/markdown"):
        return data.decode("utf-8")
    if mime == DOCX:
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds
            raise Invalid(f"{filename} could not be opened as a Word document: {exc}") from exc
        parts = [p.text for p in document.paragraphs if p.text.strip()]
        for table in document.tables:
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    parts.append(" | ".join(dict.fromkeys(cells)))
        return "\n".join(parts)
    if mime == "application/pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            return "\n".join((page.extract_text() or "") for page in reader.pages).strip()
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds
            raise Invalid(f"{filename} could not be read as a PDF: {exc}") from exc
    return ""
