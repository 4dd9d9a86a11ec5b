"""IQA records: the .docx of sample reports opens again and names the samples; plan as xlsx/csv;
the `portfolio iqa` commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from exports.iqa_report import cycle_report
from mappings.quality.models import Sample
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from portfolio.models import Person
from tests.conftest import actor_of
from tests.mappings.test_iqa import build_centre


@pytest.fixture
def reviewed(session, make_person, make_registration):
    centre = build_centre(session, make_person, make_registration, learners=3, name="Report")
    me = actor_of(centre.iqa)
    plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == centre.cycle.id).order_by(Sample.position)
    ).all()
    view = sample_view(session, actor=me, sample_id=samples[0].id)
    review_sample(
        session,
        actor=me,
        sample_id=samples[0].id,
        outcome="disagree",
        feedback="Not enough observation.",
        checks={view.decisions[0].id: (False, "Only described")},
        actions=[("Observe again", date.today() + timedelta(days=10))],
    )
    session.commit()
    return centre, samples


def test_docx_report_opens_and_names_every_sample(session, reviewed) -> None:
    centre, samples = reviewed
    doc = Document(io.BytesIO(cycle_report(session, centre.cycle.name, "docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for s in samples:
        assert any(h.startswith(f"Sample {s.decision_key}:") for h in headings), s.decision_key
    assert {"Assessor decisions", "IQA decision", "Actions for the assessor"} <= set(headings)
    assert any(p.style.name == "Heading 1" for p in doc.paragraphs)
    texts = [p.text for p in doc.paragraphs]
    assert "Outcome: disagree" in texts and "Feedback: Not enough observation." in texts
    first_table = doc.tables[0]
    assert [c.text for c in first_table.rows[0].cells] == [
        "Criterion", "Evidence", "Decision", "Method", "IQA"
    ]  # fmt: skip
    header = first_table.rows[0]._tr
    assert header.xpath("./w:trPr/w:tblHeader")  # repeats on every page
    assert any("disagree: Only described" in c.text for r in first_table.rows for c in r.cells)


def test_plan_as_xlsx_and_csv_carries_outcomes(session, reviewed) -> None:
    centre, samples = reviewed
    book = load_workbook(io.BytesIO(cycle_report(session, centre.cycle.name, "xlsx")))
    rows = list(book["Plan"].iter_rows(values_only=True))
    assert rows[0][0].startswith("IQA plan and outcomes: Report")
    assert rows[1][:3] == ("position", "decision", "record")
    assert [r[1] for r in rows[2:]] == [s.decision_key for s in samples]
    assert rows[2][9] == "disagree" and rows[2][14] == 1
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(samples) and table[0]["outcome"] == "disagree"
    assert table[1]["outcome"] == "not reviewed" and table[0]["reasons"]
    with pytest.raises(ValueError, match="unknown report format"):
        cycle_report(session, centre.cycle.name, "pdf")


def test_cli_plans_creates_and_reports(cli, session, make_person, make_registration, tmp_path):
    centre = build_centre(session, make_person, make_registration, learners=3, name="Cli")
    result = cli("iqa", "plan", "--cycle", "Cli", "--seed", "4", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["seed"] == 4 and data["samples"] and data["gaps"] == []
    again = json.loads(cli("iqa", "plan", "--cycle", "Cli", "--seed", "4", "--json").output)
    assert again["samples"] == data["samples"]  # reproducible
    start = (date.today() - timedelta(days=10)).isoformat()
    made = cli("iqa", "plan", "--cycle", "New", "--create", "--iqa", str(centre.iqa.id),
               "--from", start, "--to", date.today().isoformat())  # fmt: skip
    assert made.exit_code == 0 and "Cycle New:" in made.output
    assert cli("iqa", "plan", "--cycle", "Nope").exit_code != 0
    assert cli("iqa", "plan", "--cycle", "X", "--create").exit_code != 0
    for suffix in ("docx", "xlsx", "csv"):
        out = tmp_path / f"report.{suffix}"
        result = cli("iqa", "report", "--cycle", "Cli", "-o", str(out))
        assert result.exit_code == 0 and out.stat().st_size > 0, result.output
    assert cli("iqa", "report", "--cycle", "Cli", "-o", str(tmp_path / "r.pdf")).exit_code != 0


FORMULA = '=HYPERLINK("http://evil.example","Open")'


def test_plan_never_carries_a_live_formula(session, reviewed) -> None:
    centre, _ = reviewed
    for person in session.exec(select(Person)).all():
        person.name = FORMULA
    session.commit()
    sheet = load_workbook(io.BytesIO(cycle_report(session, centre.cycle.name, "xlsx")))["Plan"]
    learners = [row[5] for row in sheet.iter_rows(min_row=3)]
    assert learners and all(c.value == FORMULA and c.data_type == "s" for c in learners)
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {row["learner"] for row in table} == {"'" + FORMULA}
