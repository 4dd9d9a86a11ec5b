"""Administrator pages: access, people, cohorts, registrations, and a fixed number of queries."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from portfolio.models import AuditEntry, Cohort, Person, Registration
from portfolio.services import registrations
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD

ADMIN_PAGES = [
    "/admin/people",
    "/admin/people/{person}",
    "/admin/cohorts",
    "/admin/registrations",
    "/admin/registrations/{registration}",
]


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def targets(make_registration, make_person) -> dict[str, int]:
    reg = make_registration()
    return {"person": reg.learner_id, "registration": reg.id or 0}


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa"])
def test_other_roles_get_403_on_every_admin_page(client, auth, targets, role) -> None:
    auth.login(role)
    for page in ADMIN_PAGES:
        url = page.format(**targets)
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(client, targets) -> None:
    for page in ADMIN_PAGES:
        url = page.format(**targets)
        for response in (client.get(url), client.post(url, data={})):
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url


def test_admin_sees_every_page_and_the_nav(client, auth, targets) -> None:
    auth.login("admin")
    for page in ADMIN_PAGES:
        response = client.get(page.format(**targets))
        assert response.status_code == 200, page
    home = client.get("/").get_data(as_text=True)
    for link in ("/admin/people", "/admin/cohorts", "/admin/registrations"):
        assert f'href="{link}"' in home


def test_create_person_through_the_page(client, auth, session) -> None:
    auth.login("admin")
    email = f"new-{uuid.uuid4().hex[:6]}@test.example"
    data = {
        "name": "Nadia New",
        "email": email,
        "roles": ["assessor", "iqa"],
        "site": "North site",
        "password": "long-enough-password",
    }
    response = client.post("/admin/people", data=data)
    assert response.status_code == 302
    person = session.exec(select(Person).where(Person.email == email)).one()
    assert (person.name, person.role_set, person.site) == (
        "Nadia New",
        frozenset({"assessor", "iqa"}),
        "North site",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nadia New" in page and "Assessor, internal quality assurer" in page  # in words
    # the same e-mail again: a clear error on the form, nothing written
    before = _count(session, Person)
    again = client.post("/admin/people", data=data)
    assert again.status_code == 422
    assert "already exists" in again.get_data(as_text=True)
    assert _count(session, Person) == before


def test_create_person_needs_a_role(client, auth, session) -> None:
    auth.login("admin")
    before = _count(session, Person)
    response = client.post(
        "/admin/people", data={"name": "No Role", "email": "x@test.example", "site": "Main site"}
    )
    assert response.status_code == 422
    assert "Tick at least one role" in response.get_data(as_text=True)
    assert _count(session, Person) == before


def test_create_cohort_through_the_page(client, auth, session) -> None:
    auth.login("admin")
    response = client.post("/admin/cohorts", data={"name": "Autumn 2026", "site": "North site"})
    assert response.status_code == 302
    assert session.exec(select(Cohort).where(Cohort.name == "Autumn 2026")).one().site == (
        "North site"
    )
    page = client.get("/admin/cohorts").get_data(as_text=True)
    assert "Autumn 2026" in page
    # the centre page's "Cohorts and their progress" leads here: each cohort links its progress
    cohort = session.exec(select(Cohort).where(Cohort.name == "Autumn 2026")).one()
    assert f'<a href="/cohorts/{cohort.id}/progress">Autumn 2026</a>' in page
    dup = client.post("/admin/cohorts", data={"name": "Autumn 2026", "site": "Main site"})
    assert dup.status_code == 422 and "already exists" in dup.get_data(as_text=True)


def _form(learner, assessor, iqa, framework, codes=("SE01", "SE04"), **extra):
    data = {
        "learner_email": learner.email,
        "framework_id": framework.id,
        "standards": list(codes),
        "assessor_id": assessor.id,
        "iqa_id": iqa.id,
        "cohort_id": 0,
        "start_date": "2026-03-02",
        "planned_end": "2027-03-01",
    }
    data.update(extra)
    return data


def test_create_registration_through_the_page(client, auth, session, make_person, sample_framework):
    auth.login("admin")
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Page cohort")
    session.commit()
    page = client.get("/admin/registrations").get_data(as_text=True)
    assert 'type="checkbox"' in page and 'value="SE04"' in page
    assert "Learner&#39;s e-mail (their log-in)" in page and 'type="email"' in page
    data = _form(learner, assessor, iqa, sample_framework, cohort_id=cohort.id)
    response = client.post("/admin/registrations", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    reg = session.exec(select(Registration).where(Registration.learner_id == learner.id)).one()
    assert (reg.assessor_id, reg.iqa_id, reg.cohort_id) == (assessor.id, iqa.id, cohort.id)
    assert reg.start_date == date(2026, 3, 2)
    assert registrations.registration_codes(session, reg.id or 0) == ["SE01", "SE04"]
    listing = client.get("/admin/registrations").get_data(as_text=True)
    assert learner.name in listing and "SE01, SE04" in listing and "Page cohort" in listing


RULE_CASES = [
    # (name, roles of learner/assessor/iqa or "same", codes, message)
    ("learner without the learner role", ("assessor", "assessor", "iqa"), None, "learner role"),
    ("assessor without the assessor role", ("learner", "iqa", "iqa"), None, "assessor role"),
    ("iqa without the iqa role", ("learner", "assessor", "assessor"), None, "IQA role"),
    ("iqa is the assessor", ("learner", "same", "same"), None, "quality-assures their own"),
    ("unknown standard", ("learner", "assessor", "iqa"), ("SE01", "SE77"), "SE77"),
]


@pytest.mark.parametrize("name,roles,codes,message", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_registration_rules_show_clear_errors_and_write_nothing(
    client, auth, session, make_person, sample_framework, name, roles, codes, message
):
    auth.login("admin")
    learner = make_person(roles[0])
    if roles[1] == "same":
        assessor = iqa = make_person("assessor,iqa")
    else:
        assessor, iqa = make_person(roles[1]), make_person(roles[2])
    before = (_count(session, Registration), _count(session, AuditEntry))
    data = _form(learner, assessor, iqa, sample_framework, codes=codes or ("SE01",))
    response = client.post("/admin/registrations", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and "Nothing was saved" in text
    assert (_count(session, Registration), _count(session, AuditEntry)) == before


def test_edit_registration_through_the_page(client, auth, session, make_person, make_registration):
    auth.login("admin")
    assessor, iqa, other = make_person("assessor"), make_person("iqa"), make_person("assessor")
    reg = make_registration(assessor=assessor, iqa=iqa, codes="SE01,SE03")
    page = client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    ticked = set(re.findall(r'<input checked[^>]*type="checkbox" value="(SE\d+)"', page))
    assert ticked == {"SE01", "SE03"}
    response = client.post(
        f"/admin/registrations/{reg.id}",
        data={
            "standards": ["SE03", "SE08"],
            "assessor_id": other.id,
            "iqa_id": iqa.id,
            "cohort_id": 0,
            "planned_end": "2027-06-30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    fresh = session.get(Registration, reg.id)
    assert fresh is not None and fresh.assessor_id == other.id
    assert fresh.planned_end == date(2027, 6, 30)
    assert registrations.registration_codes(session, reg.id or 0) == ["SE03", "SE08"]
    # making the IQA the assessor is refused on the page
    bad = client.post(
        f"/admin/registrations/{reg.id}",
        data={"standards": ["SE03"], "assessor_id": iqa.id, "iqa_id": iqa.id, "cohort_id": 0,
              "planned_end": "2027-06-30"},
    )  # fmt: skip
    assert bad.status_code == 422 and "quality-assures" in bad.get_data(as_text=True)


def test_reset_password_and_remove_through_the_person_page(client, auth, session, make_person):
    admin = auth.login("admin")
    target = make_person("assessor")
    url = f"/admin/people/{target.id}"
    mismatch = client.post(url, data={"pw-password": "new-password-1", "pw-confirm": "other-pw-2",
                                      "pw-reset": "Reset password"})  # fmt: skip
    assert mismatch.status_code == 422 and "The passwords differ" in mismatch.get_data(as_text=True)
    ok = client.post(url, data={"pw-password": "new-password-1", "pw-confirm": "new-password-1",
                                "pw-reset": "Reset password"})  # fmt: skip
    assert ok.status_code == 302
    # the new password works, the old one does not
    other = client.application.test_client()
    assert (
        other.post("/login", data={"email": target.email, "password": PASSWORD}).status_code == 200
    )
    assert (
        other.post("/login", data={"email": target.email, "password": "new-password-1"}).status_code
        == 302
    )
    unticked = client.post(url, data={"rm-remove": "Remove person"})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    removed = client.post(url, data={"rm-sure": "y", "rm-remove": "Remove person"})
    assert removed.status_code == 302
    session.expire_all()
    person = session.get(Person, target.id)
    assert person is not None and person.removed_at is not None and not person.active
    assert person.email not in client.get("/admin/people").get_data(as_text=True)
    # no remove button on your own page
    assert "Remove person" not in client.get(f"/admin/people/{admin.id}").get_data(as_text=True)


def test_unknown_person_and_registration_are_404(client, auth) -> None:
    auth.login("admin")
    assert client.get("/admin/people/999999").status_code == 404
    assert client.get("/admin/registrations/999999").status_code == 404


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", count)


def _add_registrations(session: Session, framework_id: int, n: int, assessor, iqa) -> None:
    cohort = registrations.create_cohort(session, actor=SYSTEM, name=f"Bulk {uuid.uuid4().hex[:6]}")
    for i in range(n):
        learner = Person(
            name=f"Bulk Learner {i}", email=f"bulk{i}-{uuid.uuid4().hex[:6]}@t.example",
            roles="learner",
        )  # fmt: skip
        session.add(learner)
        session.flush()
        registrations.register(
            session,
            actor=SYSTEM,
            learner_id=learner.id or 0,
            framework_id=framework_id,
            standard_codes=["SE01", "SE02", "SE05"],
            assessor_id=assessor.id,
            iqa_id=iqa.id,
            cohort_id=cohort.id,
            start_date=date.today(),
            planned_end=date.today() + timedelta(days=300),
        )
    session.commit()


def test_registrations_list_issues_the_same_number_of_statements_for_2_and_20(
    client, auth, session, make_person, sample_framework
):
    auth.login("admin")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    counts = []
    for n in (2, 18):  # 2 registrations, then 20
        _add_registrations(session, sample_framework.id or 0, n, assessor, iqa)
        with _statements(session) as seen:
            response = client.get("/admin/registrations")
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert response.get_data(as_text=True).count("Bulk Learner") >= 20


def test_forms_refuse_a_post_without_csrf_token(engine, connection, tmp_path, make_person):
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    client = app.test_client()
    admin = make_person("admin")
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    for url, data in (
        ("/admin/cohorts", {"name": "No token", "site": "Main site"}),
        ("/admin/people", {"name": "No token", "email": "nt@test.example", "roles": "learner"}),
        ("/admin/registrations", {"learner_email": admin.email}),
    ):
        assert client.post(url, data=data).status_code == 400, url


def test_assessor_status_is_shown_only_for_assessors(client, auth, session, make_person) -> None:
    auth.login("admin")
    learner, assessor = make_person("learner"), make_person("assessor")
    assessor.assessor_status = "under_review"
    session.add(assessor)
    session.commit()
    assert "Assessor status" not in client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    page = client.get(f"/admin/people/{assessor.id}").get_data(as_text=True)
    assert "<dt>Assessor status</dt><dd>Under review</dd>" in page


def test_role_tick_boxes_name_each_role_in_words(client, auth, make_person) -> None:
    """The boxes of the add and change forms say "internal quality assurer", not "iqa"; the
    value sent stays the role's code."""
    auth.login("admin")
    person = make_person("assessor")
    for url in ("/admin/people", f"/admin/people/{person.id}"):
        page = client.get(url).get_data(as_text=True)
        labels = dict(re.findall(r'value="(\w+)"[^>]*> <label for="[^"]+">([^<]+)</label>', page))
        assert labels["iqa"] == "Internal quality assurer", url
        assert labels["eqa"] == "External quality assurer", url
        assert labels["admin"] == "Administrator", url


