"""The assessor's sign-off record of one standard, as a .docx laid out from a plain view model.

The document names every criterion with the evidence, methods and dates behind it, carries the
learner's and the assessor's declarations (each with the exact wording confirmed and a signature
block), a section for the internal quality assurer (filled when the record was sampled) and the
audit trail's head at sign-off, and prints the SHA-256 of the evidence set in its footer so that
any later change to the evidence shows. Evidence listed for a criterion it does not count for is
marked, with the reason. The same :class:`SignoffView` always gives the same bytes.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

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
    repeat_as_header,
    reproducible_zip,
    set_language,
)
from exports.signoff_sections import (
    FIELD_STYLE,
    DeclarationBlock,
    add_audit_head,
    add_declaration,
    add_iqa,
    fields,
    spoken_date,
    spoken_time,
    style_id,
)
from exports.signoff_sections import (
    IqaSection as IqaSection,
)
from mappings.assessment.coverage import DEFAULT_METHODS
from mappings.assessment.declarations import ASSESSOR_WORDING as ASSESSOR_DECLARATION
from mappings.assessment.signoff import (
    evidence_set_hash as evidence_set_hash,  # re-exported for callers
)
from portfolio.refs import EvidenceRef
from portfolio.services.registration_standards import CENTRE

LANGUAGE = "en-GB"
CELL_STYLE = "Table Text"

KIND_HEADINGS = {
    "performance": "Performance criteria",
    "knowledge": "Knowledge and understanding",
    "assessment": "Assessment criteria",
}
COLUMNS = ("Code", "Criterion", "Evidence", "Methods", "Accepted")
COLUMN_WIDTHS = (Cm(1.3), Cm(6.0), Cm(6.1), Cm(2.0), Cm(2.4))

# printed for records signed before the learner's declaration was an act of its own: nothing
# is inferred from the evidence's declarations of authenticity
NO_LEARNER_DECLARATION = (
    "No declaration by the learner was recorded for this standard when it was signed off."
)


@dataclass(frozen=True)
class EvidenceRow:
    ref: EvidenceRef  # the evidence version, shown as "E12v2"
    title: str
    kind: str
    activity_date: date
    methods: tuple[str, ...]
    accepted_on: date | None
    counts: bool = True  # False: listed, but does not count for this criterion under the rules
    not_counted: str = ""  # why it does not count, in words
    vacsr: str = ""  # the assessor's VACSR judgement of this version, in words
    witness: str = ""  # what the witness of a testimony said of it, in words
    # "recorded at Northfield by …": written at the centre that sent it, not by the learner
    recorded: str = ""


@dataclass(frozen=True)
class CriterionRow:
    code: str
    kind: str  # performance | knowledge | assessment
    text: str
    evidence: tuple[EvidenceRow, ...]


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
    learner_declared_by: str = ""  # who made the learner's declaration (the learner)
    learner_wording: str = ""  # the exact words the learner confirmed ("" on older records)
    assessor_wording: str = ""  # the exact words of the assessor's declaration
    audit_entries: int | None = None  # the audit trail's head when the standard was signed off
    audit_head: str = ""
    # (code, name) of the framework's assessment methods, in the order of its method table: the
    # key under each table of criteria says in words the codes that table uses
    method_names: tuple[tuple[str, str], ...] = DEFAULT_METHODS
    zone: ZoneInfo = CENTRE  # the centre's clock, on which the record's days and times are told
    # the numbers the awarding body knows the learner and registration by ("" until given)
    uln: str = ""
    awarding_body_ref: str = ""

    @property
    def title(self) -> str:
        return f"Assessor sign-off: {self.standard_code} {self.standard_title}".strip()


def lay_out(view: SignoffView) -> bytes:
    """One record's .docx, then the young cyclic garbage collected, for loops that lay out many
    (the bulk export, a bundle's records): a python-docx document is a cycle of parts holding
    lxml trees whose memory (malloc'd by libxml2) the collector cannot see, so left to the usual
    thresholds some dozens of dropped documents (60-70 MB) wait for a full collection. A
    collection of the two young generations costs far less than a record."""
    blob = build_signoff_docx(view)
    gc.collect(1)
    return blob


def _learner_fields(view: SignoffView) -> list[tuple[str, str]]:
    """Who and which registration: the awarding body's numbers where given, beside the centre's."""
    pairs = [("Centre", view.centre), ("Learner", view.learner_name)]
    if view.uln:
        pairs.append(("Unique learner number (ULN)", view.uln))
    pairs += [("Learner reference", view.learner_ref), ("Registration", view.registration_ref)]
    if view.awarding_body_ref:
        pairs.append(("Awarding body registration number", view.awarding_body_ref))
    return [*pairs, ("Assessor", view.assessor_name)]


def build_signoff_docx(view: SignoffView) -> bytes:
    doc = Document()
    _set_up(doc, view)
    add_styled(doc, "Title", view.title)
    doc.add_paragraph(
        f"Record {clean(view.document_id)}, signed off {spoken_date(view.signed_at, view.zone)} "
        f"at {spoken_time(view.signed_at, view.zone)}"
    )

    add_styled(doc, "Heading1", "Learner and registration")
    fields(doc, *_learner_fields(view))
    add_styled(doc, "Heading1", "Framework and standard")
    fields(
        doc,
        ("Framework", f"{view.framework_title} (version {view.framework_version})"),
        ("Standard URN", view.standard_urn),
        ("Standard code", view.standard_code),
        ("Standard title", view.standard_title),
        *((("Standard version", view.standard_version),) if view.standard_version else ()),
    )

    add_styled(doc, "Heading1", "Criteria and evidence")
    if key := evidence_key(view.criteria):
        doc.add_paragraph(key)
    for kind, heading in KIND_HEADINGS.items():
        rows = [c for c in view.criteria if c.kind == kind]
        if rows or kind != "assessment":
            add_styled(doc, "Heading2", heading)
            _criteria_table(doc, heading, rows, view.method_names)
    others = [c for c in view.criteria if c.kind not in KIND_HEADINGS]
    if others:
        add_styled(doc, "Heading2", "Other criteria")
        _criteria_table(doc, "Other criteria", others, view.method_names)

    add_styled(doc, "Heading1", "Assessor's summary")
    _text(doc, view.assessor_summary)
    add_styled(doc, "Heading1", "Feedback to the learner")
    _text(doc, view.feedback)

    add_styled(doc, "Heading1", "Declarations")
    signed_date = spoken_date(view.signed_at, view.zone)
    add_declaration(
        doc,
        DeclarationBlock(
            heading="Learner's declaration of authenticity",
            role="Learner",
            wording=view.learner_wording,
            name=view.learner_declared_by or view.learner_name,
            at=view.learner_declaration_at if view.learner_wording else None,
            missing=NO_LEARNER_DECLARATION,
        ),
        view.zone,
    )
    add_declaration(
        doc,
        DeclarationBlock(
            heading="Assessor's declaration",
            role="Assessor",
            wording=view.assessor_wording or ASSESSOR_DECLARATION,
            name=view.assessor_name,
            at=view.assessor_declaration_at,
            extra=(("Signed off", f"{signed_date}, {spoken_time(view.signed_at, view.zone)}"),),
        ),
        view.zone,
    )

    add_styled(doc, "Heading1", "Internal quality assurance")
    add_iqa(doc, view.iqa, view.zone)
    add_audit_head(doc, view.audit_entries, view.audit_head)

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
    first._p.style = digest._p.style = style_id(doc, "Footer")


def _text(doc: DocxDocument, text: str) -> None:
    lines = clean(text).splitlines() or [""]
    for line in lines:
        doc.add_paragraph(line)


def _criteria_table(
    doc: DocxDocument, heading: str, rows: list[CriterionRow], names: tuple[tuple[str, str], ...]
) -> None:
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
    append_rows(table, _body_rows(rows), COLUMN_WIDTHS, style_id(doc, CELL_STYLE))
    if key := method_key(rows, names):
        doc.add_paragraph(key)


def evidence_key(criteria: tuple[CriterionRow, ...]) -> str:
    """ "Key to the evidence references: E12v2 is evidence item 12, version 2 (...)": the first
    reference the tables use, said in words, with where the learner's bundle keeps it."""
    refs = [item.ref for criterion in criteria for item in criterion.evidence]
    if not refs:
        return ""
    ref = refs[0]
    key = (
        f"Key to the evidence references: {ref} is evidence item {ref.evidence_id}, version "
        f"{ref.version} (in the learner's evidence bundle, evidence/E{ref.evidence_id}.html)"
    )
    return key + ("; the others read the same way." if len(set(refs)) > 1 else ".")


def method_key(rows: list[CriterionRow], names: tuple[tuple[str, str], ...]) -> str:
    """ "Key to the methods: O observation, WT witness testimony.": the codes the rows use, in
    the order of ``names`` (a code the framework does not name is left out); "" for none."""
    used = {code for criterion in rows for item in criterion.evidence for code in item.methods}
    said = [f"{code} {name}" for code, name in names if code in used]
    return f"Key to the methods: {', '.join(said)}." if said else ""


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
                CellSpec(_evidence_lines(item)),
                CellSpec((", ".join(item.methods),)),
                CellSpec((fmt_date(item.accepted_on) or "not recorded",)),
            )


def _evidence_lines(item: EvidenceRow) -> tuple[str, ...]:
    lines = [f"{item.ref}: {item.title}", f"{item.kind}, activity {fmt_date(item.activity_date)}"]
    if item.recorded:
        lines.append(f"{item.recorded[:1].upper()}{item.recorded[1:]}, not by the learner")
    if item.vacsr:
        lines.append(item.vacsr)
    if item.witness:
        lines.append(f"Witness confirmation: {item.witness}")
    if not item.counts:
        lines.append(f"Listed, does not count for this criterion: {item.not_counted}")
    return tuple(lines)
