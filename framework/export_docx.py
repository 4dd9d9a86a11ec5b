"""Write standards as .docx in the published NOS layout, readable by ``parse_nos_docx``.

Layout of one standard (real Word heading styles, so the navigation pane shows the structure):
``Heading 1`` URN (or code), ``Heading 2`` title, ``Heading 3`` "Overview" and its paragraphs,
``Heading 3`` "Performance criteria", "You must be able to:" and a two-column table (code, text),
the same for "Knowledge and understanding", then a two-column metadata table. Each further
standard starts on a new page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK

from framework.docx_properties import own_properties
from framework.spec import CriterionKind, FrameworkSpec, StandardSpec

SECTIONS: tuple[tuple[CriterionKind, str, str], ...] = (
    ("performance", "Performance criteria", "You must be able to:"),
    ("knowledge", "Knowledge and understanding", "You need to know and understand:"),
)


def standard_to_docx(framework: FrameworkSpec, standard_code: str) -> bytes:
    """One standard of ``framework`` as the bytes of a .docx file."""
    matches = [s for s in framework.standards if s.code == standard_code]
    if not matches:
        raise KeyError(f"no standard “{standard_code}” in {framework.code}")
    document = Document()
    _write_standard(document, framework, matches[0])
    return _save(document)


def framework_to_docx(framework: FrameworkSpec) -> bytes:
    """Every standard of ``framework``, after its title and a line naming its code and version
    (a printed copy says which version it is), as one .docx."""
    document = Document()
    named = f"{framework.code}, version {framework.version}"
    document.core_properties.title = framework.title
    document.core_properties.subject = named
    document.add_paragraph(framework.title, style="Title")
    document.add_paragraph(named, style="Subtitle")
    for n, standard in enumerate(framework.standards):
        if n:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _write_standard(document, framework, standard)
    return _save(document)


def _write_standard(document: DocumentObject, fw: FrameworkSpec, std: StandardSpec) -> None:
    document.add_heading(std.urn or std.code, level=1)
    document.add_heading(std.title, level=2)
    if std.overview:
        document.add_heading("Overview", level=3)
        for paragraph in std.overview.split("\n\n"):
            document.add_paragraph(paragraph)
    for kind, heading, stem in SECTIONS:
        criteria = [c for c in std.criteria if c.kind == kind]
        if not criteria:
            continue
        document.add_heading(heading, level=3)
        document.add_paragraph(stem)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for criterion in criteria:
            cells = table.add_row().cells
            cells[0].text = criterion.code
            cells[1].text = criterion.text
    rows = [
        ("Developed by", std.originating_organisation),
        ("Version number", std.version),
        ("Date approved", std.date_approved),
        ("Indicative review date", std.review_date),
        ("Validity", std.validity),
        ("Status", std.status),
        ("Originating organisation", std.originating_organisation),
        ("Original URN", std.urn),
        ("Relevant occupations", std.occupations),
        ("Suite", fw.title),
        ("Key words", std.keywords),
    ]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        if value:
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = value


def _save(document: DocumentObject) -> bytes:
    own_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
