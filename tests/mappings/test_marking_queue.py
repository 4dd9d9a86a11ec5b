"""The marking queue (issue 17): every submitted item of an assessor's learners with claims awaiting
a decision, oldest first, with learner, kind in words, standards and waiting time; paginated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from delivery.web.words import waited
from mappings.assessment import claims
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim
from mappings.assessment.queue import marking_queue
from portfolio.errors import PermissionDenied
from portfolio.models import Evidence, Person
from tests.conftest import actor_of


@pytest.fixture
def caseload(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> Callable[..., Any]:
    """``add(learner, title, days_ago, codes)``: a submitted item claiming the first criterion of
    each standard in ``codes``, submitted ``days_ago`` days ago."""

    def add(
        learner: Person, title: str, days_ago: float, codes: tuple[str, ...] = ("SE01",)
    ) -> Any:
        item = make_evidence(learner, title=title, kind="product")
        criteria = claimable_criteria(session, learner.id or 0)
        wanted = [next(c for c in criteria if c.standard_code == code) for code in codes]
        claims.set_claims(
            session,
            actor=actor_of(learner),
            evidence_id=item.id,
            criterion_ids=[c.criterion_id for c in wanted],
        )
        stored = session.get(Evidence, item.id)
        stored.submitted_at = datetime.now(UTC) - timedelta(days=days_ago)
        session.add(stored)
        session.commit()
        return item

    return add


def test_the_queue_lists_waiting_items_oldest_first_with_words_not_codes(
    client: FlaskClient,
    auth: Any,
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
    caseload: Callable[..., Any],
) -> None:
    assessor, other = make_person("assessor"), make_person("assessor")
    ann, bob = make_person("learner", name="Ann Able"), make_person("learner", name="Bob Baker")
    stranger = make_person("learner", name="Cat Stranger")
    make_registration(learner=ann, assessor=assessor, codes="SE01,SE03")
    make_registration(learner=bob, assessor=assessor, codes="SE01")
    make_registration(learner=stranger, assessor=other, codes="SE01")
    caseload(ann, "Newest", 0.5, ("SE01",))
    caseload(bob, "Oldest", 3.2, ("SE01",))
    caseload(ann, "Middle", 1.5, ("SE03", "SE01"))
    caseload(stranger, "Not mine", 9)
    make_evidence(ann, title="A draft", submit=False)
    decided = caseload(bob, "All decided", 5)
    claim = session.exec(select(Claim).where(Claim.evidence_id == decided.id)).one()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id or 0,
        expected_revision=0,
        decision="accepted",
        method="P",
    )
    session.commit()

    queue = marking_queue(session, actor=actor_of(assessor))
    assert [r.title for r in queue.rows] == ["Oldest", "Middle", "Newest"]
    middle = queue.rows[1]
    assert middle.standards == ("SE01", "SE03") and middle.awaiting == 2
    assert middle.learner_name == "Ann Able" and middle.kind_label == "Product"

    auth.login(assessor)
    page = client.get("/marking").get_data(as_text=True)
    assert page.index("Oldest") < page.index("Middle") < page.index("Newest")
    assert "Not mine" not in page and "All decided" not in page and "A draft" not in page
    assert "3 days" in page and "1 day<" in page and "12 hours" in page
    assert "Product" in page and "product<" not in page and "SE01, SE03" in page
    assert "Bob Baker" in page
    mine = client.get(f"/marking?learner={ann.id}").get_data(as_text=True)
    assert "Middle" in mine and "Oldest" not in mine
    assert client.get(f"/marking?learner={stranger.id}").status_code == 404  # not confirmed
    # the counts elsewhere lead here
    assert 'href="/marking"' in client.get("/caseload").get_data(as_text=True)
    assert 'href="/marking"' in client.get("/").get_data(as_text=True)


def test_the_queue_pages_in_the_same_number_of_statements_for_3_and_60_items(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    caseload: Callable[..., Any],
    count_queries: Callable[[], Any],
) -> None:
    assessor, learner = make_person("assessor"), make_person("learner")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    counts = []
    for start, stop in ((0, 3), (3, 60)):
        for i in range(start, stop):
            caseload(learner, f"Item {i:02d}", 100 - i, ("SE01", "SE03"))
        with count_queries() as q:
            queue = marking_queue(session, actor=actor_of(assessor), per_page=25, page=2)
        counts.append(q.count)
    assert counts[0] == counts[1] == 3, counts
    assert queue.total == 60 and queue.pages == 3 and queue.first == 26 and queue.last == 50
    assert queue.rows[0].title == "Item 25"
    last = marking_queue(session, actor=actor_of(assessor), per_page=25, page=99)
    assert last.page == 3 and [r.title for r in last.rows][-1] == "Item 59"


def test_only_assessors_have_a_queue(session: Session, make_person: Callable[..., Person]) -> None:
    with pytest.raises(PermissionDenied):
        marking_queue(session, actor=actor_of(make_person("learner")))


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(minutes=5), "under an hour"),
        (timedelta(hours=1, minutes=5), "1 hour"),
        (timedelta(hours=23), "23 hours"),
        (timedelta(days=1, hours=2), "1 day"),
        (timedelta(days=3, hours=1), "3 days"),
        (timedelta(days=-1), "under an hour"),  # a clock a little ahead says no nonsense
    ],
)
def test_waiting_time_in_words(ago: timedelta, words: str) -> None:
    now = datetime(2026, 12, 3, 8, 10, tzinfo=UTC)
    assert waited(now - ago, now) == words
    assert waited((now - ago).replace(tzinfo=None), now) == words  # naive UTC from the database
