"""CASE records a framework keeps so that it can be exported again under the same identifiers.

A framework read from a CASE package keeps, in ``FrameworkSpec.case`` (stored in the
framework's ``extra`` column, so no table changes), the package's own records:

``{"version": "1.0" | "1.1",
   "document": {CFDocument fields},
   "standards": {standard code: {"item": {CFItem fields}, "parent": {isChildOf record}}},
   "criteria": {"<standard code>/<criterion code>": {"item": ..., "parent": ...}},
   "loose": standard code gathering the document's own leaf items (it has no CFItem),
   "associations": [other CFAssociations]}``

where a ``parent`` record is ``{"identifier", "uri", "lastChangeDateTime", "sequenceNumber",
"node"}`` (``node``: the parent's identifier). Records are cleaned on the way in to what CASE 1.1
allows (fields the 1.1 schema does not know are dropped, times get a time zone, identifiers that
are not UUIDs are replaced by a UUID derived from them) so an export validates strictly.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from framework.spec import FrameworkSpec, StandardSpec

Json = dict[str, Any]

# The CASE 1.1 extension in which this system writes what CASE has no field for, so that a
# framework read back (here or at another centre) keeps its code and URNs: ``{"code", "urn"}`` on
# the CFDocument, ``{"urn"}`` on a standard's CFItem.
EXTENSION = "competencePortfolio"


def our_extension(record: Json) -> dict[str, str]:
    """This system's extension of a CASE record (its text fields ``code`` and ``urn``), or ``{}``."""
    extensions = record.get("extensions")
    ours = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(ours, dict):
        return {}
    return {k: " ".join(ours[k].split()) for k in ("code", "urn") if isinstance(ours.get(k), str)}


def _kept_extension(record: Json, out: Json) -> None:
    ours = {k: v for k, v in our_extension(record).items() if v}
    if ours:
        out["extensions"] = {EXTENSION: ours}


# The namespace of every identifier this system derives (uuid5) for CASE export.
NAMESPACE = uuid.UUID("6f0b3c8e-7f5e-5b7a-9d0e-2f4c6a8b1d3e")

DOCUMENT_STRINGS = (
    "frameworkType",
    "creator",
    "title",
    "officialSourceURL",
    "publisher",
    "description",
    "language",
    "version",
    "adoptionStatus",
    "notes",
)
ITEM_STRINGS = (
    "fullStatement",
    "alternativeLabel",
    "CFItemType",
    "humanCodingScheme",
    "listEnumeration",
    "abbreviatedStatement",
    "notes",
    "language",
)
ITEM_LISTS = ("conceptKeywords", "subject", "educationLevel")
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EXT = re.compile(r"^ext:[A-Za-z0-9.|_-]+$")
ASSOCIATION_TYPES = frozenset(
    (
        "isChildOf",
        "isPeerOf",
        "isPartOf",
        "exactMatchOf",
        "precedes",
        "isRelatedTo",
        "replacedBy",
        "exemplar",
        "hasSkillLevel",
        "isTranslationOf",
    )
)


def case_uuid(value: str) -> str:
    """``value`` when it is a UUID (as CASE 1.1 requires), else a UUID derived from it."""
    return value if _UUID.match(value) else str(uuid.uuid5(NAMESPACE, f"identifier:{value}"))


def case_date_time(value: object, default: str) -> str:
    """An RFC 3339 date-time with a time zone: a time without one is taken as UTC."""
    if isinstance(value, str) and _DATE_TIME.match(value):
        return value if re.search(r"(Z|[+-]\d\d:\d\d)$", value) else value + "+00:00"
    return default


def urn_uri(identifier: str) -> str:
    return f"urn:uuid:{identifier}"


def _strings(record: Json, names: tuple[str, ...]) -> Json:
    return {k: record[k] for k in names if isinstance(record.get(k), str) and record[k].strip()}


def clean_document(doc: Json) -> Json:
    ident = case_uuid(str(doc.get("identifier")))
    out: Json = {"identifier": ident, "uri": _uri(doc, ident)}
    out.update(_strings(doc, DOCUMENT_STRINGS))
    _kept_extension(doc, out)
    if isinstance(doc.get("subject"), list):
        out["subject"] = [s for s in doc["subject"] if isinstance(s, str)]
    stamp = case_date_time(doc.get("lastChangeDateTime"), "")
    if stamp:
        out["lastChangeDateTime"] = stamp
    return out


def clean_item(item: Json) -> Json:
    ident = case_uuid(str(item.get("identifier")))
    out: Json = {"identifier": ident, "uri": _uri(item, ident)}
    out.update(_strings(item, ITEM_STRINGS))
    _kept_extension(item, out)
    for name in ITEM_LISTS:
        if isinstance(item.get(name), list):
            out[name] = [s for s in item[name] if isinstance(s, str)]
    stamp = case_date_time(item.get("lastChangeDateTime"), "")
    if stamp:
        out["lastChangeDateTime"] = stamp
    return out


