"""A framework's assessment strategy is data: shown, replaced (checked, audited), and used by coverage."""

from __future__ import annotations

import json

from sqlmodel import select

from mappings.assessment.standing import load_standings
from portfolio.models import AuditEntry


def test_rules_show_and_set(cli, tmp_path, make_registration, session) -> None:
    shown = json.loads(cli("framework", "rules", "SE").output)
    assert shown["performance_methods"] == ["O", "P", "WT"] and shown["currency_years"] == 3
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            {
                "performance_methods": ["O"],
                "currency_years": 2,
                "methods": {"O": "observation", "PD": "professional discussion"},
            }
        )
    )
    r = cli("framework", "rules", "SE", "--set", str(path))
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["currency_years"] == 2
    reg = make_registration(codes="SE01")
    session.expire_all()  # the CLI wrote through its own session
    assert load_standings(session, [reg.id])[0].rules.currency_years == 2
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "framework.rules")).one()
    assert entry.data["new"]["performance_methods"] == ["O"]


def test_invalid_rules_are_refused_and_nothing_changes(cli, tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"performance_methods": ["ZZ"]}))
    r = cli("framework", "rules", "SE", "--set", str(path))
    assert r.exit_code != 0 and "not valid" in r.output
    assert json.loads(cli("framework", "rules", "SE").output)["performance_methods"] == [
        "O",
        "P",
        "WT",
    ]
