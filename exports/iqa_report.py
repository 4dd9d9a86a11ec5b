"""IQA records: the sample report per sample (.docx) and the plan with outcomes (.xlsx, .csv).

The layout functions take the views of :func:`mappings.quality.samples.sample_details`; :func:`cycle_report`
loads them for a whole cycle and picks the format from the file name. The documents and the
spreadsheet say dates as the pages do ("3 Dec 2026", "3 Dec 2026, 08:10" in the centre's time
zone: :mod:`portfolio.words`); the CSV keeps the review's time sortable, in a column named for
UTC ("Reviewed at (UTC)": "2026-12-03 08:10"), as the sign-off register does. Outcomes, statuses
and the planner's stored reasons are said in words as they are read, never rewritten where they
are stored (:mod:`mappings.quality.words`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as DocxDocument
from sqlmodel import Session, col, select

from exports.docx_util import clean, repeat_as_header
from framework import tabular
from framework.docx_properties import own_properties
from mappings.assessment.words import decision_words, method_words
from mappings.quality.cycles import cycle_by_name
from mappings.quality.models import Sample, SamplingCycle
from mappings.quality.samples import SampleView, sample_details
from mappings.quality.words import (
    added_by_words,
    outcome_words,
    reason_plain,
    record_words,
    sample_kind,
    sample_label,
)
from portfolio.words import day_words, moment_words

FORMATS = ("docx", "xlsx", "csv")
ZONE = "Europe/London"  # the centre's time zone unless the caller says (PORTFOLIO_TIME_ZONE)
Moment = Callable[[datetime], str]
# the plan page's words: samples by their place in the plan ("Sample 1"), records, reasons, kinds
# and methods in words, people by name (never the planner's keys "S2", "I8-11-16" or "(#16)")
COLUMNS = (
    "Sample",
    "Record",
    "Learner",
    "Standard",
    "Assessor",
    "Added by",
    "Dropped",
    "Why sampled",
    "Outcome",
    "Reviewed by",
    "Reviewed at",
    "Decisions disagreed with",
    "Actions",
    "Open actions",
)
# the CSV keeps the review's time sortable for spreadsheets, in UTC as its heading says (as the
# sign-off register's "Signed at (UTC)"); the spreadsheet and documents say it in words
CSV_COLUMNS = tuple("Reviewed at (UTC)" if c == "Reviewed at" else c for c in COLUMNS)


@dataclass(frozen=True)
class PlanRow:
    sample: str
    record: str
    learner: str
    standard: str
    assessor: str
    added_by: str
    dropped: bool
    reasons: str
    outcome: str
    reviewed_by: str
    reviewed_at: str
    disagreed: int
    actions: int
    open_actions: int

    def cells(self) -> list[tabular.Cell]:
        return [
            self.sample, self.record, self.learner, self.standard,
            self.assessor, self.added_by, "Yes" if self.dropped else "No", self.reasons,
            self.outcome, self.reviewed_by, self.reviewed_at, self.disagreed, self.actions,
            self.open_actions,
        ]  # fmt: skip


def in_words(zone: str = ZONE) -> Moment:
    """A moment as the pages say it in ``zone``: "3 Dec 2026, 08:10"."""
    where = ZoneInfo(zone)
    return lambda moment: moment_words(moment, where)


def in_utc(moment: datetime) -> str:
    """A moment for a spreadsheet to sort: "2026-12-03 08:10" (in UTC, as the column says)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def plan_rows(views: Sequence[SampleView], moment: Moment = in_utc) -> list[PlanRow]:
    """The plan's rows, outcomes and reasons in words; review times by ``moment`` (by default
    "2026-12-03 08:10", UTC)."""
    return [
        PlanRow(
            sample=sample_label(v.sample.position),
            record=sample_kind(v.sample.kind),
            learner=v.learner_name,
            standard=v.standard_code,
            assessor=v.assessor_name,
            added_by=added_by_words(v.sample.added_by),
            dropped=v.sample.dropped,
            reasons="; ".join(map(reason_plain, v.sample.reasons)),
            outcome=outcome_words(v.review.outcome if v.review else None),
            reviewed_by=v.reviewer_name,
            reviewed_at=moment(v.review.at) if v.review else "",
            disagreed=sum(1 for c in v.checks.values() if not c.agree),
            actions=len(v.actions),
            open_actions=sum(1 for a in v.actions if a.status != "closed"),
        )
        for v in views
    ]


def plan_csv(rows: Sequence[PlanRow]) -> bytes:
    return tabular.csv_bytes(CSV_COLUMNS, (row.cells() for row in rows))


def plan_xlsx(rows: Sequence[PlanRow], title: str) -> bytes:
    return tabular.xlsx_bytes(
        COLUMNS,
        (row.cells() for row in rows),
        sheet_title="Plan",
        title=title,
        heading=title,
        widths=False,
    )


