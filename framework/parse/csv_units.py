"""Read units written by a centre as CSV: one row per criterion.

Columns (a header row, names case-insensitive, spaces or underscores): ``framework_code``,
``framework_title``, ``standard_code``, ``standard_title``, ``kind`` (``performance`` /
``knowledge`` / ``assessment``, or ``P`` / ``K`` / ``AC``), ``criterion_code``,
``criterion_text``; optional ``version`` (a number such as ``2`` or ``1.1``, default ``"1"``),
``standard_urn``, ``overview``. A quote never closed, or a row with more (non-empty) cells than
the header has columns, is refused naming its line.
Rows of one standard need not be adjacent; criteria keep the order of their rows. A value repeated
for the framework or a standard (title, URN, overview) may be left empty on later rows but must
not contradict the first one. Every error names the CSV line.

An SVQ qualification structure (``Unit Title`` / ``SSC/B Code`` columns, as published by awarding
bodies) lists units but no criteria; it is recognised and refused with a message saying so.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from framework.parse._text import decode_text
from framework.spec import (
    CriterionKind,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    StandardSpec,
    version_problem,
)
from framework.tabular import delimiter_of, unquote

REQUIRED = (
    "framework_code",
    "framework_title",
    "standard_code",
    "standard_title",
    "kind",
    "criterion_code",
    "criterion_text",
)
OPTIONAL = ("version", "standard_urn", "overview")
COLUMNS = (
    "framework_code",
    "framework_title",
    "version",
    "standard_code",
    "standard_title",
    "standard_urn",
    "overview",
    "kind",
    "criterion_code",
    "criterion_text",
)
KIND_NAMES: dict[str, CriterionKind] = {
    "performance": "performance",
    "p": "performance",
    "pc": "performance",
    "knowledge": "knowledge",
    "k": "knowledge",
    "ku": "knowledge",
    "assessment": "assessment",
    "ac": "assessment",
    "a": "assessment",
}
MAX_FIELD = 100_000


def _name(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def parse_csv(data: bytes | str, source: str = "") -> FrameworkSpec:
    """Parse a one-row-per-criterion CSV into a :class:`FrameworkSpec`."""
    text = decode_text(data, source)
    if not text.strip():
        raise FrameworkFormatError("empty file", source=source, place="line 1")
    delimiter = delimiter_of(text)
    line, problem = _quote_problem(text, delimiter)
    if problem:
        raise FrameworkFormatError(problem, source=source, place=f"line {line}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def fail(message: str) -> FrameworkFormatError:
        return FrameworkFormatError(message, source=source, place=f"line {max(reader.line_num, 1)}")

    try:
        rows = iter(reader)
        header = next((r for r in rows if any(c.strip() for c in r)), None)
        if header is None:
            raise fail("no header row")
        names = [_name(h) for h in header]
        if "unit_title" in names and ("ssc/b_code" in names or "accred_code" in names):
            raise fail(
                "this is an SVQ qualification structure: it lists units but no criteria; "
                "import each unit's NOS instead"
            )
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise fail(f"missing column{'s' if len(missing) > 1 else ''}: " + ", ".join(missing))
        duplicated = sorted(n for n, count in Counter(names).items() if n and count > 1)
        if duplicated:
            many = "s" if len(duplicated) > 1 else ""
            raise fail(f"repeated column{many}: " + ", ".join(duplicated))
        index = {n: i for i, n in enumerate(names) if n in COLUMNS}  # others are not read
        builder = _Builder()
        for row in rows:
            if not any(c.strip() for c in row):
                continue
            if any(len(c) > MAX_FIELD for c in row):
                raise fail("a field is too long")
            if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
                raise fail(
                    f"this row has {len(row)} cells but the header names {len(header)} columns: "
                    "what is beyond the last column would be lost (a comma too many, or a cell "
                    "that needs quotes around it?)"
                )
            values = {
                n: (unquote(row[i].strip()) if i < len(row) else "") for n, i in index.items()
            }
            problem = builder.add(values)
            if problem:
                raise fail(problem)
    except csv.Error as exc:
        raise fail(f"malformed CSV: {exc}") from None
    if not builder.standards:
        raise FrameworkFormatError("no criteria rows", source=source, place="line 2")
    return builder.result()


def _quote_problem(text: str, delimiter: str) -> tuple[int, str]:
    """The line on which a row whose quoted cell is never closed begins, and what to say of it;
    else ``(0, "")``. Python's reader, lenient, reads such a cell to the end of the file without
    a word; read strictly it says "unexpected end of data" there, or, past 131,072 characters,
    "field larger than field limit" of a line far below. Its other strict complaints (a
    character after a closing quote) the lenient reader reads as before: passed over here."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            next(reader)
        except StopIteration:
            return 0, ""
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return start, (
                    f'a quote (") opened on line {start} is never closed, so the rest of the '
                    "file would be read as one cell: close the quote or remove it"
                )
            if "field larger than field limit" in str(exc):
                return start, (
                    f"a cell of the row beginning on line {start} is longer than "
                    f'{MAX_FIELD:,} characters, the most one may hold: a quote (") never closed '
                    "there would read the lines after it into the cell"
                )


class _Builder:
    def __init__(self) -> None:
        self.framework: dict[str, str] = {}
        self.standards: dict[str, StandardSpec] = {}
        self.codes: dict[str, set[str]] = {}

    def add(self, v: dict[str, str]) -> str:
        problem = version_problem(v.get("version", ""))
        if problem:
            return problem
        for key in ("framework_code", "framework_title", "version"):
            problem = _agree(self.framework, key, v.get(key, ""), "framework")
            if problem:
                return problem
        code = v["standard_code"]
        if not code:
            return "standard_code is empty"
        std = self.standards.get(code)
        if std is None:
            std = self.standards[code] = StandardSpec(code=code, title="")
            self.codes[code] = set()
        for attr, key in (
            ("title", "standard_title"),
            ("urn", "standard_urn"),
            ("overview", "overview"),
        ):
            new = v.get(key, "")
            old = getattr(std, attr)
            if new and old and new != old:
                return f"{key} of {code} differs from an earlier row (“{old}”)"
            if new and not old:
                setattr(std, attr, new)
        kind = KIND_NAMES.get(v["kind"].lower())
        if kind is None:
            return f"unknown kind “{v['kind']}” (use performance, knowledge or assessment)"
        criterion = v["criterion_code"]
        if not criterion:
            return "criterion_code is empty"
        if criterion in self.codes[code]:
            return f"criterion {criterion} appears twice in {code}"
        if not v["criterion_text"]:
            return f"criterion {criterion} has no text"
        self.codes[code].add(criterion)
        std.criteria.append(
            CriterionSpec(
                kind, criterion, " ".join(v["criterion_text"].split()), len(std.criteria) + 1
            )
        )
        return ""

    def result(self) -> FrameworkSpec:
        for std in self.standards.values():
            if not std.title:
                std.title = std.code
        fw = self.framework
        if not fw.get("framework_code"):
            fw["framework_code"] = next(iter(self.standards))
        return FrameworkSpec(
            code=fw["framework_code"],
            title=fw.get("framework_title") or fw["framework_code"],
            version=fw.get("version") or "1",
            source_format="csv",
            standards=list(self.standards.values()),
        )


def _agree(store: dict[str, str], key: str, value: str, what: str) -> str:
    if not value:
        return ""
    if store.get(key) and store[key] != value:
        return f"{key} “{value}” differs from an earlier row (“{store[key]}”); one {what} per file"
    store[key] = value
    return ""
