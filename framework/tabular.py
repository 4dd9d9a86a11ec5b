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
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.styles import Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell = str | int | float | date | datetime | None

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = str.maketrans({c: None for c in range(32) if chr(c) not in "\t\n\r"})


def delimiter_of(text: str) -> str:
    """The character between the cells of CSV ``text``, from its first line that holds one: a
    semicolon when that line has semicolons and no comma (what a spreadsheet set to French or
    German saves as CSV), else a comma."""
    first = next((line for line in text.splitlines() if line.strip(" ,;\t\ufeff")), "")
    return ";" if ";" in first and "," not in first else ","


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
    return b"".join(
        xlsx_chunks(
            headers, rows, sheet_title=sheet_title, title=title, heading=heading, widths=widths
        )
    )


_WIDTH_SAMPLE = 200  # column widths are fitted to the headers and this many first rows


def xlsx_chunks(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str,
    title: str,
    heading: str | None = None,
    widths: bool = True,
    chunk_size: int = 1 << 16,
) -> Iterator[bytes]:
    """:func:`xlsx_bytes` a piece at a time. The sheet is written row by row with openpyxl's
    write-only mode into a temporary file (spilled to disk past a few MB), so a report of any
    length holds only the first rows (for the widths) and one row's cells in memory."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    rows = iter(rows)
    first = [list(r) for _, r in zip(range(_WIDTH_SAMPLE), rows, strict=False)]
    header_row = 1 if heading is None else 2
    sheet.freeze_panes = f"A{header_row + 1}"
    if widths:
        for i, width in enumerate(_widths(headers, first), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    if heading is not None:
        sheet.append(_cells(sheet, [heading], font=_font(size=14)))
    sheet.append(_cells(sheet, list(headers), font=_font()))
    for row in chain(first, rows):
        sheet.append(_cells(sheet, row))
    book.properties.title = title.translate(_NOT_XML)
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as out:
        book.save(out)
        out.seek(0)
        while piece := out.read(chunk_size):
            yield piece


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    longest = [len(h) for h in headers]
    for row in rows:
        longest = [max(w, len(str(v or ""))) for w, v in zip(longest, row, strict=False)]
    return longest


def _font(size: int | None = None) -> Font:
    from openpyxl.styles import Font

    return Font(bold=True, size=size)


def _cells(
    sheet: WriteOnlyWorksheet, values: Sequence[Cell], font: Font | None = None
) -> list[Any]:
    """One row of write-only cells: text made XML-safe, formula-like text stored as text."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        cell = WriteOnlyCell(sheet, value.translate(_NOT_XML) if isinstance(value, str) else value)
        if isinstance(value, str) and value.startswith(TRIGGERS):
            cell.data_type = "s"  # text, never a formula
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        out.append(cell)
    return out
