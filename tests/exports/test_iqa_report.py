"""IQA records: the .docx of sample reports opens again and names the samples; plan as xlsx/csv;
the `portfolio iqa` commands."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from exports.iqa_report import cycle_report
from mappings.assessment.models import Judgement
from mappings.quality.models import Sample, SampleReview
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from portfolio.models import Evidence, Person
from portfolio.models.evidence import KINDS
from portfolio.words import day_words, moment_words
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
        assert any(h.startswith(f"Sample {s.position} — ") for h in headings), s.position
    assert {"Assessor decisions", "IQA decision", "Actions for the assessor"} <= set(headings)
    assert any(p.style.name == "Heading 1" for p in doc.paragraphs)
    texts = [p.text for p in doc.paragraphs]
    assert "Outcome: Disagreed" in texts and "Feedback: Not enough observation." in texts
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
    assert rows[1][:3] == ("Sample", "Record", "Learner")
    assert [r[0] for r in rows[2:]] == [f"Sample {s.position}" for s in samples]
    assert rows[2][8] == "Disagreed" and rows[2][13] == 1
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(samples) and table[0]["Outcome"] == "Disagreed"
    assert table[1]["Outcome"] == "Not reviewed" and table[0]["Why sampled"]
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
    learners = [row[2] for row in sheet.iter_rows(min_row=3)]
    assert learners and all(c.value == FORMULA and c.data_type == "s" for c in learners)
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {row["Learner"] for row in table} == {"'" + FORMULA}


RAW = re.compile(
    r"CAMERA:|coverage:|rate:|\(#\d+\)|\b(?:S\d+|I\d+-\d+-\d+)\b|\b(?:" + "|".join(KINDS) + r")\b"
)


def test_reports_use_the_words_of_the_pages(session, reviewed) -> None:
    """Kinds, methods and statuses in words, people by name, samples named as on the plan page
    ("Sample 1"), not the planner's keys ("S2", "I8-11-16") or its reason codes."""
    centre, samples = reviewed
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["Sample"] for row in table] == [f"Sample {s.position}" for s in samples]
    assert table[0]["Record"] in {"Summative (after sign-off)", "Interim (before sign-off)"}
    assert not RAW.findall(text), RAW.findall(text)
    doc = Document(io.BytesIO(cycle_report(session, centre.cycle.name, "docx")))
    words = [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for r in t.rows for c in r.cells
    ]
    titles = session.exec(select(Evidence.title)).all()  # the learners' own words, kept
    words = [functools.reduce(lambda w, t: w.replace(t, ""), titles, w) for w in words]
    assert not [w for w in words if RAW.search(w)], [w for w in words if RAW.search(w)]
    first = samples[0]
    heading = f"Sample {first.position} — "
    assert any(w.startswith(heading) for w in words), words[:3]
    decisions = [c.text for r in doc.tables[0].rows for c in r.cells]
    assert any("awaiting decision → accepted" in c for c in decisions), decisions
    assert {"Witness testimony", "Observation", "Professional discussion"} & set(decisions)


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\bUTC\b")


def _review_of(session, sample) -> SampleReview:
    return session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).one()


