"""The one writer of .xlsx files: streamed row by row, laid out as a reader expects."""

from __future__ import annotations

import io
import tracemalloc

from openpyxl import load_workbook

from framework import tabular


def _rows(n: int):
    for i in range(n):
        yield (f"learner {i}", i, "=1+1" if i % 7 == 0 else "ok", None, "x" * (i % 50))


def test_sheet_has_heading_bold_headers_frozen_panes_and_fitted_widths() -> None:
    data = tabular.xlsx_bytes(
        ["Name", "N", "Note", "Empty", "Long"],
        _rows(300),
        sheet_title="Plan",
        title="Plan\x01 for June",
        heading="Plan for June",
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Plan" and book.properties.title == "Plan for June"
    assert sheet["A1"].value == "Plan for June" and sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [c.value for c in sheet[2]] == ["Name", "N", "Note", "Empty", "Long"]
    assert all(c.font.b for c in sheet[2]) and not sheet["A3"].font.b
    assert sheet.freeze_panes == "A3"
    # widths fit the first 200 rows: "x" * 49 is in them, capped at 60
    assert sheet.column_dimensions["A"].width == len("learner 199") + 2
    assert sheet.column_dimensions["E"].width == 49 + 2
    assert sheet.max_row == 302
    formula = sheet["C3"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1", "s", True)
    assert sheet["D3"].value is None and sheet["B4"].value == 1


def test_a_long_sheet_comes_in_pieces_in_bounded_memory() -> None:
    """6,000 rows: the whole-sheet writer peaked at ~24 MB of Python objects; row by row it stays
    within a few MB, and the file comes in pieces of the size asked for."""
    tracemalloc.start()
    try:
        pieces = list(
            tabular.xlsx_chunks(
                ["Name", "N", "Note", "Empty", "Long"],
                _rows(6_000),
                sheet_title="R",
                title="R",
                chunk_size=1 << 14,
            )
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6_000_000, peak
    assert len(pieces) > 5 and all(len(p) == 1 << 14 for p in pieces[:-1])
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 6_001 and rows[-1][:2] == ("learner 5999", 5999)
