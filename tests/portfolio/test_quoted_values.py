"""Messages that quote what someone typed say it in the app's quotes (“…”), as its other messages
do, never in Python's ('…' from ``!r``, or "…" when the text holds a quote)."""

from __future__ import annotations

import pytest

from portfolio.errors import Invalid
from portfolio.services import cohorts, people
from portfolio.services.people_import import parse_date
from tests.conftest import actor_of


def test_a_date_that_is_not_one_is_quoted_in_words() -> None:
    with pytest.raises(Invalid) as refused:
        parse_date("31/02/2027", "start date")
    assert str(refused.value) == (
        "The start date “31/02/2027” is not a date: write it as 2026-09-01 or 01/09/2026."
    )


@pytest.mark.parametrize("email", ["bob", "bob's@"])
def test_an_address_that_is_not_one_is_quoted_in_words(email: str) -> None:
    with pytest.raises(Invalid) as refused:
        people.check_email(email)
    assert str(refused.value).startswith(f"“{email}” is not an e-mail address")


def test_a_cohort_named_twice_is_quoted_in_words(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    cohorts.create_cohort(session, actor=admin, name="Sept 2026")
    with pytest.raises(Invalid) as refused:
        cohorts.create_cohort(session, actor=admin, name="Sept 2026")
    assert str(refused.value) == "A cohort named “Sept 2026” already exists."
