"""The frameworks a bundle names: found here by code and content hash, or loaded from its spec.

A bundle states each framework's content hash (checked against the content it carries before
anything is written, :func:`exports.bundle.check.verify_bundle`) and carries the framework
itself. A framework loaded here already is the centre's: a bundle never changes it. Only a
framework the import loads takes the bundle's assessment strategy and vocabulary; one loaded
here keeps its own strategy, vocabulary for suggestions and CASE identifiers, whatever the bundle
carries (the report names a framework whose vocabulary in the bundle was not applied).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from exports.bundle.manifest import MANIFEST, FrameworkRecord
from framework.export_json import framework_from_json
from framework.spec import FrameworkFormatError, FrameworkSpec
from portfolio.errors import Invalid
from portfolio.models.framework import Framework
from portfolio.services.frameworks import import_framework
from portfolio.services.people import Actor


@dataclass
class Placed:
    """(code, stated content hash) -> the framework's id here, and what the import loaded."""

    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    imported: list[str] = field(default_factory=list)  # "SE v2"
    # loaded here already, the bundle carrying another vocabulary for it: "SE v1"
    vocabulary_kept: list[str] = field(default_factory=list)


def place(session: Session, actor: Actor, frameworks: Sequence[FrameworkRecord]) -> Placed:
    placed = Placed()
    for fw in frameworks:
        found = _here(session, fw.code, fw.content_hash)
        if found is None:
            try:
                spec = framework_from_json(
                    # a framework a database held, its version as it was loaded (perhaps before
                    # versions were checked): read as stored, not refused
                    json.dumps(fw.spec),
                    source=MANIFEST,
                    check_version=False,
                )
            except FrameworkFormatError as exc:
                raise Invalid(f"Bundle refused: framework {fw.code}: {exc}") from exc
            # the same content loaded here, its hash stated in another way it may be (checked)
            found = _here(session, spec.code, spec.content_hash())
            if found is None:
                loaded = _load(session, actor, fw, spec)
                placed.imported.append(f"{loaded.code} v{loaded.version}")
                placed.ids[(fw.code, fw.content_hash)] = loaded.id or 0
                continue
        if (said := fw.spec.get("vocabulary")) and said != (found.extra or {}).get("vocabulary"):
            placed.vocabulary_kept.append(f"{found.code} v{found.version}")
        placed.ids[(fw.code, fw.content_hash)] = found.id or 0
    return placed


def _here(session: Session, code: str, content_hash: str) -> Framework | None:
    return session.exec(
        select(Framework).where(Framework.code == code, Framework.content_hash == content_hash)
    ).first()


def _load(session: Session, actor: Actor, fw: FrameworkRecord, spec: FrameworkSpec) -> Framework:
    """A framework not loaded here, loaded from the bundle with its rules and vocabulary (a
    version of the same number but other content here: as the next version)."""
    result = import_framework(session, actor=actor, spec=spec, new_version=True)
    loaded = session.get(Framework, result.framework_id)
    assert loaded is not None
    if result.status in ("created", "new_version"):  # never onto one loaded here
        loaded.rules = fw.rules
        session.add(loaded)
    return loaded
