"""The formats a framework file is read in, in words, and which one a refused file was read as:
shared by the upload page (its "Format" choices) and the API's import, which refuse a file in
the same words. A module of its own, importing no page, so that both can use it."""

from __future__ import annotations

from framework.parse import detect_format
from framework.spec import FrameworkFormatError

FORMAT_LABELS: tuple[tuple[str, str], ...] = (
    ("auto", "Detect from the file"),
    ("nos-text", "NOS suite as plain text"),
    ("nos-page", "NOS page text copied from ukstandards.org.uk"),
    ("nos-docx", "NOS as Word (.docx)"),
    ("topic-guide", "Topic guide (marking points)"),
    ("case", "1EdTech CASE package (JSON)"),
    ("nos-json", "NOS database JSON"),
    ("csv", "Units as CSV"),
)


def read_as(exc: FrameworkFormatError, files: list[tuple[str, bytes]], fmt: str) -> str:
    """Which format a refused file was read as, in words (" as NOS database JSON (detected
    from the file)"): the one chosen, or the one detected; "" when none can be said."""
    labels = dict(FORMAT_LABELS)
    if exc.place == "spreadsheet":  # recognised as a workbook, not read as any format
        return ""
    if fmt != "auto":
        return f" as {labels.get(fmt, fmt)}"
    data = next((d for name, d in files if name == exc.source), None)
    try:
        detected = detect_format(data, exc.source) if data is not None else ""
    except FrameworkFormatError:
        detected = ""
    return f" as {labels[detected]} (detected from the file)" if detected in labels else ""
