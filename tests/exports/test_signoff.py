from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from exports.docx_util import clean
from exports.signoff import (
    CriterionRow,
    EvidenceRow,
    IqaSection,
    SignoffView,
    build_signoff_docx,
    evidence_set_hash,
)
from portfolio.refs import EvidenceRef

ViewFactory = Callable[..., SignoffView]


def all_text(data: bytes) -> str:
    """Body paragraphs, table cells and footers of a .docx, one string."""
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in d.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def test_round_trip_contains_every_criterion_and_reference(view_factory: ViewFactory):
    view = view_factory()
    data = build_signoff_docx(view)
    text = all_text(data)
    for criterion in view.criteria:
        assert criterion.code in text
        assert criterion.text in text
        for item in criterion.evidence:
            assert str(item.ref) in text
            assert item.title in text
            assert f"activity {item.activity_date.day} {item.activity_date:%b %Y}" in text
            assert item.accepted_on is not None
            assert f"{item.accepted_on.day} {item.accepted_on:%b %Y}" in text
            assert item.activity_date.isoformat() not in text  # dates in words, not codes
            assert ", ".join(item.methods) in text
    for value in (
        view.document_id,
        view.centre,
        view.learner_name,
        view.learner_ref,
        view.registration_ref,
        view.assessor_name,
        view.standard_urn,
        view.standard_title,
        view.framework_title,
        view.evidence_set_sha256,
        "Date: Monday 2 December 2024",  # learner's declaration, in words
        "Time: 10:15 GMT",
        "Date: Tuesday 3 December 2024",  # assessor's declaration
        "Time: 16:40 GMT",
        "signed off Tuesday 3 December 2024 at 16:45 GMT",
        "Strong witness testimony.",
        view.feedback,
    ):
        assert value in text, value


def test_headings_use_word_styles_and_tables_group_p_then_k(view_factory: ViewFactory):
    d = docx.Document(io.BytesIO(build_signoff_docx(view_factory(n_performance=3, n_knowledge=2))))
    styled = [(p.style.name, p.text) for p in d.paragraphs if p.style is not None]
    assert styled[0][0] == "Title"
    h1 = [t for s, t in styled if s == "Heading 1"]
    h2 = [t for s, t in styled if s == "Heading 2"]
    assert "Criteria and evidence" in h1 and "Internal quality assurance" in h1
    assert h2.index("Performance criteria") < h2.index("Knowledge and understanding")
    perf, know = d.tables
    assert [c.text for c in perf.rows[0].cells] == [
        "Code",
        "Criterion",
        "Evidence",
        "Methods",
        "Accepted",
    ]
    assert {r.cells[0].text for r in perf.rows[1:]} == {"P1", "P2", "P3"}
    assert {r.cells[0].text for r in know.rows[1:]} == {"K1", "K2"}


def test_header_rows_repeat_and_tables_are_captioned(view_factory: ViewFactory):
    d = docx.Document(io.BytesIO(build_signoff_docx(view_factory())))
    assert len(d.tables) == 2
    for table in d.tables:
        header = table.rows[0]._tr
        flag = header.trPr.find(qn("w:tblHeader"))
        assert flag is not None and flag.get(qn("w:val")) == "true"
        body_flags = [r._tr.trPr.find(qn("w:tblHeader")) for r in table.rows[1:]]
        assert all(f is None for f in body_flags)
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None


def test_evidence_rows_merge_criterion_cells(view_factory: ViewFactory):
    d = docx.Document(io.BytesIO(build_signoff_docx(view_factory(2, 1, per_criterion=3))))
    perf = d.tables[0]
    assert len(perf.rows) == 1 + 2 * 3
    # the merged code cell is the same cell in every row of the criterion
    assert [r.cells[0].text for r in perf.rows[1:]] == ["P1"] * 3 + ["P2"] * 3


def test_criterion_without_evidence_says_so(view_factory: ViewFactory):
    view = view_factory(1, 1, per_criterion=1)
    bare = CriterionRow("K9", "knowledge", "an unevidenced statement", ())
    data = build_signoff_docx(view_factory(1, 1, per_criterion=1, criteria=(*view.criteria, bare)))
    assert "No evidence recorded" in all_text(data)


