"""An assessor looking at an item with no decisions form is told why in words that are true: when
every claim on it is already accepted (its standard signed off since) the page says that once,
not "Nothing here is yours to decide: each claim says why" (nor a second sentence saying every
claim is decided), which stays for claims that are another assessor's, of a registration the
learner withdrew from, or frozen while awaiting."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from delivery.web.evidence.mapping import ClaimRow, MappingView
from mappings.assessment.models import Claim
from portfolio.models import Criterion, Standard
from tests.delivery.test_completed import _sign, case  # noqa: F401

EVERY = "Every claim is accepted: nothing awaits a decision."
NOT_YOURS = "Nothing here is yours to decide: each claim says why."


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _items_of(session, code: str) -> set[int]:
    rows = session.exec(
        select(Claim.evidence_id)
        .join(Criterion, Criterion.id == Claim.criterion_id)
        .join(Standard, Standard.id == Criterion.standard_id)
        .where(Standard.code == code)
    ).all()
    return set(rows)


def test_an_item_whose_every_claim_is_accepted_and_signed_off_says_every_claim_is_decided(
    session,
    client,
    auth,
    case,  # noqa: F811
) -> None:
    _sign(session, case, "SE01")
    items = _items_of(session, "SE01") - _items_of(session, "SE03")
    assert items
    auth.login(case["assessor"])
    for item in sorted(items):
        page = _text(client.get(f"/evidence/{item}").get_data(as_text=True))
        assert page.count(EVERY) == 1, item
        assert "has been decided" not in page, item
        assert "Nothing here is yours to decide" not in page, item
        assert "Record decisions" not in page  # still no decisions form: SE01 is signed off


def _row(status: str, *, decidable: bool = False, signed: bool = False) -> ClaimRow:
    return ClaimRow(
        id=1, criterion_id=1, standard="SE01", code="P1", text="", status=status, method=None,
        revision=1, history=(), methods=(), decidable=decidable, signed=signed,
    )  # fmt: skip


def _said(*rows: ClaimRow, can_decide: bool = True) -> str:
    view = MappingView(
        claims=list(rows), standards=[], suggestions=[], judgements=[], can_map=False,
        can_decide=can_decide,
    )  # fmt: skip
    return view.nothing_to_decide


def test_why_no_decisions_form_is_chosen_by_the_view_model() -> None:
    # the form is offered: nothing to explain
    assert _said(_row("claimed", decidable=True), _row("accepted")) == ""
    # a learner (or anyone who decides nothing) is told nothing of the kind
    assert _said(_row("accepted"), can_decide=False) == ""
    # every claim decided, none the viewer's to judge again (signed off, another assessor's)
    # (the page's own line says every claim is accepted: nothing more is said)
    assert _said(_row("accepted", signed=True), _row("accepted")) == ""
    # open claims none of which is theirs: each row says why
    assert _said(_row("claimed", signed=True), _row("accepted")) == NOT_YOURS
    assert _said(_row("referred")) == NOT_YOURS
