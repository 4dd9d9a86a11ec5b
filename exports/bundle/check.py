"""Checking a bundle before anything is imported: its manifest, and every hash it states.

Every file the manifest lists must be in the zip with the same SHA-256 (and nothing unlisted may
be), every attachment must point at a listed file of its own hash, every evidence version's hash
must match its content, every sign-off's evidence-set hash must match its frozen versions, and
every framework's content hash must match the framework it carries. The first fault refuses the bundle, naming the file or record.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Hashable, Iterator
from typing import TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from exports.bundle.manifest import (
    FORMAT,
    MANIFEST,
    SCHEMA_VERSION,
    AttachmentRecord,
    Manifest,
)
from exports.bundle.signing import SIGNATURE
from exports.bundle.titles import READING
from framework._json import NOT_UNICODE, lone_surrogate
from framework.export_json import framework_from_json
from framework.spec import FrameworkFormatError, FrameworkSpec
from mappings.assessment.signoff import evidence_set_hash
from portfolio.errors import Invalid
from portfolio.services.evidence import version_hash
from portfolio.services.files import CHUNK
from portfolio.services.people import normalise_email
from portfolio.services.sniff import sniff

T = TypeVar("T", bound=Hashable)
MAX_MANIFEST = 100 * 1024 * 1024  # a portfolio's records: far less, even with every version


def manifest_bytes(zf: zipfile.ZipFile) -> bytes:
    """The bytes of ``manifest.json``, read no further than :data:`MAX_MANIFEST` (a zip bomb
    states a small size or a huge one: both are bounded); :class:`Invalid` if missing, damaged
    or too large."""
    too_large = Invalid(
        f"Bundle refused: manifest.json is larger than {MAX_MANIFEST // (1024 * 1024)} MB, far "
        "more than any portfolio's. Nothing was imported."
    )
    try:
        if zf.getinfo(MANIFEST).file_size > MAX_MANIFEST:
            raise too_large
        with zf.open(MANIFEST) as src:
            data = src.read(MAX_MANIFEST + 1)
    except KeyError:
        raise Invalid("Bundle refused: it has no manifest.json.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise Invalid(f"Bundle refused: manifest.json is damaged ({exc}).") from exc
    except UNREADABLE as exc:
        raise Invalid(unreadable(MANIFEST, exc)) from None
    if len(data) > MAX_MANIFEST:
        raise too_large
    return data


def read_manifest(zf: zipfile.ZipFile) -> Manifest:
    """The bundle's manifest, parsed; :class:`Invalid` if it is missing, damaged or not one."""
    try:
        data = json.loads(manifest_bytes(zf))
        place = lone_surrogate(data)
    except ValueError as exc:
        raise Invalid(f"Bundle refused: manifest.json is damaged ({exc}).") from exc
    except RecursionError:  # Python's words ("maximum recursion depth exceeded...") mean nothing
        raise Invalid(
            "Bundle refused: manifest.json is damaged (its arrays and objects are nested too "
            "deeply)."
        ) from None
    if place is not None:
        raise Invalid(
            f"Bundle refused: manifest.json, {place}: {NOT_UNICODE}. Nothing was imported."
        )
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Invalid("Bundle refused: manifest.json is not a portfolio bundle manifest.")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise Invalid(
            f"Bundle refused: schema version “{data.get('schema_version')}” "
            f"(this program reads {SCHEMA_VERSION})."
        )
    return parse(data)


def verify_bundle(zf: zipfile.ZipFile) -> Manifest:
    """The manifest of a bundle whose every hash holds; :class:`Invalid` naming the first fault."""
    manifest = read_manifest(zf)
    _check_files(zf, manifest.files)
    _check_frameworks(manifest)
    for item in manifest.evidence:
        for v in item.versions:
            for a in v.attachments:
                if manifest.files.get(a.path) != a.sha256:
                    raise Invalid(
                        f"Bundle refused: the file {a.filename} of {item.ref(v)} is missing."
                    )
                held = zf.getinfo(a.path).file_size
                if held != a.size:
                    raise Invalid(
                        f"Bundle refused: manifest.json, the file {a.filename} of {item.ref(v)} "
                        f"is not {a.size} bytes (the zip holds {held}). Nothing was imported."
                    )
                _check_type(zf, a, item.ref(v))
            actual = version_hash(
                item.kind,
                v.title,
                v.activity_date,
                v.body,
                v.fields,
                [a.sha256 for a in v.attachments],
            )
            if actual != v.sha256:
                raise Invalid(f"Bundle refused: evidence {item.ref(v)} does not match its SHA-256.")
    for s in manifest.signoffs:
        if evidence_set_hash((e.evidence, e.sha256) for e in s.evidence) != s.evidence_set_sha256:
            raise Invalid(
                f"Bundle refused: the evidence set of sign-off {s.document_id} "
                "does not match its SHA-256."
            )
    return manifest


