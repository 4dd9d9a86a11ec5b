"""The administrators' search of the audit trail: filters, keyset paging (each entry exactly
once, forwards and back), administrators only in the service itself, the page in words, the
CSV, and a page's SQL statements the same for a short trail and a long one, on page 1 and 3."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from portfolio.errors import PermissionDenied
from portfolio.models import AuditEntry
from portfolio.services import audit, audit_search
from portfolio.services.actors import SYSTEM, Actor
from portfolio.services.audit_search import TrailFilter


def _admin(person) -> Actor:
    return Actor.of(person)


def _entries(session, n, *, actor, action="person.update", subject_id=None, data=None) -> list:
    made = [
        audit.record(
            session,
            actor=actor,
            action=action,
            subject_type="person",
            subject_id=subject_id,
            data=data if data is not None else {"site": {"old": f"Site {i}", "new": "Main"}},
        ).id
        for i in range(n)
    ]
    session.commit()
    return made


def _walk(session, who, filters, size=7) -> tuple[list[int], list[int]]:
    """Every id through the Next links, then back through the Previous links."""
    forward, pages, before = [], [], None
    while True:
        page = audit_search.search(session, actor=who, filters=filters, before=before, size=size)
        forward += [e.id for e in page.entries]
        pages.append(page)
        if page.older is None:
            break
        before = page.older
    backward, after = [e.id for e in pages[-1].entries], pages[-1].newer
    while after is not None:
        page = audit_search.search(session, actor=who, filters=filters, after=after, size=size)
        backward = [e.id for e in page.entries] + backward
        after = page.newer
    return forward, backward


def test_paging_shows_each_entry_once_forwards_and_back(session, make_person) -> None:
    admin, ann, bob = make_person("admin"), make_person("assessor"), make_person("learner")
    who = _admin(admin)
    by_ann = _entries(session, 30, actor=ann, subject_id=bob.id)
    _entries(session, 5, actor=SYSTEM, action="retention.apply", data={})
    by_ann += _entries(session, 12, actor=ann, action="person.create", subject_id=bob.id)
    forward, backward = _walk(session, who, TrailFilter(by=ann.id))
    assert forward == backward == sorted(by_ann, reverse=True)
    everything = list(session.exec(select(AuditEntry.id).order_by(col(AuditEntry.id).desc())))
    forward, backward = _walk(session, who, TrailFilter(), size=50)
    assert forward == backward == everything


def test_filters_by_actor_system_action_person_and_days(
    session, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    admin, ann = make_person("admin"), make_person("assessor")
    learner = make_person("learner")
    reg = make_registration(learner=learner, assessor=ann)
    item = make_evidence(learner)
    who = _admin(admin)
    mine = list(
        session.exec(
            select(AuditEntry.id)
            .where(
                ((AuditEntry.subject_type == "person") & (AuditEntry.subject_id == learner.id))
                | ((AuditEntry.subject_type == "registration") & (AuditEntry.subject_id == reg.id))
                | ((AuditEntry.subject_type == "evidence") & (AuditEntry.subject_id == item.id))
            )
            .order_by(col(AuditEntry.id).desc())
        )
    )
    assert len(mine) >= 3  # created, registered, a draft written and submitted
    about = audit_search.search(session, actor=who, filters=TrailFilter(about=learner.id))
    assert [e.id for e in about.entries] == mine
    assert {e.subject_type for e in about.entries} >= {"person", "registration", "evidence"}
    system = _entries(session, 2, actor=SYSTEM, action="retention.apply", data={})
    found = audit_search.search(session, actor=who, filters=TrailFilter(by_system=True))
    assert [e.id for e in found.entries][:2] == system[::-1]
    assert all(e.actor_id is None for e in found.entries)
    found = audit_search.search(session, actor=who, filters=TrailFilter(action="retention.apply"))
    assert [e.id for e in found.entries][:2] == system[::-1]
    assert {e.action for e in found.entries} == {"retention.apply"}
    # three days, an entry on each: a period of days finds the middle one
    base = datetime(2031, 3, 10, 12, tzinfo=UTC)
    dated = []
    for day in range(3):
        monkeypatch.setattr(audit, "utcnow", lambda d=day: base + timedelta(days=d))
        dated += _entries(session, 1, actor=ann, action="iqa.strategy", data={})
    middle = TrailFilter(since=base + timedelta(hours=12), until=base + timedelta(days=1, hours=12))
    found = audit_search.search(session, actor=who, filters=middle)
    assert [e.id for e in found.entries] == [dated[1]]
    after_all = TrailFilter(since=base + timedelta(days=5))
    assert audit_search.search(session, actor=who, filters=after_all).entries == []
    until = TrailFilter(action="iqa.strategy", until=base + timedelta(days=1))
    assert [e.id for e in audit_search.search(session, actor=who, filters=until).entries] == [
        dated[0]
    ]


def test_only_an_administrator_may_search_the_trail(session, make_person) -> None:
    for role in ("assessor", "iqa", "learner", "eqa"):
        actor = _admin(make_person(role))
        with pytest.raises(PermissionDenied):
            audit_search.search(session, actor=actor, filters=TrailFilter())
        with pytest.raises(PermissionDenied):
            audit_search.stream(session, actor=actor, filters=TrailFilter())
        with pytest.raises(PermissionDenied):
            audit_search.find_people(session, actor=actor, text="a")


def test_the_search_reads_through_an_index(session, backend) -> None:
    """Who acted and the action: one index each; PostgreSQL is kept from a table scan, which
    it prefers for a table this small."""
    query = "SELECT id FROM auditentry WHERE {} ORDER BY id DESC LIMIT 51"
    wanted = {
        "actor_id = 1": "ix_auditentry_actor",
        "action = 'auth.login'": "ix_auditentry_action",
    }
    for where, index in wanted.items():
        if backend == "sqlite":
            plan = session.exec(text("EXPLAIN QUERY PLAN " + query.format(where))).all()
            assert index in " ".join(str(row) for row in plan)
        else:
            session.exec(text("SET LOCAL enable_seqscan = off"))
            plan = session.exec(text("EXPLAIN " + query.format(where))).all()
            assert index in " ".join(str(row) for row in plan)


def test_the_page_says_it_in_words_and_costs_the_same_for_any_trail(
    session, client, auth, make_person, count_queries
) -> None:
    admin = auth.login("admin")
    ann = make_person("assessor", name="Ann Actor")
    bob = make_person("learner", name="Bob Subject")
    counts = []
    for n in (110, 100):  # page 2 full either way
        _entries(session, n, actor=ann, subject_id=bob.id)
        for cursor in ("", "before"):
            url = f"/admin/audit?by_id={ann.id}"
            if cursor:
                first = client.get(url).get_data(as_text=True)
                url = re.findall(r'rel="next" href="([^"]+)"', first)[0].replace("&amp;", "&")
            with count_queries() as q:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(q.count)
            page = response.get_data(as_text=True)
            assert page.count(">Details changed by an administrator</td>") == 50
            assert "Bob Subject" in page and "Ann Actor" in page
            assert "Site: Site" in page and "→ Main" in page
            assert not re.search(r"\d{4}-\d{2}-\d{2}T|[0-9a-f]{64}|None|\{", page)
    # the log-in; the chosen person; the page's entries (one range of one index); the people
    # they name (who acted, and whom each is about: kept on the entry, no look-up of its subject);
    # the last check of the trail (by the primary key)
    assert counts == [5] * 4, counts
    assert admin.id is not None


def test_the_csv_has_every_entry_found_and_reading_records_nothing(
    session, client, auth, make_person
) -> None:
    auth.login("admin")
    ann = make_person("assessor", name="Ann Actor")
    made = _entries(session, 70, actor=ann)
    before = session.exec(select(func.count()).select_from(AuditEntry)).one()
    response = client.get(f"/admin/audit.csv?by_id={ann.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["who"] for r in rows] == ["Ann Actor"] * 70
    assert {r["action"] for r in rows} == {"person.update"}
    assert {r["what"] for r in rows} == {"Details changed by an administrator"}
    assert rows[0]["at_utc"].endswith("Z") and len(made) == 70
    session.expire_all()
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == before


def test_the_csv_never_holds_a_formula(session, client, auth, make_person) -> None:
    """A name or a value someone typed that a spreadsheet would run (CSV injection) is written
    with a leading apostrophe, as every other export of the app writes it (framework.tabular)."""
    auth.login("admin")
    ann = make_person("assessor", name='=HYPERLINK("https://evil.example","Open")')
    _entries(session, 1, actor=ann, data={"site": {"old": "@SUM(A1)", "new": "-2+3"}})
    response = client.get(f"/admin/audit.csv?by_id={ann.id}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["who"] for r in rows] == ['\'=HYPERLINK("https://evil.example","Open")']
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells


def test_a_name_that_matches_several_asks_which(client, auth, make_person) -> None:
    auth.login("admin")
    one = make_person("assessor", name="Pat Lowry")
    make_person("assessor", name="Pat Lowe")
    page = client.get("/admin/audit?by=pat+low")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "choose one of the people" in html and f"by_id={one.id}" in html
    assert client.get("/admin/audit?by=nobody-at-all").status_code == 422
    assert client.get(f"/admin/audit?by={one.email}").status_code == 200
    assert client.get("/admin/audit?from=31-02-2026").status_code == 422


def test_an_erased_persons_details_show_as_erased(session, client, auth, make_person) -> None:
    from mappings.privacy.requests import erase_person
    from portfolio.services import people

    admin = auth.login("admin")
    learner = make_person("learner", name="Eve Erasable", email="eve.erasable@test.example")
    people.update_person(
        session, actor=_admin(admin), person_id=learner.id or 0, name="Eve Erasable",
        email="eve.new@test.example", roles=["learner"], site="Main site",
    )  # fmt: skip
    erase_person(session, actor=_admin(admin), person_id=learner.id or 0, store=None)
    session.commit()
    page = client.get(f"/admin/audit?about_id={learner.id}").get_data(as_text=True)
    assert "eve.new@test.example" not in page and "eve.erasable" not in page
    assert "Email: (erased) → (erased)" in page
    assert "Erased person" in page
    rows = client.get(f"/admin/audit.csv?about_id={learner.id}").get_data(as_text=True)
    assert "eve.new@test.example" not in rows and "(erased)" in rows


def test_the_centre_page_and_a_persons_page_link_to_the_search(client, auth, make_person) -> None:
    auth.login("admin")
    ann = make_person("assessor")
    assert 'href="/admin/audit"' in client.get("/admin").get_data(as_text=True)
    page = client.get(f"/admin/people/{ann.id}").get_data(as_text=True)
    assert f'href="/admin/audit?by_id={ann.id}"' in page
    assert f'href="/admin/audit?about_id={ann.id}"' in page


def test_the_pages_links_walk_every_entry_once_each_way(session, client, auth, make_person) -> None:
    auth.login("admin")
    ann = make_person("assessor", name="Ann Actor")
    _entries(session, 120, actor=ann)

    def walk(url: str, rel: str) -> list[list[str]]:
        pages = []
        while url:
            html = client.get(url).get_data(as_text=True)
            pages.append(re.findall(r"Site: Site (\d+) → Main", html))
            links = re.findall(rf'rel="{rel}" href="([^"]+)"', html)
            url = links[0].replace("&amp;", "&") if links else ""
        return pages

    forward = walk(f"/admin/audit?by_id={ann.id}&action=person.update", "next")
    assert [len(p) for p in forward] == [50, 50, 20]
    assert [int(i) for p in forward for i in p] == list(range(119, -1, -1))
    last = client.get(f"/admin/audit?by_id={ann.id}&before=1").get_data(as_text=True)
    assert "No more entries" in last
    html = client.get(f"/admin/audit?by_id={ann.id}&action=person.update").get_data(as_text=True)
    third = re.findall(r'rel="next" href="([^"]+)"', html)[0].replace("&amp;", "&")
    html = client.get(third).get_data(as_text=True)
    third = re.findall(r'rel="next" href="([^"]+)"', html)[0].replace("&amp;", "&")
    backward = walk(third, "prev")
    assert [int(i) for p in reversed(backward) for i in p] == list(range(119, -1, -1))


@pytest.mark.parametrize(
    ("data", "erased", "words"),
    [
        ({"email": "a@x.example", "roles": "assessor,iqa"}, False,
         "Email: a@x.example; Roles: Assessor, internal quality assurer"),
        ({"roles": {"old": "learner", "new": "learner,assessor"}}, False,
         "Roles: Learner → Learner, assessor"),
        ({"email": {"old": "a@x.example", "new": "b@x.example"}}, True,
         "Email: (erased) → (erased)"),
        ({"on": "2026-12-03", "reason": "Moved away"}, True, "On: 3 Dec 2026; Reason: (erased)"),
        ({"sha256": "ab" * 32, "registration_id": 4, "files": 3, "kept": True}, False,
         "Files: 3; Kept: yes"),
        ({"standards": ["SE01", "SE02"], "claims": [{"id": 1}, {"id": 2}]}, False,
         "Standards: SE01, SE02; Claims: 2 items"),
        ({"until": None, "note": ""}, False, ""),
        ({"kind": "reflective_account", "version": 1}, False, "Kind: Reflective account; Version: 1"),
        ({"due_on": "2026-12-17", "evidence_kind": "witness_testimony", "criteria": [176, 9]}, False,
         "Due on: 17 Dec 2026; Evidence kind: Witness testimony; 2 criteria"),
        ({"criteria": [176]}, False, "1 criterion"),
    ],
)  # fmt: skip
def test_an_entrys_data_in_words(app, data, erased, words) -> None:
    from delivery.web.admin.trail_rows import summary_of

    with app.app_context():
        assert summary_of(data, erased) == words
        decided = {"from": "claimed", "to": "accepted", "method": "WT"}
        assert summary_of(decided, action="claim.decide") == (
            "Decision: awaiting decision → accepted; Method: Witness testimony"
        )
        # a mapping's criteria are counted, not named by their rows' ids
        mapped = {"added": [50, 53, 54], "removed": [7]}
        assert summary_of(mapped, action="evidence.map") == (
            "3 criteria added; 1 criterion removed"
        )


def test_each_search_and_page_of_the_trail_has_a_title_of_its_own(
    session, client, auth, make_person, monkeypatch
) -> None:
    """WCAG 2.4.2: a search and each page of it are titled with what they show, in words: whose
    entries, which action, which days, and the times of the entries on a page of several."""
    auth.login("admin")
    ann = make_person("assessor", name="Ann Actor")
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(60):  # a minute apart
        monkeypatch.setattr(audit, "utcnow", lambda n=n: start + timedelta(minutes=n))
        _entries(session, 1, actor=ann)

    def title(url: str) -> tuple[str, str]:
        html = client.get(url).get_data(as_text=True)
        found = re.search(r"<title>(.*?) · Competence Portfolio</title>", html, re.S)
        older = re.findall(r'rel="next" href="([^"]+)"', html)
        return (found.group(1) if found else ""), (older[0].replace("&amp;", "&") if older else "")

    whole = title("/admin/audit")[0]  # the newest of every entry: one page of several
    assert whole.startswith("The audit trail: ") and " back to " in whole
    first, older = title(f"/admin/audit?by_id={ann.id}&action=person.update&from=2026-12-01")
    assert first == (
        "The audit trail: entries by Ann Actor, “Details changed by an administrator”, from 1 Dec 2026; "
        "1 Dec 2026, 09:59 back to 1 Dec 2026, 09:10"
    )
    assert title(older)[0] == (
        "The audit trail: entries by Ann Actor, “Details changed by an administrator”, from 1 Dec 2026; "
        "1 Dec 2026, 09:09 back to 1 Dec 2026, 09:00"
    )
    assert title(f"/admin/audit?about_id={ann.id}&to=2026-11-30")[0] == (
        "The audit trail: entries about Ann Actor, to 30 Nov 2026"
    )
