"""`portfolio coverage` says when a standard was signed off as the coverage page does ("signed
off 3 Dec 2026, 14:05", in the centre's time zone), never as an ISO date ("2026-12-03"), and names
the evidence of a met criterion by its title beside its reference, as the page lists it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mappings.assessment.models import Claim
from portfolio import config
from portfolio.models import Evidence, Person
from portfolio.words import moment_words
from tests.mappings.iqa_builders import assess


def test_the_sign_off_is_said_in_words(
    cli: Callable[..., Any],
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
) -> None:
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    # late in the evening UTC in summer: already the next day in London (BST), where the centre is
    at = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    decision, signoff = assess(session, reg, assessor.id or 0, "SE01", kind="observation_record",
                               at=at)  # fmt: skip
    assert signoff is not None
    item = session.get(Evidence, session.get(Claim, decision.claim_id).evidence_id)
    said = cli("coverage", "--candidate", str(reg.learner_id), "--standard", "SE01")
    assert said.exit_code == 0, said.output
    zone = ZoneInfo(config.finish(config.from_env())["TIME_ZONE"])
    assert f", signed off {moment_words(at, zone)}" in said.output, said.output
    assert not re.search(r"\d{4}-\d\d-\d\d", said.output), said.output
    met = next(line for line in said.output.splitlines() if " met " in line and "E" in line)
    assert met.rstrip().endswith(f"E{item.id}v{item.current_version} {item.title}"), met
