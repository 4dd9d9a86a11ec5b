"""One rule for the planned end a registration gets when none is given: the day before the same
date a year after the start (2026-09-01 → 2027-08-31), whether it is made on the page, by the
CSV import or by ``portfolio register``."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlmodel import select

from portfolio.models import Person, Registration
from portfolio.services.people_import import import_people
from portfolio.services.registration_dates import default_planned_end
from tests.conftest import actor_of


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 9, 1), date(2027, 8, 31)),
        (date(2026, 1, 5), date(2027, 1, 4)),
        (date(2027, 3, 1), date(2028, 2, 29)),  # a leap day inside: still a year less a day
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2026, 12, 31), date(2027, 12, 30)),
    ],
)
def test_a_year_less_a_day(start: date, end: date) -> None:
    assert default_planned_end(start) == end


def test_the_csv_import_uses_the_rule(session, make_person, sample_framework) -> None:
    admin = actor_of(make_person("admin"))
    data = b"name,email,roles,framework,standards,start_date\n" + (
        b"Ada Dates,ada.dates@example.org,learner,SE,SE01,2026-09-01\n"
    )
    assert import_people(session, actor=admin, data=data, dry_run=False).written
    ada = session.exec(select(Person).where(Person.email == "ada.dates@example.org")).one()
    reg = session.exec(select(Registration).where(Registration.learner_id == ada.id)).one()
    assert reg.planned_end == date(2027, 8, 31)


def test_the_command_uses_the_rule(cli, make_person, sample_framework) -> None:
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    made = cli(
        "register", "--learner", str(learner.id), "--framework", "SE", "--standards", "SE01",
        "--assessor", str(assessor.id), "--iqa", str(iqa.id), "--start", "2027-03-01", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["planned_end"] == "2028-02-29"


def test_the_registration_form_offers_the_rule(client, auth, sample_framework) -> None:
    auth.login("admin")
    page = client.get("/admin/registrations").get_data(as_text=True)
    [shown] = re.findall(r'name="planned_end"[^>]*value="([\d-]+)"', page)
    assert shown == default_planned_end(date.today()).isoformat()
