"""The "Map to criteria" form speaks to whoever reads it: the learner maps across "your standards",
their assessor across the learner's ("Lena Learner's standards"), never the assessor's own; and
the comment form below it is laid out as the page's other forms."""

from __future__ import annotations

import html
import re


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


def test_the_comment_form_is_laid_out_as_the_page_s_other_forms(
    client, auth, make_person, make_registration, make_evidence
) -> None:
    """The comment box and its button were the browser's bare controls: a 21 px button and a
    narrow box beside the page's full forms. They take the page's form and button styles."""
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    item = make_evidence(learner)
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    comments = page.split('id="comments"', 1)[1].split("</section>", 1)[0]
    form = re.search(r"<form [^>]*>", comments)
    assert form and 'class="form' in form.group(0)
    assert re.search(r'<button type="submit" class="button">Add comment</button>', comments)
