"""Attachments are read once, in the background, within caps; pages only show what was stored;
a forged .docx cannot make the server inflate more than a bounded number of bytes."""

from __future__ import annotations

import gc
import io
import re
import struct
import tracemalloc
import warnings
import zlib
from pathlib import Path

import docx
import pytest
from sqlmodel import select

from delivery.web.evidence import readings
from mappings.assessment import reading as jobs
from portfolio.errors import Invalid
from portfolio.models import Attachment, AttachmentReading
from portfolio.services import extract
from portfolio.services.extract import Caps, extract_in_child
from portfolio.services.sniff import sniff

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RECORD = (
    "Vocational profile with K, an autistic job seeker. We mapped her skills, talents "
    "and employment preferences. I completed a better-off calculation of her benefits."
)


def _docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    """A small valid PDF of ``pages`` pages, one line of text each."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    for i in range(pages):
        stream = b"BT /F1 12 Tf 72 720 Td (Line of page %d) Tj ET" % (i + 1)
        objects[4 + 2 * i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << "
            b"/F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects[5 + 2 * i] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        kids.append(b"%d 0 R" % (4 + 2 * i))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objects[n])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _forged_docx(real: int, declared: int) -> bytes:
    """A zip with the two entries of a .docx whose word/document.xml inflates to ``real`` bytes
    while its headers declare ``declared`` (a few hundred KB on disk)."""
    entries = [("[Content_Types].xml", b"<Types/>", None), ("word/document.xml", b"", real)]
    out, central = bytearray(), bytearray()
    for name, content, inflated in entries:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        if inflated is None:
            data, size, crc = (
                packer.compress(content) + packer.flush(),
                len(content),
                zlib.crc32(content),
            )
        else:
            head = b'<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>' % W.encode()
            block = b"A" * (1024 * 1024)
            data = packer.compress(head)
            data += b"".join(packer.compress(block) for _ in range(inflated // len(block)))
            data += packer.flush()
            size, crc = declared, 0
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0
        )
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + name.encode()
        )
        out += header + name.encode() + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(out), 0)
    return bytes(out + central + end)


# ---------------------------------------------------------------- forged zips


def test_a_docx_lying_about_its_sizes_is_refused_with_bounded_memory() -> None:
    forged = _forged_docx(real=300 * 1024 * 1024, declared=1000)
    assert len(forged) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(Invalid, match="forged.docx"):
            sniff(forged, "forged.docx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024  # inflated in 64 KB chunks, never 300 MB at once


def test_inflation_past_the_budget_is_refused_whatever_the_headers_say() -> None:
    # headers declare the real size: only the bytes counted while inflating stop it
    forged = _forged_docx(real=100 * 1024 * 1024, declared=100 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(Invalid, match="expands to more than"):
            sniff(forged, "bomb.docx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_reading_a_forged_docx_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "forged"
    path.write_bytes(_forged_docx(real=300 * 1024 * 1024, declared=300 * 1024 * 1024))
    with pytest.raises(Invalid, match="expands to more than"):
        extract_in_child(path, extract.DOCX, "forged.docx")


def test_uploading_a_forged_docx_is_refused_and_stores_nothing(
    client, auth, make_evidence, session
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    r = client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(_forged_docx(300 * 1024 * 1024, 1000)), "cv.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "cv.docx" in r.get_data(as_text=True)
    assert session.exec(select(Attachment)).first() is None


# ---------------------------------------------------------------- caps


def test_text_stops_at_the_character_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100_000, encoding="utf-8")
    found = extract.extract(path, "text/plain", "big.txt", Caps(chars=1000))
    assert found.truncated == "chars" and len(found.text) <= 1000


@pytest.mark.parametrize("chars", [1000, 1_000_000], ids=["stopped at the cap", "read to the end"])
def test_reading_a_text_file_leaves_no_file_open_for_the_collector(
    tmp_path: Path, chars: int
) -> None:
    """The text reader over the file is let go of without closing the file (the ``with`` that
    opened it does): it closed it when dropped, which Python reports as a file left open."""
    path = tmp_path / "big.txt"
    path.write_text("word " * 10_000, encoding="utf-8")
    gc.collect()  # what earlier tests left (a database connection never closed) is not counted
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        found = extract.extract(path, "text/plain", "big.txt", Caps(chars=chars))
        gc.collect()
    assert found.text.startswith("word word")
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_a_pdf_stops_after_the_page_cap(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(12))
    found = extract_in_child(path, "application/pdf", "long.pdf", Caps(pages=5))
    assert found.truncated == "pages" and found.pages == 12
    assert "Line of page 5" in found.text and "Line of page 6" not in found.text


def test_a_docx_stops_at_its_deadline(tmp_path: Path) -> None:
    path = tmp_path / "long.docx"
    path.write_bytes(_docx_bytes(*(f"Paragraph {n}" for n in range(200))))
    assert extract.extract(path, extract.DOCX, "long.docx").text.count("Paragraph") == 200
    found = extract.extract(path, extract.DOCX, "long.docx", Caps(seconds=0))
    assert found.truncated == "time" and found.text.count("Paragraph") < 200


# ---------------------------------------------------------------- the request never reads


READ = extract.extract  # the real reader, whatever a test patches


class Counting:
    """An extractor that counts its calls (and reads for real)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path, mime: str, filename: str, caps: Caps) -> extract.Extracted:
        self.calls += 1
        return READ(path, mime, filename, caps)


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a request read a file")


