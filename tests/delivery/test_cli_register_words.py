"""`portfolio register` says whom it registered, with whom and for when, in words: the learner's,
assessor's and IQA's names and the days as the pages write them ("1 Feb 2026"), not only the
ids it was given ("Registered learner 5 ... as registration 12")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from portfolio.models import Framework, Person, Registration


def test_the_registration_is_said_in_words(
    cli: Callable[..., Any],
    session: Session,
    make_person: Callable[..., Person],
    sample_framework: Framework,
) -> None:
    learner = make_person("learner", name="Lena Learner")
    assessor = make_person("assessor", name="Asa Assessor")
    iqa = make_person("iqa", name="Ida Quality")
    args = ["register", "--learner", str(learner.id), "--framework", "SE",
            "--standards", "SE01,SE04", "--assessor", str(assessor.id), "--iqa", str(iqa.id),
            "--start", "2026-02-01"]  # fmt: skip
    said = cli(*args)
    assert said.exit_code == 0, said.output
    reg = session.exec(select(Registration).where(Registration.learner_id == learner.id)).one()
    assert said.output.strip() == (
        f"Registered Lena Learner on SE version {sample_framework.version} (SE01, SE04), "
        "assessed by Asa Assessor and quality assured by Ida Quality, from 1 Feb 2026 to "
        f"31 Jan 2027 (registration {reg.id})."
    )
    again = make_person("learner", name="Leo Learner")
    data = json.loads(cli(*args[:1], "--learner", str(again.id), *args[3:], "--json").output)
    assert data["learner"] == again.id and data["start"] == "2026-02-01"  # machine values kept
    assert data["planned_end"] == "2027-01-31"