def test_an_experienced_assessors_status_is_not_called_standard(client, auth, make_person) -> None:
    """ "Assessor status: standard" read like one of the framework's standards; the sampling
    strategy calls these assessors "experienced (standard)". Said as a value, with a capital, as
    the page's other values are ("experienced" read as a fragment)."""
    auth.login("admin")
    assessor = make_person("assessor")  # a new account's status: the usual rate
    page = client.get(f"/admin/people/{assessor.id}").get_data(as_text=True)
    assert "<dt>Assessor status</dt><dd>Experienced</dd>" in page


def test_registrations_list_reads_one_page_of_them_in_sql(
    client, auth, session, make_person, sample_framework
):
    """Hundreds of registrations: the page reads 50 (LIMIT/OFFSET in the database, with how many
    there are beside each), links to the others, and the last page costs what the first does."""
    auth.login("admin")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    _add_registrations(session, sample_framework.id or 0, 55, assessor, iqa)
    counts = []
    for page in ("", "?page=2"):
        with _statements(session) as seen:
            assert client.get(f"/admin/registrations{page}").status_code == 200
        counts.append(len(seen))
        listing = [s for s in seen if "registration.planned_end" in s and "JOIN" in s]
        assert len(listing) == 1 and " LIMIT " in listing[0], listing
    assert counts[0] == counts[1], counts
    first = client.get("/admin/registrations").get_data(as_text=True)
    assert first.count(">Edit<span") == 50 and 'href="/admin/registrations?page=2"' in first
    assert "Showing 1–50 of 55 registrations" in first
    last = client.get("/admin/registrations?page=9").get_data(as_text=True)  # past the end
    assert last.count(">Edit<span") == 5 and "Showing 51–55 of 55 registrations" in last
    assert "<title>Registrations, page 2 of 2 ·" in last  # a title of its own (WCAG 2.4.2)


