"""Word and PDF attachments are previewed on the evidence page by the text read from them, folded
in a <details> element (issue 17, decide faster); the page never reads the file itself."""

from __future__ import annotations

import io
import re
from typing import Any

from sqlmodel import Session, select

from delivery.web.evidence.file_readings import PREVIEW_CHARS
from portfolio.models import Attachment, AttachmentReading
from tests.portfolio.test_reading import _docx_bytes, _pdf


def _upload(client: Any, item_id: int, data: bytes, name: str) -> None:
    response = client.post(
        f"/evidence/{item_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _preview(page: str, filename: str) -> str:
    """The <details> of one file's text, or ""."""
    found = re.search(
        rf'<details class="file-preview">\s*<summary>Read the text of {re.escape(filename)}'
        r"</summary>(.*?)</details>",
        page,
        re.S,
    )
    return found.group(1) if found else ""


def test_word_and_pdf_files_show_their_text_folded_and_others_do_not(
    client: Any,
    auth: Any,
    session: Session,
    make_person: Any,
    make_registration: Any,
    make_evidence: Any,
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    auth.login(learner)
    item = make_evidence(learner, submit=False)
    _upload(client, item.id, _docx_bytes("Vocational profile with K.", "<b>not bold</b>"), "p.docx")
    _upload(client, item.id, _pdf(2), "record.pdf")
    _upload(client, item.id, b"Plain notes about a job match.", "notes.txt")
    client.post(f"/evidence/{item.id}/submit", data={"declaration": "y"})
    auth.logout()
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    word = _preview(page, "p.docx")
    assert "Vocational profile with K." in word
    assert "&lt;b&gt;not bold&lt;/b&gt;" in word  # text, never markup
    assert "Line of page 1" in _preview(page, "record.pdf")
    assert "Line of page 2" in _preview(page, "record.pdf")
    assert _preview(page, "notes.txt") == ""  # only Word and PDF files
    assert "<details open" not in page.split('id="files-heading"')[1].split("</section>")[0]


def test_a_long_text_is_cut_and_says_so(
    client: Any, auth: Any, session: Session, make_evidence: Any
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    _upload(client, item.id, _docx_bytes("Short."), "long.docx")
    attachment = session.exec(select(Attachment)).one()
    reading = session.exec(
        select(AttachmentReading).where(AttachmentReading.attachment_id == attachment.id)
    ).one()
    reading.text = "word " * PREVIEW_CHARS
    session.add(reading)
    session.commit()
    preview = _preview(client.get(f"/evidence/{item.id}").get_data(as_text=True), "long.docx")
    assert "download the file to read it all" in preview
    shown = preview.split('<div class="preview-text">')[1].split("</div>")[0]
    assert len(shown) == PREVIEW_CHARS  # the first characters of the text read


def test_a_file_still_being_read_or_unreadable_has_no_preview(
    app: Any, client: Any, auth: Any, session: Session, make_evidence: Any, monkeypatch: Any
) -> None:
    from delivery.web.evidence import readings

    app.config["READINGS_INLINE"] = False
    monkeypatch.setattr(readings, "start", lambda ids: None)
    learner = auth.login("learner")
    item = make_evidence(learner, submit=False)
    _upload(client, item.id, _pdf(1), "waiting.pdf")
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Text is being read" in page and _preview(page, "waiting.pdf") == ""
