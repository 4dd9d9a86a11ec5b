"""Bulk import of people and registrations from CSV: the service, the web page and the command.
All or nothing: a row with an error leaves the database as it was."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

import pytest
from sqlmodel import func, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Cohort, Person, Registration
from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from portfolio.services.people_import import import_people, read_rows
from tests.conftest import actor_of

GOOD = b"""name,email,roles,site,framework,standards,assessor,iqa,cohort,start_date,planned_end
Asha Import,asha.import@example.org,assessor,Main site,,,,,,,
Ivy Import,ivy.import@example.org,iqa;assessor,,,,,,,,
Lena Import,lena.import@example.org,learner,North site,SE,SE01;SE03,asha.import@example.org,ivy.import@example.org,Import cohort,2026-09-01,31/08/2027
"""


def _people(session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def test_import_writes_people_registrations_and_cohort(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    report = import_people(session, actor=admin, data=GOOD, dry_run=False)
    session.commit()
    assert report.written and report.errors == 0
    assert (report.people_created, report.registrations_created) == (3, 1)
    assert report.cohorts_created == ("Import cohort",)
    assert [r.action for r in report.rows] == [
        "new person",
        "new person",
        "new person and registration",
    ]
    lena = session.exec(select(Person).where(Person.email == "lena.import@example.org")).one()
    asha = session.exec(select(Person).where(Person.email == "asha.import@example.org")).one()
    ivy = session.exec(select(Person).where(Person.email == "ivy.import@example.org")).one()
    assert ivy.role_set == {"assessor", "iqa"} and lena.site == "North site"
    reg = session.exec(select(Registration).where(Registration.learner_id == lena.id)).one()
    assert (reg.assessor_id, reg.iqa_id) == (asha.id, ivy.id)
    assert str(reg.start_date) == "2026-09-01" and str(reg.planned_end) == "2027-08-31"
    cohort = session.get(Cohort, reg.cohort_id)
    assert cohort is not None and cohort.name == "Import cohort"


def test_any_error_writes_nothing_and_says_which_row(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    known = make_person("learner")
    before = _people(session)
    bad = GOOD + (
        b"No Mail,,learner,,,,,,,,\n"
        b"Bad Role,bad.role@example.org,wizard,,,,,,,,\n"
        + f"Known,{known.email},learner,,,,,,,,\n".encode()
        + b"Bad Date,bad.date@example.org,learner,,SE,SE01,,,,tomorrow,\n"
        b"Bad Code,bad.code@example.org,learner,,SE,SE99,,,,,\n"
        b"Twice,asha.import@example.org,learner,,,,,,,,\n"
    )
    report = import_people(session, actor=admin, data=bad, dry_run=False)
    session.commit()
    assert not report.written and _people(session) == before
    assert session.exec(select(Cohort).where(Cohort.name == "Import cohort")).first() is None
    errors = {r.line: " ".join(r.errors) for r in report.rows if r.errors}
    assert sorted(errors) == [5, 6, 7, 8, 9, 10]
    assert "e-mail" in errors[5] and "wizard" in errors[6] and "already has an account" in errors[7]
    assert "not a date" in errors[8] and "SE99" in errors[9] and "earlier row" in errors[10]
    assert [r.errors for r in report.rows[:3]] == [
        (),
        (),
        (),
    ]  # the good rows still say what they would do


def test_dry_run_previews_and_writes_nothing(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    before = _people(session)
    report = import_people(session, actor=admin, data=GOOD, dry_run=True)
    session.commit()
    assert not report.written and report.errors == 0 and report.people_created == 3
    assert _people(session) == before


def test_the_check_says_the_dates_it_read(session, make_person) -> None:
    """An administrator checking a file sees each registration's dates as they were read (a
    day-first 07/12/2026 is 7 December), and the planned end worked out when it is empty."""
    admin = actor_of(make_person("admin"))
    data = GOOD.replace(b"2026-09-01,31/08/2027", b"07/12/2026,")
    report = import_people(session, actor=admin, data=data, dry_run=True)
    assert report.rows[2].registration.endswith(", from 7 Dec 2026 to 6 Dec 2027")
    report = import_people(session, actor=admin, data=GOOD, dry_run=True)
    assert report.rows[2].registration.endswith(", from 1 Sep 2026 to 31 Aug 2027")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"name,email,shoe size\n", "an unknown column “shoe_size”"),
        (b"name,roles\nA,learner\n", "a missing column “email”"),
        (b"name,email,roles\n", "no one in it"),
        ("name,email,roles\nA,a@x.example,learner\n".encode("utf-16"), "save it"),
    ],
)
def test_a_file_it_cannot_read_is_refused_as_a_whole(data: bytes, words: str) -> None:
    with pytest.raises(Invalid) as caught:
        read_rows(data)
    assert words in str(caught.value) and caught.value.field == "file"


def _semicolons(data: bytes) -> bytes:
    """``data`` as a spreadsheet set to a European language saves CSV: cells between semicolons
    (those holding one quoted)."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(data.decode("utf-8")))
    )
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def test_a_file_whose_cells_are_separated_by_semicolons_reads_as_with_commas() -> None:
    """Excel set to French or German saves "CSV" with semicolons: it said the columns "name",
    "email" were missing and named one unknown column, the whole header row."""
    semicolons = _semicolons(GOOD)
    assert b'"iqa;assessor"' in semicolons
    assert read_rows(semicolons) == read_rows(GOOD)


