"""The IQA's forms refuse in words: a cycle's name and days, its sampling number and an action's
due day are each said once, as what to give, never "Not a valid integer value" or "This field is
required" (the form library's words) nor a machine's limit written as "2147483647"."""

from __future__ import annotations

import html
import re

from sqlmodel import func, select

from mappings.quality.models import SampleReview, SamplingCycle
from mappings.quality.samples import sample_view
from tests.conftest import actor_of
from tests.mappings.test_iqa_web import planned  # noqa: F401

LIBRARY = re.compile(r"Not a valid|integer|This field is required|2147483647")


def _problems(page: str) -> list[str]:
    """The messages of the page's summary of problems, as listed."""
    summary = page.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(r"<li>(.*?)</li>", summary, re.S)]  # fmt: skip


def test_a_new_cycle_refused_says_what_to_give(client, auth, session, make_person) -> None:
    auth.login(make_person("iqa"))
    before = session.exec(select(func.count()).select_from(SamplingCycle)).one()
    sent = {"name": "", "start": "", "end": "2027-02-31", "seed": "seven"}
    response = client.post("/iqa/cycles/new", data=sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = _problems(page)
    assert problems == [
        "Give the cycle a name.",
        "Give the day the cycle starts.",
        "Give the day the cycle ends.",
        "Give the sampling number as a whole number from 0 to 2,147,483,647, or leave it empty.",
    ]
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))  # what is read (the input's max stays)
    assert not LIBRARY.search(text), LIBRARY.findall(text)
    too_big = client.post("/iqa/cycles/new", data={**sent, "seed": "99999999999"})
    assert _problems(too_big.get_data(as_text=True))[-1].startswith("Give the sampling number")
    assert session.exec(select(func.count()).select_from(SamplingCycle)).one() == before


def test_an_actions_due_day_that_is_not_a_day_is_said_in_words(
    client,
    auth,
    session,
    planned,  # noqa: F811
) -> None:
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    sent = {
        **{f"check-{d.id}": "agree" for d in view.decisions},
        "outcome": "agree",
        "action1": "Observe P1",
        "due1": "2027-02-31",
    }
    response = client.post(f"/iqa/samples/{sample.id}", data=sent)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _problems(page) == ["Give the day the action is due."]
    assert not LIBRARY.search(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert (
        session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).first()
        is None
    )
