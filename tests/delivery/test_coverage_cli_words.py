"""``portfolio coverage`` says why a criterion is not met in the words of the coverage pages (the
same module writes both): methods named, not coded ("reflective account", not "RA"), evidence
named by its title, not by a reference like "E4v1"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portfolio.models import Person
from tests.not_counting import build_world


@pytest.fixture
def world(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> dict[str, Any]:
    return build_world(session, make_person, make_registration, make_evidence)


def _page_reasons(page: str) -> dict[str, str]:
    """Each criterion's "Why it is not met" on the standard's page, as plain text."""
    found = {}
    for code, cell in re.findall(
        r'<tr id="crit-([^"]+)">.*?<td data-label="Why it is not met">(.*?)</td>', page, re.S
    ):
        found[code] = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell))).strip()
    return found


def test_the_reasons_are_the_pages_words(
    cli: Callable[..., Any], client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    learner = world["learner"]
    result = cli("coverage", "--candidate", str(learner.id), "--standard", "SE01")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[3:] if line.strip()}
    auth.login(world["assessor"])
    page = client.get(f"/learners/{learner.id}/standards/SE01").get_data(as_text=True)
    shown = {code: why for code, why in _page_reasons(page).items() if why != "—"}
    assert {world[k].code for k in ("p1", "p2", "p3")} <= set(shown)
    for code, why in shown.items():
        assert lines[code].endswith(f"  {why}"), (lines[code], why)
        assert not re.search(r"\bE\d+v\d+\b|\bRA\b", lines[code]), lines[code]
    said = lines[world["p1"].code]
    assert "accepted, but by a method that does not count" in said and "reflective account" in said