def parent_record(assoc: Json, parent_id: str) -> Json:
    """What an item keeps of its isChildOf association."""
    ident = case_uuid(str(assoc.get("identifier")))
    out: Json = {"identifier": ident, "uri": _uri(assoc, ident), "node": case_uuid(parent_id)}
    stamp = case_date_time(assoc.get("lastChangeDateTime"), "")
    if stamp:
        out["lastChangeDateTime"] = stamp
    seq = assoc.get("sequenceNumber")
    if isinstance(seq, int) and not isinstance(seq, bool):
        out["sequenceNumber"] = seq
    elif isinstance(seq, str) and seq.strip().isdigit():
        out["sequenceNumber"] = int(seq)
    return out


def clean_association(assoc: Json, known: set[str]) -> Json | None:
    """Another association (exactMatchOf, precedes ...), or None when CASE 1.1 cannot carry it.
    An end that is one of the package's own nodes (``known``) gets that node's identifier."""
    kind = assoc.get("associationType")
    if not isinstance(kind, str) or not (kind in ASSOCIATION_TYPES or _EXT.match(kind)):
        return None
    ends = [_link(assoc.get(k), known) for k in ("originNodeURI", "destinationNodeURI")]
    if ends[0] is None or ends[1] is None or not isinstance(assoc.get("identifier"), str):
        return None
    ident = case_uuid(assoc["identifier"])
    out: Json = {
        "identifier": ident,
        "associationType": kind,
        "uri": _uri(assoc, ident),
        "originNodeURI": ends[0],
        "destinationNodeURI": ends[1],
    }
    stamp = case_date_time(assoc.get("lastChangeDateTime"), "")
    if stamp:
        out["lastChangeDateTime"] = stamp
    seq = assoc.get("sequenceNumber")
    if isinstance(seq, int) and not isinstance(seq, bool):
        out["sequenceNumber"] = seq
    if isinstance(assoc.get("notes"), str):
        out["notes"] = assoc["notes"]
    return out


def _link(node: object, known: set[str]) -> Json | None:
    if not isinstance(node, dict) or not isinstance(node.get("identifier"), str):
        return None
    ident = case_uuid(node["identifier"]) if node["identifier"] in known else node["identifier"]
    uri = node.get("uri") if isinstance(node.get("uri"), str) else urn_uri(ident)
    title = node.get("title") if isinstance(node.get("title"), str) else ""
    link: Json = {"title": title, "identifier": ident, "uri": uri}
    target = node.get("targetType")
    if isinstance(target, str) and (target == "CASE" or _EXT.match(target)):
        link["targetType"] = target
    return link


def _uri(record: Json, ident: str) -> str:
    uri = record.get("uri")
    return uri if isinstance(uri, str) and uri.strip() else urn_uri(ident)


def records_from_package(
    *,
    version: str,
    doc: Json,
    items: dict[str, Json],
    parents: dict[str, tuple[str, Json]],
    others: list[Json],
    standards: list[StandardSpec],
    item_ids: list[tuple[str | None, list[str]]],
    warn: Callable[[str], None],
) -> Json:
    """``FrameworkSpec.case`` for a framework read from a package. ``item_ids`` gives, for each
    standard in order, its CFItem identifier (None for the document's loose items) and those of
    its criteria in order; ``parents`` maps an item to (parent identifier, isChildOf record)."""

    def node(item_id: str) -> Json:
        record: Json = {"item": clean_item(items[item_id])}
        if item_id in parents:
            parent_id, assoc = parents[item_id]
            record["parent"] = parent_record(assoc, parent_id)
        return record

    case: Json = {
        "version": version,
        "document": clean_document(doc),
        "standards": {},
        "criteria": {},
    }
    for standard, (std_id, criteria_ids) in zip(standards, item_ids, strict=True):
        if std_id is None:
            case["loose"] = standard.code
        else:
            case["standards"][standard.code] = node(std_id)
        for criterion, crit_id in zip(standard.criteria, criteria_ids, strict=True):
            case["criteria"][f"{standard.code}/{criterion.code}"] = node(crit_id)
    known = {*items, str(doc.get("identifier"))}
    kept = [clean_association(a, known) for a in others]
    dropped = sum(1 for a in kept if a is None)
    if dropped:
        warn(f"{dropped} CFAssociations cannot be carried in CASE 1.1 (bad type or end); dropped")
    case["associations"] = [a for a in kept if a is not None]
    return case


def has_case_records(spec: FrameworkSpec) -> bool:
    return bool(spec.case.get("document"))