def test_footer_has_page_fields_id_and_hash(view_factory: ViewFactory):
    view = view_factory()
    d = docx.Document(io.BytesIO(build_signoff_docx(view)))
    footer = d.sections[0].footer._element
    instructions = [el.text.strip() for el in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    footer_text = "\n".join(p.text for p in d.sections[0].footer.paragraphs)
    assert view.document_id in footer_text and "Page" in footer_text and " of " in footer_text
    assert view.evidence_set_sha256 in footer_text


def test_core_properties_and_language(view_factory: ViewFactory):
    view = view_factory()
    d = docx.Document(io.BytesIO(build_signoff_docx(view)))
    props = d.core_properties
    assert props.title == view.title
    assert props.language == "en-GB"
    assert props.identifier == view.document_id
    assert props.revision == 1
    assert props.created == props.modified == datetime(2024, 12, 3, 16, 45, tzinfo=UTC)
    lang = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"


def test_iqa_blank_then_filled(view_factory: ViewFactory):
    blank = all_text(build_signoff_docx(view_factory()))
    assert "Sampled: Yes / No" in blank and "Signature: ____" in blank
    filled_view = view_factory(
        iqa=IqaSection(
            True,
            "Agreed",
            "Carla Mendes",
            datetime(2025, 1, 14, 11, 0, tzinfo=UTC),
            "Sound judgements",
        )
    )
    filled = all_text(build_signoff_docx(filled_view))
    for value in (
        "Sampled: Yes",
        "Decision: Agreed",
        "Name: Carla Mendes",
        "Date: Tuesday 14 January 2025",
    ):
        assert value in filled
    assert "Sampled: Yes / No" not in filled


def test_the_record_tells_its_days_and_times_on_the_centres_clock(view_factory: ViewFactory):
    """A standard signed off at 23:30 UTC on 30 June (00:30 on 1 July in London) reads as signed
    off on Monday 1 July at 00:30 BST: the day on which the record judged its evidence. So do the
    declarations' times and the IQA's day; a centre elsewhere gets its own clock."""
    from zoneinfo import ZoneInfo

    late = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
    iqa = IqaSection(True, "Agreed", "Carla Mendes", late, "Sound judgements")
    view = view_factory(
        learner_declaration_at=late, assessor_declaration_at=late, signed_at=late, iqa=iqa
    )
    text = all_text(build_signoff_docx(view))
    assert "signed off Monday 1 July 2024 at 00:30 BST" in text
    assert text.count("Date: Monday 1 July 2024") == 3  # both declarations and the IQA's
    assert text.count("Time: 00:30 BST") == 2
    assert "Sunday 30 June" not in text and "UTC" not in text
    elsewhere = all_text(build_signoff_docx(replace(view, zone=ZoneInfo("America/New_York"))))
    assert "signed off Sunday 30 June 2024 at 19:30 EDT" in elsewhere


def test_same_view_same_bytes(view_factory: ViewFactory, monkeypatch: pytest.MonkeyPatch):
    view = view_factory()
    first = build_signoff_docx(view)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400 * 400)
    second = build_signoff_docx(view)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 12, 3, 16, 45, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_different_view_different_bytes(view_factory: ViewFactory):
    assert build_signoff_docx(view_factory()) != build_signoff_docx(view_factory(feedback="x"))


