"""The audit trail is append-only (the database refuses changes) and its hash chain is verifiable."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, func, select

from portfolio.models import AuditEntry
from portfolio.services import audit
from portfolio.services.people import SYSTEM


def _entries(session, n: int) -> None:
    for i in range(n):
        audit.record(
            session,
            actor=SYSTEM,
            action="test.event",
            subject_type="thing",
            subject_id=i,
            data={"i": i},
        )
    session.flush()


def test_chain_verifies_and_links_each_entry_to_the_one_before(session) -> None:
    _entries(session, 5)
    report = audit.verify(session)
    assert report.ok and report.entries >= 5
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditentry SET action = 'forged'",
        "DELETE FROM auditentry",
    ],
)
def test_database_refuses_to_change_or_delete_audit_entries(session, connection, statement) -> None:
    _entries(session, 2)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))


def _drop_guard(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE auditentry DISABLE TRIGGER auditentry_append_only"))
    else:
        connection.execute(text("DROP TRIGGER auditentry_no_update"))
        connection.execute(text("DROP TRIGGER auditentry_no_delete"))


def test_verify_reports_a_tampered_entry(session, connection, cli) -> None:
    _entries(session, 3)
    session.commit()
    # someone with direct database access rewrites history (the rolled-back test transaction
    # brings the guard back afterwards)
    _drop_guard(connection)
    target = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    connection.execute(
        text("UPDATE auditentry SET data = :d WHERE id = :id"), {"d": '{"i": 999}', "id": target.id}
    )
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert any(f"entry {target.id}" in line for line in report.breaks)
    r = cli("audit", "verify")
    assert r.exit_code != 0
    assert "broken" in r.output


def test_verify_reports_a_deleted_entry(session, connection) -> None:
    _entries(session, 3)
    session.commit()
    _drop_guard(connection)
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    connection.execute(text("DELETE FROM auditentry WHERE id = :id"), {"id": rows[-2].id})
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok and any("links to" in line for line in report.breaks)


def test_the_system_is_stored_as_no_actor_however_it_is_passed(
    session, sample_framework, make_person, cli
) -> None:
    from mappings.assessment.rules import set_rules
    from portfolio.services import registrations
    from portfolio.services.people import Actor

    admin = make_person("admin")  # created by the system through people.create_person
    start = session.exec(select(AuditEntry.id).order_by(AuditEntry.id.desc())).first()
    # services that used to store the system as 0 or as NULL, depending on the caller
    registrations.create_cohort(session, actor=SYSTEM, name=f"Cohort {admin.id}")
    set_rules(session, actor=SYSTEM, framework_id=sample_framework.id, data={})
    audit.record(session, actor=SYSTEM, action="test.system", subject_type="t", subject_id=1)
    audit.record(session, actor=admin, action="test.person", subject_type="t", subject_id=2)
    audit.record(
        session, actor=Actor.of(admin), action="test.actor", subject_type="t", subject_id=3
    )
    session.commit()
    created = session.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == admin.id, AuditEntry.action == "person.create"
        )
    ).one()
    rows = session.exec(select(AuditEntry).where(AuditEntry.id > start)).all()
    by_action = {row.action: row.actor_id for row in rows}
    assert created.actor_id is None
    assert by_action == {
        "cohort.create": None,
        "framework.rules": None,
        "test.system": None,
        "test.person": admin.id,
        "test.actor": admin.id,
    }
    assert not session.exec(select(AuditEntry).where(AuditEntry.actor_id == 0)).all()
    assert audit.verify(session).ok
    assert cli("audit", "verify").exit_code == 0


# ---------------------------------------------------------------- rows, heads, truncation
# What an attacker with direct database access would do, and that `audit verify` must notice.

GUARDED = ("auditentry", "decision", "auditrow")


def _unguard(connection, *tables: str) -> None:
    """Switch off the append-only triggers of ``tables`` as an attacker would (the rolled-back
    test transaction brings them back)."""
    for table in tables:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        elif table in GUARDED:
            connection.execute(text(f"DROP TRIGGER {table}_no_update"))
            connection.execute(text(f"DROP TRIGGER {table}_no_delete"))


@pytest.fixture
def case(session, tmp_path, make_person, make_registration, make_evidence):
    """A fully assessed portfolio made through the services: versions, claims, decisions, sign-off."""
    from portfolio.services.files import FileStore
    from tests.exports.export_case import build_case

    built = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    session.commit()
    return built


def _ids(session, case) -> dict[str, int]:
    from mappings.assessment.models import Claim, Decision
    from portfolio.models import EvidenceVersion

    referral = session.exec(
        select(Decision).where(Decision.feedback == "Say more about the employer.")
    ).one()
    open_claim = session.exec(
        select(Claim).where(Claim.evidence_id == case.note_id, Claim.status == "claimed")
    ).first()
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == case.account_id)
    ).first()
    return {
        "decision": referral.id,
        "claim": open_claim.id,
        "evidenceversion": version.id,
        "signoff": case.signoff.id,
    }


def _findings(session) -> list[str]:
    session.expire_all()
    return audit.verify(session).breaks


def test_a_portfolio_made_through_the_services_verifies(session, case, cli) -> None:
    from portfolio.models import AuditRow

    kinds = {k for (k,) in session.execute(select(AuditRow.kind))}
    assert kinds >= {"decision", "claim", "evidenceversion", "signoff"}
    assert audit.verify(session).ok, audit.verify(session).breaks
    r = cli("audit", "verify")
    assert r.exit_code == 0 and "intact" in r.output, r.output


@pytest.mark.parametrize(
    ("kind", "statement", "words"),
    [
        ("decision", "UPDATE decision SET feedback = 'Excellent work.' WHERE id = :id", "decision"),
        ("claim", "UPDATE claim SET status = 'accepted' WHERE id = :id", "claim"),
        (
            "evidenceversion",
            "UPDATE evidenceversion SET body = 'forged' WHERE id = :id",
            "evidence version",
        ),  # fmt: skip
        ("signoff", "UPDATE signoff SET summary = 'Forged.' WHERE id = :id", "sign-off"),
    ],
)
def test_a_row_edited_in_the_database_is_reported_in_plain_words(
    session, connection, case, cli, kind, statement, words
) -> None:
    row_id = _ids(session, case)[kind]
    _unguard(connection, kind)
    connection.execute(text(statement), {"id": row_id})
    found = _findings(session)
    assert found == [
        f"{words} {row_id}: differs from what entry "
        + found[0].split("entry ")[1].split(" ")[0]
        + " recorded (changed outside the application)"
    ]
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"{words} {row_id}: differs" in r.output and "broken in 1 place" in r.output


def test_a_changed_status_recorded_by_a_new_entry_is_compared_with_the_newest(
    session, case
) -> None:
    from mappings.assessment import claims
    from mappings.assessment.models import Claim
    from tests.conftest import actor_of

    claim = session.get(Claim, _ids(session, case)["claim"])
    claims.decide(
        session,
        actor=actor_of(case.assessor),
        claim_id=claim.id,
        expected_revision=claim.revision,
        decision="accepted",
        method="PD",
    )
    session.commit()
    assert audit.verify(session).ok


def test_a_row_deleted_or_inserted_in_the_database_is_reported(session, connection, case) -> None:
    ids = _ids(session, case)
    _unguard(connection, "decision")
    connection.execute(text("DELETE FROM decision WHERE id = :id"), {"id": ids["decision"]})
    connection.execute(
        text(
            "INSERT INTO decision (claim_id, framework_id, old_status, new_status, method,"
            " feedback, actor_id, at) SELECT claim_id, framework_id, 'claimed', 'accepted', 'O',"
            " '', actor_id, at FROM decision"
            " WHERE id = (SELECT max(id) FROM decision)"
        )
    )
    forged = connection.execute(text("SELECT max(id) FROM decision")).scalar_one()
    found = _findings(session)
    assert any(
        line.startswith(f"decision {ids['decision']}: recorded by entry")
        and "no longer in the database" in line
        for line in found
    ), found
    assert f"decision {forged}: in the database but in no audit entry" in "\n".join(found)


def test_deleting_the_last_entries_fails_verify_against_the_head_kept_outside(
    session, connection, case, cli
) -> None:
    r = cli("audit", "head")
    assert r.exit_code == 0
    kept = r.output.strip()
    entries, digest = kept.split(":")
    assert int(entries) == audit.head(session).entries and len(digest) == 64
    head_json = __import__("json").loads(cli("audit", "head", "--json").output)
    assert head_json["head"] == kept and head_json["entries"] == int(entries)
    assert cli("audit", "verify", "--expect", kept).exit_code == 0
    _entries(session, 2)  # later, honest entries: the trail still extends the kept head
    session.commit()
    assert cli("audit", "verify", "--expect", kept).exit_code == 0
    # the attacker removes the newest entries, those recording the sign-off among them
    _unguard(connection, "auditentry", "auditrow")
    last = session.exec(select(AuditEntry.id).where(AuditEntry.action == "standard.signoff")).one()
    connection.execute(text("DELETE FROM auditrow WHERE entry_id >= :id"), {"id": last})
    connection.execute(text("DELETE FROM auditentry WHERE id >= :id"), {"id": last})
    session.expire_all()
    report = audit.verify(session, expect=audit.Head.parse(kept))
    assert f"fewer than the {entries} of the expected head" in "\n".join(report.breaks)
    assert f"sign-off {case.signoff.id}: in the database but in no audit entry" in "\n".join(
        report.breaks
    )
    r = cli("audit", "verify", "--expect", kept)
    assert r.exit_code == 1 and "entries were deleted" in r.output


def test_rewriting_an_entry_and_recomputing_the_later_hashes_fails_against_the_head(
    session, connection, cli
) -> None:
    _entries(session, 4)
    session.commit()
    kept = str(audit.head(session))
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(3)).all()[::-1]
    _unguard(connection, "auditentry")
    prev = rows[0].prev_hash
    for n, row in enumerate(rows):
        data = {"i": -1} if n == 0 else row.data
        new = audit.entry_hash(
            prev, row.at, row.actor_id, row.action, row.subject_type, row.subject_id, data
        )
        connection.execute(
            text("UPDATE auditentry SET data = :d, prev_hash = :p, hash = :h WHERE id = :id"),
            {"d": __import__("json").dumps(data), "p": prev, "h": new, "id": row.id},
        )
        prev = new
    session.expire_all()
    assert audit.verify(session).ok  # a consistent forgery: only the kept head tells
    r = cli("audit", "verify", "--expect", kept)
    assert r.exit_code == 1
    assert f"entry number {kept.split(':')[0]} no longer has the expected hash" in r.output
    assert "rewritten" in r.output


def test_the_head_is_read_by_the_newest_entry_not_by_counting_the_trail(
    session, count_queries
) -> None:
    _entries(session, 3)
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    with count_queries() as q:
        head = audit.head(session)
    assert q.count == 1 and "count(" not in q.statements[0].lower(), q.statements
    assert head.entries == total and head.entries >= 3
    places = session.exec(select(AuditEntry.seq).order_by(AuditEntry.id)).all()
    assert places == list(range(1, total + 1))


def test_an_entry_whose_place_was_changed_is_reported(session, connection) -> None:
    _entries(session, 3)
    session.commit()
    newest = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    place = newest.seq
    _unguard(connection, "auditentry")
    connection.execute(
        text("UPDATE auditentry SET seq = seq + 5 WHERE id = :id"), {"id": newest.id}
    )
    session.expire_all()
    found = "\n".join(audit.verify(session).breaks)
    assert (
        f"entry {newest.id} (test.event): says it is entry {place + 5} of the trail, not {place}"
        in found
    )


def test_expect_refuses_a_malformed_head(cli) -> None:
    r = cli("audit", "verify", "--expect", "12:nothex")
    assert r.exit_code == 2 and "COUNT:HASH" in r.output


@pytest.mark.parametrize("table", ["auditentry", "decision", "auditrow"])
def test_postgresql_refuses_truncate_of_append_only_tables(session, connection, table) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has no statement that passes row triggers")
    _entries(session, 1)
    session.commit()
    with pytest.raises(DBAPIError, match="never truncated"), connection.begin_nested():
        connection.execute(text(f"TRUNCATE {table} CASCADE"))


def test_an_emptied_trail_is_detected(session, connection, case, cli) -> None:
    kept = str(audit.head(session))
    if connection.dialect.name == "postgresql":  # what it takes to pass the statement trigger
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("TRUNCATE auditrow, auditentry"))
    else:
        _unguard(connection, "auditentry", "auditrow")
        connection.execute(text("DELETE FROM auditrow"))
        connection.execute(text("DELETE FROM auditentry"))
    found = _findings(session)
    assert f"sign-off {case.signoff.id}: in the database but in no audit entry" in "\n".join(found)
    r = cli("audit", "verify", "--expect", kept)
    assert r.exit_code == 1 and "holds 0 entries" in r.output


def test_baseline_vouches_once_for_rows_written_before_the_trail_recorded_rows(
    session, tmp_path, make_person, make_registration, make_evidence, cli, monkeypatch
) -> None:
    from portfolio.services import audit_rows
    from portfolio.services.files import FileStore
    from tests.exports.export_case import build_case

    # the code before row records: entries name no rows
    with monkeypatch.context() as m:
        m.setattr(audit_rows, "group", lambda rows: iter(()))
        built = build_case(
            session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
        )
        session.commit()
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"sign-off {built.signoff.id}: in the database but in no audit entry" in r.output
    assert "run `portfolio audit baseline` once" in r.output
    r = cli("audit", "baseline")
    assert r.exit_code == 0 and r.output.startswith("Recorded ")
    assert int(r.output.split()[1]) >= 4
    assert audit.verify(session).ok, audit.verify(session).breaks
    assert cli("audit", "baseline").output.startswith("Recorded 0 rows in the audit trail.")
    assert cli("audit", "verify").exit_code == 0


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_a_bundle_import_records_every_row_it_makes(
    session, case, backend, tmp_path, trusted
) -> None:
    import io

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from exports.bundle import import_bundle, write_bundle
    from portfolio.models import AuditRow
    from portfolio.services.files import FileStore
    from tests.conftest import migrated_database

    store = FileStore(tmp_path / "files")
    out = io.BytesIO()
    key = Ed25519PrivateKey.generate()
    write_bundle(session, store, case.learner.id, out, centre="Northfield", signing_key=key)
    path = tmp_path / "bundle.zip"
    path.write_bytes(out.getvalue())
    with migrated_database(backend, tmp_path) as engine, Session(engine) as other:
        trust = [key.public_key()] if trusted else []
        import_bundle(other, FileStore(tmp_path / "files2"), path, SYSTEM, trusted=trust)
        other.commit()
        kinds = {k for (k,) in other.execute(select(AuditRow.kind))}
        counted = {"decision", "signoff"} if trusted else set()
        assert kinds == {"claim", "evidenceversion"} | counted
        assert audit.verify(other).ok, audit.verify(other).breaks
