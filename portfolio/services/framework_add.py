"""Adding standards to a framework version already loaded (``portfolio framework import --add``).

NOS are published one per file, so a centre loads the standards it delivers and later adds
another. Adding is explicit and never changes what is loaded: a standard of the same code must be
identical (it is then left alone); one that differs refuses the whole addition, with the
differences listed, and nothing is written. Criteria already loaded keep their ids, so every
claim, decision and sign-off recorded against them stays as it is.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from framework.spec import FrameworkSpec, StandardSpec
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Criterion, Framework, Standard
from portfolio.services import audit
from portfolio.services.framework_checks import STANDARD_FIELDS, check_storable
from portfolio.services.frameworks import (
    ImportResult,
    diff_specs,
    find_framework,
    load_spec,
)
from portfolio.services.people import Actor
from portfolio.words import count_words


def add_standards(
    session: Session,
    *,
    actor: Actor,
    spec: FrameworkSpec,
    version: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Add the standards of ``spec`` to the loaded framework of the same code (its newest
    version, or ``version``). Status: ``added`` / ``would_add``, ``nothing_new`` when every
    standard is already there unchanged, ``refused_add`` when one would change."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators load frameworks.")
    if not spec.standards:
        raise Invalid("The files hold no standards.")
    check_storable(spec, framework=False)
    fw = find_framework(session, spec.code, version)
    loaded = load_spec(session, fw.id or 0)
    have = {s.code: s for s in loaded.standards}
    result = ImportResult(
        status="added",
        framework_code=fw.code,
        version=fw.version,
        framework_id=fw.id,
        warnings=list(spec.warnings),
    )
    changed = [s for s in spec.standards if s.code in have and not _same(have[s.code], s)]
    if changed:
        result.status = "refused_add"
        result.diff = diff_specs(
            _only(loaded, [have[s.code] for s in changed]), _only(loaded, changed)
        )
        return result
    new = [s for s in spec.standards if s.code not in have]
    result.standards = len(new)
    result.criteria = sum(len(s.criteria) for s in new)
    result.diff = [
        f"+ standard {s.code} added ({count_words(len(s.criteria), 'criterion', 'criteria')})"
        for s in new
    ]
    if not new:
        result.status = "nothing_new"
        return result
    if dry_run:
        result.status = "would_add"
        return result
    _insert_standards(session, fw, new)
    loaded.standards += new
    fw.content_hash = loaded.content_hash()
    session.add(fw)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.add_standards",
        subject_type="framework",
        subject_id=fw.id,
        data={"code": fw.code, "version": fw.version, "standards": [s.code for s in new]},
    )
    return result


def _same(old: StandardSpec, new: StandardSpec) -> bool:
    fields_same = all(getattr(old, n) == getattr(new, n) for n in STANDARD_FIELDS)
    return fields_same and [(c.kind, c.code, c.text) for c in old.criteria] == [
        (c.kind, c.code, c.text) for c in new.criteria
    ]


def _only(spec: FrameworkSpec, standards: list[StandardSpec]) -> FrameworkSpec:
    return replace(spec, standards=standards)


def _insert_standards(session: Session, fw: Framework, standards: list[StandardSpec]) -> None:
    last = session.exec(
        select(func.max(col(Standard.position))).where(Standard.framework_id == fw.id)
    ).one()
    for offset, s in enumerate(standards, start=1):
        row = Standard(
            framework_id=fw.id or 0,
            code=s.code,
            position=(last or 0) + offset,
            **{name: getattr(s, name) for name in STANDARD_FIELDS},
        )
        session.add(row)
        session.flush()
        rows = [
            {
                "standard_id": row.id,
                "kind": c.kind,
                "code": c.code,
                "text": c.text,
                "position": c.position,
            }
            for c in s.criteria
        ]
        if rows:
            session.execute(insert(Criterion), rows)
