"""The "Map to criteria" form speaks to whoever reads it: the learner maps across "your standards",
their assessor across the learner's ("Lena Learner's standards"), never the assessor's own."""

from __future__ import annotations

import html


def _said(page: str) -> str:
    text = html.unescape(page)
    return text.split("Tick every criterion this evidence shows, across all ", 1)[1].split(".", 1)[
        0
    ]


def test_the_mapping_form_names_whose_standards(
    client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner", name="Lena Learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    item = make_evidence(learner)
    auth.login(assessor)
    assert _said(client.get(f"/evidence/{item.id}").get_data(as_text=True)) == "Lena Learner's standards"  # fmt: skip
    auth.login(learner)
    assert _said(client.get(f"/evidence/{item.id}").get_data(as_text=True)) == "your standards"