def _docx_words(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    return [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for r in t.rows for c in r.cells
    ]


def test_sample_reports_and_plan_say_dates_in_words(session, reviewed) -> None:
    """As the pages do ("3 Dec 2026, 08:10" in the centre's time zone), not "2026-12-04 09:41
    UTC"; the CSV keeps its sortable dates."""
    centre, samples = reviewed
    review = _review_of(session, samples[0])
    london = ZoneInfo("Europe/London")
    words = _docx_words(cycle_report(session, centre.cycle.name, "docx"))
    assert not [w for w in words if ISO_DAY.search(w)], [w for w in words if ISO_DAY.search(w)]
    assert any(w.endswith(f", {moment_words(review.at, london)}") for w in words), words
    assert day_words(date.today() + timedelta(days=10)) in words  # the action's due day
    assert any(re.search(r"\(\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d\)", w) for w in words)
    book = load_workbook(io.BytesIO(cycle_report(session, centre.cycle.name, "xlsx")))
    rows = list(book["Plan"].iter_rows(values_only=True))
    cycle = centre.cycle
    assert f"({day_words(cycle.start_date)} to {day_words(cycle.end_date)}," in rows[0][0]
    assert rows[2][10] == moment_words(review.at, london)
    assert not [c for r in rows for c in r if isinstance(c, str) and ISO_DAY.search(c)]
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    # as the sign-off register's CSV: a date column for spreadsheets, its zone in its heading
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d\d:\d\d", table[0]["Reviewed at (UTC)"])
    assert review.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == table[0]["Reviewed at (UTC)"]


def test_report_dates_are_in_the_centres_time_zone(session, client, auth, app, reviewed) -> None:
    centre, samples = reviewed
    at = _review_of(session, samples[0]).at
    auckland = ZoneInfo("Pacific/Auckland")
    data = cycle_report(session, centre.cycle.name, "docx", zone="Pacific/Auckland")
    assert any(w.endswith(f", {moment_words(at, auckland)}") for w in _docx_words(data))
    app.config["TIME_ZONE"] = "Pacific/Auckland"
    auth.login(centre.iqa)
    got = client.get(f"/iqa/cycles/{centre.cycle.id}/report.docx")
    assert got.status_code == 200
    assert any(w.endswith(f", {moment_words(at, auckland)}") for w in _docx_words(got.data))


def test_the_csv_and_documents_say_outcomes_statuses_and_reasons_in_words(
    session, reviewed
) -> None:
    """Stored values ("disagree", "open", "signed", "rate: standard assessor 20%") are the
    records' own; the CSV and the sample reports say them as the pages do, and no column but the
    one named for UTC holds a timestamp."""
    centre, samples = reviewed
    stored = [r for s in samples for r in s.reasons]
    assert "rate: standard assessor 20%" in stored  # the planner's record is not rewritten
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {row["Outcome"] for row in table} == {"Disagreed", "Not reviewed"}
    why = " ".join(row["Why sampled"] for row in table)
    assert "quota of an experienced assessor (20%)" in why
    assert "quota of an assessor under review (50%)" in why
    assert not re.search(r"standard assessor|under.review assessor|\bnot reviewed\b", why)
    human = [v for row in table for k, v in row.items() if k != "Reviewed at (UTC)"]
    assert not [v for v in human if ISO_DAY.search(v)], [v for v in human if ISO_DAY.search(v)]
    words = _docx_words(cycle_report(session, centre.cycle.name, "docx"))
    assert "Outcome: Disagreed" in words and "Outcome: disagree" not in words
    assert "Open" in words and "open" not in words  # the action's status
    assert not [w for w in words if re.search(r"standard assessor|under review assessor", w)]


def test_yes_and_no_are_capitalised_as_on_the_pages(session, reviewed) -> None:
    """The sample page says "Sign-off reopened: No" and the VACSR flags "Yes"/"No"; the plan's
    "Dropped" column and the sample reports say them the same way in every format."""
    centre, samples = reviewed
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=samples[0].id)
    item = session.exec(
        select(Evidence).where(Evidence.title == view.decisions[0].evidence_title)
    ).first()
    session.add(
        Judgement(evidence_id=item.id, version_number=1, valid=True, authentic=True,
                  current=False, sufficient=True, reliable=True, note="Old", actor_id=item.learner_id)
    )  # fmt: skip
    session.commit()
    words = _docx_words(cycle_report(session, centre.cycle.name, "docx"))
    assert "Sign-off reopened: No" in words and "Sign-off reopened: no" not in words
    assert {"Yes", "No"} <= set(words) and not {"yes", "no"} & set(words)
    text = cycle_report(session, centre.cycle.name, "csv").decode("utf-8-sig")
    assert {row["Dropped"] for row in csv.DictReader(io.StringIO(text))} == {"No"}
    book = load_workbook(io.BytesIO(cycle_report(session, centre.cycle.name, "xlsx")))
    rows = list(book["Plan"].iter_rows(values_only=True))
    assert rows[1][6] == "Dropped" and {r[6] for r in rows[2:]} == {"No"}
