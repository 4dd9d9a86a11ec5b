"""Who uses two-step verification, for the centre's administrator: the people list says it of
each person in the statement that lists them (as many statements for 200 people as for 5), the
centre's figures count the staff who have it in their one statement, and under the centre's rule
for staff the figures page names those who have not set it up yet."""

from __future__ import annotations

import re
import uuid

from sqlmodel import Session

from portfolio.models import Person, TwoStep
from portfolio.services import two_step


def _add_people(session: Session, n: int, *, every: int = 2) -> None:
    """``n`` learners, every ``every``-th with two-step verification on."""
    for i in range(n):
        person = Person(
            name=f"Bulk Person {uuid.uuid4().hex[:8]}",
            email=f"bulk-{uuid.uuid4().hex[:8]}@t.example",
            roles="learner",
        )
        session.add(person)
        session.flush()
        if i % every == 0:
            session.add(TwoStep(person_id=person.id or 0, secret=two_step.new_secret()))
    session.commit()


def _rows(page: str) -> dict[str, str]:
    """Each listed person's name and the text of their row."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        name = re.search(r'<a href="/admin/people/\d+">([^<]+)</a>', row)
        if name:
            rows[name.group(1)] = re.sub(r"<[^>]+>", " ", row)
    return rows


def _two_step_cells(page: str) -> dict[str, str]:
    """Each listed person's name and what their "Two-step verification" cell says."""
    cells = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        name = re.search(r'<a href="/admin/people/\d+">([^<]+)</a>', row)
        cell = re.search(r'<td data-label="Two-step verification">(.*?)</td>', row, flags=re.S)
        if name and cell:
            cells[name.group(1)] = cell.group(1).strip()
    return cells


def test_the_people_list_says_who_has_two_step_verification_on(
    client, auth, session, make_person
) -> None:
    auth.login(make_person("admin", name="Ada Admin"))
    on = make_person("assessor", name="Oona On")
    make_person("learner", name="Otto Off")
    session.add(TwoStep(person_id=on.id or 0, secret=two_step.new_secret()))
    session.commit()
    page = client.get("/admin/people").get_data(as_text=True)
    # the column (and, at a phone's width, each cell's label) says "Two-step verification";
    # the cell says only whether it is on, not "Two-step: on" after that label again
    assert '<th scope="col">Two-step verification</th>' in page
    cells = _two_step_cells(page)
    assert cells["Oona On"] == "On"
    assert cells["Otto Off"] == "Off" and cells["Ada Admin"] == "Off"
    assert "Two-step:" not in page
    searched = _two_step_cells(client.get("/admin/people?q=oona").get_data(as_text=True))
    assert searched == {"Oona On": "On"}


def test_the_people_list_takes_the_same_statements_for_5_and_200_people(
    client, auth, session, make_person, count_queries
) -> None:
    auth.login("admin")
    counts, shown = [], []
    for n in (4, 195):  # with the administrator: 5 people, then 200
        _add_people(session, n)
        with count_queries() as q:
            response = client.get("/admin/people")
        assert response.status_code == 200
        counts.append(q.count)
        cells = _two_step_cells(response.get_data(as_text=True))
        shown.append((len(cells), sum(c == "On" for c in cells.values())))
    # the log-in's session; a page of the people with their two-step verification and how many
    # there are in all, in one statement
    assert counts == [2, 2]
    assert shown[0] == (5, 2) and shown[1][0] == 50  # 50 a page


def test_the_people_list_is_read_50_a_page(client, auth, session, count_queries) -> None:
    """With thousands of learners the page read and drew every account; now 50 a page, by name,
    with links to the others, in the same statements for the last page as for the first."""
    auth.login("admin")
    _add_people(session, 119)  # with the administrator: 120 people
    counts, seen = [], []
    for n in (1, 2, 3):
        with count_queries() as q:
            page = client.get(f"/admin/people?page={n}").get_data(as_text=True)
        counts.append(q.count)
        seen += list(_rows(page))
        assert f"Showing {(n - 1) * 50 + 1}–{min(n * 50, 120)} of 120 people" in page
    assert counts == [2, 2, 2]
    assert len(seen) == len(set(seen)) == 120  # each person once, through the pages
    last = client.get("/admin/people?page=99").get_data(as_text=True)
    assert "Showing 101–120 of 120 people" in last  # past the end: the last page
    assert 'href="/admin/people?page=2"' in client.get("/admin/people").get_data(as_text=True)
    searched = client.get("/admin/people?q=bulk&page=2").get_data(as_text=True)
    assert "Showing 51–100 of 119 people" in searched
    assert 'href="/admin/people?q=bulk&amp;page=3"' in searched


def _turned_on(session: Session, *people: Person) -> None:
    for person in people:
        session.add(TwoStep(person_id=person.id or 0, secret=two_step.new_secret()))
    session.commit()


