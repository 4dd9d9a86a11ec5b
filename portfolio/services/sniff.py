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

ALLOWED_HELP = "PDF, Word (.docx), text (.txt, .md), images (PNG, JPEG, GIF, WebP), audio or video"
_ARCHIVE = "a compressed archive"
# what a refused file is, in words (the types filetype recognises by content), never its MIME type
REFUSED = {
    "application/x-msdownload": "a Windows program",
    "application/x-executable": "a program",
    "application/wasm": "a program",
    "application/x-google-chrome-extension": "a browser extension",
    "application/x-deb": "a software package",
    "application/x-rpm": "a software package",
    "application/x-shockwave-flash": "a Flash file",
    "application/msword": "an old Word document (.doc): save it as .docx",
    "application/rtf": "an RTF document: save it as .docx or PDF",
    "application/vnd.oasis.opendocument.text": "an OpenDocument text: save it as .docx or PDF",
    "application/vnd.ms-excel": "a spreadsheet: save it as PDF",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "a spreadsheet: save it as PDF",
    "application/vnd.oasis.opendocument.spreadsheet": "a spreadsheet: save it as PDF",
    "application/vnd.ms-powerpoint": "a presentation: save it as PDF",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "a presentation: save it as PDF",
    "application/vnd.oasis.opendocument.presentation": "a presentation: save it as PDF",
    "application/epub+zip": "an e-book",
    "application/postscript": "a PostScript file: save it as PDF",
    "application/x-sqlite3": "a database file",
    "application/dicom": "a medical image (DICOM)",
    "application/font-woff": "a font",
    "application/font-sfnt": "a font",
    "application/octet-stream": "a font",  # filetype's name for .eot
    "application/x-nintendo-nes-rom": "a game file",
    "image/vnd.dwg": "a CAD drawing",
    "image/vnd.adobe.photoshop": "a Photoshop image: save it as PNG or JPEG",
    "image/x-xcf": "a GIMP image: save it as PNG or JPEG",
    "image/x-canon-cr2": "a camera raw image: save it as JPEG",
    "image/x-icon": "an icon",
    **dict.fromkeys(
        ("application/zip", "application/x-tar", "application/x-rar-compressed",
         "application/gzip", "application/x-bzip2", "application/x-7z-compressed",
         "application/x-xz", "application/x-brotli", "application/vnd.ms-cab-compressed",
         "application/x-unix-archive", "application/x-compress", "application/x-lzop",
         "application/x-lzip", "application/x-lz4", "application/zstd"),
        _ARCHIVE,
    ),
}  # fmt: skip

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


def refused_words(mime: str, extension: str = "") -> str:
    """What a file of a type not on the allow-list is, in words: "a Windows program", "a BMP
    image" (an image, audio or video of another kind by its usual extension)."""
    if mime in REFUSED:
        return REFUSED[mime]
    family = mime.split("/", 1)[0]
    if family in ("image", "audio", "video"):
        name = f"{extension.upper()} {family}" if extension else family
        return f"{'an' if name[0] in 'AEFHILMNORSX' else 'a'} {name}"
    return "a file of another kind"


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
        raise Invalid(f"{filename} is {refused_words(kind.mime, kind.extension)}, "
                      f"which cannot be attached; attach {ALLOWED_HELP}.")  # fmt: skip
    if ext == "docx":
        raise Invalid(f"{filename} is named .docx but is not a Word document.")
    if ext == "pdf":
        raise Invalid(f"{filename} is named .pdf but is not a PDF document.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Invalid(f"{filename} is UTF-16 text: save it as UTF-8 text and attach it again.")
    if b"\x00" in data[:65536]:
        raise Invalid(f"{filename} is a file of a kind that cannot be attached; "
                      f"attach {ALLOWED_HELP}.")  # fmt: skip
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{filename} is not UTF-8 text (byte {exc.start}).") from exc
    if ext == "md":
        return Sniffed("text/markdown", "Markdown text")
    return Sniffed("text/plain", "text")
