"""Costs that do not grow with history: a witness testimony's page lists the newest requests to
the witness and says how many earlier ones there are, in the same number of SQL statements for
3 requests as for 100, on the page and when the request form comes back with an error."""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from portfolio.models import EvidenceVersion, WitnessConfirmation
from portfolio.services import witness


def _asked(session, item, learner, start: int, n: int) -> None:
    """``n`` requests to the witness, every other one confirmed."""
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id)
    ).one()
    now = datetime.now(UTC)
    for i in range(start, start + n):
        session.add(WitnessConfirmation(
            token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(), evidence_id=item.id,
            version_id=version.id, version_number=version.number, version_sha256="0" * 64,
            witness_email=f"witness{i}@employer.example", requested_by=learner.id,
            requested_at=now - timedelta(days=200 - i), expires_at=now + timedelta(days=14),
            answered_at=now if i % 2 else None, answer="accurate" if i % 2 else "",
        ))  # fmt: skip
    session.commit()


def _witnesses(page: str) -> list[int]:
    """The witnesses of the requests listed (not the sentence on who confirmed the version)."""
    return [int(n) for n in re.findall(r"<li>[^<]*?witness(\d+)@employer\.example", page)]


def test_the_testimony_page_reads_3_and_100_requests_alike_and_lists_the_newest(
    session, client, auth, make_person, make_registration, make_evidence, count_queries
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    item = make_evidence(learner, kind="witness_testimony", title="Profile meeting")
    counts: dict[str, list[int]] = {}
    pages: dict[str, str] = {}
    for start, n in ((0, 3), (3, 97)):
        _asked(session, item, learner, start, n)
        for person in (learner, assessor):
            auth.login(person)
            client.get(f"/evidence/{item.id}")  # anything a first reading does once
            # the page, and the page with the request form back with its error
            for method, url, status in (("get", "", 200), ("post", "/witness", 422)):
                with count_queries() as q:
                    response = client.open(f"/evidence/{item.id}{url}", method=method,
                                           data={"email": ""})  # fmt: skip
                assert response.status_code == status
                counts.setdefault(f"{person.roles} {method}", []).append(q.count)
                pages[f"{person.roles} {method}"] = html.unescape(response.get_data(as_text=True))
            auth.logout()
    assert all(small == large for small, large in counts.values()), counts
    for page in pages.values():
        assert _witnesses(page) == list(range(99, 99 - witness.SHOWN, -1))  # newest first
        assert f"{100 - witness.SHOWN} earlier requests to the witness are not listed" in page


def test_a_few_requests_are_all_listed(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner = auth.login(make_person("learner"))
    make_registration(learner=learner, codes="SE01")
    item = make_evidence(learner, kind="witness_testimony", title="Profile meeting")
    _asked(session, item, learner, 0, witness.SHOWN)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert _witnesses(page) == list(range(witness.SHOWN - 1, -1, -1))
    assert "earlier request" not in page