def _check_frameworks(m: Manifest) -> None:
    """Each framework's stated ``content_hash`` is the hash of the content it carries: a bundle
    finds a framework here by that hash, so a false one would name another framework's content."""
    for fw in m.frameworks:
        where = f"Bundle refused: manifest.json, framework {fw.code}"
        try:
            spec = framework_from_json(
                # a framework a database held, its version as it was loaded (perhaps before
                # versions were checked): read as stored, not refused
                json.dumps(fw.spec),
                source=MANIFEST,
                check_version=False,
            )
        except FrameworkFormatError as exc:
            raise Invalid(f"{where}: {exc}") from exc
        if fw.content_hash not in stated_hashes(spec) or spec.code != fw.code:
            raise Invalid(
                f"{where}: its content does not match its content_hash (it was changed after "
                "the bundle was written). Nothing was imported."
            )


def stated_hashes(spec: FrameworkSpec) -> set[str]:
    """The hashes a bundle may state for ``spec``: its content hash, and for a framework with
    CASE identifiers also the hash it was given when loaded by the code of early December 2026
    (4 Dec, between keeping CASE identifiers and leaving them out of the hash), which counted
    them: such a centre keeps that hash and states it in every bundle it writes."""
    content = spec.content_dict()
    if not spec.case:
        return {spec.content_hash()}
    blob = json.dumps({**content, "case": spec.case}, sort_keys=True, ensure_ascii=False)
    return {spec.content_hash(), hashlib.sha256(blob.encode("utf-8")).hexdigest()}


def _check_type(zf: zipfile.ZipFile, a: AttachmentRecord, ref: str) -> None:
    """The file's content is of the type the manifest states, and of a kind an upload may be:
    checked as an upload is (:func:`portfolio.services.sniff.sniff`), never taken on its word."""
    try:
        found = sniff(zf.read(a.path), a.filename)
    except Invalid as exc:
        raise Invalid(
            f"Bundle refused: the file {a.filename} of {ref}: {exc} Nothing was imported."
        ) from None
    if found.mime != a.mime:
        raise Invalid(
            f"Bundle refused: manifest.json, the file {a.filename} of {ref} is {found.label}, "
            f"not {a.mime[:100]} as the manifest says. Nothing was imported."
        )


def _check_files(zf: zipfile.ZipFile, files: dict[str, str]) -> None:
    present = {i.filename for i in zf.infolist() if not i.is_dir()} - {MANIFEST, SIGNATURE}
    missing = sorted(set(files) - present)
    if missing:
        raise Invalid(f"Bundle refused: {missing[0]} is listed in the manifest but missing.")
    extra = sorted(present - set(files))
    if extra:
        raise Invalid(f"Bundle refused: {extra[0]} is not listed in the manifest.")
    for name, expected in sorted(files.items()):
        if _hash_member(zf, name) != expected:
            raise Invalid(f"Bundle refused: {name} does not match its SHA-256 in the manifest.")


