"""The assessor's sign-off record of one standard, as a .docx laid out from a plain view model.

The document names every criterion with the evidence, methods and dates behind it, carries the
learner's and the assessor's declarations and a section for the internal quality assurer, and
prints the SHA-256 of the evidence set in its footer so that any later change to the evidence
shows. The same :class:`SignoffView` always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt

from exports.docx_util import (
    CellSpec,
    add_field,
    add_styled,
    append_rows,
    as_utc_naive,
    clean,
    describe_table,
    fmt_date,
    fmt_datetime,
    repeat_as_header,
    reproducible_zip,
    set_language,
)
from mappings.assessment.signoff import (
    evidence_set_hash as evidence_set_hash,  # re-exported for callers
)
from portfolio.refs import EvidenceRef

LANGUAGE = "en-GB"
BLANK = "_" * 30
FIELD_STYLE = "Record Field"
CELL_STYLE = "Table Text"

KIND_HEADINGS = {
    "performance": "Performance criteria",
    "knowledge": "Knowledge and understanding",
    "assessment": "Assessment criteria",
}
COLUMNS = ("Code", "Criterion", "Evidence", "Methods", "Accepted")
COLUMN_WIDTHS = (Cm(1.3), Cm(6.0), Cm(6.1), Cm(2.0), Cm(2.4))

LEARNER_DECLARATION = (
    "I declare that the evidence listed in this record is my own work, that it describes what I "
    "did, and that any witness named has seen my practice."
)
ASSESSOR_DECLARATION = (
    "I confirm that I have judged the evidence listed in this record to be valid, authentic, "
    "current, sufficient and reliable, and that the learner has met every criterion of this "
    "standard."
)


@dataclass(frozen=True)
class EvidenceRow:
    ref: EvidenceRef  # the evidence version, shown as "E12v2"
    title: str
    kind: str
    activity_date: date
    methods: tuple[str, ...]
    accepted_on: date | None


@dataclass(frozen=True)
class CriterionRow:
    code: str
    kind: str  # performance | knowledge | assessment
    text: str
    evidence: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class IqaSection:
    """Filled in when the sign-off was sampled; ``None`` on the view leaves blanks to sign."""

    sampled: bool
    decision: str = ""  # "agreed", "not agreed: actions set", ...
    name: str = ""
    decided_on: date | None = None
    comments: str = ""


@dataclass(frozen=True)
class SignoffView:
    document_id: str
    centre: str
    learner_name: str
    learner_ref: str
    registration_ref: str
    framework_title: str
    framework_version: str
    standard_urn: str
    standard_code: str
    standard_title: str
    standard_version: str
    criteria: tuple[CriterionRow, ...]
    assessor_name: str
    assessor_summary: str
    feedback: str
    learner_declaration_at: datetime
    assessor_declaration_at: datetime
    signed_at: datetime
    evidence_set_sha256: str
    iqa: IqaSection | None = None

    @property
    def title(self) -> str:
        return f"Assessor sign-off: {self.standard_code} {self.standard_title}".strip()


def build_signoff_docx(view: SignoffView) -> bytes:
    doc = Document()
    _set_up(doc, view)
    add_styled(doc, "Title", view.title)
    doc.add_paragraph(
        f"Record {clean(view.document_id)}, signed off {fmt_datetime(view.signed_at)}"
    )

    add_styled(doc, "Heading1", "Learner and registration")
    _fields(
        doc,
        ("Centre", view.centre),
        ("Learner", view.learner_name),
        ("Learner reference", view.learner_ref),
        ("Registration", view.registration_ref),
        ("Assessor", view.assessor_name),
    )
    add_styled(doc, "Heading1", "Framework and standard")
    _fields(
        doc,
        ("Framework", f"{view.framework_title} (version {view.framework_version})"),
        ("Standard URN", view.standard_urn),
        ("Standard code", view.standard_code),
        ("Standard title", view.standard_title),
        ("Standard version", view.standard_version),
    )

    add_styled(doc, "Heading1", "Criteria and evidence")
    for kind, heading in KIND_HEADINGS.items():
        rows = [c for c in view.criteria if c.kind == kind]
        if rows or kind != "assessment":
            add_styled(doc, "Heading2", heading)
            _criteria_table(doc, heading, rows)
    others = [c for c in view.criteria if c.kind not in KIND_HEADINGS]
    if others:
        add_styled(doc, "Heading2", "Other criteria")
        _criteria_table(doc, "Other criteria", others)

    add_styled(doc, "Heading1", "Assessor's summary")
    _text(doc, view.assessor_summary)
    add_styled(doc, "Heading1", "Feedback to the learner")
    _text(doc, view.feedback)

    add_styled(doc, "Heading1", "Declarations")
    add_styled(doc, "Heading2", "Learner's declaration of authenticity")
    doc.add_paragraph(LEARNER_DECLARATION)
    _fields(
        doc,
        ("Learner", view.learner_name),
        ("Declared", fmt_datetime(view.learner_declaration_at)),
    )
    add_styled(doc, "Heading2", "Assessor's declaration")
    doc.add_paragraph(ASSESSOR_DECLARATION)
    _fields(
        doc,
        ("Assessor", view.assessor_name),
        ("Declared", fmt_datetime(view.assessor_declaration_at)),
        ("Signed off", fmt_datetime(view.signed_at)),
    )

    add_styled(doc, "Heading1", "Internal quality assurance")
    _iqa(doc, view.iqa)

    buffer = io.BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue(), view.signed_at)


def _set_up(doc: DocxDocument, view: SignoffView) -> None:
    props = doc.core_properties
    when = as_utc_naive(view.signed_at)
    props.title = clean(view.title)
    props.subject = clean(f"{view.standard_urn} {view.standard_title}".strip())
    props.author = clean(view.assessor_name)
    props.last_modified_by = clean(view.assessor_name)
    props.identifier = clean(view.document_id)
    props.keywords = "sign-off; assessment record"
    props.category = "Assessment record"
    props.comments = ""
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    set_language(doc, LANGUAGE)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    field = styles.add_style(FIELD_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    field.base_style = normal
    field.paragraph_format.space_after = Pt(2)
    cell = styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.paragraph_format.space_after = Pt(0)
    cell.font.size = Pt(9)
    styles["Footer"].font.size = Pt(7.5)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.6)
    section.top_margin = section.bottom_margin = Cm(1.8)

    footer = section.footer
    first = footer.paragraphs[0]
    first.add_run(f"Record {clean(view.document_id)} · Page ")
    add_field(first, "PAGE")
    first.add_run(" of ")
    add_field(first, "NUMPAGES")
    digest = footer.add_paragraph(f"Evidence set SHA-256: {clean(view.evidence_set_sha256)}")
    first._p.style = digest._p.style = _style_id(doc, "Footer")


def _fields(doc: DocxDocument, *pairs: tuple[str, str]) -> None:
    style_id = _style_id(doc, FIELD_STYLE)
    for label, value in pairs:
        p = add_styled(doc, style_id)
        p.add_run(f"{label}: ").bold = True
        p.add_run(clean(value))


def _text(doc: DocxDocument, text: str) -> None:
    lines = clean(text).splitlines() or [""]
    for line in lines:
        doc.add_paragraph(line)


def _criteria_table(doc: DocxDocument, heading: str, rows: list[CriterionRow]) -> None:
    if not rows:
        doc.add_paragraph("None in this standard.")
        return
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    describe_table(
        table,
        heading,
        "One row per criterion and piece of evidence: code, criterion, evidence reference, "
        "title, kind and date of activity, assessment methods, date accepted.",
    )
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width
    header = table.rows[0]
    repeat_as_header(header)
    for cell, name, width in zip(header.cells, COLUMNS, COLUMN_WIDTHS, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(name).bold = True
    append_rows(table, _body_rows(rows), COLUMN_WIDTHS, _style_id(doc, CELL_STYLE))


def _style_id(doc: DocxDocument, name: str) -> str:
    return str(doc.styles[name].style_id)


def _body_rows(rows: list[CriterionRow]) -> Iterator[tuple[CellSpec, ...]]:
    """One row per (criterion, evidence); code and text cells merge down over the evidence."""
    for criterion in rows:
        evidence = criterion.evidence
        merge = "restart" if len(evidence) > 1 else None
        code = CellSpec((criterion.code,), merge)
        text = CellSpec((criterion.text,), merge)
        if not evidence:
            yield (code, text, CellSpec(("No evidence recorded",)), CellSpec(), CellSpec())
        for i, item in enumerate(evidence):
            if i:
                code = text = CellSpec(merge="continue")
            yield (
                code,
                text,
                CellSpec(
                    (
                        f"{item.ref}: {item.title}",
                        f"{item.kind}, activity {fmt_date(item.activity_date)}",
                    )
                ),
                CellSpec((", ".join(item.methods),)),
                CellSpec((fmt_date(item.accepted_on) or "not recorded",)),
            )


def _iqa(doc: DocxDocument, iqa: IqaSection | None) -> None:
    if iqa is None:
        doc.add_paragraph(
            "To be completed by the internal quality assurer if this record is sampled."
        )
        _fields(
            doc,
            ("Sampled", "Yes / No"),
            ("Decision", BLANK),
            ("Comments", BLANK),
            ("Name", BLANK),
            ("Signature", BLANK),
            ("Date", BLANK),
        )
        return
    _fields(
        doc,
        ("Sampled", "Yes" if iqa.sampled else "No"),
        ("Decision", iqa.decision or "—"),
        ("Comments", iqa.comments or "—"),
        ("Name", iqa.name or BLANK),
        ("Signature", BLANK),
        ("Date", fmt_date(iqa.decided_on) or BLANK),
    )