def _staff(make_person, first: Person | None = None) -> list[Person]:
    """Eight members of staff (one holding two roles, counted once), ``first`` the first."""
    roles = ("admin", "assessor", "iqa", "eqa", "iqa,assessor", "assessor", "assessor", "admin")
    made = [make_person(r, name=f"Staff {i} {r}") for i, r in enumerate(roles) if i or not first]
    return [first, *made] if first else made


def test_the_centre_figures_count_the_staff_with_two_step_verification(
    session, make_person, count_queries
) -> None:
    from datetime import date

    from delivery.web.admin.figures import centre_figures
    from portfolio.services import registrations
    from tests.conftest import actor_of

    staff = _staff(make_person)
    gone = make_person("assessor")  # removed: not counted, with it on or not
    learner = make_person("learner")  # not staff
    _turned_on(session, staff[1], staff[4], staff[7], gone, learner)
    registrations.remove_person(session, actor=actor_of(staff[0]), person_id=gone.id or 0)
    session.commit()
    with count_queries() as q:
        figures = centre_figures(session, today=date.today())
    assert q.count == 1
    found = next(f for f in figures.people if f.label == "Staff with two-step verification")
    assert (found.value, found.hint, found.endpoint) == (3, "of 8", "admin.people")


def test_the_centre_page_says_how_many_staff_use_two_step_verification(
    client, auth, session, make_person
) -> None:
    admin = auth.login("admin")
    staff = _staff(make_person, admin)
    _turned_on(session, *staff[1:4])
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/admin").get_data(as_text=True)))
    assert "Staff with two-step verification 3 of 8" in page
    assert "not yet set up" not in page  # without the centre's rule, no one is chased


def test_the_people_command_lists_two_step_verification(cli, session, make_person) -> None:
    import json

    on = make_person("assessor", name="Oona On")
    off = make_person("learner", name="Otto Off")
    _turned_on(session, on)
    result = cli("people", "list")
    assert result.exit_code == 0, result.output
    lines = {
        n: next(x for x in result.output.splitlines() if n in x) for n in ("Oona On", "Otto Off")
    }
    # under the list's heading "Two-step": on or off
    assert lines["Oona On"].split()[-2] == "on" and lines["Otto Off"].split()[-2] == "off"
    assert lines["Oona On"].rstrip().endswith("assessor")  # the roles stay the last column
    rows = {r["email"]: r for r in json.loads(cli("people", "list", "--json").output)}
    assert rows[on.email]["two_step"] is True and rows[off.email]["two_step"] is False
    only = json.loads(cli("people", "list", "--role", "assessor", "--json").output)
    assert [(r["name"], r["two_step"]) for r in only] == [("Oona On", True)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_under_the_centre_rule_the_figures_page_names_staff_yet_to_set_it_up(
    app, client, auth, session, make_person
) -> None:
    from portfolio.services import registrations
    from tests.conftest import actor_of

    admin = auth.login(make_person("admin", name="Ada Admin"))  # before the rule: not sent away
    app.config["REQUIRE_TWO_STEP_FOR_STAFF"] = True
    staff = _staff(make_person, admin)
    _turned_on(session, *staff[1:4])
    gone = make_person("assessor", name="Gone Assessor")
    registrations.remove_person(session, actor=actor_of(admin), person_id=gone.id or 0)
    make_person("learner", name="Lena Learner")  # learners are never obliged
    staff[5].active = False  # still staff, still counted: marked
    session.add(staff[5])
    session.commit()
    html = client.get("/admin").get_data(as_text=True)
    page = _text(html)
    assert "Staff with two-step verification 3 of 8" in page
    assert "5 members of staff have not yet set up two-step verification" in page
    chased = re.findall(r'<a href="/admin/people/(\d+)">([^<]+)</a>', html)
    expected = sorted((str(p.id), p.name) for p in [staff[0], *staff[4:]])
    assert sorted(chased) == expected
    assert "Gone Assessor" not in page and "Lena Learner" not in page
    assert f"{staff[5].name} (account inactive)" in page
    _turned_on(session, *[staff[0], *staff[4:]])
    page = _text(client.get("/admin").get_data(as_text=True))
    assert "Every member of staff has set up two-step verification" in page
    assert "not yet set up" not in page


def test_the_figures_page_takes_one_statement_more_under_the_rule_whatever_the_staff(
    app, client, auth, session, make_person, count_queries
) -> None:
    auth.login("admin")
    counts: dict[bool, list[int]] = {False: [], True: []}
    for n in (2, 40):
        for i in range(n):
            make_person("assessor", name=f"Chased {n} {i}")
        for rule in (False, True):
            app.config["REQUIRE_TWO_STEP_FOR_STAFF"] = rule
            with count_queries() as q:
                response = client.get("/admin")
            assert response.status_code == 200
            counts[rule].append(q.count)
        assert response.get_data(as_text=True).count(">Chased ") == (2 if n == 2 else 42)
    # the log-in's session and the figures; under the rule, the staff yet to set it up
    assert counts == {False: [2, 2], True: [3, 3]}