def _hash_member(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    try:
        with zf.open(name) as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Invalid(f"Bundle refused: {name} is damaged ({exc}). Nothing was imported.") from exc
    except UNREADABLE as exc:
        raise Invalid(unreadable(name, exc)) from None
    return digest.hexdigest()


# what zipfile raises for a member it cannot read at all: encrypted (RuntimeError), or
# compressed by a method it does not have (NotImplementedError)
UNREADABLE = (RuntimeError, NotImplementedError)


def unreadable(name: str, exc: BaseException) -> str:
    return (
        f"Bundle refused: {name} cannot be read ({exc or 'an unknown compression'}): a bundle's "
        "files are neither encrypted nor compressed other than by deflate. Nothing was imported."
    )


def parse(data: object) -> Manifest:
    """The manifest of parsed JSON; :class:`Invalid` naming the record of the first fault."""
    try:
        manifest = Manifest.model_validate(data, context=READING)
    except ValidationError as exc:
        more = exc.error_count() - 1
        also = f" (and {more} more fault{'s' * (more > 1)})" if more else ""
        fault = _describe(data, exc.errors()[0])
        raise Invalid(
            f"Bundle refused: manifest.json, {fault}{also}. Nothing was imported."
        ) from None
    for fault in (*_twice(manifest), *_links(manifest)):
        raise Invalid(f"Bundle refused: manifest.json, {fault}. Nothing was imported.")
    return manifest


def _twice(m: Manifest) -> Iterator[str]:
    """Each record given twice: an id links records, so two records under one cannot be told
    apart, and a version number or a claim twice could not be stored."""
    ids: dict[str, list[int | str]] = {
        "registration": [r.id for r in m.registrations],
        "evidence": [e.id for e in m.evidence],
        "claim": [c.id for c in m.claims],
        "sign-off": [s.document_id for s in m.signoffs],
    }
    for kind, values in ids.items():
        yield from (f"{kind} {i} is given twice" for i in _repeated(values))
    for e in m.evidence:
        numbers = [v.number for v in e.versions]
        yield from (f"evidence {e.id}: version {n} is given twice" for n in _repeated(numbers))
    claimed: set[tuple[int, str, str, str, str]] = set()
    for c in m.claims:
        k = c.criterion
        key = (c.evidence_id, k.framework, k.framework_hash, k.standard, k.code)
        if key in claimed:
            yield f"claim {c.id}: evidence {c.evidence_id} is claimed against {k.standard} {k.code} twice"
        claimed.add(key)


def _repeated(values: list[T]) -> list[T]:
    seen: set[T] = set()
    again: list[T] = []
    for value in values:
        if value in seen:
            again.append(value)
        seen.add(value)
    return again


def _links(m: Manifest) -> Iterator[str]:
    """Each reference from one record to another that the manifest does not hold."""
    emails = {normalise_email(p.email) for p in (m.learner, *m.people)}
    frameworks = {(f.code, f.content_hash) for f in m.frameworks}
    evidence = {e.id for e in m.evidence}
    versions = {(e.id, v.number) for e in m.evidence for v in e.versions}
    registrations = {r.id: set(r.standards) for r in m.registrations}

    def people(record: str, **named: str | None) -> Iterator[str]:
        for role, email in named.items():
            if email and normalise_email(email) not in emails:
                yield f"{record}: {role} {email} is not among the people of the bundle"

    def item(record: str, evidence_id: int) -> Iterator[str]:
        if evidence_id not in evidence:
            yield f"{record}: evidence {evidence_id} is not in the bundle"

    for r in m.registrations:
        if (r.framework.code, r.framework.content_hash) not in frameworks:
            yield f"registration {r.id}: framework {r.framework.code} is not in the bundle"
        yield from people(f"registration {r.id}", assessor=r.assessor, iqa=r.iqa)
    for e in m.evidence:
        yield from people(f"evidence {e.id}", created_by=e.created_by)
        for v in e.versions:
            yield from people(f"evidence {e.id}, version {v.number}", created_by=v.created_by)
    for c in m.claims:
        yield from item(f"claim {c.id}", c.evidence_id)
        yield from people(f"claim {c.id}", claimed_by=c.claimed_by, decided_by=c.decided_by)
        for n, d in enumerate(c.decisions, 1):
            yield from people(f"claim {c.id}, decision #{n}", actor=d.actor)
    for n, j in enumerate(m.judgements, 1):
        yield from item(f"judgement #{n}", j.evidence_id)
        yield from people(f"judgement #{n}", actor=j.actor)
        if j.evidence_id in evidence and (j.evidence_id, j.version_number) not in versions:
            yield (
                f"judgement #{n}: version {j.version_number} of evidence {j.evidence_id} "
                "is not in the bundle"
            )
    for s in m.signoffs:
        record = f"sign-off {s.document_id}"
        if s.registration_id not in registrations:
            yield f"{record}: registration {s.registration_id} is not in the bundle"
        elif s.standard not in registrations[s.registration_id]:
            yield (
                f"{record}: standard {s.standard} is not among the standards of registration "
                f"{s.registration_id}"
            )
        yield from people(record, assessor=s.assessor, reopened_by=s.reopened_by)
        for frozen in s.evidence:
            if (frozen.evidence_id, frozen.version) not in versions:
                yield f"{record}: frozen evidence {frozen.ref} is not in the bundle"


def check_authors(m: Manifest, *, verified: bool) -> None:
    """A verified bundle's decisions count here: each must name who made it, not its learner,
    and a claim's status must be what its last decision made it."""
    for fault in unauthored(m) if verified else ():
        raise Invalid(f"Bundle refused: manifest.json, {fault}. Nothing was imported.")


def unauthored(m: Manifest) -> Iterator[str]:
    """Each decision, judgement or sign-off that names no one who made it, or was made by the
    bundle's own learner, and each claim decided by no decision of its history: none may count
    here, whoever signed the bundle (an unverified bundle's are only kept as its record)."""
    learner = normalise_email(m.learner.email)

    def fault(record: str, email: str | None) -> Iterator[str]:
        if not email:
            yield f"{record} names no one who made it"
        elif normalise_email(email) == learner:
            yield f"{record} was made by its learner {email}"

    for c in m.claims:
        for n, d in enumerate(c.decisions, 1):
            yield from fault(f"claim {c.id}, decision #{n}", d.actor)
        if c.status != "claimed" and (not c.decisions or c.decisions[-1].new_status != c.status):
            verb = "accepts" if c.status == "accepted" else "refers"
            yield f"claim {c.id} is {c.status} but no decision of its history {verb} it"
        if c.decided_by:
            yield from fault(f"claim {c.id}", c.decided_by)
    for n, j in enumerate(m.judgements, 1):
        yield from fault(f"judgement #{n}", j.actor)
    for s in m.signoffs:
        yield from fault(f"sign-off {s.document_id}", s.assessor)


# Records in lists, by the fields leading to them: what to call one, and the field naming it
# (None: by its position, ``decision #2``).
_RECORDS: dict[tuple[str, ...], tuple[str, str | None]] = {
    ("people",): ("person", "email"),
    ("frameworks",): ("framework", "code"),
    ("registrations",): ("registration", "id"),
    ("evidence",): ("evidence", "id"),
    ("evidence", "versions"): ("version", "number"),
    ("evidence", "versions", "attachments"): ("attachment", "filename"),
    ("claims",): ("claim", "id"),
    ("claims", "decisions"): ("decision", None),
    ("judgements",): ("judgement", None),
    ("signoffs",): ("sign-off", "document_id"),
    ("signoffs", "evidence"): ("frozen evidence", None),
}


def _describe(data: object, error: ErrorDetails) -> str:
    """``evidence 12, version 1: title is missing`` for ``("evidence", 3, "versions", 0, "title")``."""
    records: list[str] = []
    fields: list[str] = []  # since the last record
    path: tuple[str, ...] = ()  # field names from the top
    node = data
    for key in error["loc"]:
        if isinstance(key, int) and path in _RECORDS:
            records.append(_label(_RECORDS[path], node, key))
            fields = []
        else:
            path += (str(key),)
            fields.append(str(key))
        node = node.get(key) if isinstance(node, dict) else _item(node, key)
    field, fault = ".".join(fields), _fault(error)
    what = f"{field} {fault}" if fault == "is missing" else ": ".join(filter(None, (field, fault)))
    return ": ".join(filter(None, (", ".join(records), what)))


def _label(record: tuple[str, str | None], items: object, index: int) -> str:
    name, by = record
    item = _item(items, index)
    value = item.get(by) if by and isinstance(item, dict) else None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return f"{name} {value}"
    return f"{name} #{index + 1}"


def _item(items: object, index: object) -> object:
    if isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items):
        return items[index]
    return None


def _fault(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "is missing"
    if error["type"] in ("model_type", "dict_type"):
        return "should be a JSON object"
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
