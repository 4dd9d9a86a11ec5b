"""The one writer of CSV and .xlsx files: every export goes through it, so no cell runs as a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a
tab or carriage return) as a formula: text typed by a learner such as ``=HYPERLINK(...)`` would
run on the quality assurer's machine (CSV or formula injection). In CSV such text is written with
a leading apostrophe, which spreadsheets show as text; :func:`unquote` takes it off again for our
own readers. In .xlsx the cell is stored as text with Excel's "quote prefix" style, so it shows
exactly as typed and never becomes a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | date | datetime | None

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = str.maketrans({c: None for c in range(32) if chr(c) not in "\t\n\r"})


def neutralise(value: Cell) -> Cell:
    """``value`` as it may be written to a CSV cell: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def unquote(text: str) -> str:
    """Undo :func:`neutralise` for a cell read back from one of our CSV files."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, which lets Excel read the accents right."""
    return csv_text(headers, rows).encode("utf-8-sig")


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, rows_per_chunk: int = 200
) -> Iterator[bytes]:
    """:func:`csv_bytes` a piece at a time, as ``rows`` are iterated (joined: the same bytes), so
    a file of any length is written in bounded memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    yield codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
    pending = 0
    out.seek(0)
    out.truncate()
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
        pending += 1
        if pending == rows_per_chunk:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            pending = 0
    if pending:
        yield out.getvalue().encode("utf-8")


def xlsx_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str,
    title: str,
    heading: str | None = None,
    widths: bool = True,
) -> bytes:
    """One worksheet: an optional bold heading line, bold headers, frozen above the data."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title
    header_row = 1
    if heading is not None:
        _put(sheet, 1, [heading])
        sheet["A1"].font = Font(bold=True, size=14)
        header_row = 2
    _put(sheet, header_row, list(headers))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    longest = [len(h) for h in headers]
    for n, row in enumerate(rows):
        _put(sheet, header_row + 1 + n, row)
        if widths and n < 200:
            longest = [max(w, len(str(v or ""))) for w, v in zip(longest, row, strict=False)]
    sheet.freeze_panes = f"A{header_row + 1}"
    if widths:
        for i, width in enumerate(longest, start=1):
            sheet.column_dimensions[sheet.cell(header_row, i).column_letter].width = min(
                60, width + 2
            )
    book.properties.title = title.translate(_NOT_XML)
    fixed = datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet: Worksheet, row: int, values: Sequence[Cell]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = value.translate(_NOT_XML)
            if value.startswith(TRIGGERS):
                cell.data_type = "s"  # text, never a formula
                cell.quotePrefix = True
        else:
            cell.value = value
