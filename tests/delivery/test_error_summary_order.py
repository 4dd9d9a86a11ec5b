"""The summary of problems atop a page lists them in the order their fields appear on the page,
whatever order the form class declares its fields in (GOV.UK's pattern: the summary is read
first, then the fields top to bottom)."""

from __future__ import annotations

import re


def _anchors(page: str) -> list[str]:
    summary = page.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)"', summary)


def _page_order(page: str, anchors: list[str]) -> list[str]:
    after = page.split('class="error-summary"', 1)[1].split("</ul>", 1)[1]
    return sorted(anchors, key=lambda a: after.index(f'id="{a}"'))


def test_the_registration_forms_problems_follow_the_page(
    client, auth, make_person, sample_framework
) -> None:
    auth.login("admin")
    assessor = make_person("assessor")
    sent = {
        "learner_email": "",
        "framework_id": sample_framework.id,
        "assessor_id": assessor.id,
        "iqa_id": assessor.id,
        "cohort_id": 0,
        "start_date": "",
        "planned_end": "next week",
    }
    response = client.post("/admin/registrations", data=sent)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    anchors = _anchors(page)
    # the learner's e-mail is the first field of the form, declared after the others in its class
    assert anchors[0] == "learner_email" and {"start_date", "planned_end"} <= set(anchors)
    assert anchors == _page_order(page, anchors)
