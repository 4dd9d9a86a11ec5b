"""The readable text of an uploaded document, read within caps on characters, pages, time and
the bytes a zip really inflates to.

Nothing here trusts what a file says about itself: a .docx is read entry by entry in chunks and
refused once the bytes actually inflated pass a limit (a zip's declared sizes can lie), a PDF stops
after a number of pages, and every reader stops at a number of characters or at a deadline.
:func:`extract_in_child` runs :func:`extract` in a separate process with a memory limit and is
killed if it overruns its time, so a hostile or huge file costs the web process nothing.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, cast
from xml.etree.ElementTree import Element, XMLPullParser

from portfolio.errors import Invalid

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_KINDS = ("text/plain", "text/markdown")

MAX_UNZIPPED = 200 * 1024 * 1024  # bytes a .docx may really inflate to, all entries together
MAX_RATIO = 200  # ... and at most this many times its own size
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Caps:
    """How much of one file is read."""

    chars: int = 200_000  # characters of text kept
    pages: int = 500  # pages of a PDF read
    seconds: float = 30.0  # time one extraction may take
    memory_mb: int = 1024  # address space of the process that reads (extract_in_child)


@dataclass(frozen=True)
class Extracted:
    text: str
    truncated: str = ""  # "" (read to the end), "chars", "pages" or "time"
    pages: int | None = None


class TooBig(Invalid):
    """A zip that inflates beyond what it may."""


class _Budget:
    """Bytes that may still be inflated; counts what zipfile really returns."""

    def __init__(self, limit: int, filename: str) -> None:
        self.limit, self.left, self.filename = limit, limit, filename

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise TooBig(
                f"{self.filename} expands to more than {max(1, self.limit // (1024 * 1024))} MB "
                "when unpacked; refused."
            )


def zip_budget(size: int, filename: str) -> _Budget:
    """The inflation allowed to a zip of ``size`` bytes."""
    return _Budget(min(MAX_UNZIPPED, MAX_RATIO * max(size, 1)), filename)


def read_entry(zf: zipfile.ZipFile, name: str, budget: _Budget) -> Iterator[bytes]:
    """The bytes of one entry in chunks, stopping once the budget is spent (never ``zf.read``,
    which inflates a whole entry at once whatever its header says)."""
    with zf.open(name) as entry:
        while chunk := entry.read(CHUNK):
            budget.take(len(chunk))
            yield chunk


def check_zip(data: bytes, filename: str) -> set[str]:
    """Inflate every entry of a zip within its budget (and check its CRCs); its entry names."""
    budget = zip_budget(len(data), filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                for _chunk in read_entry(zf, info.filename, budget):
                    pass
            return set(zf.namelist())
    except TooBig:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Invalid(f"{filename} is not a Word document: the file is damaged ({exc}).") from exc


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Reader:
    """Text kept so far, within the caps."""

    def __init__(self, caps: Caps, started: float) -> None:
        self.caps, self.deadline = caps, started + caps.seconds
        self.parts: list[str] = []
        self.size = 0
        self.truncated = ""

    def add(self, text: str) -> bool:
        """Keep ``text``; False once a cap is reached (the caller stops)."""
        room = self.caps.chars - self.size
        if len(text) >= room:
            self.parts.append(text[:room])
            self.size = self.caps.chars
            self.truncated = "chars"
            return False
        self.parts.append(text)
        self.size += len(text)
        if time.monotonic() > self.deadline:
            self.truncated = "time"
            return False
        return True

    def text(self) -> str:
        return "".join(self.parts).strip()


def _docx(stream: BinaryIO, size: int, filename: str, reader: _Reader) -> None:
    """Paragraphs of word/document.xml, one a line, parsed as the bytes are inflated."""
    try:
        with zipfile.ZipFile(stream) as zf:
            parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
            depth = 0
            body: Element | None = None
            line: list[str] = []
            for chunk in read_entry(zf, "word/document.xml", zip_budget(size, filename)):
                parser.feed(chunk)
                for event, found in parser.read_events():
                    elem = cast(Element, found)
                    if event == "start":
                        depth += 1
                        if elem.tag == W + "body":
                            body = elem
                        continue
                    depth -= 1
                    if elem.tag == W + "t":
                        line.append(elem.text or "")
                    elif elem.tag == W + "tab":
                        line.append("\t")
                    elif elem.tag in (W + "br", W + "cr"):
                        line.append("\n")
                    elif elem.tag == W + "p":
                        text = "".join(line).strip()
                        line = []
                        if text and not reader.add(text + "\n"):
                            return
                    if depth == 2 and body is not None:
                        body.clear()  # a paragraph or table of the body is done: forget it
    except TooBig:
        raise
    except KeyError as exc:
        raise Invalid(f"{filename} is not a Word document (no word/document.xml).") from exc
    except Exception as exc:  # noqa: BLE001 - damaged zips and XML raise many kinds
        # the library's own words ("Bad magic number for central directory") mean nothing to
        # the person who attached the file
        raise Invalid(
            f"{filename} could not be read as a Word document: it may be damaged or not "
            "really a Word file. The file itself is kept as it is."
        ) from exc


def _pdf(stream: BinaryIO, filename: str, reader: _Reader) -> int:
    from pypdf import PdfReader

    try:
        pdf = PdfReader(stream)
        total = len(pdf.pages)
        for number in range(total):
            if number >= reader.caps.pages:
                reader.truncated = "pages"
                return total
            if not reader.add((pdf.pages[number].extract_text() or "") + "\n"):
                return total
        return total
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds
        raise Invalid(  # not pypdf's own words ("startxref not found"): they mean nothing here
            f"{filename} could not be read as a PDF: it may be damaged, or locked with a "
            "password. The file itself is kept as it is."
        ) from exc


def _plain(stream: BinaryIO, reader: _Reader) -> None:
    wrapper = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
    try:
        while chunk := wrapper.read(CHUNK):
            if not reader.add(chunk):
                return
    finally:
        wrapper.detach()  # the file is the caller's to close (its ``with``), not the wrapper's


def extract(path: str | Path, mime: str, filename: str, caps: Caps = Caps()) -> Extracted:
    """The text of the file at ``path`` (empty for media), within ``caps``."""
    reader = _Reader(caps, time.monotonic())
    pages = None
    with open(path, "rb") as stream:
        if mime in TEXT_KINDS:
            _plain(stream, reader)
        elif mime == DOCX:
            _docx(stream, Path(path).stat().st_size, filename, reader)
        elif mime == "application/pdf":
            pages = _pdf(stream, filename, reader)
    return Extracted(reader.text(), reader.truncated, pages)


def extract_in_child(path: str | Path, mime: str, filename: str, caps: Caps = Caps()) -> Extracted:
    """:func:`extract` in a separate process: limited in memory, killed past its time (Invalid
    with the reason when the file cannot be read)."""
    args = [str(path), mime, filename, json.dumps(asdict(caps))]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "portfolio.services.extract", *args],
            capture_output=True,
            timeout=caps.seconds + 10,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise Invalid(f"Reading {filename} took longer than {caps.seconds:.0f} s.") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Invalid(message[-1] if message else f"Reading {filename} failed.")
    found = json.loads(done.stdout)
    return Extracted(found["text"], found["truncated"], found["pages"])


def _main(argv: list[str]) -> int:
    """Child process: read one file, print the result as JSON (or the refusal on stderr)."""
    import resource

    path, mime, filename, raw = argv
    caps = Caps(**json.loads(raw))
    limit = caps.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        found = extract(path, mime, filename, caps)
    except Invalid as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{filename} needs more than {caps.memory_mb} MB to read; refused.", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(asdict(found)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
