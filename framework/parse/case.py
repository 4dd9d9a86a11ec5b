"""Read a 1EdTech CASE 1.0 or 1.1 ``CFPackage`` (JSON) as a framework.

Mapping:

* ``CFDocument`` -> the framework: ``title``; ``uri`` (else ``identifier``) as the URN;
  ``version`` (default ``"1"``); the code is the initials of the title (``"What Standards Could
  Be"`` -> ``"WSCB"``), other document fields go to ``metadata``. A package this system wrote
  carries the framework's code and URN, and each standard's URN, in its own ``extensions``
  (:data:`framework.case_records.EXTENSION`); they are read back from there.
* The tree is built from ``isChildOf`` associations (origin = child, destination = parent);
  siblings are ordered by ``sequenceNumber`` (items without one come after, in file order).
* Every item directly under the document **that has children** becomes a standard: code from
  ``humanCodingScheme`` (else ``listEnumeration``, else its position), title from
  ``abbreviatedStatement`` (else ``fullStatement``). All of its descendants become its criteria,
  flattened depth first in sequence order. A criterion's code is its ``humanCodingScheme``, else a
  dotted outline number made of ``listEnumeration`` values or positions (``"3.b"``).
* Items directly under the document **without children** are statements in their own right; they
  are gathered, in order, into one standard named after the document (placed after the others).
  A flat framework (every item a leaf) is therefore one standard.
* Criterion kind comes from ``CFItemType``: ``Knowledge`` -> knowledge; ``Skill``/``Performance``/
  ``Competency`` -> performance; anything else -> assessment.
* Other association types (``exactMatchOf``, ``precedes`` ...) are counted in ``metadata`` only.

``strict=True`` validates the package against the official JSON schema first (1.1 when the
package says so through ``caseVersion``/``frameworkType`` or ``/v1p1/`` URIs, else 1.0) with
``date-time`` checked, and raises :class:`FrameworkFormatError` with the JSON pointer of the first
error. The default, lenient mode imports what it can (the real OpenSALT exports break the schema
on time zones and extra fields) and records every deviation in ``FrameworkSpec.warnings``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from framework.case_records import our_extension, records_from_package
from framework.parse._text import decode_json
from framework.parse.schema_words import sentence
from framework.spec import (
    CriterionKind,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    StandardSpec,
    version_problem,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {"1.0": "case-v1p0-cfpackage-schema.json", "1.1": "case-v1p1-cfpackage.json"}
MAX_WARNINGS = 200
_KINDS: dict[str, CriterionKind] = {
    "knowledge": "knowledge",
    "skill": "performance",
    "performance": "performance",
    "competency": "performance",
}

Json = dict[str, Any]
MAX_DEPTH = 32  # levels of isChildOf under a standard
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")  # a framework code read from our extension
MAX_URN = 200


def parse_case(data: bytes | str, source: str = "", strict: bool = False) -> FrameworkSpec:
    """Parse a CASE CFPackage into a :class:`FrameworkSpec`."""
    package = decode_json(data, source)
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise FrameworkFormatError(
            "not a CASE package: no CFDocument", source=source, place="/CFDocument"
        )
    declared = package["CFDocument"].get("caseVersion")
    if declared is not None and str(declared) not in SCHEMA_FILES:
        raise FrameworkFormatError(
            f"CASE version {str(declared)[:20]}: this program reads CASE 1.0 and 1.1",
            source=source,
            place="/CFDocument/caseVersion",
        )
    version = case_version(package)
    warnings: list[str] = []
    if strict:
        error = first_schema_error(package, version)
        if error:
            pointer, message = error
            raise FrameworkFormatError(
                f"CASE {version} schema: {message}", source=source, place=pointer
            )
    else:
        warnings.extend(f"{p}: {m}" for p, m in schema_errors(package, version))
    return _Builder(package, source, warnings, version).build()


def case_version(package: Json) -> str:
    doc = package.get("CFDocument") or {}
    if isinstance(doc, dict) and (doc.get("caseVersion") == "1.1" or "frameworkType" in doc):
        return "1.1"
    uri = doc.get("uri") if isinstance(doc, dict) else None
    return "1.1" if isinstance(uri, str) and "/v1p1/" in uri else "1.0"


@cache
def _validator(version: str) -> Any:
    import jsonschema

    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[version]).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return cls(schema, format_checker=checker)


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        raise ValueError("not an RFC 3339 date-time with a time zone")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _pointer(path: Iterator[Any] | Any) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def schema_errors(package: Json, version: str) -> list[tuple[str, str]]:
    """Every schema error as (JSON pointer, a sentence saying it in words), in document order."""
    errors = sorted(
        _validator(version).iter_errors(package),
        key=lambda e: [(0, p) if isinstance(p, int) else (1, str(p)) for p in e.absolute_path],
    )
    return [(_pointer(e.absolute_path), _short(sentence(e))) for e in errors]


def first_schema_error(package: Json, version: str) -> tuple[str, str] | None:
    errors = schema_errors(package, version)
    return errors[0] if errors else None


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


class _Builder:
    def __init__(self, package: Json, source: str, warnings: list[str], version: str) -> None:
        self.package = package
        self.source = source
        self.warnings = warnings
        self.version = version
        self.doc: Json = package["CFDocument"]
        self.items: dict[str, Json] = {}
        self.order: dict[str, int] = {}
        self.children: dict[str, list[tuple[tuple[int, float, int], str]]] = {}
        self.parents: dict[str, tuple[str, Json]] = {}  # child -> (parent, isChildOf record)
        self.others: list[Json] = []  # associations other than isChildOf
        self.item_ids: list[tuple[str | None, list[str]]] = []  # per standard, in order

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def build(self) -> FrameworkSpec:
        doc_id = self.doc.get("identifier")
        if not isinstance(doc_id, str) or not doc_id:
            raise FrameworkFormatError(
                "CFDocument has no identifier", source=self.source, place="/CFDocument/identifier"
            )
        title = self.doc.get("title")
        if not isinstance(title, str) or not title.strip():
            raise FrameworkFormatError(
                "CFDocument has no title", source=self.source, place="/CFDocument/title"
            )
        version = _text(self.doc.get("version"))
        problem = version_problem(version)
        if problem:
            raise FrameworkFormatError(problem, source=self.source, place="/CFDocument/version")
        self._read_items()
        other = self._read_associations(doc_id)
        top = [i for _, i in sorted(self.children.get(doc_id, []))]
        code = self._code(title)
        standards: list[StandardSpec] = []
        loose: list[str] = []
        seen: set[str] = {doc_id}
        for position, item_id in enumerate(top, start=1):
            seen.add(item_id)
            if self.children.get(item_id):
                standards.append(self._standard(item_id, position, seen))
            else:
                loose.append(item_id)
        if loose:
            criteria = [self._criterion(i, str(n), n, seen) for n, i in enumerate(loose, start=1)]
            self.item_ids.append((None, loose))
            used = {s.code for s in standards}
            loose_code = code if code not in used else f"{code}-{len(standards) + 1}"
            standards.append(StandardSpec(code=loose_code, title=title.strip(), criteria=criteria))
        orphans = [i for i in self.items if i not in seen]
        if orphans:
            named = [_text(self.items[i].get("humanCodingScheme")) or i for i in orphans]
            shown = ", ".join(n[:40] for n in named[:10]) + (" …" if len(named) > 10 else "")
            self.warn(
                f"{len(orphans)} CFItems are not under the document by isChildOf (in a cycle, "
                f"or under a parent the package lacks); skipped: {shown}"
            )
        if not standards:
            raise FrameworkFormatError(
                "no CFItems under the CFDocument", source=self.source, place="/CFItems"
            )
        self._dedupe_codes(standards)
        case = records_from_package(
            version=self.version,
            doc=self.doc,
            items=self.items,
            parents=self.parents,
            others=self.others,
            standards=standards,
            item_ids=self.item_ids,
            warn=self.warn,
        )
        return FrameworkSpec(
            code=code,
            title=title.strip(),
            urn=self._urn(self.doc) or doc_id,
            version=version or "1",
            overview=_text(self.doc.get("description")),
            source_format="case",
            standards=standards,
            metadata=self._metadata(other),
            warnings=self.warnings,
            case=case,
        )

    def _read_items(self) -> None:
        items = self.package.get("CFItems", [])
        if not isinstance(items, list):
            raise FrameworkFormatError(
                "CFItems is not a list", source=self.source, place="/CFItems"
            )
        for n, item in enumerate(items):
            ident = item.get("identifier") if isinstance(item, dict) else None
            if not isinstance(ident, str) or not ident:
                self.warn(f"/CFItems/{n}: item without an identifier; skipped")
                continue
            if ident in self.items:
                self.warn(f"/CFItems/{n}: identifier {ident} repeated; later copy skipped")
                continue
            if not _text(item.get("fullStatement")):
                self.warn(f"/CFItems/{n}/fullStatement: missing")
            self.items[ident] = item
            self.order[ident] = n

    def _read_associations(self, doc_id: str) -> dict[str, int]:
        associations = self.package.get("CFAssociations", [])
        if not isinstance(associations, list):
            raise FrameworkFormatError(
                "CFAssociations is not a list", source=self.source, place="/CFAssociations"
            )
        other: dict[str, int] = {}
        parent_of: dict[str, str] = {}
        for n, assoc in enumerate(associations):
            if not isinstance(assoc, dict):
                self.warn(f"/CFAssociations/{n}: not an object; skipped")
                continue
            kind = _text(assoc.get("associationType"))
            if kind != "isChildOf":
                other[kind or "?"] = other.get(kind or "?", 0) + 1
                self.others.append(assoc)
                continue
            child = _node_id(assoc.get("originNodeURI"))
            parent = _node_id(assoc.get("destinationNodeURI"))
            if child not in self.items or (parent != doc_id and parent not in self.items):
                self.warn(f"/CFAssociations/{n}: isChildOf between unknown nodes; skipped")
                continue
            if child in parent_of:
                self.warn(f"/CFAssociations/{n}: item has a second parent; skipped")
                continue
            parent_of[child] = parent
            self.parents[child] = (parent, assoc)
            key = (*_sequence(assoc.get("sequenceNumber")), self.order[child])
            self.children.setdefault(parent, []).append((key, child))
        return other

    def _standard(self, item_id: str, position: int, seen: set[str]) -> StandardSpec:
        item = self.items[item_id]
        full = _text(item.get("fullStatement"))
        short = _text(item.get("abbreviatedStatement"))
        code = (
            _text(item.get("humanCodingScheme"))
            or _text(item.get("listEnumeration")).rstrip(".)")
            or str(position)
        )
        criteria: list[CriterionSpec] = []
        ids: list[str] = []
        for outline, child in self._descendants(item_id, "", seen):
            criteria.append(self._criterion(child, outline, len(criteria) + 1, seen))
            ids.append(child)
        self.item_ids.append((item_id, ids))
        overview = "\n\n".join(p for p in (full if short else "", _text(item.get("notes"))) if p)
        return StandardSpec(
            code=code,
            title=short or full or code,
            urn=self._urn(item) or item_id,
            overview=overview,
            criteria=criteria,
        )

    def _descendants(self, parent: str, prefix: str, seen: set[str]) -> Iterator[tuple[str, str]]:
        """Every item under ``parent`` in document order with its outline ("2.1.3"); walked with
        an explicit stack, and refused past :data:`MAX_DEPTH` levels (no framework is that deep)."""
        stack = [(prefix, iter(enumerate(sorted(self.children.get(parent, [])), start=1)))]
        while stack:
            outline_above, siblings = stack[-1]
            step = next(siblings, None)
            if step is None:
                stack.pop()
                continue
            n, (_, child) = step
            if child in seen:
                self.warn(f"item {child} is reached twice (cycle?); skipped")
                continue
            seen.add(child)
            label = _text(self.items[child].get("listEnumeration")).rstrip(".)") or str(n)
            outline = f"{outline_above}.{label}" if outline_above else label
            yield outline, child
            if self.children.get(child):
                if len(stack) >= MAX_DEPTH:
                    raise FrameworkFormatError(
                        f"isChildOf nests items more than {MAX_DEPTH} levels deep under "
                        f"{parent}; a framework has far fewer levels",
                        source=self.source,
                        place="/CFAssociations",
                    )
                stack.append((outline, iter(enumerate(sorted(self.children[child]), start=1))))

    def _criterion(
        self, item_id: str, outline: str, position: int, seen: set[str]
    ) -> CriterionSpec:
        seen.add(item_id)
        item = self.items[item_id]
        item_type = _text(item.get("CFItemType")).lower()
        return CriterionSpec(
            kind=_KINDS.get(item_type, "assessment"),
            code=_text(item.get("humanCodingScheme")) or outline,
            text=_text(item.get("fullStatement")) or _text(item.get("abbreviatedStatement")) or "-",
            position=position,
        )

    def _dedupe_codes(self, standards: list[StandardSpec]) -> None:
        seen_standards: set[str] = set()
        for standard in standards:
            if standard.code in seen_standards:
                self.warn(f"standard code {standard.code} repeated; numbered")
                standard.code = f"{standard.code}-{len(seen_standards) + 1}"
            seen_standards.add(standard.code)
            codes: set[str] = set()
            fixed: list[CriterionSpec] = []
            for c in standard.criteria:
                code = c.code
                if code in codes:
                    self.warn(f"criterion code {code} repeated in {standard.code}; numbered")
                    code = f"{code}#{c.position}"
                codes.add(code)
                fixed.append(
                    CriterionSpec(kind=c.kind, code=code, text=c.text, position=c.position)
                )
            standard.criteria = fixed

    def _code(self, title: str) -> str:
        """The code this system wrote in its extension (a framework exported here or at another
        centre keeps its code), else the initials of the title."""
        written = our_extension(self.doc).get("code", "")
        if written and not _CODE.fullmatch(written):
            self.warn(f"the framework code “{written[:40]}” in the package is not a code; not used")
            written = ""
        return written or _initials(title) or "CASE"

    def _urn(self, record: Json) -> str:
        """The URN this system wrote in its extension (an NOS URN), else the record's URI."""
        return our_extension(record).get("urn", "")[:MAX_URN] or _text(record.get("uri"))

    def _metadata(self, other: dict[str, int]) -> dict[str, str]:
        meta = {"case_version": self.version, "identifier": _text(self.doc.get("identifier"))}
        for key in ("creator", "publisher", "adoptionStatus", "lastChangeDateTime", "language"):
            value = _text(self.doc.get(key))
            if value:
                meta[key] = value
        if other:
            meta["other_associations"] = ", ".join(f"{k}: {v}" for k, v in sorted(other.items()))
        return meta


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split()) if "\n" not in value else value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _node_id(node: object) -> str:
    if isinstance(node, dict):
        ident = node.get("identifier")
        return ident if isinstance(ident, str) else ""
    return ""


def _sequence(value: object) -> tuple[int, float]:
    if isinstance(value, bool):
        return (1, 0.0)
    if isinstance(value, int | float):
        return (0, float(value))
    if isinstance(value, str):
        try:
            return (0, float(value))
        except ValueError:
            pass
    return (1, 0.0)


def _initials(title: str) -> str:
    words: list[str] = re.findall(r"[^\W_]+", title)
    if len(words) == 1:
        return words[0][:8].upper()
    return "".join(w[0] for w in words)[:8].upper()