printable = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=printable, feedback=printable, title=printable, code=printable)
def test_any_text_builds_and_round_trips(
    view_factory: ViewFactory, name: str, feedback: str, title: str, code: str
):
    row = CriterionRow(
        code=code,
        kind="performance",
        text=title,
        evidence=(
            EvidenceRow(EvidenceRef(1, 1), title, "product", date(2024, 1, 1), ("P",), None),
        ),
    )
    view = view_factory(learner_name=name, feedback=feedback, criteria=(row,))
    text = all_text(build_signoff_docx(view))
    for value in (name, code, title):
        # Word normalises line breaks and python-docx reads tabs back as \t
        expected = clean(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        for line in expected.split("\n"):
            assert line.strip() in text


# --- evidence set hash -------------------------------------------------------------------


def sha(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


def test_evidence_set_hash_is_order_free_and_sensitive():
    pairs = [
        (EvidenceRef(1, 1), sha("a")),
        (EvidenceRef(2, 3), sha("b")),
        (EvidenceRef(7, 1), sha("c")),
    ]
    h = evidence_set_hash(pairs)
    assert h == evidence_set_hash(reversed(pairs))
    assert h == evidence_set_hash([*pairs, pairs[0]])  # a set: duplicates do not count
    assert h == evidence_set_hash([(r, d.upper()) for r, d in pairs])
    assert h != evidence_set_hash(pairs[:2])
    assert h != evidence_set_hash([(EvidenceRef(1, 2), sha("a")), *pairs[1:]])
    assert h != evidence_set_hash([(EvidenceRef(1, 1), sha("a2")), *pairs[1:]])
    assert len(h) == 64 and int(h, 16) >= 0


def test_evidence_set_hash_is_what_it_was_when_refs_were_text():
    # sign-offs already stored carry this hash: typed references must hash as their text did
    pairs = [
        (EvidenceRef(2, 1), sha("a")),
        (EvidenceRef(10, 1), sha("b")),
        (EvidenceRef(2, 3), sha("c")),
    ]
    assert evidence_set_hash(pairs) == (
        "edd6f84fa099775217a4bdc92aa74d4b9f35725089e9ee313208c07f6fcef415"
    )


@pytest.mark.parametrize("digest", ["", "abc", "g" * 64, sha("x") + "0"])
def test_evidence_set_hash_rejects_non_digests(digest: str):
    with pytest.raises(ValueError):
        evidence_set_hash([(EvidenceRef(1, 1), digest)])


refs_st = st.builds(EvidenceRef, st.integers(1, 120), st.integers(1, 12))


@given(st.lists(st.tuples(refs_st, st.sampled_from([sha("a"), sha("b")])), max_size=6))
def test_evidence_set_hash_ref_boundaries_unambiguous(pairs: list[tuple[EvidenceRef, str]]):
    # references whose text runs together ("E1v11", "E11v1") must not collide: JSON keeps the
    # boundaries, and a different set of (reference, digest) pairs gives a different hash
    joined = [(EvidenceRef(int("".join(str(r.evidence_id) for r, _ in pairs) or "0"), 1), sha("a"))]
    if len({(r, d) for r, d in pairs}) > 1:
        assert evidence_set_hash(pairs) != evidence_set_hash(joined)
    moved = [(EvidenceRef(r.version, r.evidence_id), d) for r, d in pairs]
    if {(r, d) for r, d in moved} != {(r, d) for r, d in pairs}:
        assert evidence_set_hash(pairs) != evidence_set_hash(moved)


# --- PDF through LibreOffice ---------------------------------------------------------------

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed; this test runs whenever CI is set",
)
def test_pdf_via_libreoffice_shows_every_code_and_footer(view_factory: ViewFactory, tmp_path: Path):
    assert SOFFICE is not None, "soffice must be installed in CI (libreoffice-writer-nogui)"
    view = view_factory(n_performance=14, n_knowledge=9)
    source = tmp_path / "signoff.docx"
    source.write_bytes(build_signoff_docx(view))
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    reader = PdfReader(tmp_path / "signoff.pdf")
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert len(pages) >= 2
    for criterion in view.criteria:
        assert criterion.code in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert view.document_id in page
        assert view.evidence_set_sha256 in page
    # the performance table spans two pages: its header row is repeated on the second
    assert text.count("Criterion Evidence Methods") >= 3


def test_declarations_keep_together_in_the_document(view_factory: ViewFactory):
    d = docx.Document(io.BytesIO(build_signoff_docx(view_factory())))
    paragraphs = d.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "Assessor's declaration")
    end = next(i for i, p in enumerate(paragraphs) if p.text.startswith("Signed off:"))
    block = paragraphs[start : end + 1]
    assert [p.text for p in block][1] == view_factory().assessor_wording
    assert all(p.paragraph_format.keep_together for p in block)
    assert all(p.paragraph_format.keep_with_next for p in block[:-1])


def test_old_record_without_a_learner_declaration_infers_none(view_factory: ViewFactory):
    text = all_text(build_signoff_docx(view_factory(learner_wording="", learner_declared_by="")))
    assert "No declaration by the learner was recorded" in text
    assert "Date: Monday 2 December 2024" not in text  # no time is borrowed from the evidence


def _pdf_pages(sources: list[Path], outdir: Path) -> dict[str, list[str]]:
    """Convert .docx files with LibreOffice in one run; each file's pages as text."""
    assert SOFFICE is not None
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {
        s.stem: [p.extract_text() for p in PdfReader(outdir / f"{s.stem}.pdf").pages]
        for s in sources
    }


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed; this test runs whenever CI is set",
)
def test_pdf_assessor_declaration_never_splits_across_pages(
    view_factory: ViewFactory, tmp_path: Path
):
    # the summary grows line by line, so the declaration meets a page break in some variant
    sources = []
    for lines in range(0, 60, 3):
        summary = "\n".join(f"Observed practice, line {i}." for i in range(lines + 1))
        view = view_factory(3, 2, per_criterion=1, assessor_summary=summary)
        path = tmp_path / f"v{lines:02d}.docx"
        path.write_bytes(build_signoff_docx(view))
        sources.append(path)
    wording_end = "every criterion of this standard."
    straddled = 0
    for name, pages in _pdf_pages(sources, tmp_path).items():
        [start] = [i for i, page in enumerate(pages) if "Assessor's declaration" in page]
        [end] = [i for i, page in enumerate(pages) if "Signed off: Tuesday" in page]
        assert start == end, f"{name}: the assessor's declaration runs from page {start + 1}"
        assert wording_end in pages[start].replace("\n", " ")
        assert "Assessor (typed name): Bernard Ellis" in pages[start]
        learner_page = next(i for i, p in enumerate(pages) if "Learner (typed name)" in p)
        straddled += learner_page < start  # the block moved on rather than split
    assert straddled, "no variant put a page break near the declaration; adjust the range"


def test_a_standard_without_a_version_has_no_empty_line(view_factory: ViewFactory):
    with_version = all_text(build_signoff_docx(view_factory()))
    assert "Standard version" in with_version and "2" in with_version
    without = all_text(build_signoff_docx(view_factory(standard_version="")))
    assert "Standard version" not in without
