"""``portfolio iqa plan`` says its samples, reasons and gaps in the words of the IQA plan page
("Sample 2 — Lena Learner", "quota of an experienced assessor (10%)", "Method “Observation”"),
never the planner's keys and codes ("S2", "rate: standard assessor 10%", "CAMERA: method O");
``--json`` keeps the machine values."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session, select

from mappings.quality.facts import load_facts
from mappings.quality.models import Sample
from mappings.quality.plan import add_sample, drop_sample
from mappings.quality.sampling import Gaps
from mappings.quality.words import gaps_words
from portfolio.models import Person
from tests.conftest import actor_of
from tests.mappings.test_iqa import build_centre


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def _page_words(page: str) -> tuple[dict[int, list[str]], list[str]]:
    """The plan page's reasons per sample position, and its list of what the strategy lacks."""
    reasons = {
        int(position): [_text(li) for li in re.findall(r"<li>(.*?)</li>", why, re.S)]
        for position, why in re.findall(
            r">Sample (\d+)</a>.*?<td data-label=\"Why\">(.*?)</td>", page, re.S
        )
    }
    lacks = re.search(r'<h2 id="lacks">.*?</section>', page, re.S)
    assert lacks is not None
    gaps = [_text(li) for li in re.findall(r"<li>(.*?)</li>", lacks[0], re.S)]
    return reasons, gaps


def test_the_plan_is_said_in_the_pages_words(
    cli: Callable[..., Any],
    client: FlaskClient,
    auth: Any,
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
) -> None:
    centre = build_centre(session, make_person, make_registration, learners=3, name="Words")
    me = actor_of(centre.iqa)
    facts = load_facts(session, centre.cycle)
    new = centre.assessors["new"].id
    # a decision the new assessor's quota (all of theirs) needs, added by hand and then dropped:
    # the planner keeps the IQA's choice, so the plan lacks it
    key = next(k for k, ref in sorted(facts.refs.items()) if ref.assessor_id == new)
    taken = add_sample(session, actor=me, cycle_id=centre.cycle.id or 0, decision_key=key)
    drop_sample(session, actor=me, sample_id=taken.id or 0)
    session.commit()

    result = cli("iqa", "plan", "--cycle", "Words", "--seed", "4")
    assert result.exit_code == 0, result.output
    said = result.output
    auth.login(centre.iqa)
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    reasons, gaps = _page_words(page)
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == centre.cycle.id, Sample.dropped == False)  # noqa: E712
    ).all()
    assert samples and set(reasons) >= {s.position for s in samples}
    lines = said.splitlines()
    for s in samples:
        ref = facts.refs[s.decision_key]
        line = next(x for x in lines if x.strip().startswith(f"Sample {s.position} — "))
        assert f"Sample {s.position} — {ref.learner_name}, {ref.standard_code}" in line, line
        assert line.endswith(": " + "; ".join(reasons[s.position])), (line, reasons[s.position])
    assert gaps and all(f"  {gap}" in lines for gap in gaps), (gaps, said)
    assert any("(new, 100%) has 2 of 3 samples" in gap for gap in gaps), gaps
    for status in ("a new assessor", "an experienced assessor", "an assessor under review"):
        assert f"quota of {status}" in said, said
    for code in ("rate:", "CAMERA:", "coverage:", "manual:", "(standard,", *facts.refs):
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", said), (code, said)

    data = json.loads(cli("iqa", "plan", "--cycle", "Words", "--seed", "4", "--json").output)
    assert {s["decision"] for s in data["samples"]} <= set(facts.refs)  # machine values kept
    assert any(
        r.startswith("rate: standard assessor") for s in data["samples"] for r in s["reasons"]
    )
    assert any(g.startswith("rate: ") for g in data["gaps"])


def test_gaps_are_listed_as_the_plan_page_lists_them() -> None:
    gaps = Gaps(
        uncovered=("CAMERA: method WT", "coverage: standard SE04"),
        short=("rate: Asa Assessor (#2) (standard, 20%) has 0 of 1 samples",),
        unknown=("S9", "S10"),
    )
    assert gaps_words(gaps) == [
        "Asa Assessor (experienced, 20%) has 0 of 1 sample",
        "Method “Witness testimony” is not sampled",
        "Standard “SE04” is not sampled",
        "2 sampled decisions are no longer among the cycle's decisions",
    ]
    assert gaps_words(Gaps((), (), ("S9",))) == [
        "1 sampled decision is no longer among the cycle's decisions"
    ]


def test_the_seed_is_called_what_the_plan_page_calls_it() -> None:
    from click.testing import CliRunner

    from delivery.cli.main import main

    shown = CliRunner().invoke(main, ["iqa", "plan", "--help"], terminal_width=200)
    line = next(x for x in shown.output.splitlines() if x.strip().startswith("--seed"))
    assert "Sampling number" in line and "the same number picks the same samples again" in line
    assert "Random seed" not in shown.output
