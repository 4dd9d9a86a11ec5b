"""Write a framework as a 1EdTech CASE 1.1 ``CFPackage`` (JSON).

* The framework is the ``CFDocument``; each standard a ``CFItem`` (``humanCodingScheme`` = its
  code, ``fullStatement`` = its title, ``notes`` = its overview) that ``isChildOf`` the document;
  each criterion a ``CFItem`` (``humanCodingScheme`` = ``P1``, ``CFItemType`` = ``Performance``,
  ``Knowledge`` or ``Assessment criterion``) that ``isChildOf`` its standard, in order
  (``sequenceNumber``). Reading the package back (:mod:`framework.parse.case`) gives the same
  standards, codes, kinds and texts.
* A framework read from CASE is written from the records it kept (:mod:`framework.case_records`):
  the same CFDocument, CFItem and CFAssociation identifiers and URIs, the same tree (an item under
  another criterion stays there), the other associations too.
* Any other framework gets identifiers derived from its content: the document's is
  ``uuid5(NAMESPACE, "document:" + content hash)`` and every item's and association's a ``uuid5``
  under the document's, so exporting the same framework again (here or anywhere) gives the same
  identifiers. Their URIs are ``urn:uuid:<identifier>``. What CASE has no field for, the
  framework's code and URN and each standard's URN, goes in the CFDocument's and the standard's
  ``extensions`` (:data:`framework.case_records.EXTENSION`), from which a reader takes them back.

``changed`` is the ``lastChangeDateTime`` written where the framework kept none (the time the
framework version was loaded, so the export is the same every time).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

from framework.case_records import (
    EXTENSION,
    NAMESPACE,
    case_date_time,
    has_case_records,
    urn_uri,
)
from framework.spec import CriterionSpec, FrameworkFormatError, FrameworkSpec, StandardSpec

Json = dict[str, Any]
ITEM_TYPES = {"performance": "Performance", "knowledge": "Knowledge"}
ASSESSMENT_TYPE = "Assessment criterion"


def framework_to_case(spec: FrameworkSpec, *, changed: str) -> Json:
    """The CASE 1.1 CFPackage of ``spec`` as a JSON object."""
    return _Writer(spec, changed).package()


def framework_to_case_json(spec: FrameworkSpec, *, changed: str) -> str:
    """The package as JSON text, checked against the official CASE 1.1 schema first: a package
    that would not validate raises :class:`FrameworkFormatError` rather than being written."""
    package = framework_to_case(spec, changed=changed)
    errors = case_1_1_errors(package)
    if errors:
        raise FrameworkFormatError(f"the CASE 1.1 export would not be valid: {errors[0]}")
    return json.dumps(package, ensure_ascii=False, indent=2)


def case_1_1_errors(package: Json) -> list[str]:
    """Every error of ``package`` against the CASE 1.1 CFPackage schema, with ``uuid`` and
    ``date-time`` (with a time zone) checked: the strict validation the export is held to."""
    return [
        f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}"
        for e in _strict_validator().iter_errors(package)
    ]


@cache
def _strict_validator() -> Any:
    import jsonschema

    from framework.parse.case import SCHEMA_DIR, SCHEMA_FILES, _is_date_time

    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES["1.1"]).read_text("utf-8"))
    checker = jsonschema.FormatChecker(formats=("uuid",))
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return jsonschema.Draft201909Validator(schema, format_checker=checker)


class _Writer:
    def __init__(self, spec: FrameworkSpec, changed: str) -> None:
        self.spec = spec
        self.changed = case_date_time(changed, "1970-01-01T00:00:00Z")
        self.kept: Json = spec.case if has_case_records(spec) else {}
        self.items: list[Json] = []
        self.associations: list[Json] = []
        self.links: dict[str, Json] = {}  # identifier -> LinkGenURI of our own nodes
        self.document = self._document()

    def package(self) -> Json:
        loose = self.kept.get("loose")
        for position, standard in enumerate(self.spec.standards, start=1):
            if standard.code == loose:
                parent = self.document["identifier"]
            else:
                parent = self._standard(standard, position)
            for criterion in standard.criteria:
                self._criterion(standard, criterion, parent)
        for kept in self.kept.get("associations", []):
            self.associations.append({"lastChangeDateTime": self.changed, **kept})
        return {
            "CFDocument": self.document,
            "CFItems": self.items,
            "CFAssociations": self.associations,
        }

    # -- nodes ------------------------------------------------------------------------------
    def _document(self) -> Json:
        spec = self.spec
        kept = dict(self.kept.get("document", {}))
        if kept:
            doc = {**kept, "caseVersion": "1.1"}
        else:
            ident = str(uuid.uuid5(NAMESPACE, f"document:{spec.content_hash()}"))
            doc = {"identifier": ident, "uri": urn_uri(ident), "caseVersion": "1.1"}
            doc["title"] = spec.title
            if spec.overview:
                doc["description"] = spec.overview
            doc["version"] = spec.version
            if spec.urn:
                doc["notes"] = f"URN: {spec.urn}"
            doc["extensions"] = {EXTENSION: _dropped({"code": spec.code, "urn": spec.urn})}
        doc.setdefault("title", spec.title)
        doc.setdefault("creator", _creator(spec))
        doc.setdefault("lastChangeDateTime", self.changed)
        self.links[doc["identifier"]] = _link(doc["identifier"], doc["uri"], doc["title"])
        return doc

    def _standard(self, standard: StandardSpec, position: int) -> str:
        kept = self.kept.get("standards", {}).get(standard.code)
        if kept:
            item = {"fullStatement": standard.title, **kept["item"]}
        else:
            item = self._new_item(f"standard:{standard.code}")
            item["fullStatement"] = standard.title
            item["humanCodingScheme"] = standard.code
            item["CFItemType"] = "Standard"
            if standard.overview:
                item["notes"] = standard.overview
            if standard.urn:
                item["extensions"] = {EXTENSION: {"urn": standard.urn}}
        return self._add(item, kept, self.document["identifier"], position)

    def _criterion(self, standard: StandardSpec, criterion: CriterionSpec, parent: str) -> None:
        kept = self.kept.get("criteria", {}).get(f"{standard.code}/{criterion.code}")
        if kept:
            item = {"fullStatement": criterion.text, **kept["item"]}
        else:
            item = self._new_item(f"criterion:{standard.code}/{criterion.code}")
            item["fullStatement"] = criterion.text
            item["humanCodingScheme"] = criterion.code
            item["CFItemType"] = ITEM_TYPES.get(criterion.kind, ASSESSMENT_TYPE)
        self._add(item, kept, parent, criterion.position)

    def _new_item(self, key: str) -> Json:
        ident = self._derived(key)
        return {"identifier": ident, "uri": urn_uri(ident)}

    def _derived(self, key: str) -> str:
        return str(uuid.uuid5(uuid.UUID(self.document["identifier"]), key))

    def _add(self, item: Json, kept: Json | None, parent: str, position: int) -> str:
        """Append ``item`` and its isChildOf association (kept, or made under ``parent``)."""
        item.setdefault("lastChangeDateTime", self.changed)
        ident = item["identifier"]
        self.items.append(item)
        title = item.get("humanCodingScheme") or item["fullStatement"][:60]
        self.links[ident] = _link(ident, item["uri"], title)
        record = (kept or {}).get("parent")
        if record and record.get("node") in self.links:
            parent = record["node"]
            assoc_id, uri = record["identifier"], record["uri"]
            stamp = record.get("lastChangeDateTime", self.changed)
            sequence = record.get("sequenceNumber")
        else:
            assoc_id = self._derived(f"isChildOf:{ident}")
            uri, stamp, sequence = urn_uri(assoc_id), self.changed, position
        assoc: Json = {
            "identifier": assoc_id,
            "associationType": "isChildOf",
            "uri": uri,
            "originNodeURI": self.links[ident],
            "destinationNodeURI": self.links[parent],
            "lastChangeDateTime": stamp,
        }
        if sequence is not None:
            assoc["sequenceNumber"] = sequence
        self.associations.append(assoc)
        return str(ident)


def _link(identifier: str, uri: str, title: str) -> Json:
    return {"title": title, "identifier": identifier, "uri": uri}


def _creator(spec: FrameworkSpec) -> str:
    meta = spec.metadata
    for key in ("creator", "developed_by", "publisher"):
        if meta.get(key):
            return meta[key]
    for standard in spec.standards:
        if standard.originating_organisation:
            return standard.originating_organisation
    return "Not stated"


def _dropped(fields: dict[str, str]) -> dict[str, str]:
    """``fields`` without the empty ones."""
    return {k: v for k, v in fields.items() if v}
