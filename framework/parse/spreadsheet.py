"""Say what a spreadsheet (.xlsx) uploaded as a framework is, since none can be imported as one.

Centres download two spreadsheets from the NOS database and try them first:

* the **NOS catalogue** (``PublishedNos Details.xlsx``): one row per published NOS with its URN,
  title, suite and developer, but no performance criteria and no knowledge, so nothing to assess
  against. It is recognised by a header row naming ``URN`` and ``NOS Title`` (or ``Title``);
* the **NOS data field list** (``NOS data fields v1.2.xlsx``): the fields of the database's JSON
  export, a description of a format rather than standards. Recognised by a ``Field Name in JSON
  file`` or ``Column``/``Type`` header naming ``Performance_criteria`` or ``Behaviours``.

:func:`explain_spreadsheet` always raises :class:`FrameworkFormatError` with a message saying
which it is (counts and an example from the file) and what to import instead. openpyxl reads the
workbook's XML through defusedxml when it is installed (a dependency), so entity tricks are refused.
"""

from __future__ import annotations

import io
from typing import Any, NoReturn

from framework.spec import FrameworkFormatError

MAX_ROWS = 100_000
_SCAN = 10  # rows searched for a header


def is_spreadsheet(names: set[str]) -> bool:
    """Whether the members of a zip are those of an .xlsx workbook."""
    return "xl/workbook.xml" in names


def is_spreadsheet_name(source: str) -> bool:
    """Whether a file's name says it is an .xlsx workbook (a zip, like a .docx)."""
    return source.lower().endswith((".xlsx", ".xlsm"))


def explain_unopened_spreadsheet(exc: Exception, source: str = "") -> NoReturn:
    """Raise the error for a file named as a workbook that is not even a zip (damaged, or a
    download cut short): it is not a Word document that failed."""
    raise _error(
        f"an .xlsx spreadsheet that cannot be read: it may be damaged or cut short ({exc})", source
    )


def explain_spreadsheet(data: bytes, source: str = "") -> NoReturn:
    """Raise the error that says what this spreadsheet is and what to import instead."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise _error(f"an .xlsx spreadsheet that cannot be read ({exc})", source) from None
    try:
        for sheet in book.worksheets:
            _scan(sheet, source)
    except FrameworkFormatError:
        raise
    except Exception as exc:  # a damaged or hostile sheet (entities, bad XML) is read lazily
        raise _error(f"an .xlsx spreadsheet that cannot be read ({exc})", source) from None
    finally:
        book.close()
    raise _error(
        "a spreadsheet (.xlsx), not a framework file. Save the sheet as CSV with one row per "
        "criterion (framework_code, framework_title, standard_code, standard_title, kind, "
        "criterion_code, criterion_text) and import that, or import the NOS as .docx or text",
        source,
    )


def _scan(sheet: Any, source: str) -> None:
    """Raise the error naming ``sheet`` if its first rows are a header we know."""
    rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS)
    for number, row in enumerate(rows, start=1):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if _catalogue_header(cells):
            _catalogue(cells, rows, sheet.title, source)
        if _field_list(cells):
            raise _error(
                f"the NOS database field list (sheet “{sheet.title}”): it describes the fields of "
                "NOS records (URN, Title, Performance_criteria ...) but holds no standards. Import "
                "the NOS themselves (.docx, the text of a NOS page, or NOS JSON)",
                source,
            )
        if number >= _SCAN:
            return


def _catalogue_header(cells: list[str]) -> bool:
    names = {c.lower() for c in cells}
    return "urn" in names and bool(names & {"nos title", "title"})


def _field_list(cells: list[str]) -> bool:
    names = {c.lower() for c in cells}
    return "field name in json file" in names or (
        "column" in names and "type" in names and "content type" in names
    )


def _catalogue(header: list[str], rows: Any, sheet: str, source: str) -> NoReturn:
    lowered = [c.lower() for c in header]
    urn_at = lowered.index("urn")
    title_at = lowered.index("nos title") if "nos title" in lowered else lowered.index("title")
    suite_at = lowered.index("suite") if "suite" in lowered else None
    units = with_urn = 0
    suites: set[str] = set()
    example = ""
    for row in rows:
        cells = [str(c).strip() if c is not None else "" for c in row]
        cells += [""] * (max(urn_at, title_at) + 1 - len(cells))
        if not cells[urn_at] and not cells[title_at]:
            continue
        units += 1
        with_urn += bool(cells[urn_at])
        if suite_at is not None and len(cells) > suite_at and cells[suite_at]:
            suites.add(cells[suite_at])
        if not example and cells[urn_at]:
            example = f"{cells[urn_at]} “{cells[title_at]}”".strip()
    in_suites = f" in {len(suites)} suites" if suites else ""
    no_urn = f", {units - with_urn} of them without a URN" if units > with_urn else ""
    raise _error(
        f"the NOS catalogue (sheet “{sheet}”): it lists {units} NOS{in_suites} by URN and title "
        f"(e.g. {example}{no_urn}), with no performance criteria and no knowledge, so "
        "there is nothing to assess against. Download the NOS you need, one .docx per standard "
        "or the text of its page on ukstandards.org.uk, and import those",
        source,
    )


def _error(message: str, source: str) -> FrameworkFormatError:
    return FrameworkFormatError(f"this is {message}.", source=source, place="spreadsheet")
