"""Ordinary pages name a version of evidence in words, "Job fair, version 1", never by its
reference "E3v1" (the sign-off .docx record keeps references, with a key): the IQA's sample page,
its refusals and its report, and the evidence list of a standard's page."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

from docx import Document
from flask.testing import FlaskClient
from sqlmodel import Session

from exports.iqa_report import samples_docx
from mappings.quality.samples import sample_view
from portfolio.models import Person
from tests.conftest import actor_of
from tests.mappings.test_iqa_review import signed  # noqa: F401
from tests.not_counting import build_world

REF = re.compile(r"\bE\d+v\d+\b")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_sample_page_names_evidence_in_words(
    client: FlaskClient,
    auth: Any,
    session: Session,
    signed: Any,  # noqa: F811
) -> None:
    iqa, sample = signed[2], signed[5]
    view = sample_view(session, actor=actor_of(iqa), sample_id=sample.id)
    assert view.decisions and view.evidence
    auth.login(iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    assert not REF.findall(page), REF.findall(page)
    d, e = view.decisions[0], view.evidence[0]
    assert f"{d.evidence_title}, version {d.version}" in _text(page)
    assert f"Open {e.title}, version {e.version}, with its files" in _text(page)
    # refused for a decision left unchecked, it names the decision in the same words
    refused = client.post(f"/iqa/samples/{sample.id}", data={"outcome": "agree"})
    assert refused.status_code == 422
    assert not REF.findall(refused.get_data(as_text=True))
    # the IQA's report of the sample, a document people read, says it so too
    doc = Document(io.BytesIO(samples_docx("Report", [view])))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"{d.evidence_title}, version {d.version}" in cells
    assert not REF.findall("\n".join(cells)), REF.findall("\n".join(cells))


def test_a_standards_page_names_its_evidence_in_words(
    client: FlaskClient,
    auth: Any,
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> None:
    world = build_world(session, make_person, make_registration, make_evidence)
    auth.login(world["assessor"])
    page = client.get(f"/learners/{world['learner'].id}/standards/SE01").get_data(as_text=True)
    listed = page.split('<ul class="evidence-list">', 1)[1]
    assert not REF.findall(page), REF.findall(page)
    assert re.search(r"</a>\s*<span class=\"muted\">version \d+, ", listed)