def test_a_header_row_of_thousands_of_unknown_columns_names_a_few() -> None:
    """A file that is not a list of people (a huge single-line export, say) named every one of
    its columns: a message of a megabyte, shown twice on the page."""
    data = ("name,email," + ",".join(f"c{i}" for i in range(100_000)) + "\n").encode()
    with pytest.raises(Invalid) as caught:
        read_rows(data)
    said = str(caught.value)
    assert len(said) < 400, said[:400]
    assert "unknown columns “c0”, “c1”, “c2”, “c3”, “c4” and 99,995 more" in said


def test_only_administrators_import(session, make_person) -> None:
    with pytest.raises(PermissionDenied):
        import_people(session, actor=actor_of(make_person("assessor")), data=GOOD, dry_run=True)


def test_upload_page_previews_then_imports(client, auth, session) -> None:
    auth.login("admin")
    assert "Columns" in client.get("/admin/people/import").get_data(as_text=True)
    before = _people(session)
    checked = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(GOOD), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Check passed: nothing was written yet" in html
    assert "New person and registration" in html and _people(session) == before
    assert (
        "Internal quality assurer, assessor" in html or "Assessor, internal quality assurer" in html
    )
    content = html.split('name="content" value="')[1].split('"')[0]
    assert "lena.import@example.org" in content
    done = client.post("/admin/people/import", data={"content": GOOD.decode()})
    assert done.status_code == 302 and _people(session) == before + 3
    refused = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(GOOD), "people.csv")},  # the same people again
        content_type="multipart/form-data",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "nothing was written" in html
    assert "already has an account" in html and 'name="content"' not in html
    empty = client.post("/admin/people/import", data={})
    assert empty.status_code == 422 and "Choose a CSV file." in empty.get_data(as_text=True)


