"""The frameworks a bundle names: found here by code and content hash, or loaded from its spec.

A bundle states each framework's content hash (checked against the content it carries before
anything is written, :func:`exports.bundle.check.verify_bundle`) and carries the framework
itself. A framework loaded here already is the centre's: a bundle never changes it. Only a
framework the import loads takes the bundle's assessment strategy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from exports.bundle.manifest import MANIFEST, FrameworkRecord
from framework.export_json import framework_from_json
from framework.spec import FrameworkFormatError
from portfolio.errors import Invalid
from portfolio.models.framework import Framework
from portfolio.services.frameworks import import_framework
from portfolio.services.people import Actor


@dataclass
class Placed:
    """(code, stated content hash) -> the framework's id here, and what the import loaded."""

    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    imported: list[str] = field(default_factory=list)  # "SE v2"


def place(session: Session, actor: Actor, frameworks: Sequence[FrameworkRecord]) -> Placed:
    placed = Placed()
    for fw in frameworks:
        found = session.exec(
            select(Framework).where(
                Framework.code == fw.code, Framework.content_hash == fw.content_hash
            )
        ).first()
        if found is None:
            try:
                spec = framework_from_json(json.dumps(fw.spec), source=MANIFEST)
            except FrameworkFormatError as exc:
                raise Invalid(f"Bundle refused: framework {fw.code}: {exc}") from exc
            result = import_framework(session, actor=actor, spec=spec, new_version=True)
            found = session.get(Framework, result.framework_id)
            assert found is not None
            # its rules come with a framework loaded now, never onto one loaded here (found
            # by its content under another hash: "unchanged", or only its vocabulary or CASE
            # identifiers kept), whose strategy is this centre's
            if result.status in ("created", "new_version"):
                found.rules = fw.rules
                session.add(found)
                placed.imported.append(f"{found.code} v{found.version}")
        placed.ids[(fw.code, fw.content_hash)] = found.id or 0
    return placed
