"""The administrator's forms refuse an empty field in words that say what to give ("Give the
cohort a name."), never the form library's "This field is required", which does not say which
field it means in the summary of problems atop the page; and nothing is written."""

from __future__ import annotations

import html
import re

from sqlmodel import func, select

from portfolio.models import Cohort, Person, Registration
from tests.delivery.test_iqa_form_words import _problems

LIBRARY = re.compile(r"This field is required")


def _refused(response, *said: str) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _problems(page) == list(said)
    assert not LIBRARY.search(html.unescape(page)), LIBRARY.findall(page)


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_empty_cohort_says_what_to_give(client, auth, session) -> None:
    auth.login("admin")
    before = _count(session, Cohort)
    _refused(
        client.post("/admin/cohorts", data={"name": " ", "site": "", "create": "Add cohort"}),
        "Give the cohort a name.",
        "Give the cohort's site, such as “Main site”.",
    )
    assert _count(session, Cohort) == before


def test_an_empty_person_says_what_to_give(client, auth, session) -> None:
    auth.login("admin")
    before = _count(session, Person)
    sent = {"name": "", "email": "", "roles": ["learner"], "site": "", "create": "Add person"}
    _refused(
        client.post("/admin/people", data=sent),
        "Give the person's full name.",
        "Give the e-mail address they will log in with.",
        "Give the person's site, such as “Main site”.",
    )
    assert _count(session, Person) == before


def test_a_person_s_details_and_password_emptied_say_what_to_give(
    client, auth, session, make_person
) -> None:
    auth.login("admin")
    person = make_person("learner", name="Lena Learner")
    sent = {"dt-name": "", "dt-email": "", "dt-roles": ["learner"], "dt-site": "", "dt-save": "Save details"}  # fmt: skip
    _refused(
        client.post(f"/admin/people/{person.id}", data=sent),
        "Give the person's full name.",
        "Give the e-mail address they log in with.",
        "Give the person's site, such as “Main site”.",
    )
    session.refresh(person)
    assert person.name == "Lena Learner"
    sent = {"pw-password": "", "pw-confirm": "", "pw-reset": "Reset password"}
    _refused(
        client.post(f"/admin/people/{person.id}", data=sent),
        "Give the new password.",
        "Give the new password again.",
    )


def _registration(email: str, framework, assessor, iqa) -> dict[str, object]:
    """The registration form as an administrator fills it in for SE01, the learner's address
    ``email``."""
    return {
        "learner_email": email,
        "framework_id": framework.id,
        "standards": ["SE01"],
        "assessor_id": assessor.id,
        "iqa_id": iqa.id,
        "cohort_id": 0,
        "start_date": "2026-12-07",
        "planned_end": "2027-12-06",
    }


def test_a_registration_without_the_learner_says_what_to_give(
    client, auth, session, make_person, sample_framework
) -> None:
    auth.login("admin")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    before = _count(session, Registration)
    sent = _registration("", sample_framework, assessor, iqa)
    _refused(
        client.post("/admin/registrations", data=sent),
        "Give the learner's e-mail address, the one they log in with.",
    )
    assert _count(session, Registration) == before


def test_a_registration_made_names_its_learner(client, auth, session, make_person, sample_framework) -> None:  # fmt: skip
    """An administrator registering one learner after another is told whom they registered."""
    auth.login("admin")
    learner = make_person("learner", name="Lena Learner")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    sent = _registration(learner.email, sample_framework, assessor, iqa)
    page = client.post("/admin/registrations", data=sent, follow_redirects=True)
    text = html.unescape(page.get_data(as_text=True))
    said = (
        f"Registered Lena Learner on {sample_framework.title} (version {sample_framework.version})."
    )
    assert said in text, re.findall(r"Registered[^<]*", text)


def test_a_bad_address_and_no_role_are_both_reported_at_once(client, auth, session) -> None:
    # the address was judged only once the form's own checks passed: an administrator who left
    # the roles empty was told of the address only after ticking a role and sending it again
    auth.login("admin")
    before = _count(session, Person)
    sent = {"name": "Nia New", "email": "nia.example.org", "site": "Main site", "create": "Add person"}  # fmt: skip
    response = client.post("/admin/people", data=sent)
    assert response.status_code == 422
    problems = _problems(response.get_data(as_text=True))
    assert len(problems) == 2, problems
    assert problems[0].startswith("“nia.example.org” is not an e-mail address")
    assert problems[1] == "Tick at least one role."
    assert _count(session, Person) == before


def test_a_person_s_bad_address_and_no_role_are_both_reported_at_once(
    client, auth, session, make_person
) -> None:
    auth.login("admin")
    person = make_person("learner", name="Lena Learner")
    sent = {"dt-name": "Lena Learner", "dt-email": "lena@", "dt-site": "Main site", "dt-save": "Save details"}  # fmt: skip
    response = client.post(f"/admin/people/{person.id}", data=sent)
    assert response.status_code == 422
    problems = _problems(response.get_data(as_text=True))
    assert len(problems) == 2, problems
    assert problems[0].startswith("“lena@” is not an e-mail address")
    assert problems[1] == "Tick at least one role."
    session.refresh(person)
    assert person.email != "lena@"