REFUSED = [
    # (case, what the learner is, message beside the field)
    ("unknown address", "unknown", "No one has the log-in"),
    ("removed account", "removed", "was removed"),
    ("not a learner", "assessor", "does not have the learner role"),
]


@pytest.mark.parametrize("case,who,message", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_learner_is_found_by_e_mail_or_refused_beside_the_field(
    client, auth, session, make_person, sample_framework, case, who, message
) -> None:
    """The learner is typed as their log-in: an address that is no one's, a removed account or a
    person without the learner role is refused beside the field, nothing is written, and the form
    comes back as it was filled in."""
    auth.login("admin")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    learner = make_person("learner" if who == "removed" else "assessor")
    if who == "removed":
        registrations.remove_person(session, actor=SYSTEM, person_id=learner.id or 0)
        session.commit()
    typed = "nobody-here@test.example" if who == "unknown" else learner.email.upper()
    before = (_count(session, Registration), _count(session, AuditEntry))
    data = _form(learner, assessor, iqa, sample_framework, learner_email=typed)
    response = client.post("/admin/registrations", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = re.search(r'id="learner_email-error"[^>]*>(.*?)</p>', text, re.S)
    assert error and message in error.group(1), text
    assert f'value="{typed}"' in text and 'value="2027-03-01"' in text
    assert (_count(session, Registration), _count(session, AuditEntry)) == before


def test_a_learner_typed_in_any_case_is_registered(
    client, auth, session, make_person, sample_framework
) -> None:
    auth.login("admin")
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    data = _form(
        learner, assessor, iqa, sample_framework, learner_email=f" {learner.email.upper()} "
    )
    assert client.post("/admin/registrations", data=data).status_code == 302
    assert session.exec(select(Registration).where(Registration.learner_id == learner.id)).one()


def test_a_learner_s_page_links_to_the_form_with_their_e_mail_filled_in(
    client, auth, make_person, sample_framework
) -> None:
    auth.login("admin")
    learner, assessor = make_person("learner"), make_person("assessor")
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    link = f'href="/admin/registrations?learner={learner.id}"'
    assert link in page and "Register on a framework" in page
    assert link not in client.get(f"/admin/people/{assessor.id}").get_data(as_text=True)
    form = client.get(f"/admin/registrations?learner={learner.id}").get_data(as_text=True)
    assert re.search(rf'name="learner_email"[^>]*value="{re.escape(learner.email)}"', form)
    # an id that is not a learner's fills nothing in (the form judges the address when sent)
    other = client.get(f"/admin/registrations?learner={assessor.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="learner_email"[^>]*>', other)
    assert not re.search(r'<input[^>]*name="learner_email"[^>]*value="[^"]', other)


def test_the_registration_form_reads_the_same_for_5_and_200_learners(
    client, auth, session, make_person, sample_framework
) -> None:
    """The learner is typed, not picked: the page reads neither every learner nor every person
    (assessors and IQAs are read by role in SQL), whatever the number of learners."""
    auth.login("admin")
    make_person("assessor"), make_person("iqa")
    counts, sizes = [], []
    for n in (5, 195):  # 5 learners, then 200
        for _ in range(n):
            session.add(Person(name="Many Learner", email=f"many-{uuid.uuid4().hex}@t.example",
                               roles="learner"))  # fmt: skip
        session.commit()
        with _statements(session) as seen:
            response = client.get("/admin/registrations")
        assert response.status_code == 200
        counts.append(len(seen))
        sizes.append(len(response.get_data()))
        person_reads = [s for s in seen if "FROM person" in s and "LIKE" not in s]
        assert all(" WHERE " in s for s in person_reads), person_reads
    assert counts[0] == counts[1], counts
    assert sizes[0] == sizes[1] and b"Many Learner" not in response.get_data()
