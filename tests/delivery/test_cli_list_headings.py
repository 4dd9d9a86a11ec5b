"""The lists the commands print say what each column is: `cohort list` printed "3  North  Leeds  4",
a bare count nobody could read without the source; now a heading names the columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from portfolio.models import Person
from portfolio.services import registrations
from portfolio.services.people import SYSTEM


def test_the_cohort_list_names_its_columns(
    cli: Callable[..., Any],
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
) -> None:
    empty = cli("cohort", "list")
    assert empty.exit_code == 0 and empty.output.strip() == "No cohorts yet.", empty.output
    north = registrations.create_cohort(session, actor=SYSTEM, name="North", site="Leeds")
    for _ in range(2):
        reg = make_registration()
        reg.cohort_id = north.id
        session.add(reg)
    session.commit()
    listed = cli("cohort", "list").output.splitlines()
    assert listed[0].split() == ["Id", "Name", "Site", "Registrations"]
    row = next(line for line in listed[1:] if "North" in line)
    assert row.split() == [str(north.id), "North", "Leeds", "2"]
    # each value under its heading
    assert row.index("Leeds") == listed[0].index("Site")
    assert row.rstrip().endswith("2") and len(row.rstrip()) == len(listed[0].rstrip())