def _section(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</section>", 1)[0] if marker in page else ""


def test_upload_queues_the_reading_and_the_page_shows_only_what_is_stored(
    app,
    client,
    auth,
    make_person,
    make_registration,
    make_evidence,
    session,
    connection,
    monkeypatch,
) -> None:
    from mappings.assessment.suggestions import reset_cache

    reset_cache()
    app.config["READINGS_INLINE"] = False
    started: list[list[int]] = []
    monkeypatch.setattr(readings, "start", started.append)
    monkeypatch.setattr(extract, "extract", _refuse)
    monkeypatch.setattr(extract, "extract_in_child", _refuse)
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04,SE05")
    item = make_evidence(learner, title="Notes", body="See the attached record.", submit=False)
    auth.login(learner)
    r = client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(_docx_bytes(RECORD)), "profile.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    attachment = session.exec(select(Attachment)).one()
    assert started == [[attachment.id]]  # handed to a job after the commit, not read
    row = session.exec(select(AttachmentReading)).one()
    assert (row.status, row.text, row.started_at) == ("pending", "", None)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Text is being read" in page and 'id="reading-note"' in page
    assert "SE04 P1</strong>" not in _section(page, 'id="suggest-heading"')

    # the job reads it once; the page then shows the stored text's suggestions, reading nothing
    counting = Counting()
    factory = app.extensions["portfolio"].session_factory
    store = app.config["FILE_STORE"]
    jobs.read_attachment(factory, attachment.id, store_root=store, extractor=counting)
    jobs.read_attachment(factory, attachment.id, store_root=store, extractor=counting)
    assert counting.calls == 1
    session.expire_all()
    row = session.exec(select(AttachmentReading)).one()
    assert row.status == "done" and "better-off calculation" in row.text
    assert row.attempts == 1 and row.extract_ms is not None and row.suggest_ms is not None
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Text is being read" not in page and "Text read:" in page
    suggested = _section(page, 'id="suggest-heading"')
    assert "SE04 P1</strong>" in suggested and ", strong" in suggested
    assert "<mark>We mapped her skills, talents and employment preferences.</mark>" in suggested


def test_a_new_version_reuses_the_reading_of_the_same_file(
    app, client, auth, make_evidence, session, monkeypatch
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, title="Notes", body="Body.", submit=False)
    client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(b"Plain notes about a job match."), "notes.txt")},
        content_type="multipart/form-data",
    )
    r = client.post(f"/evidence/{item.id}/submit", data={"declaration": "y", "submit": "Submit"})
    assert r.status_code == 302
    monkeypatch.setattr(extract, "extract_in_child", _refuse)  # the copy must not read again
    r = client.post(
        f"/evidence/{item.id}/edit",
        data={
            "title": "Notes",
            "activity_date": "2026-01-01",
            "body": "Body, edited.",
            "expected_version": "1",
            "save": "Save",
        },
    )
    assert r.status_code == 302
    readings = session.exec(select(AttachmentReading).order_by(AttachmentReading.id)).all()
    assert [r.status for r in readings] == ["done", "done"]  # one per attachment of each version
    assert readings[0].text == readings[1].text == "Plain notes about a job match."


