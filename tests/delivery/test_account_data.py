"""A person's own data from their account page: a learner leaving the centre finds there how to
take their portfolio with them and whom to ask for everything held about them, or its erasure."""

from __future__ import annotations


def test_a_learner_finds_their_portfolio_downloads_and_whom_to_ask(auth) -> None:
    learner = auth.login("learner")
    page = auth.client.get("/account").get_data(as_text=True)
    mine = page.split('id="your-data"')[1]
    assert f'href="/learners/{learner.id}/downloads"' in mine
    assert f'href="/learners/{learner.id}/leap2a.zip"' in mine
    assert "everything the centre holds about you" in mine and "administrator" in mine
    assert auth.client.get(f"/learners/{learner.id}/downloads").status_code == 200


def test_staff_are_told_whom_to_ask_without_a_portfolio_to_download(auth) -> None:
    auth.login("eqa")
    page = auth.client.get("/account").get_data(as_text=True)
    mine = page.split('id="your-data"')[1]
    assert "everything the centre holds about you" in mine
    assert "/downloads" not in mine and "leap2a" not in mine
