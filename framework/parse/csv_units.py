"""Read units written by a centre as CSV: one row per criterion.

Columns (a header row, names case-insensitive, spaces or underscores): ``framework_code``,
``framework_title``, ``standard_code``, ``standard_title``, ``kind`` (``performance`` /
``knowledge`` / ``assessment``, or ``P`` / ``K`` / ``AC``), ``criterion_code``,
``criterion_text``; optional ``version`` (a number such as ``2`` or ``1.1``, default ``"1"``),
``standard_urn``, ``overview``. A quote never closed, or closed on a later line with text after
it (the lines between read into one cell), or a row with more (non-empty) cells than the header
has columns, is refused naming its line; a refusal for quotes names every quoting fault's line.
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
    """The line of the first quoting fault, and what to say of every one in the file, when one
    of them changes which rows are read; else ``(0, "")``.

    The file is followed as Python's lenient reader reads it (:func:`_quote_faults`), so each
    fault is seen where that reader meets it: a quote never closed (the reader reads the rest of
    the file into one cell without a word), a quote that closes on a later line with text after
    it (the lines between were read into one cell by a quote meant to open another), a cell of
    more than Python's field limit (it stops there, far below the quote). Text after a closing
    quote on the quote's own line ("P1"x, read as P1x) swallows nothing and is read as before,
    but is named with the others when the file is refused: it is often where a quote went
    astray. (The check read the file strictly before, and gave up on a line at its first fault:
    a quote opened later on that line was missed, and quotes paired otherwise than the lenient
    reader pairs them.)"""
    faults = sorted(_quote_faults(text, delimiter), key=lambda f: f[0])
    if not any(refuses for _, refuses, _, _ in faults):
        return 0, ""
    if len(faults) == 1:
        line, _, words, advice = faults[0]
        return line, f"{words}: {advice}" if advice else words
    return faults[0][0], "; ".join(f[2] for f in faults) + ": close each quote, or remove it"


_START_RECORD, _START_FIELD, _IN_FIELD, _IN_QUOTED, _QUOTE_IN_QUOTED = range(5)
_CLOSE = "close the quote or remove it"


def _quote_faults(text: str, delimiter: str) -> list[tuple[int, bool, str, str]]:
    """Each quoting fault as ``(line, whether it changes which rows are read, words, advice)``,
    following the states of Python's csv reader (default dialect, not strict): a quote opens a
    cell only at the cell's start; inside an unquoted cell it is text; two in a quoted cell are
    one quote in it. Lines are counted as the reader counts them."""
    faults: list[tuple[int, bool, str, str]] = []
    state, row, opened, length = _START_RECORD, 0, 0, 0
    limit = csv.field_size_limit()
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        for char in line:
            if state == _START_RECORD and char not in "\r\n":
                state, row = _START_FIELD, number
            if state == _START_FIELD:
                length = 0
                if char in "\r\n":
                    state = _START_RECORD
                elif char == '"':
                    state, opened = _IN_QUOTED, number
                    continue
                elif char != delimiter:
                    state = _IN_FIELD
            elif state == _IN_FIELD:
                if char in "\r\n":
                    state = _START_RECORD
                elif char == delimiter:
                    state = _START_FIELD
            elif state == _IN_QUOTED:
                if char == '"':
                    state = _QUOTE_IN_QUOTED
                    continue
            elif state == _QUOTE_IN_QUOTED:
                if char == '"':
                    state = _IN_QUOTED
                elif char in "\r\n":
                    state = _START_RECORD
                elif char == delimiter:
                    state = _START_FIELD
                else:  # text after the closing quote: the reader keeps it in the cell
                    state = _IN_FIELD
                    faults.append(_after_closing_quote(opened, number))
            if state in (_IN_FIELD, _IN_QUOTED):
                length += 1
                if length > limit:  # where Python's reader stops with "field larger than ..."
                    words = (
                        f"a cell of the row beginning on line {row} is longer than "
                        f'{MAX_FIELD:,} characters, the most one may hold: a quote (") never '
                        "closed there would read the lines after it into the cell"
                    )
                    return [*faults, (row, True, words, "")]
    if state == _IN_QUOTED:
        words = (
            f'a quote (") opened on line {opened} is never closed, so the rest of the file '
            "would be read as one cell"
        )
        faults.append((opened, True, words, _CLOSE))
    return faults


def _after_closing_quote(opened: int, closed: int) -> tuple[int, bool, str, str]:
    if opened == closed:
        return closed, False, f"text follows a closing quote on line {closed}", _CLOSE
    words = (
        f'a quote (") opened on line {opened} closes only on line {closed}, where text follows '
        f"it, so lines {opened} to {closed} would be read as one cell"
    )
    return opened, True, words, _CLOSE


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
