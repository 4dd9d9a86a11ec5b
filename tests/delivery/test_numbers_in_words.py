"""Counts of a thousand or more are written with commas, as people read them ("1,005", "1,812
claims"): pages with thousands of rows said "of 1005" beside other pages' "1,278"."""

from __future__ import annotations

from sqlalchemy import insert

from portfolio.models import Notification
from portfolio.words import count_words, number


def test_counts_have_commas() -> None:
    assert number(12) == "12" and number(1812) == "1,812" and number(1_234_567) == "1,234,567"
    assert count_words(1812, "claim") == "1,812 claims"
    assert count_words(1, "claim") == "1 claim" and count_words(1000, "person", "people") == (
        "1,000 people"
    )


def test_a_page_of_many_says_its_numbers_with_commas(client, auth, session) -> None:
    me = auth.login("learner")
    session.execute(
        insert(Notification),
        [{"person_id": me.id, "text": f"Note {n}", "kind": "other"} for n in range(1005)],
    )
    session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "of 1,005, newest first" in page
    assert "of 1005" not in page
