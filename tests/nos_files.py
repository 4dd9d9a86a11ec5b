"""Published NOS as centres download them: one .docx per standard, made with python-docx.

The layout follows the NOS template the UK NOS database publishes: a header table with the URN
and the title, a two-column body table whose first column names the section (``Overview``,
``Performance criteria``, ``Knowledge and understanding``) with ``You must be able to:`` /
``You need to know and understand:`` and one ``P1`` / ``K1`` row per criterion, then the table of
facts (``Developed by``, ``Version Number`` ... ``Keywords``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document


@dataclass
class PublishedNos:
    urn: str
    title: str
    overview: list[str]
    performance: list[str]
    knowledge: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    # printed numbers when not 1..n (an older NOS: "4", "4.1", "4.2")
    performance_numbers: list[str] | None = None
    knowledge_numbers: list[str] | None = None


FACTS = [
    ("Developed by", "Skills for Justice"),
    ("Version Number", "3"),
    ("Date Approved", "31/01/2020"),
    ("Indicative Review Date", "31/01/2025"),
    ("Validity", "Current"),
    ("Status", "Original"),
    ("Originating Organisation", "Skills for Justice"),
    ("Relevant Occupations", "Community and youth workers; Probation officers"),
    ("Suite", "Community Justice"),
    ("Keywords", "risk; offenders; assessment"),
]

SFJ_AA1 = PublishedNos(
    urn="SFJCJAA1",
    title="Assess the risk of harm an individual poses to others",
    overview=[
        "This standard is about assessing the risk of harm that an individual may pose to "
        "others, using the information available and approved assessment tools.",
        "It is for practitioners who work with individuals in community justice settings.",
    ],
    performance=[
        "gather the information you need from all relevant sources",
        "check the accuracy and completeness of the information",
        "use approved assessment tools in line with your organisation's procedures",
        "identify the factors that increase or reduce the risk of harm",
        "record your assessment in the required format",
        "share your assessment with those who need it, within the limits of confidentiality",
    ],
    knowledge=[
        "the legal and organisational requirements for assessing risk of harm",
        "the approved assessment tools and how to use them",
        "the factors that increase or reduce risk of harm",
        "how to record and share assessments",
        "the limits of confidentiality in your role",
    ],
)
SFJ_AA2 = PublishedNos(
    urn="SFJCJAA2",
    title="Plan interventions to reduce the risk of harm",
    overview=["This standard is about planning interventions that reduce the risk of harm."],
    performance=[
        "agree the objectives of the intervention with the individual",
        "identify the resources the intervention needs",
        "plan how the intervention will be reviewed",
        "record the plan and share it with the people involved",
    ],
    knowledge=[
        "the types of intervention available to you",
        "how to set objectives that can be measured",
        "how to review interventions",
    ],
)
SFJ_AA3 = PublishedNos(
    urn="SFJCJAA3",
    title="Review the progress of interventions",
    overview=["This standard is about reviewing progress against an intervention plan."],
    performance=[
        "review progress against the objectives of the plan",
        "agree changes to the plan with the individual and colleagues",
        "record the outcome of the review",
    ],
    knowledge=[
        "how to measure progress against objectives",
        "when to change an intervention plan",
    ],
)


OLDER = PublishedNos(
    urn="COSVR641",
    title="Maintain the health and safety of the work area",
    overview=["This standard covers maintaining the health and safety of the work area."],
    performance=[
        "identify the hazards in the work area",
        "keep the work area safe and free from obstructions, including:",
        "storing tools, equipment and materials where they do not create a hazard",
        "keeping access routes and emergency exits clear",
        "report accidents and near misses",
    ],
    performance_numbers=["1", "2", "2.1", "2.2", "3"],
    knowledge=["the hazards of the work area", "the organisation's reporting procedures"],
)


def nos_docx(nos: PublishedNos, facts: list[tuple[str, str]] | None = None) -> bytes:
    """The .docx of one published NOS."""
    document = Document()
    header = document.add_table(rows=1, cols=2)
    header.rows[0].cells[0].text = nos.urn
    header.rows[0].cells[1].text = nos.title
    body = document.add_table(rows=0, cols=2)
    cells = body.add_row().cells
    cells[0].text = "Overview"
    cells[1].text = nos.overview[0]
    for paragraph in nos.overview[1:]:
        cells[1].add_paragraph(paragraph)
    for label, lead, letter, items, numbers in (
        (
            "Performance criteria",
            "You must be able to:",
            "P",
            nos.performance,
            nos.performance_numbers,
        ),
        (
            "Knowledge and understanding",
            "You need to know and understand:",
            "K",
            nos.knowledge,
            nos.knowledge_numbers,
        ),
    ):
        cells = body.add_row().cells
        cells[0].text, cells[1].text = label, lead
        printed = numbers or [str(n) for n in range(1, len(items) + 1)]
        for number, text in zip(printed, items, strict=True):
            cells = body.add_row().cells
            cells[0].text, cells[1].text = f"{letter}{number}", text
    table = document.add_table(rows=0, cols=2)
    for label, value in (facts or FACTS) + (nos.facts or [("Original URN", nos.urn)]):
        row = table.add_row().cells
        row[0].text, row[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