def test_command_imports_with_dry_run_and_json(cli, session, tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    before = _people(session)
    dry = cli("people", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "A check only, nothing saved yet: this would add 3 people and 1 registration" in dry.output
    )
    assert _people(session) == before
    done = cli("people", "import", str(path), "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["written"] and data["people_created"] == 3 and _people(session) == before + 3
    again = cli("people", "import", str(path))
    assert again.exit_code == 1 and "nothing was written" in again.output
    assert "line    2  error asha.import@example.org" in again.output


def test_every_problem_of_every_row_is_reported_at_once(session, make_person) -> None:
    """A bad e-mail does not hide the row's other problems: an unknown standard code, an unknown
    assessor, a date that does not exist; and the other rows' problems are reported too."""
    admin = actor_of(make_person("admin"))
    before = _people(session)
    data = GOOD + (
        b"Many Wrongs,first..last@x.org,learner,,SE,SE01;SE99,nobody@example.org,,,31/02/2026,\n"
        b",no-at-sign,wizard,,,,,,,,\n"
        b"Late End,late.end@example.org,learner,,SE,SE01,,,,2026-09-01,2026-08-01\n"
        b"No Framework,no.framework@example.org,learner,,XX,SE01,,,,,\n"
    )
    report = import_people(session, actor=admin, data=data, dry_run=False)
    session.commit()
    assert not report.written and _people(session) == before
    errors = {r.line: r.errors for r in report.rows if r.errors}
    assert sorted(errors) == [5, 6, 7, 8]
    many = " | ".join(errors[5])
    assert len(errors[5]) == 4, errors[5]
    assert (
        "two periods in a row" in many
        and "SE version 1 has no standard SE99" in many
        and "SE99" in many
    )
    assert "no assessor with e-mail nobody@example.org" in many
    assert "“31/02/2026” is not a date" in many  # in the app's quotes, not Python's
    assert len(errors[6]) == 3, errors[6]  # no name, not an e-mail address, unknown role
    assert "name is required" in errors[6][0] and "e-mail address" in errors[6][1]
    assert "wizard" in errors[6][2]
    assert errors[7] == ("The planned end date must be after the start date.",)
    assert len(errors[8]) == 1 and "XX" in errors[8][0]


def test_the_page_lists_every_problem_of_a_row(client, auth) -> None:
    auth.login("admin")
    data = b"name,email,roles,framework,standards,assessor\n" + (
        b"Many Wrongs,first..last@x.org,learner,SE,SE99,nobody@example.org\n"
    )
    answer = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(data), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Line 2" in html
    assert "two periods in a row" in html and "has no standard" in html
    assert "There is no assessor with e-mail nobody@example.org" in html


def test_the_import_page_has_no_id_twice(client, auth) -> None:
    auth.login("admin")
    checked = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(GOOD), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    for page in (client.get("/admin/people/import"), checked):
        ids = re.findall(r'\bid="([^"]+)"', page.get_data(as_text=True))
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_cell_too_long_for_a_csv_is_refused_naming_its_line(client, auth, session) -> None:
    """A quoted cell of 200,000 characters (past Python's CSV limit) was a server error."""
    data = (
        b'name,email,roles\nA,a@x.example,learner\n"' + b"x" * 200_000 + b'",b@x.example,learner\n'
    )
    with pytest.raises(Invalid) as caught:
        read_rows(data)
    assert "line 3" in str(caught.value) and caught.value.field == "file"
    auth.login("admin")
    before = _people(session)
    page = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422 and "line 3" in page.get_data(as_text=True)
    assert _people(session) == before


def test_a_column_given_twice_is_refused_naming_it() -> None:
    """Which of the two would be read was the last one's, without a word."""
    data = b"name,email,roles,Email \nAda,ada@x.example,learner,ada.work@x.example\n"
    with pytest.raises(Invalid) as caught:
        read_rows(data)
    assert "the column email twice" in str(caught.value) and caught.value.field == "file"


def test_the_page_takes_its_example_from_the_newest_framework_loaded(client, auth, session) -> None:
    """A centre that loaded management standards is shown its own codes in the column help and
    the example, not the sample's ``SE`` and ``SE01;SE03`` (nor its job coaches)."""
    from framework.parse.csv_units import parse_csv
    from portfolio.services.frameworks import import_framework
    from portfolio.services.people import SYSTEM

    spec = parse_csv(
        "framework_code,framework_title,standard_code,standard_title,kind,criterion_code,"
        "criterion_text\n"
        "MLX,Management,ML01,Lead your team,P,P1,Communicate the purpose of the team\n"
        "MLX,,ML02,Allocate work,P,P1,Plan the work of the team\n"
        "MLX,,ML03,Manage performance,P,P1,Agree objectives\n"
    )
    import_framework(session, actor=SYSTEM, spec=spec)
    session.commit()
    auth.login("admin")
    page = client.get("/admin/people/import").get_data(as_text=True)
    assert "for example MLX (its newest version)" in page
    assert "for example ML01;ML02." in page
    assert ",learner,MLX,ML01;ML02," in page
    assert "SE01" not in page and "Job coaches" not in page


def test_a_cohort_named_in_another_case_is_the_existing_one(session, make_person) -> None:
    """Creating a cohort refuses a name differing only in case, so the import finds it whatever
    the case: the row goes into "Spring 2024", not into a refusal that it "already exists"."""
    admin = actor_of(make_person("admin"))
    spring = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2024")
    session.commit()
    data = GOOD.replace(b"Import cohort", b"spring 2024")
    report = import_people(session, actor=admin, data=data, dry_run=False)
    session.commit()
    assert report.written and report.errors == 0, [r.errors for r in report.rows]
    assert report.cohorts_created == ()
    lena = session.exec(select(Person).where(Person.email == "lena.import@example.org")).one()
    reg = session.exec(select(Registration).where(Registration.learner_id == lena.id)).one()
    assert reg.cohort_id == spring.id
    assert session.exec(select(func.count()).select_from(Cohort)).one() == 1


def test_a_closed_cohort_named_in_another_case_is_refused_as_closed(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    spring = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2024")
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=spring.id or 0)
    session.commit()
    data = GOOD.replace(b"Import cohort", b"SPRING 2024")
    report = import_people(session, actor=admin, data=data, dry_run=True)
    assert [" ".join(r.errors) for r in report.rows][2].count("“Spring 2024” is closed") == 1
