"""Issue 19: retention rules erase evidence past its keeping time, and a person's data is erased
on request; what the awarding body needs stays, and the audit trail still verifies."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from mappings.assessment.models import Decision, SignOff, SignOffEvidence
from mappings.privacy import retention
from mappings.privacy.erasure import ERASED
from mappings.privacy.requests import PLACEHOLDER_NAME, erase_person
from portfolio.errors import Invalid
from portfolio.models import (
    Attachment,
    AuditEntry,
    Evidence,
    EvidenceVersion,
    Notification,
    Person,
)
from portfolio.models.base import utcnow
from portfolio.services import audit, registrations
from portfolio.services.actors import SYSTEM
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_words, local
from tests.conftest import PASSWORD
from tests.exports.export_case import build_case


def _versions(session, evidence_id):
    return session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence_id)
    ).all()


def _files(session, evidence_id):
    ids = [v.id for v in _versions(session, evidence_id)]
    return session.exec(select(Attachment).where(Attachment.version_id.in_(ids))).all()


def test_evidence_goes_years_after_the_learner_leaves(session, case, store, cli) -> None:
    later = utcnow().date() + timedelta(days=3650)
    assert retention.due(session, retention.Rules(), today=later) == []  # still in learning
    registrations.remove_person(session, actor=SYSTEM, person_id=case.learner.id)
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=4 * 366)
    session.add(learner)
    session.commit()
    [attachment] = _files(session, case.account_id)
    assert store.exists(attachment.sha256)
    before = {v.id: v.sha256 for v in _versions(session, case.account_id)}

    dry = cli("retention", "apply", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    [row] = json.loads(dry.output)["learners"]
    assert (row["email"], row["ended"], row["items"], row["files"]) == (
        case.learner.email, "left", 2, 1,
    )  # fmt: skip
    assert session.get(Evidence, case.account_id).erased_at is None  # a dry run writes nothing
    said = cli("retention", "apply", "--dry-run").output  # in words, days as pages say them
    assert not re.search(r"\d{4}-\d\d-\d\d", said), said
    left_on = local(learner.removed_at, CENTRE).date()  # the centre's day, as it is counted
    assert f">: left on {day_words(left_on)}, kept until " in said
    assert "2 evidence items, 1 file" in said

    done = cli("retention", "apply")
    assert done.exit_code == 0, done.output
    assert (
        "Erased the content of 2 evidence items (3 versions) and 1 file of 1 learner" in done.output
    )
    session.expire_all()
    for evidence_id in (case.account_id, case.note_id):
        item = session.get(Evidence, evidence_id)
        assert item.erased_at is not None and item.title == ERASED
        for v in _versions(session, evidence_id):
            assert (v.title, v.body, v.fields) == (ERASED, "", {})
    [attachment] = _files(session, case.account_id)
    assert attachment.erased_at is not None and attachment.text == ""
    assert not store.exists(attachment.sha256)  # gone from the store after the commit
    # the record stays: hashes, the sign-off's frozen set, decisions
    assert {v.id: v.sha256 for v in _versions(session, case.account_id)} == before
    frozen = session.exec(
        select(SignOffEvidence).where(SignOffEvidence.signoff_id == case.signoff.id)
    ).all()
    assert {f.sha256 for f in frozen} <= set(before.values())
    assert session.get(SignOff, case.signoff.id).status == "signed"
    assert session.exec(select(Decision)).first() is not None
    # the trail says what was erased and its hash, never the content
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "evidence.erase", AuditEntry.subject_id == case.account_id
        )
    ).one()
    assert entry.data["reason"] == "retention"
    assert {v["sha256"] for v in entry.data["versions"]} == set(before.values())
    assert "job coaching" not in json.dumps(entry.data)
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert cli("retention", "apply", "--json").output.count('"email"') == 0  # nothing left


def test_completion_starts_the_clock_and_frameworks_may_keep_longer(
    session, store, make_person, make_registration, make_evidence
) -> None:
    case = build_case(
        session, store, make_person, make_registration, make_evidence, codes="SE03", sign="SE03"
    )
    signed = local(session.get(SignOff, case.signoff.id).signed_at, CENTRE).date()
    rules = retention.Rules(evidence_years=3)
    assert retention.due(session, rules, today=signed + timedelta(days=365)) == []
    [due] = retention.due(session, rules, today=retention.years_after(signed, 3))
    assert (due.learner_id, due.ended, due.ended_on) == (case.learner.id, "completed", signed)
    longer = retention.Rules(evidence_years=3, frameworks={"SE": 6})
    assert retention.due(session, longer, today=retention.years_after(signed, 5)) == []


def test_erasure_on_request_keeps_what_the_awarding_body_needs(session, case, store, cli) -> None:
    email = case.learner.email
    assert session.exec(
        select(Notification).where(Notification.person_id == case.learner.id)
    ).first()
    account = {v.id: (v.body, v.sha256) for v in _versions(session, case.account_id)}

    dry = cli("privacy", "erase", email, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.output)
    assert (plan["evidence_erased"], plan["evidence_kept"]) == (1, 1)
    assert session.get(Person, case.learner.id).email == email

    said = cli("privacy", "erase", email, "--dry-run").output
    # the person by the name and address the administrator knows, not by an id ("person 7")
    who = f"{case.learner.name} ({email})"
    assert said.startswith(f"Would erase the name, e-mail and log-in of {who}, "), said
    assert f"person {case.learner.id}" not in said
    done = cli("privacy", "erase", email)
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Erased the name, e-mail and log-in of {who}, "), done.output
    session.expire_all()
    person = session.get(Person, case.learner.id)
    assert person.name == PLACEHOLDER_NAME and person.email != email
    assert person.password_hash == "" and not person.active and person.erased_at is not None
    assert not session.exec(select(Notification).where(Notification.person_id == person.id)).all()
    # the note (no sign-off rests on it) is emptied; the signed-off account is kept as it was
    assert session.get(Evidence, case.note_id).erased_at is not None
    assert {v.id: (v.body, v.sha256) for v in _versions(session, case.account_id)} == account
    assert session.get(SignOff, case.signoff.id).status == "signed"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
    assert email not in json.dumps(entry.data) and case.learner.name not in json.dumps(entry.data)
    assert audit.verify(session).ok
    with pytest.raises(Invalid, match="already erased"):
        erase_person(session, actor=SYSTEM, person_id=person.id, store=store)


def test_admin_pages_erase_with_confirmation(client, auth, session, case, store, app) -> None:
    app.config["FILE_STORE"] = str(store.root)
    auth.login("admin")
    page = client.get(f"/admin/people/{case.learner.id}/erase")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "What goes" in text and "1 evidence item behind their sign-offs" in text
    refused = client.post(f"/admin/people/{case.learner.id}/erase", data={})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    assert session.get(Person, case.learner.id).erased_at is None
    done = client.post(f"/admin/people/{case.learner.id}/erase", data={"sure": "y"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Person, case.learner.id).name == PLACEHOLDER_NAME
    assert audit.verify(session).ok
    shown = client.get(f"/admin/people/{case.learner.id}").get_data(as_text=True)
    assert "personal data erased on" in shown
    # the message is in words: no "person 12", no "item(s)"
    told = shown.split('class="flash flash-')[1].split("</p>")[0]
    assert "Their personal data was erased" in told and "kept behind their sign-offs" in told
    assert f"person {case.learner.id}" not in told and "(s)" not in told
    auth.logout()
    for email in (case.learner.email, session.get(Person, case.learner.id).email):
        r = client.post("/login", data={"email": email, "password": PASSWORD})
        assert r.status_code != 302  # the account can no longer be used


def test_an_erased_item_says_so_and_its_file_is_not_served(
    client, auth, session, case, store, app
) -> None:
    from mappings.privacy.erasure import erase_items

    app.config["FILE_STORE"] = str(store.root)
    [attachment] = _files(session, case.account_id)
    done = erase_items(
        session, actor=SYSTEM, evidence_ids=[case.account_id], reason="retention", store=store
    )
    session.commit()
    assert (done.items, done.files, done.removed_files) == (1, 1, 1)
    auth.login(case.assessor)
    page = client.get(f"/evidence/{case.account_id}").get_data(as_text=True)
    assert "were erased on" in page and "job coaching" not in page
    assert client.get(f"/files/{attachment.id}").status_code == 404


def test_the_retention_page_lists_what_is_due_and_erases_it(
    client, auth, session, case, store, app
) -> None:
    app.config.update(FILE_STORE=str(store.root), RETENTION_FRAMEWORK_YEARS="SE=2")
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=3 * 366)  # past SE's 2 years, not the default 3
    session.add(learner)
    session.commit()
    auth.login("admin")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "SE 2 years" in page and case.learner.name in page and "Left on" in page
    assert client.post("/admin/retention", data={}).status_code == 422
    assert session.get(Evidence, case.note_id).erased_at is None
    done = client.post("/admin/retention", data={"sure": "y"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Evidence, case.note_id).erased_at is not None
    assert "Nothing is due." in client.get("/admin/retention").get_data(as_text=True)
    assert audit.verify(session).ok


def test_the_retention_page_says_what_each_setting_means(client, auth, app) -> None:
    """The page named PORTFOLIO_RETENTION_FRAMEWORK_YEARS with nothing saying what it does; each
    setting now comes with a line in words (as docs/privacy.md says it), its name kept for the
    administrator who sets it."""
    app.config.update(RETENTION_FRAMEWORK_YEARS="SE=2")
    auth.login("admin")
    page = client.get("/admin/retention").get_data(as_text=True)

    def line(setting: str) -> str:
        found = re.search(
            rf"<li>((?:(?!</li>).)*<code>{setting}</code>(?:(?!</li>).)*)</li>", page, re.S
        )
        assert found, f"no line for {setting}"
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1)))

    evidence = line("PORTFOLIO_RETENTION_EVIDENCE_YEARS")
    assert "years" in evidence and "evidence" in evidence and "completes or leaves" in evidence
    frameworks = line("PORTFOLIO_RETENTION_FRAMEWORK_YEARS")
    assert "registered on" in frameworks and "framework" in frameworks
    assert "keeps the longest" in frameworks and "SE=2" in frameworks


def test_a_file_another_item_holds_stays_in_the_store(session, make_person, store) -> None:
    import io

    from mappings.privacy.erasure import erase_items
    from portfolio.services import evidence as service
    from tests.conftest import actor_of

    def item_with_file(learner):
        me = actor_of(learner)
        draft = service.Draft(
            kind="product", title="Menu", activity_date=utcnow().date(), body="A menu."
        )
        item = service.create(session, actor=me, learner_id=learner.id, draft=draft)
        service.attach(
            session, actor=me, store=store, evidence_id=item.id, filename="menu.txt",
            stream=io.BytesIO(b"Lunch menu, week 3.\\n"), max_bytes=1024,
        )  # fmt: skip
        session.commit()
        return item

    first = item_with_file(make_person("learner"))
    second = item_with_file(make_person("learner"))
    [attachment] = _files(session, first.id)
    done = erase_items(
        session, actor=SYSTEM, evidence_ids=[first.id], reason="request", store=store
    )
    session.commit()
    assert (done.files, done.removed_files) == (1, 0)
    assert store.exists(attachment.sha256)  # the second item still holds the same file
    done = erase_items(
        session, actor=SYSTEM, evidence_ids=[second.id, first.id], reason="request", store=store
    )
    session.commit()
    assert (done.items, done.removed_files) == (1, 1)  # the first was erased already
    assert not store.exists(attachment.sha256)
    assert audit.verify(session).ok


def test_the_keeping_time_runs_on_the_centres_days(
    session, store, make_person, make_registration, make_evidence, monkeypatch, cli
) -> None:
    """A learner completed at 00:30 on 7 Jun 2024 in London (23:30 UTC on 6 Jun): their evidence
    is kept 3 years after 7 Jun 2024, the day the centre saw them complete, so it is not due on
    6 Jun 2027, nor at 23:30 UTC that day (still 6 Jun in UTC, 7 Jun already in London) when
    the default "today" is the centre's day. Left on the centre's day alike; another centre's
    zone (TIME_ZONE) gives its own days."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    case = build_case(
        session, store, make_person, make_registration, make_evidence, codes="SE03", sign="SE03"
    )
    record = session.get(SignOff, case.signoff.id)
    record.signed_at = datetime(2024, 6, 6, 23, 30, tzinfo=UTC)
    session.add(record)
    session.commit()
    rules = retention.Rules(evidence_years=3)
    assert retention.due(session, rules, today=date(2027, 6, 6), zone=london) == []
    [due] = retention.due(session, rules, today=date(2027, 6, 7), zone=london)
    assert (due.ended_on, due.kept_until) == (date(2024, 6, 7), date(2027, 6, 7))
    # in New York it was still 6 Jun 2024 (19:30): kept until 6 Jun 2027 there
    new_york = ZoneInfo("America/New_York")
    [due] = retention.due(session, rules, today=date(2027, 6, 6), zone=new_york)
    assert due.ended_on == date(2024, 6, 6)
    # "today" is the centre's: 23:30 UTC on 6 Jun 2027 is 7 Jun in London, 6 Jun in New York
    monkeypatch.setattr(retention, "utcnow", lambda: datetime(2027, 6, 6, 23, 30, tzinfo=UTC))
    assert [d.learner_id for d in retention.due(session, rules, zone=london)] == [case.learner.id]
    monkeypatch.setattr(retention, "utcnow", lambda: datetime(2027, 6, 5, 23, 30, tzinfo=UTC))
    assert retention.due(session, rules, zone=london) == []  # 6 Jun in London: kept a day more
    done = retention.apply(
        session, actor=SYSTEM, rules=rules, store=None, dry_run=True, zone=london
    )
    assert done.due == []
    # a learner removed at 00:30 on 7 Jun 2024 in London left on 7 Jun
    learner = session.get(Person, case.learner.id)
    learner.removed_at = datetime(2024, 6, 6, 23, 30, tzinfo=UTC)
    session.add(learner)
    session.commit()
    [due] = retention.due(session, rules, today=date(2027, 6, 7), zone=london)
    assert (due.ended, due.ended_on) == ("completed", date(2024, 6, 7))  # the same moment
    record.signed_at = datetime(2024, 6, 8, 12, tzinfo=UTC)
    session.add(record)
    session.commit()
    [due] = retention.due(session, rules, today=date(2027, 6, 7), zone=london)
    assert (due.ended, due.ended_on) == ("left", date(2024, 6, 7))
    assert retention.due(session, rules, today=date(2027, 6, 6), zone=london) == []
    # the command reads the centre's zone from its settings (PORTFOLIO_TIME_ZONE)
    monkeypatch.setenv("PORTFOLIO_RETENTION_EVIDENCE_YEARS", "1")
    for zone, day in (("Europe/London", "2024-06-07"), ("America/New_York", "2024-06-06")):
        monkeypatch.setenv("PORTFOLIO_TIME_ZONE", zone)
        [row] = json.loads(cli("retention", "apply", "--dry-run", "--json").output)["learners"]
        assert (row["ended"], row["ended_on"]) == ("left", day), zone
