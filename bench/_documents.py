"""Large documents made on the fly: a plain PDF of many pages, a .docx of many paragraphs."""

from __future__ import annotations

import io
from copy import deepcopy


def make_pdf(pages: int, lines: int = 40, text: str = "I supported a job seeker") -> bytes:
    """A valid PDF of ``pages`` pages, each ``lines`` lines of Helvetica text."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    for i in range(pages):
        page_id, content_id = 4 + 2 * i, 5 + 2 * i
        kids.append(f"{page_id} 0 R")
        body = " T* ".join(f"({text}, page {i + 1} line {n + 1}.) Tj" for n in range(lines))
        stream = f"BT /F1 10 Tf 14 TL 50 760 Td {body} ET".encode()
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def make_docx(
    paragraphs: int, text: str = "I supported job seeker {n} with a better-off calculation."
) -> bytes:
    """A .docx of ``paragraphs`` numbered paragraphs (each different, as real text is), written by
    python-docx."""
    import docx

    document = docx.Document()
    last = document.add_paragraph(text.format(n=1))._p
    for n in range(2, paragraphs + 1):
        copy = deepcopy(last)
        copy.xpath("./w:r/w:t")[0].text = text.format(n=f"{n * 7919 % 100003:05d}-{n}")
        last.addnext(copy)
        last = copy
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
