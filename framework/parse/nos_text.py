"""Read a NOS suite published as plain text (one suite, an introduction and its standards).

The text is what a PDF or Word export of a NOS suite turns into: each page starts with a header
naming the unit (``LSI SE04``) and its title, so headers repeat on every page. The reader is a
single pass over the lines with a small state machine:

* a header ``<ORG> <CODE>`` whose code ends in ``00`` opens the suite introduction, any other code
  opens a standard; a repeat of the current unit's header (a page header) is skipped together
  with the title line that follows it;
* inside a standard: ``Overview`` paragraphs, ``P<n>`` / ``K<n>`` criteria (with or without a
  leading ``-`` and indentation; lines that continue an item are appended to it; an older NOS's
  sub-criteria ``P4.1`` are criteria of their own, see :mod:`framework.parse._criteria`), and the
  metadata block (``Developed by``, ``Version number`` ... ``Key words``, tab or space separated);
* inside the introduction: the suite overview, the values list, the functional process table
  (``Ref<TAB>Function Title<TAB>NOS Ref<TAB>NOS title``; rows with an empty first cell add a
  further NOS to the stage above; a page header inside the table is skipped) and the glossary
  (``Term: definition`` paragraphs).

Metadata printed once for the suite (the ``SE00`` block) is the default for every standard that
does not print its own block, which is how the suite is published: the standards share the
version, approval and review dates. The suite's block is also kept in ``FrameworkSpec.metadata``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from framework.parse._criteria import fold_sub_criteria
from framework.spec import (
    CriterionKind,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    GlossaryEntry,
    StageSpec,
    StandardSpec,
    version_problem,
)

_HEADER = re.compile(r"^(?P<org>[A-Z]{2,6})\s+(?P<code>(?P<letters>[A-Z]{1,6})\d{2,4})$")
_CRITERION = re.compile(
    r"^[-*\u2022]?\s*(?P<letter>[PK])(?P<num>\d{1,3})(?:\.(?P<sub>\d{1,2}))?[.:)]?\s+(?P<text>\S.*)$"
)
_STEM = re.compile(r"^[-*\u2022]?\s*(you must be able to|you need to know and understand)", re.I)
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_LIST_STAGE = re.compile(r"^[-*\u2022]\s*([A-Z])\.\s+(\S.*)$")
_GLOSSARY_ITEM = re.compile(r"^(?P<term>[^:]{1,60}):\s+(?P<definition>\S.*)$")

# Printed metadata label -> attribute of StandardSpec (or "" when kept only in metadata).
METADATA_LABELS: dict[str, str] = {
    "Developed by": "",
    "Version number": "version",
    "Date approved": "date_approved",
    "Indicative review date": "review_date",
    "Validity": "validity",
    "Status": "status",
    "Originating organisation": "originating_organisation",
    "Original URN": "",
    "Relevant occupations": "occupations",
    "Suite": "",
    "Key words": "keywords",
}
_METADATA = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(k) for k in METADATA_LABELS)
    + r")(?P<sep>\t+| +)(?P<value>.*)$"
)
_KIND: dict[str, CriterionKind] = {"P": "performance", "K": "knowledge"}


def metadata_key(label: str) -> str:
    """``"Indicative review date"`` -> ``"indicative_review_date"``."""
    return label.lower().replace(" ", "_")


@dataclass
class _Unit:
    urn: str
    code: str
    line: int
    title: str = ""
    overview: list[str] = field(default_factory=list)
    criteria: list[CriterionSpec] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)  # criterion code -> line
    metadata: dict[str, str] = field(default_factory=dict)
    metadata_lines: dict[str, int] = field(default_factory=dict)  # printed label -> line


@dataclass
class _State:
    source: str
    framework_title: str = ""
    framework_urn: str = ""
    framework_code: str = ""
    unit: _Unit | None = None
    intro: _Unit | None = None
    standards: list[_Unit] = field(default_factory=list)
    section: str = ""
    expect_title: bool = False
    skip_title: bool = False
    suite_overview: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    stages: list[tuple[str, str, list[str]]] = field(default_factory=list)
    list_stages: list[tuple[str, str]] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    last_criterion_open: bool = False


def parse_nos_text(text: str, source: str = "") -> FrameworkSpec:
    """Parse the text of a NOS suite into a :class:`FrameworkSpec`."""
    if not isinstance(text, str):
        raise FrameworkFormatError("expected text", source=source, place="line 1")
    if not text.strip():
        raise FrameworkFormatError("empty file", source=source, place="line 1")
    state = _State(source=source)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        _feed(state, raw.rstrip(), number)
    return _finish(state)


def _feed(state: _State, line: str, number: int) -> None:
    stripped = line.strip()
    if not stripped:
        state.last_criterion_open = False
        return
    header = _HEADER.match(stripped)
    if header:
        _open_unit(state, header, number)
        return
    if state.expect_title:
        state.expect_title = False
        assert state.unit is not None
        state.unit.title = stripped
        if state.unit is state.intro and not state.framework_title:
            state.framework_title = stripped
        return
    if state.skip_title:
        state.skip_title = False
        if _is_repeat_title(state, stripped):
            return
    if state.unit is None:
        return  # text before the first header: cover page matter
    meta = _METADATA.match(stripped)
    if meta and (
        meta["sep"].startswith("\t") or meta["label"] == "Developed by" or state.section == "meta"
    ):
        state.section = "meta"
        state.unit.metadata[meta["label"]] = meta["value"].strip()
        state.unit.metadata_lines[meta["label"]] = number
        return
    if state.unit is state.intro:
        _feed_intro(state, line, stripped, number)
    else:
        _feed_standard(state, state.unit, stripped, number)


def _open_unit(state: _State, header: re.Match[str], number: int) -> None:
    urn = f"{header['org']} {header['code']}"
    if state.unit is not None and state.unit.urn == urn:
        state.skip_title = True  # page header of the current unit
        state.last_criterion_open = False
        return
    unit = _Unit(urn=urn, code=header["code"], line=number)
    if header["code"].endswith("00") and state.intro is None and not state.standards:
        state.intro = unit
        state.framework_urn = urn
        state.framework_code = header["letters"]
    else:
        if any(u.urn == urn for u in state.standards):
            raise FrameworkFormatError(
                f"standard {urn} appears twice", source=state.source, place=f"line {number}"
            )
        state.standards.append(unit)
        if not state.framework_code:
            state.framework_code = header["letters"]
    state.unit = unit
    state.section = ""
    state.expect_title = True
    state.last_criterion_open = False


def _is_repeat_title(state: _State, stripped: str) -> bool:
    unit = state.unit
    if unit is None:
        return False
    if stripped == unit.title:
        return True
    # The introduction's page header says "<suite title> Introduction".
    return (
        unit is state.intro
        and bool(state.framework_title)
        and stripped.startswith(state.framework_title)
    )


def _feed_standard(state: _State, unit: _Unit, stripped: str, number: int) -> None:
    lowered = stripped.lower()
    if lowered == "overview":
        state.section = "overview"
        return
    if lowered.startswith("performance criteria"):
        state.section = "criteria"
        return
    if lowered.startswith("knowledge and understanding"):
        state.section = "criteria"
        return
    if _STEM.match(stripped):
        state.section = "criteria"
        state.last_criterion_open = False
        return
    found = _CRITERION.match(stripped)
    if found and state.section in ("criteria", "overview", ""):
        state.section = "criteria"
        code = f"{found['letter']}{int(found['num'])}"
        if found["sub"]:
            code += f".{int(found['sub'])}"  # an older NOS's sub-criterion, P4.1
        if code in unit.codes:
            raise FrameworkFormatError(
                f"criterion {code} appears twice in {unit.urn} (first on line {unit.codes[code]})",
                source=state.source,
                place=f"line {number}",
            )
        unit.codes[code] = number
        unit.criteria.append(
            CriterionSpec(
                kind=_KIND[found["letter"]],
                code=code,
                text=_clean(found["text"]),
                position=len(unit.criteria) + 1,
            )
        )
        state.last_criterion_open = True
        return
    if state.section == "criteria" and unit.criteria and state.last_criterion_open:
        last = unit.criteria[-1]
        unit.criteria[-1] = CriterionSpec(
            kind=last.kind,
            code=last.code,
            text=f"{last.text} {_clean(stripped)}",
            position=last.position,
        )
        return
    if state.section == "overview":
        unit.overview.append(stripped)


def _feed_intro(state: _State, line: str, stripped: str, number: int) -> None:
    lowered = stripped.lower()
    if "\t" in line and lowered.startswith("ref\t"):
        state.section = "table"
        return
    if state.section == "table" and "\t" in line:
        _table_row(state, line, number)
        return
    if lowered == "suite overview":
        state.section = "overview"
        return
    if lowered == "glossary":
        state.section = "glossary"
        return
    if lowered.startswith("values") and len(stripped) < 60:
        state.section = "values"
        return
    if lowered == "functional process":
        state.section = "process"
        return
    section = state.section
    if section == "overview":
        if _looks_like_heading(stripped):
            state.section = ""
        else:
            state.suite_overview.append(stripped)
        return
    if section == "values":
        numbered = _NUMBERED.match(stripped)
        if numbered:
            state.values.append(_clean(numbered[2]))
        else:
            state.section = ""
        return
    if section == "glossary":
        item = _GLOSSARY_ITEM.match(stripped)
        if item:
            state.glossary.append(
                GlossaryEntry(term=item["term"].strip(), definition=_clean(item["definition"]))
            )
        else:
            state.section = ""
        return
    if section == "process":
        listed = _LIST_STAGE.match(stripped)
        if listed:
            state.list_stages.append((listed[1], _clean(listed[2])))
        return
    if section == "table":
        state.section = ""


def _table_row(state: _State, line: str, number: int) -> None:
    cells = [c.strip() for c in line.split("\t")]
    cells += [""] * (4 - len(cells))
    ref, title, nos_ref = cells[0], cells[1], cells[2]
    if ref:
        state.stages.append((ref, _clean(title), []))
    elif not state.stages:
        raise FrameworkFormatError(
            "functional process row without a stage", source=state.source, place=f"line {number}"
        )
    if nos_ref:
        state.stages[-1][2].append(nos_ref)


def _looks_like_heading(stripped: str) -> bool:
    return len(stripped) < 60 and not stripped.endswith((".", ":", ";", ","))


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _finish(state: _State) -> FrameworkSpec:
    source = state.source
    if not state.standards:
        raise FrameworkFormatError(
            "no standards found (expected headers such as 'LSI SE01')",
            source=source,
            place="line 1",
        )
    suite_meta = state.intro.metadata if state.intro else {}
    standards: list[StandardSpec] = []
    for unit in state.standards:
        if not unit.title:
            raise FrameworkFormatError(
                f"standard {unit.urn} has no title", source=source, place=f"line {unit.line}"
            )
        if not unit.criteria:
            raise FrameworkFormatError(
                f"standard {unit.urn} has no criteria", source=source, place=f"line {unit.line}"
            )
        standards.append(_standard(unit, suite_meta))
    first = state.standards[0]
    # the suite's version, or where the suite prints none the first standard's
    intro = state.intro
    versioned = intro if intro and intro.metadata.get("Version number") else first
    version = versioned.metadata.get("Version number", "")
    problem = version_problem(version)
    if problem:
        line = versioned.metadata_lines["Version number"]
        raise FrameworkFormatError(problem, source=source, place=f"line {line}")
    title = state.framework_title or suite_meta.get("Suite", "") or first.title
    stages = [StageSpec(ref=r, title=t, standards=tuple(s)) for r, t, s in state.stages]
    if not stages:
        stages = [StageSpec(ref=r, title=t, standards=()) for r, t in state.list_stages]
    metadata = {metadata_key(k): v for k, v in suite_meta.items()}
    return FrameworkSpec(
        code=state.framework_code,
        title=title,
        urn=state.framework_urn,
        version=version or "1",
        overview="\n\n".join(state.suite_overview),
        source_format="nos-text",
        standards=standards,
        stages=stages,
        values=list(state.values),
        glossary=list(state.glossary),
        metadata=metadata,
    )


def _standard(unit: _Unit, suite_meta: dict[str, str]) -> StandardSpec:
    criteria = list(unit.criteria)
    if any("." in c.code for c in criteria):
        criteria = fold_sub_criteria([(c.kind, c.code[1:], c.text) for c in criteria])
    merged = {**suite_meta, **unit.metadata}
    merged["Key words"] = merged.get("Key words", "").strip().rstrip(",;").strip()
    return standard_spec(
        code=unit.code,
        title=unit.title,
        urn=unit.urn,
        overview=unit.overview,
        metadata=merged,
        criteria=criteria,
    )


def standard_spec(
    *,
    code: str,
    title: str,
    urn: str,
    overview: list[str],
    metadata: dict[str, str],
    criteria: list[CriterionSpec],
) -> StandardSpec:
    """A standard read from a NOS: its ``overview`` paragraphs, and the fields of its printed
    metadata block (``metadata``: printed label -> value, see :data:`METADATA_LABELS`)."""
    values = {attr: metadata.get(label, "") for label, attr in METADATA_LABELS.items() if attr}
    return StandardSpec(
        code=code,
        title=title,
        urn=urn,
        overview="\n\n".join(overview),
        **values,
        criteria=criteria,
    )
