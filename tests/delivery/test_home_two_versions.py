"""A learner registered on two versions of one framework is told which line is which version."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from demo.accounts import register_learner
from portfolio.services.frameworks import import_framework, load_spec
from portfolio.services.people import SYSTEM


def test_a_learner_on_two_versions_reads_which_is_which(
    session, client, auth, sample_framework, make_person
) -> None:
    # found loading version 2 while learners were on version 1, then registering a learner on
    # it too: their home said the framework's title twice and listed "SE01 ..." twice, with no
    # word of which version each line was
    spec = load_spec(session, sample_framework.id)
    first = spec.standards[0]
    changed = replace(first.criteria[0], text=first.criteria[0].text + ", and record it")
    spec2 = replace(
        spec,
        version="9",
        standards=[replace(first, criteria=[changed, *first.criteria[1:]]), *spec.standards[1:]],
    )
    newer = import_framework(session, actor=SYSTEM, spec=spec2, new_version=True)
    learner = make_person("learner")
    for framework_id in (sample_framework.id, newer.framework_id):
        register_learner(
            session,
            learner_id=learner.id,
            framework_id=framework_id,
            codes=[first.code],
            assessor_id=None,
            iqa_id=None,
            cohort_id=None,
            start=date.today() - timedelta(days=10),
            planned_end=date.today() + timedelta(days=300),
        )
    session.commit()
    auth.login(learner)
    page = client.get("/").get_data(as_text=True)
    mine = page.split('id="my-standards"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", mine))
    old = f"{spec.title} (version {sample_framework.version})"
    assert old in text and f"{spec.title} (version 9)" in text
    assert f"{first.code} {first.title} (version {sample_framework.version})" in text
    assert f"{first.code} {first.title} (version 9)" in text