def _table(doc: DocxDocument, header: Sequence[str], body: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    repeat_as_header(table.rows[0])
    for values in body:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = clean(text)


def _fields(doc: DocxDocument, pairs: Sequence[tuple[str, str]]) -> None:
    for label, value in pairs:
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(clean(value))


def samples_docx(title: str, views: Sequence[SampleView], zone: str = ZONE) -> bytes:
    """One document: a heading per sample with its decisions, VACSR, sign-off and IQA review;
    times in words in ``zone``."""
    doc = Document()
    own_properties(doc)
    doc.core_properties.title = clean(title)
    doc.add_heading(clean(title), level=0)
    moment = in_words(zone)
    for v in views:
        _sample_section(doc, v, moment)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _day(value: date | None) -> str:
    return day_words(value) if value else ""


def _sample_section(doc: DocxDocument, v: SampleView, moment: Moment) -> None:
    doc.add_heading(
        clean(f"{sample_label(v.sample.position, v.learner_name)}, {v.standard_code}"), level=1
    )
    _fields(
        doc,
        [
            ("Cycle", v.cycle.name),
            ("Record", sample_kind(v.sample.kind)),
            ("Standard", f"{v.standard_code} {v.standard_title}"),
            ("Assessor", v.assessor_name),
            ("Why sampled", "; ".join(map(reason_plain, v.sample.reasons))),
        ],
    )
    if v.signoff is not None:
        doc.add_heading("Sign-off", level=2)
        _fields(
            doc,
            [
                ("Document", v.signoff.document_id),
                ("Signed", moment(v.signoff.signed_at)),
                ("Status", record_words(v.signoff.status)),
                ("Summary", v.signoff.summary),
            ],
        )
    _assessment(doc, v, moment)
    _iqa_decision(doc, v, moment)


def _assessment(doc: DocxDocument, v: SampleView, moment: Moment) -> None:
    """The assessor's decisions with the IQA's check of each, and the VACSR judgements."""
    doc.add_heading("Assessor decisions", level=2)
    _table(
        doc,
        ("Criterion", "Evidence", "Decision", "Method", "IQA"),
        [
            (
                d.criterion,
                f"{d.evidence_title}, version {d.version}",
                f"{decision_words(d.old_status, d.new_status)} ({moment(d.at)})"
                + (", superseded by a later decision" if d.superseded else "")
                + (f", {d.origin[:1].lower()}{d.origin[1:]}" if d.origin else ""),
                method_words(d.method),
                _check(v, d.id),
            )
            for d in v.decisions
        ],
    )
    if v.judgements:
        doc.add_heading("VACSR judgements", level=2)
        _table(
            doc,
            ("Evidence", "Version", "Valid", "Authentic", "Current", "Sufficient", "Reliable"),
            [
                (j.evidence_title, str(j.version), *("Yes" if ok else "No" for _, ok in j.flags))
                for j in v.judgements
            ],
        )


def _iqa_decision(doc: DocxDocument, v: SampleView, moment: Moment) -> None:
    """The review (or that there is none yet) and the actions set for the assessor."""
    doc.add_heading("IQA decision", level=2)
    if v.review is None:
        doc.add_paragraph("Not reviewed yet.")
        return
    _fields(
        doc,
        [
            ("Outcome", outcome_words(v.review.outcome)),
            ("Reviewed by", f"{v.reviewer_name}, {moment(v.review.at)}"),
            ("Feedback", v.review.feedback or "none"),
            ("Sign-off reopened", "Yes" if v.review.reopened_signoff else "No"),
        ],
    )
    if v.actions:
        doc.add_heading("Actions for the assessor", level=3)
        _table(
            doc,
            ("Action", "Due", "Status", "Response"),
            [(a.text, _day(a.due_date), record_words(a.status), a.response) for a in v.actions],
        )


def _check(view: SampleView, decision_id: int) -> str:
    check = view.checks.get(decision_id)
    if check is None:
        return "not checked"
    return ("agree" if check.agree else "disagree") + (f": {check.note}" if check.note else "")


def cycle_report(session: Session, cycle_name: str, fmt: str, zone: str = ZONE) -> bytes:
    """The plan with outcomes (xlsx, csv) or all sample reports in one document (docx), times
    in the centre's time zone ``zone`` (but in UTC in the CSV)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format “{fmt}”: use one of {', '.join(FORMATS)}")
    return report_for_cycle(session, cycle_by_name(session, cycle_name), fmt, zone)


def report_for_cycle(session: Session, cycle: SamplingCycle, fmt: str, zone: str = ZONE) -> bytes:
    """:func:`cycle_report` of a cycle already loaded (and checked by the caller)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format “{fmt}”: use one of {', '.join(FORMATS)}")
    ids = session.exec(
        select(Sample.id).where(Sample.cycle_id == cycle.id).order_by(col(Sample.position))
    ).all()
    views = sample_details(session, [i for i in ids if i is not None])
    if fmt == "docx":
        return samples_docx(
            f"IQA sample reports: {cycle.name}", [v for v in views if not v.sample.dropped], zone
        )
    if fmt == "csv":
        return plan_csv(plan_rows(views))
    period = f"{day_words(cycle.start_date)} to {day_words(cycle.end_date)}"
    title = f"IQA plan and outcomes: {cycle.name} ({period}, seed {cycle.seed})"
    return plan_xlsx(plan_rows(views, in_words(zone)), title)
