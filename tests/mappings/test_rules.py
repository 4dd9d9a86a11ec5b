"""A framework's assessment strategy is data: shown, replaced (checked, audited), and used by coverage."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from mappings.assessment.standing import load_standings
from portfolio.models import AuditEntry


def test_rules_show_and_set(cli, tmp_path, make_registration, session) -> None:
    shown = json.loads(cli("framework", "rules", "SE", "--json").output)
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
    r = cli("framework", "rules", "SE", "--set", str(path), "--json")
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
    assert json.loads(cli("framework", "rules", "SE", "--json").output)["performance_methods"] == [
        "O",
        "P",
        "WT",
    ]


def _methods_offered(page: str) -> dict[int, list[str]]:
    """Claim id -> the method codes its decision form offers."""
    return {
        int(claim_id): re.findall(r'<option[^>]*value="([^"]+)"', options)
        for claim_id, options in re.findall(
            r'<select[^>]*name="method-(\d+)"[^>]*>(.*?)</select>', page, re.S
        )
    }


def test_each_claim_is_decided_by_the_rules_of_its_own_framework(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    """A learner on two frameworks with different methods: each claim offers its own."""
    from datetime import date, timedelta

    from demo.accounts import register_learner
    from framework.parse import parse
    from mappings.assessment import claims
    from mappings.assessment.models import Claim
    from mappings.assessment.rules import set_rules
    from portfolio.models import Framework
    from portfolio.services.frameworks import import_framework
    from portfolio.services.people import SYSTEM
    from tests.conftest import actor_of

    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    spec = parse(
        b"framework_code,framework_title,standard_code,standard_title,kind,criterion_code,"
        b"criterion_text\nOTHER,Another suite,OT01,Other standard,P,P1,Scrutinise the work\n",
        "other.csv",
    )
    import_framework(session, actor=SYSTEM, spec=spec)
    other = session.exec(select(Framework).where(Framework.code == "OTHER")).one()
    set_rules(
        session,
        actor=SYSTEM,
        framework_id=other.id,
        data={"performance_methods": ["XS"], "methods": {"XS": "expert scrutiny", "O": "obs"}},
    )
    register_learner(
        session,
        learner_id=learner.id,
        framework_id=other.id,
        codes=["OT01"],
        assessor_id=assessor.id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=30),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    item = make_evidence(learner)
    wanted = {
        c.criterion_id: c.standard_code
        for c in claims.claimable_criteria(session, learner.id)
        if c.code == "P1"
    }
    assert sorted(wanted.values()) == ["OT01", "SE01"]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=wanted)
    session.commit()
    standard_of = {
        c.id: wanted[c.criterion_id]
        for c in session.exec(select(Claim).where(Claim.evidence_id == item.id))
    }

    auth.login(assessor)
    offered = _methods_offered(client.get(f"/evidence/{item.id}").get_data(as_text=True))
    by_standard = {standard_of[claim_id]: codes for claim_id, codes in offered.items()}
    assert by_standard == {"OT01": ["XS", "O"], "SE01": ["O", "WT", "PD", "Q", "RA", "P", "RPL"]}
    other_claim = next(i for i, code in standard_of.items() if code == "OT01")
    r = client.post(
        f"/claims/{other_claim}/decision",
        data={"revision": "0", "decision": "accepted", "method": "XS", "feedback": ""},
    )
    assert r.status_code == 302


def test_rules_are_shown_in_words_and_as_json_only_with_json(cli, tmp_path) -> None:
    r = cli("framework", "rules", "SE")
    assert r.exit_code == 0, r.output
    assert not r.output.lstrip().startswith("{") and "performance_methods" not in r.output
    assert (
        "Performance criteria: met by an accepted claim by observation, witness testimony or product."
        in r.output
    )
    assert "Knowledge statements: met by an accepted claim by any method." in r.output
    assert "more than 3 years ago does not count" in r.output
    assert "recognition of prior learning" in r.output
    assert json.loads(cli("framework", "rules", "SE", "--json").output)["currency_years"] == 3
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"performance_methods": ["O"], "currency_years": None}))
    r = cli("framework", "rules", "SE", "--set", str(path))
    assert r.exit_code == 0, r.output
    assert "Saved" in r.output and "met by an accepted claim by observation." in r.output
    assert "Evidence counts however long ago its activity was." in r.output
    # what --json prints, --set reads back
    path.write_text(cli("framework", "rules", "SE", "--json").output)
    assert cli("framework", "rules", "SE", "--set", str(path), "--json").exit_code == 0


def test_rules_nested_thousands_deep_are_refused_in_words(cli, tmp_path) -> None:
    """Thousands of [ are more than Python's JSON reader can hold: the file is named, not a
    traceback, and the rules stay as they were."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    r = cli("framework", "rules", "SE", "--set", str(path))
    assert r.exit_code == 1
    assert f"{path}: JSON nested too deeply" in r.output and "Traceback" not in r.output
    assert json.loads(cli("framework", "rules", "SE", "--json").output)["performance_methods"] == [
        "O",
        "P",
        "WT",
    ]
