"""Each run of ``portfolio audit verify`` is kept, and /admin/audit says when the trail was last
checked and what was found: never, unbroken, or broken (a warning), in words."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from portfolio.errors import PermissionDenied
from portfolio.models import AuditCheck, AuditEntry
from portfolio.services import audit_checks
from portfolio.services.actors import Actor
from portfolio.words import moment_words


def _checked(client) -> str:
    page = client.get("/admin/audit").get_data(as_text=True)
    found = re.search(r'id="trail-check">(.*?)</(p|div)>', page, re.S)
    assert found, page
    return re.sub(r"\s+", " ", found.group(1)).strip()


def _newest(session) -> AuditCheck:
    session.expire_all()
    return session.exec(select(AuditCheck).order_by(col(AuditCheck.id).desc())).first()


def test_the_page_says_when_the_trail_was_checked(session, client, auth, cli) -> None:
    auth.login("admin")
    assert _checked(client) == (
        "The trail has not been checked yet: run <code>portfolio audit verify</code>."
    )
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    entries = session.exec(select(func.count()).select_from(AuditEntry)).one()
    check = _newest(session)
    assert (check.by_id, check.entries, check.intact, check.findings) == (None, entries, True, 0)
    said = _checked(client)
    # the moment as every other page says it ("7 Dec 2026, 10:26"), not "7 December 2026 at 10:26"
    zone = ZoneInfo(client.application.config.get("TIME_ZONE") or "Europe/London")
    assert said == (
        f"The trail was last checked on {moment_words(check.at, zone)}: {entries:,} "
        "entries, unbroken."
    ), said
    assert re.search(r"on \d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d: ", said), said


def test_a_broken_trail_is_kept_and_shown_as_a_warning(session, client, auth, cli) -> None:
    auth.login("admin")
    session.exec(
        text(
            "INSERT INTO auditentry (at, action, subject_type, data, prev_hash, hash) "
            "VALUES (CURRENT_TIMESTAMP, 'test.forged', 'thing', '{}', :prev, :hash)"
        ),
        params={"prev": "f" * 64, "hash": "e" * 64},
    )
    session.commit()
    result = cli("audit", "verify", "--json")
    assert result.exit_code == 1
    check = _newest(session)
    assert not check.intact and check.findings >= 2
    assert "test.forged" in check.first_finding or "links to" in check.first_finding
    page = client.get("/admin/audit").get_data(as_text=True)
    assert 'class="warning-panel" role="alert" id="trail-check"' in page
    said = _checked(client)
    assert said.startswith('<p class="warning">Warning: the trail was broken when last checked')
    assert f"{check.findings} problems" in said
    assert "The first problem found: " in page


def test_only_an_administrator_sees_or_keeps_a_check(session, make_person) -> None:
    from portfolio.services.audit import ChainReport

    for role in ("assessor", "iqa", "learner", "eqa"):
        who = Actor.of(make_person(role))
        with pytest.raises(PermissionDenied):
            audit_checks.last_check(session, actor=who)
        with pytest.raises(PermissionDenied):
            audit_checks.record_check(session, actor=who, report=ChainReport())
    admin = Actor.of(make_person("admin"))
    kept = audit_checks.record_check(session, actor=admin, report=ChainReport(entries=3))
    assert audit_checks.last_check(session, actor=admin) == kept and kept.by_id == admin.id