def test_the_reading_thread_reads_and_stores(
    app, client, auth, make_evidence, session, monkeypatch
) -> None:
    app.config["READINGS_INLINE"] = False
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    started: list[list[int]] = []
    monkeypatch.setattr(readings, "start", started.append)
    client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(_pdf(3)), "record.pdf")},
        content_type="multipart/form-data",
    )
    factory = app.extensions["portfolio"].session_factory
    jobs.start_thread(factory, started[0], store_root=app.config["FILE_STORE"])
    jobs.wait_for_threads()
    session.expire_all()
    row = session.exec(select(AttachmentReading)).one()
    assert row.status == "done" and row.pages == 3 and "Line of page 3" in row.text
    assert row.finished_at is not None and row.extract_ms is not None


def test_a_file_that_cannot_be_read_is_stored_as_failed(
    app, session, auth, client, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    app.config["READINGS_INLINE"] = False
    monkeypatch.setattr(readings, "start", lambda ids: None)
    client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 not really"), "broken.pdf")},
        content_type="multipart/form-data",
    )
    attachment = session.exec(select(Attachment)).one()
    factory = app.extensions["portfolio"].session_factory
    jobs.read_attachment(factory, attachment.id or 0, store_root=app.config["FILE_STORE"])
    session.expire_all()
    row = session.exec(select(AttachmentReading)).one()
    assert row.status == "failed" and "broken.pdf" in row.error
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "The text could not be read" in page
    # in words a learner understands, not the PDF library's own message ("startxref not found")
    assert "damaged" in row.error and "startxref" not in row.error.lower()


def test_a_bundle_carries_the_text_read_in_the_background(
    app, client, auth, make_evidence, session
) -> None:
    from exports.bundle import write_bundle
    from portfolio.services.files import FileStore

    learner = auth.login("learner")
    item = make_evidence(learner, title="Notes", body="Body.", submit=False)
    client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(b"Plain notes about a job match."), "notes.txt")},
        content_type="multipart/form-data",
    )
    session.expire_all()
    manifest = write_bundle(session, FileStore(app.config["FILE_STORE"]), learner.id, io.BytesIO())
    [version] = [v for e in manifest["evidence"] if e["id"] == item.id for v in e["versions"]]
    assert [a["text"] for a in version["attachments"]] == ["Plain notes about a job match."]


def test_utf16_text_is_refused_with_what_to_do() -> None:
    with pytest.raises(Invalid, match="notes.txt is UTF-16 text: save it as UTF-8"):
        sniff("Supervision notes\n".encode("utf-16"), "notes.txt")


def _file_line(page: str, filename: str) -> str:
    """The text of the attachments list's line that links to ``filename`` with its size."""
    items = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    [line] = [li for li in items if f">{filename}</a>" in li and re.search(r" (bytes|KB|MB)\)", li)]
    return re.sub(r"<[^>]+>", " ", line)


def test_a_file_with_no_text_read_does_not_say_text_read_0_characters(
    client, auth, make_evidence, session
) -> None:
    """A photo said "Text read: 0 characters."; an image says nothing of text, a Word file
    with no text says so in words, and a file with text keeps saying how much was read."""
    learner = auth.login("learner")
    item = make_evidence(learner, title="Notes", body="Body.", submit=False)
    for content, name in (
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png"),
        (_docx_bytes(), "blank.docx"),
        (b"Plain notes about a job match.", "notes.txt"),
    ):
        r = client.post(
            f"/evidence/{item.id}/attachments",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert r.status_code == 302
    session.expire_all()
    assert {r.status for r in session.exec(select(AttachmentReading))} == {"done"}
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Text read: 0 characters" not in page
    photo = _file_line(page, "photo.png")
    assert "Text" not in photo and "text" not in photo
    assert "No text was read from this file." in _file_line(page, "blank.docx")
    assert "Text read: 30 characters." in _file_line(page, "notes.txt")
