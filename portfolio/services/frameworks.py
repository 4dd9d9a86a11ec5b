"""Loading frameworks into the database, by URN/code and version, safely and idempotently."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from framework.spec import CriterionSpec, FrameworkSpec, GlossaryEntry, StageSpec, StandardSpec
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Criterion, Framework, Standard
from portfolio.paging import past
from portfolio.services import audit
from portfolio.services.framework_checks import STANDARD_FIELDS, check_storable
from portfolio.services.people import Actor
from portfolio.words import count_words


@dataclass
class ImportResult:
    # created | unchanged | vocabulary | new_version | refused | would_create | would_add_version
    # and, adding standards (framework_add): added | would_add | nothing_new | refused_add
    status: str
    framework_code: str
    version: str
    framework_id: int | None = None
    standards: int = 0
    criteria: int = 0
    diff: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """In the words of the command line, whose options choose what to do."""
        return self.said(new_version="--new-version", add="--add")

    def said(self, *, new_version: str, add: str) -> str:
        """The outcome in words; ``new_version`` and ``add`` name how the person asks for a new
        version or for standards added (an option, a tick box)."""
        what = f"{self.framework_code} version {self.version}"
        counts = (
            f"{count_words(self.standards, 'standard')}, "
            f"{count_words(self.criteria, 'criterion', 'criteria')}"
        )
        return {
            "created": f"Imported {what}: {counts}.",
            "new_version": f"Imported {what} as a new version: {counts}.",
            "unchanged": f"{what} is already loaded with identical content; nothing changed.",
            "vocabulary": f"{what} is already loaded with identical content; its vocabulary "
            "for suggestions was replaced.",
            "case_ids": f"{what} is already loaded with identical content; its CASE "
            "identifiers were recorded.",
            "refused": f"{what} is already loaded with different content. Import it as a new "
            f"version ({new_version}) to keep both, or add its new standards to the loaded "
            f"version ({add}).",
            "would_create": f"A check only, nothing saved yet: this would import {what}: {counts}.",
            "would_add_version": f"A check only, nothing saved yet: this would import {what} as a new "
            f"version: {counts}.",
            "added": f"Added {counts} to {what}.",
            "would_add": f"A check only, nothing saved yet: this would add {counts} to {what}.",
            "nothing_new": f"{what} already has these standards, unchanged; nothing added.",
            "refused_add": f"Nothing added to {what}: a standard it already has would change. "
            f"Import the files as a new version ({new_version}) instead.",
        }[self.status]


def _versions(session: Session, code: str) -> list[Framework]:
    query = select(Framework).where(Framework.code == code).order_by(col(Framework.id))
    return list(session.exec(query))


def _next_version(existing: list[Framework]) -> str:
    numbers = [int(m.group(1)) for f in existing if (m := re.match(r"^(\d+)", f.version))]
    return str(max(numbers, default=0) + 1)


def import_framework(
    session: Session,
    *,
    actor: Actor,
    spec: FrameworkSpec,
    new_version: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Load ``spec``. Identical content again changes nothing; different content under the same
    version is refused with a diff unless ``new_version``; nothing is ever deleted."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators load frameworks.")
    if not spec.standards:
        raise Invalid("The framework has no standards.")
    check_storable(spec)
    existing = _versions(session, spec.code)
    digest = spec.content_hash()
    result = ImportResult(
        status="created",
        framework_code=spec.code,
        version=spec.version,
        standards=len(spec.standards),
        criteria=spec.criteria_count(),
        warnings=list(spec.warnings),
    )
    same_content = next((f for f in existing if f.content_hash == digest), None)
    if same_content is not None:
        result.status, result.framework_id = "unchanged", same_content.id
        result.version = same_content.version
        if spec.vocabulary and spec.vocabulary != (same_content.extra or {}).get("vocabulary"):
            result.status = "vocabulary"
            if not dry_run:
                _replace_vocabulary(session, actor, same_content, spec.vocabulary)
        if spec.case and not (same_content.extra or {}).get("case"):
            result.status = "case_ids"  # loaded before identifiers were kept: keep them now
            if not dry_run:
                same_content.extra = {**(same_content.extra or {}), "case": spec.case}
                session.add(same_content)
                session.flush()
        return result
    clash = next((f for f in existing if f.version == spec.version), None)
    if clash is not None:
        result.diff = diff_specs(load_spec(session, clash.id or 0), spec)
        if not new_version:
            result.status, result.framework_id = "refused", clash.id
            return result
        spec.version = result.version = _next_version(existing)
        digest = spec.content_hash()
        result.status = "new_version"
    elif existing:
        result.status = "new_version"
    if dry_run:
        result.status = "would_create" if result.status == "created" else "would_add_version"
        return result
    result.framework_id = _insert(session, spec, digest)
    audit.record(
        session,
        actor=actor,
        action="framework.import",
        subject_type="framework",
        subject_id=result.framework_id,
        data={"code": spec.code, "version": spec.version, "hash": digest, "status": result.status},
    )
    return result


def vocabulary_fields(text: str) -> dict[str, str]:
    """What a version keeps of its vocabulary: the table, and its SHA-256 so that what depends on
    it (the suggestion engines) can tell it changed without reading the table."""
    return {"vocabulary": text, "vocabulary_sha256": hashlib.sha256(text.encode()).hexdigest()}


def _replace_vocabulary(session: Session, actor: Actor, fw: Framework, text: str) -> None:
    """Give a loaded framework version a new vocabulary (engine data, not content: its hash and
    everything recorded against it stay as they were)."""
    fw.extra = {**(fw.extra or {}), **vocabulary_fields(text)}
    session.add(fw)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.vocabulary",
        subject_type="framework",
        subject_id=fw.id,
        data={"code": fw.code, "version": fw.version, "lines": len(text.splitlines())},
    )


def _insert(session: Session, spec: FrameworkSpec, digest: str) -> int:
    fw = Framework(
        code=spec.code,
        urn=spec.urn,
        title=spec.title,
        version=spec.version,
        overview=spec.overview,
        source_format=spec.source_format,
        content_hash=digest,
        extra={
            "stages": [
                {"ref": s.ref, "title": s.title, "standards": list(s.standards)}
                for s in spec.stages
            ],
            "values": list(spec.values),
            "glossary": [{"term": g.term, "definition": g.definition} for g in spec.glossary],
            "metadata": dict(spec.metadata),
            **(vocabulary_fields(spec.vocabulary) if spec.vocabulary else {}),
            **({"case": spec.case} if spec.case else {}),
        },
    )
    session.add(fw)
    session.flush()
    rows = [
        {
            "framework_id": fw.id,
            "code": s.code,
            "position": i,
            **{name: getattr(s, name) for name in STANDARD_FIELDS},
        }
        for i, s in enumerate(spec.standards, start=1)
    ]
    ids = (
        session.execute(
            insert(Standard).returning(col(Standard.id), sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    criteria = [
        {"standard_id": sid, "kind": c.kind, "code": c.code, "text": c.text, "position": c.position}
        for sid, s in zip(ids, spec.standards, strict=True)
        for c in s.criteria
    ]
    for start in range(0, len(criteria), 5000):
        session.execute(insert(Criterion), criteria[start : start + 5000])
    assert fw.id is not None
    return fw.id


def load_spec(session: Session, framework_id: int) -> FrameworkSpec:
    """Rebuild the plain spec of a loaded framework (for diffs and exports)."""
    fw = session.get(Framework, framework_id)
    if fw is None:
        raise NotFound(f"No framework with id {framework_id}.")
    standards = list(
        session.exec(
            select(Standard)
            .where(Standard.framework_id == framework_id)
            .order_by(col(Standard.position))
        )
    )
    criteria = session.exec(
        select(Criterion)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(Standard.framework_id == framework_id)
        .order_by(col(Criterion.standard_id), col(Criterion.position))
    )
    by_standard: dict[int, list[CriterionSpec]] = {}
    for c in criteria:
        by_standard.setdefault(c.standard_id, []).append(
            CriterionSpec(kind=c.kind, code=c.code, text=c.text, position=c.position)  # type: ignore[arg-type]
        )
    extra: dict[str, Any] = fw.extra or {}
    return FrameworkSpec(
        code=fw.code,
        title=fw.title,
        urn=fw.urn,
        version=fw.version,
        overview=fw.overview,
        source_format=fw.source_format,
        standards=[
            StandardSpec(
                code=s.code,
                criteria=by_standard.get(s.id or 0, []),
                **{name: getattr(s, name) for name in STANDARD_FIELDS},
            )
            for s in standards
        ],
        stages=[
            StageSpec(ref=s["ref"], title=s["title"], standards=tuple(s["standards"]))
            for s in extra.get("stages", [])
        ],
        values=list(extra.get("values", [])),
        glossary=[
            GlossaryEntry(term=g["term"], definition=g["definition"])
            for g in extra.get("glossary", [])
        ],
        metadata=dict(extra.get("metadata", {})),
        vocabulary=str(extra.get("vocabulary", "")),
        case=dict(extra.get("case", {})),
    )


def _keyed_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    """Keys only in ``old``, only in ``new``, and in both, each sorted."""
    return (
        sorted(old.keys() - new.keys()),
        sorted(new.keys() - old.keys()),
        sorted(old.keys() & new.keys()),
    )


def diff_specs(old: FrameworkSpec, new: FrameworkSpec) -> list[str]:
    """A readable list of what differs between two versions of a framework."""
    lines: list[str] = []
    for name in ("title", "urn", "overview"):
        if getattr(old, name) != getattr(new, name):
            lines.append(f"framework {name}: “{getattr(old, name)}” -> “{getattr(new, name)}”")
    old_std = {s.code: s for s in old.standards}
    new_std = {s.code: s for s in new.standards}
    gone, added, kept = _keyed_changes(old_std, new_std)
    lines += [f"- standard {code} removed" for code in gone]
    lines += [
        f"+ standard {code} added ({count_words(len(new_std[code].criteria), 'criterion', 'criteria')})"
        for code in added
    ]
    for code in kept:
        a, b = old_std[code], new_std[code]
        lines += [
            f"~ {code} {name} changed"
            for name in STANDARD_FIELDS
            if getattr(a, name) != getattr(b, name)
        ]
        ca = {c.code: c for c in a.criteria}
        cb = {c.code: c for c in b.criteria}
        gone_c, added_c, kept_c = _keyed_changes(ca, cb)
        lines += [f"- {code} {cc} removed: {ca[cc].text}" for cc in gone_c]
        lines += [f"+ {code} {cc} added: {cb[cc].text}" for cc in added_c]
        for cc in kept_c:
            if ca[cc].text != cb[cc].text or ca[cc].kind != cb[cc].kind:
                lines.append(f"~ {code} {cc}: “{ca[cc].text}” -> “{cb[cc].text}”")
    return lines or ["(only ordering or metadata differs)"]


def find_framework(session: Session, code: str, version: str | None = None) -> Framework:
    """The newest version of a framework by code (or a given version)."""
    versions = _versions(session, code)
    if version is not None:
        versions = [f for f in versions if f.version == version]
    if not versions:
        raise NotFound(
            f"No framework with code “{code}”" + (f" version {version}" if version else "") + "."
        )
    return versions[-1]


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.exec(select(Framework).order_by(col(Framework.code), col(Framework.id))))


def _summary(f: Framework, standards: int, criteria: int) -> dict[str, Any]:
    return {
        "id": f.id,
        "code": f.code,
        "urn": f.urn,
        "title": f.title,
        "version": f.version,
        "source_format": f.source_format,
        "standards": standards,
        "criteria": criteria,
        "content_hash": f.content_hash,
        "imported_at": f.created_at.isoformat(),
    }


def summaries_after(
    session: Session,
    *,
    after: tuple[Any, Any] | None,
    limit: int,
    before: tuple[Any, Any] | None = None,
) -> tuple[list[dict[str, Any]], tuple[str, int] | None]:
    """Up to ``limit`` framework versions by code (then id) after ``after`` (the code and id of
    the last of the page before; None: from the start), each with its counts, and the code and
    id of the last of them while more follow. ``before`` instead: the ``limit`` just before that
    code and id, in the same order, and the code and id of the first of them while more precede.
    A keyset page: one statement of ``limit + 1`` rows (index ``ix_framework_code``, read
    backwards for ``before``), counting only theirs. The code and id may be SQL expressions
    (:func:`position_of`)."""
    standards = (
        sa_select(func.count(col(Standard.id)))
        .where(col(Standard.framework_id) == Framework.id)
        .scalar_subquery()
    )
    criteria = (
        sa_select(func.count(col(Criterion.id)))
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(col(Standard.framework_id) == Framework.id)
        .scalar_subquery()
    )
    keys = [col(Framework.code), col(Framework.id)]
    query = select(Framework, standards, criteria)
    if before is not None:
        query = query.where(past(keys, before, back=True)).order_by(*(k.desc() for k in keys))
    else:
        query = query.order_by(*keys)
        if after is not None:
            query = query.where(past(keys, after))
    rows = list(session.exec(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if before is not None:
        rows.reverse()
    shown = [_summary(f, s, c) for f, s, c in rows]
    edge = (rows[0] if before is not None else rows[-1])[0] if more else None
    return shown, ((edge.code, edge.id or 0) if edge is not None else None)


def position_of(framework_id: int) -> tuple[Any, int]:
    """A framework's place in the list (its code and id) for :func:`summaries_after`, found by
    the page's own statement from its id alone (a page's link names only the id); a framework
    since deleted has none: the page is then empty."""
    code = sa_select(col(Framework.code)).where(col(Framework.id) == framework_id)
    return code.scalar_subquery(), framework_id


def resolve(
    session: Session, code: str, version: str | None = None
) -> tuple[Framework, str | None]:
    """A framework by its code, or the newest framework holding a standard of that code."""
    try:
        return find_framework(session, code, version), None
    except NotFound:
        pass
    query = (
        select(Framework)
        .join(Standard, col(Standard.framework_id) == Framework.id)
        .where(Standard.code == code)
        .order_by(col(Framework.id))
    )
    found = [f for f in session.exec(query) if version is None or f.version == version]
    if not found:
        raise NotFound(f"No framework or standard with code “{code}”.")
    return found[-1], code


def describe(session: Session, code: str, *, version: str | None = None) -> dict[str, Any]:
    """A framework (or one of its standards) with criteria, as plain data."""
    from dataclasses import asdict

    fw, standard_code = resolve(session, code, version)
    spec = load_spec(session, fw.id or 0)
    data = asdict(spec)
    data["id"] = fw.id
    if standard_code is not None:
        data["standards"] = [s for s in data["standards"] if s["code"] == standard_code]
    return data
