"""Criteria accepted, but by a method that does not count (see tests/not_counting.py), are told
apart from referred ones wherever criteria are counted, in the words the learner's pages use
("accepted, not counting"): the cohort's page, the cohort's coverage report, the coverage of
the API and of ``portfolio coverage``, and the pages of a portfolio bundle."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient
from sqlmodel import Session

from exports.bundle import write_bundle
from exports.reports import cohort_coverage, rows_as_dicts
from portfolio.models import Person
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.delivery.api_world import bearer, token_for
from tests.not_counting import build_world

# SE01 of the world: (met, referred, accepted but not counting)
SE01 = (1, 1, 2)


@pytest.fixture
def uncounted(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> dict[str, Any]:
    """The world of tests/not_counting.py, its registration in a cohort."""
    found = build_world(session, make_person, make_registration, make_evidence)
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="Autumn", site="North")
    found["registration"].cohort_id = cohort.id
    session.add(found["registration"])
    session.commit()
    return found | {"cohort": cohort}


def _cells(page: str, row: str) -> dict[str, str]:
    found = re.search(rf'<th scope="row">{row}</th>(.*?)</tr>', page, re.S)
    assert found, row
    return dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', found.group(1)))


def test_cohort_page_counts_accepted_not_counting_apart_from_referred(
    client: FlaskClient, auth: Any, uncounted: dict[str, Any]
) -> None:
    auth.login(uncounted["assessor"])
    page = client.get(f"/cohorts/{uncounted['cohort'].id}/progress").get_data(as_text=True)
    cells = _cells(page, "SE01")
    met, referred, not_counting = SE01
    assert cells["Met"] == str(met) and cells["Referred"] == str(referred)
    assert cells["Accepted, not counting"] == str(not_counting)
    assert f"SE01: {not_counting} accepted, not counting" in page  # the bar's own words


def test_cohort_coverage_report_counts_accepted_not_counting_apart(
    session: Session, uncounted: dict[str, Any]
) -> None:
    report = cohort_coverage(session, actor=SYSTEM, cohort_id=uncounted["cohort"].id)
    (row,) = rows_as_dicts(report)
    met, referred, not_counting = SE01
    assert (row["Met"], row["Referred"], row["Accepted, not counting"]) == SE01
    assert report.headers.index("Accepted, not counting") == report.headers.index("Referred") + 1
    assert (
        row["Met"] + row["Awaiting"] + row["Referred"] + row["Accepted, not counting"]
        + row["Missing"] == row["Total"]
    )  # fmt: skip


def test_cohort_downloads_page_names_the_column(
    client: FlaskClient, auth: Any, uncounted: dict[str, Any]
) -> None:
    auth.login(uncounted["assessor"])
    page = client.get(f"/cohorts/{uncounted['cohort'].id}/downloads").get_data(as_text=True)
    assert "awaiting, referred, accepted but not counting, and missing" in page


def _counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    (se01,) = entries
    return dict(se01["counts"])


def test_api_coverage_counts_not_counting_apart_from_referred(
    session: Session, client: FlaskClient, uncounted: dict[str, Any]
) -> None:
    learner = uncounted["learner"]
    secret = token_for(session, uncounted["assessor"].id)
    answer = client.get(f"/api/v1/learners/{learner.id}/coverage", headers=bearer(secret))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    counts = _counts(answer.get_json()["standards"])
    assert (counts["met"], counts["referred"], counts["not_counting"]) == SE01
    assert sum(v for k, v in counts.items() if k != "total") == counts["total"]


def test_cli_coverage_json_counts_not_counting_apart(
    cli: Callable[..., Any], uncounted: dict[str, Any]
) -> None:
    result = cli("coverage", "--candidate", str(uncounted["learner"].id), "--json")
    assert result.exit_code == 0, result.output
    counts = _counts(json.loads(result.output))
    assert (counts["met"], counts["referred"], counts["not_counting"]) == SE01


def test_bundle_index_counts_not_counting_apart(
    session: Session, tmp_path: Any, uncounted: dict[str, Any]
) -> None:
    out = io.BytesIO()
    write_bundle(
        session,
        FileStore(tmp_path / "files"),
        uncounted["learner"].id,
        out,
        centre="Northfield",
        signing_key=Ed25519PrivateKey.generate(),
    )
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        index = zf.read("index.html").decode()
    head = re.findall(r'<th scope="col">(.*?)</th>', index.split("</thead>", 1)[0])
    found = re.search(r'<th scope="row">SE01</th>(.*?)</tr>', index, re.S)
    assert found
    cells = dict(zip(head[1:], re.findall(r"<td>(.*?)</td>", found.group(1), re.S), strict=False))
    assert cells["Referred"] == "1" and cells["Accepted, not counting"] == "2"


def test_cli_coverage_text_says_accepted_not_counting_as_the_pages_do(
    cli: Callable[..., Any], uncounted: dict[str, Any]
) -> None:
    learner = uncounted["learner"]
    text = cli("coverage", "--candidate", str(learner.id), "--standard", "SE01").output
    # the counts apart by semicolons: "accepted, not counting" holds a comma of its own
    assert "SE01  " in text and "; 1 referred; 2 accepted, not counting; " in text
    lines = {line.split()[0]: line for line in text.splitlines()[3:] if line.strip()}
    for key in ("p1", "p2"):
        assert "accepted, not counting" in lines[uncounted[key].code]
        assert "referred" not in lines[uncounted[key].code]
    assert "referred" in lines[uncounted["p3"].code]  # a real referral is still one
    assert " met " in lines[uncounted["k1"].code]
    (entry,) = json.loads(cli("coverage", "--candidate", str(learner.id), "--json").output)
    states = {c["code"]: (c["state"], c["state_words"]) for c in entry["criteria"]}
    assert states[uncounted["p1"].code] == ("referred", "accepted, not counting")
    assert states[uncounted["p3"].code] == ("referred", "referred")
