"""Writing a learner's bundle: a zip streamed to any writable binary file.

Attachments are copied in chunks from the store into the zip, so memory stays flat whatever
their total size; only the manifest's records (text, not files) are held.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from exports.bundle.collect import collect
from exports.bundle.manifest import MANIFEST, Manifest, encode
from exports.bundle.pages import evidence_html, index_html
from exports.bundle.signing import SIGNATURE, signature_json
from exports.signoff import lay_out
from mappings.assessment.standing import load_standings
from portfolio.errors import Invalid, NotFound
from portfolio.models import Person
from portfolio.models.base import utcnow
from portfolio.services import access
from portfolio.services.files import CHUNK, Store
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE


class _ZipWriter:
    """Writes members into the zip and remembers the SHA-256 of each."""

    def __init__(self, zf: zipfile.ZipFile, when: datetime) -> None:
        self.zf = zf
        self.stamp = max(when.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        self.files: dict[str, str] = {}

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def bytes(self, name: str, data: bytes) -> None:
        self.zf.writestr(self._info(name), data)
        self.files[name] = hashlib.sha256(data).hexdigest()

    def stream(self, name: str, store: Store, sha256: str, size: int) -> None:
        digest = hashlib.sha256()
        with (
            store.open(sha256) as src,  # Missing: "The file … is missing from the file store."
            self.zf.open(self._info(name, size), "w", force_zip64=size > 2**30) as dst,
        ):
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != sha256:
            raise Invalid(f"The stored file {sha256} does not match its hash; not exported.")
        self.files[name] = sha256

    def manifest(self, manifest: Manifest, key: Ed25519PrivateKey | None) -> dict[str, Any]:
        """Last: the manifest, listing every file written before it (not itself), and its
        signature by ``key``; the manifest's JSON data."""
        listed = manifest.model_copy(update={"files": dict(sorted(self.files.items()))})
        data = listed.model_dump(mode="json")
        body = encode(data)
        self.zf.writestr(self._info(MANIFEST), body)
        if key is not None:
            self.zf.writestr(self._info(SIGNATURE), signature_json(key, body))
        return data


def may_export_bundle(session: Session, actor: Actor, learner_id: int) -> None:
    """The learner themself or their assessor (NotFound for anyone else)."""
    rel = access.relation(session, actor, learner_id)
    if not rel & {"self", "assessor"}:
        raise NotFound("No such portfolio, or it is not one you may export.")


def write_bundle(
    session: Session,
    store: Store,
    learner_id: int,
    out: BinaryIO,
    *,
    centre: str = "",
    actor: Actor | None = None,
    generated_at: datetime | None = None,
    signing_key: Ed25519PrivateKey | None = None,
    reader_id: int | None = None,
    zone: ZoneInfo = CENTRE,
) -> dict[str, Any]:
    """Write the learner's bundle to ``out`` (any writable binary stream); return the manifest
    as JSON data. With ``signing_key`` (the centre's) the manifest is signed (``signature.json``).
    The sign-off records' days, and the front page's days of sign-off, are the centre's
    (``zone``, its ``TIME_ZONE``).

    With ``actor`` the export is checked: the learner or their assessor only. Drafts are kept
    only when ``actor`` (or, without one, ``reader_id``) wrote them; with neither, everything
    (the centre's own transfer).
    """
    if actor is not None:
        may_export_bundle(session, actor, learner_id)
    learner = session.get(Person, learner_id)
    if learner is None:
        raise NotFound("No such learner.")
    when = generated_at or utcnow()
    # drafts are their authors' alone: the learner's own export leaves out their assessor's
    reader = actor.id if actor is not None else reader_id
    collected = collect(session, learner, centre=centre, when=when, reader_id=reader, zone=zone)
    manifest = collected.manifest
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        writer = _ZipWriter(zf, when)
        for item in manifest.evidence:
            for version in item.versions:
                for a in version.attachments:
                    if a.path not in writer.files:
                        writer.stream(a.path, store, a.sha256, a.size)
        for path, view in collected.documents:
            writer.bytes(path, lay_out(view))  # one document after another: see lay_out
        claimed: dict[int, list[str]] = defaultdict(list)
        for c in manifest.claims:
            claimed[c.evidence_id].append(f"{c.criterion.standard} {c.criterion.code}: {c.status}")
        for item in manifest.evidence:
            page = evidence_html(
                item, claimed.get(item.id, []), when=when, centre=centre, zone=zone
            )
            writer.bytes(item.page, page)
        standings = load_standings(session, [r.id for r in manifest.registrations])
        index = index_html(manifest, standings, when=when, centre=centre, zone=zone)
        writer.bytes("index.html", index)
        return writer.manifest(manifest, signing_key)
