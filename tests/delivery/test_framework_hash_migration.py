"""Migration 0033: a CASE framework loaded on 4 December 2026, when its content hash counted its
CASE identifiers, is the same framework as its content again after the upgrade: importing its
package again, or a bundle stating its hash of today, finds it instead of loading a second
version. The audit trail keeps the hash the import recorded and still verifies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from delivery.schema import alembic_config, upgrade
from demo.accounts import sample_spec
from exports.bundle.frameworks import place
from exports.bundle.manifest import FrameworkRecord
from framework.export_json import framework_to_json
from framework.parse import parse
from framework.spec import FrameworkSpec
from portfolio.db import make_engine
from portfolio.models import AuditEntry, Framework
from portfolio.services import audit
from portfolio.services.frameworks import import_framework, load_spec
from portfolio.services.people import SYSTEM
from tests.conftest import fresh_database

PACKAGES = Path(__file__).resolve().parents[1] / "data/shared/external/case/packages"
SMART = "SmartLevelFramework.json"


def _package(name: str = SMART) -> FrameworkSpec:
    return parse((PACKAGES / name).read_bytes(), name)


def _window_hash(spec: FrameworkSpec) -> str:
    """The content hash as the code of 4 Dec 2026 (e932739 to 15a04c6) computed it: the CASE
    records counted when the framework had any."""
    content = spec.content_dict()
    if spec.case:
        content["case"] = spec.case
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@contextmanager
def _loaded_on_4_december(backend: str, tmp_path: Path, *names: str) -> Iterator[Engine]:
    """A database at 0032 holding the packages ``names`` as that day's code loaded them (the
    hash it stored and recorded in the audit trail counting the CASE identifiers)."""
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0032")  # the revision before
            # today's audit entries say whom they are about (migration 0043): the column is
            # lent to the imports, which write none, and taken away again by _upgrade
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE auditentry ADD COLUMN about_id INTEGER"))
            with (
                Session(engine) as s,
                mock.patch.object(FrameworkSpec, "content_hash", _window_hash),
            ):
                for name in names:
                    import_framework(s, actor=SYSTEM, spec=_package(name))
                s.commit()
            yield engine
        finally:
            engine.dispose()


def _upgrade(engine: Engine) -> None:
    """Take the lent column away (nothing was written in it: no import is about a person), then
    upgrade to the head as a centre would."""
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(about_id) FROM auditentry")).scalar() == 0
        conn.execute(text("ALTER TABLE auditentry DROP COLUMN about_id"))
    upgrade(engine)


def test_importing_the_package_again_after_the_upgrade_makes_no_second_version(
    backend, tmp_path
) -> None:
    spec = _package()
    assert _window_hash(spec) != spec.content_hash()  # the package has CASE identifiers
    with _loaded_on_4_december(backend, tmp_path, SMART) as engine:
        _upgrade(engine)
        with Session(engine) as s:
            again = import_framework(s, actor=SYSTEM, spec=_package(), new_version=True)
            assert again.status == "unchanged", again.message
            [fw] = s.exec(select(Framework)).all()
            assert fw.content_hash == spec.content_hash()
            assert fw.content_hash == load_spec(s, fw.id or 0).content_hash()
            assert fw.extra["replaced_content_hash"]["hash"] == _window_hash(spec)
            # the trail keeps what the import recorded then, and still verifies
            [entry] = s.exec(select(AuditEntry)).all()
            assert entry.action == "framework.import"
            assert entry.data["hash"] == _window_hash(spec)
            assert audit.verify(s).ok
        with engine.begin() as conn:  # down and up again: nothing more changes
            before = conn.execute(text("SELECT content_hash, extra FROM framework")).all()
            cfg = alembic_config(engine.url.render_as_string(hide_password=False))
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0032")
            command.upgrade(cfg, "head")
            assert conn.execute(text("SELECT content_hash, extra FROM framework")).all() == before


def test_a_bundle_stating_todays_hash_finds_the_framework_loaded_that_day(
    backend, tmp_path
) -> None:
    spec = _package()
    record = FrameworkRecord(
        code=spec.code,
        urn=spec.urn,
        title=spec.title,
        version=spec.version,
        content_hash=spec.content_hash(),
        spec=json.loads(framework_to_json(spec)),
    )
    with _loaded_on_4_december(backend, tmp_path, SMART) as engine:
        _upgrade(engine)
        with Session(engine) as s:
            [loaded] = s.exec(select(Framework)).all()
            placed = place(s, SYSTEM, [record])
            assert placed.imported == []
            assert placed.ids == {(spec.code, spec.content_hash()): loaded.id}
            assert len(s.exec(select(Framework)).all()) == 1


def test_a_version_already_loaded_twice_stays_and_the_first_is_found_again(
    backend, tmp_path
) -> None:
    """Loaded again before the upgrade, the package made a second version (another version
    number, so another content hash): it stays (learners may be registered on it), and the
    package and a bundle of the first version find the first again."""
    spec = _package()
    record = FrameworkRecord(
        code=spec.code,
        urn=spec.urn,
        title=spec.title,
        version=spec.version,
        content_hash=spec.content_hash(),
        spec=json.loads(framework_to_json(spec)),
    )
    with _loaded_on_4_december(backend, tmp_path, SMART) as engine:
        with Session(engine) as s:
            twice = import_framework(s, actor=SYSTEM, spec=_package(), new_version=True)
            assert twice.status == "new_version"  # the defect, before the upgrade
            s.commit()
            second_hash = s.get(Framework, twice.framework_id).content_hash
        _upgrade(engine)
        with Session(engine) as s:
            first, second = s.exec(select(Framework).order_by(Framework.id)).all()
            assert first.content_hash == spec.content_hash()
            assert (second.version, second.content_hash) == ("2", second_hash)
            assert "replaced_content_hash" not in second.extra
            again = import_framework(s, actor=SYSTEM, spec=_package(), new_version=True)
            assert (again.status, again.framework_id) == ("unchanged", first.id)
            assert place(s, SYSTEM, [record]).ids == {(spec.code, spec.content_hash()): first.id}


def test_the_upgrade_leaves_every_other_hash_as_it_is(backend, tmp_path) -> None:
    """Frameworks without CASE identifiers, CASE frameworks loaded before or since, and a hash
    that is neither algorithm's (changed by hand or by a fault: not the upgrade's to hide)."""
    others = ("SequenceNumberFramework.json", "Utf8TestFramework.json")
    with _loaded_on_4_december(backend, tmp_path) as engine:
        with Session(engine) as s:
            for spec in (sample_spec(), *(_package(n) for n in others)):
                import_framework(s, actor=SYSTEM, spec=spec)
            s.commit()
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE framework SET content_hash = :h WHERE code = :c"),
                {"h": "f" * 64, "c": _package(others[1]).code},
            )
            before = conn.execute(text("SELECT id, content_hash, extra FROM framework")).all()
        _upgrade(engine)
        with engine.connect() as conn:
            after = conn.execute(text("SELECT id, content_hash, extra FROM framework")).all()
    assert len(before) == 3
    assert sorted(after) == sorted(before)


def test_the_migration_hashes_as_the_application_does_today() -> None:
    """0033 keeps its own copy of the algorithm (a migration must not change with the code);
    it is today's for every framework the tests know."""
    from importlib import import_module

    migration = import_module("delivery.migrations.versions.0033_case_content_hash")
    for spec in (sample_spec(), *(_package(p.name) for p in sorted(PACKAGES.glob("*.json")))):
        fw = {"code": spec.code, "title": spec.title, "urn": spec.urn, "version": spec.version,
              "overview": spec.overview, "extra": _extra(spec)}  # fmt: skip
        content = migration.content(fw, _standards(spec))
        assert migration.digest(content) == spec.content_hash()
        assert migration.digest({**content, "case": spec.case}) == _window_hash(spec) or (
            not spec.case
        )


def _standards(spec: FrameworkSpec) -> list[dict[str, object]]:
    from dataclasses import asdict

    return [asdict(s) for s in spec.standards]


def _extra(spec: FrameworkSpec) -> dict[str, object]:
    return {
        "stages": [
            {"ref": s.ref, "title": s.title, "standards": list(s.standards)} for s in spec.stages
        ],
        "values": list(spec.values),
        "glossary": [{"term": g.term, "definition": g.definition} for g in spec.glossary],
        "metadata": dict(spec.metadata),
    }
