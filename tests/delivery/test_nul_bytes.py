"""A NUL character in any text is refused with a clear answer, alike on SQLite and PostgreSQL
(PostgreSQL cannot store one and used to answer 500), and nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select

from portfolio.errors import Invalid
from portfolio.models import Cohort, Evidence
from portfolio.services import evidence, people, registrations
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of

MESSAGE = "contains a NUL character"


def test_a_form_with_a_nul_is_shown_again_with_the_message(client: Any, auth: Any, session: Any):
    learner = auth.login("learner")
    response = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={"title": "My day\x00", "activity_date": "2026-01-05", "body": "Text"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Title {MESSAGE}" in page and 'value="My day' in page
    assert not session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).all()


def test_log_in_with_a_nul_is_refused_not_a_server_error(client: Any, make_person: Any) -> None:
    person = make_person("learner")
    response = client.post("/login", data={"email": person.email, "password": "pass\x00word"})
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)


def test_a_query_string_with_a_nul_is_a_bad_request(client: Any, auth: Any) -> None:
    auth.login("admin")
    response = client.get("/frameworks/search?q=care%00")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    response = client.get("/frameworks/1/standards/SE01%00")
    assert response.status_code == 400


def test_services_refuse_a_nul_before_writing(session: Any, make_person: Any) -> None:
    with pytest.raises(Invalid, match=MESSAGE):  # its lookup by name is refused first
        registrations.create_cohort(session, actor=SYSTEM, name="North\x00", site="Main site")
    learner = make_person("learner")
    draft = evidence.Draft(
        kind="reflective_account", title="Notes\x00", activity_date=date(2026, 1, 2), body="x"
    )
    with pytest.raises(Invalid, match=MESSAGE) as refused:
        evidence.create(session, actor=actor_of(learner), learner_id=learner.id, draft=draft)
    assert refused.value.field == "title"
    # a person's name is checked for every control character before that, as plainly
    with pytest.raises(Invalid, match="control characters"):
        people.create_person(
            session,
            actor=SYSTEM,
            name="Ada\x00",
            email="ada-nul@test.example",
            roles="learner",
            password=None,
            site="Main site",
        )


def test_a_command_with_a_nul_exits_with_the_message(cli: Any, session: Any) -> None:
    result = cli("cohort", "add", "--name", "Nul\x00cohort", "--site", "North")
    assert result.exit_code == 1 and MESSAGE in result.output
    assert not session.exec(select(Cohort).where(col(Cohort.name).startswith("Nul"))).all()


def test_text_longer_than_its_column_is_refused_alike_on_both_databases(
    cli: Any, session: Any, tmp_path: Any
) -> None:
    """PostgreSQL refuses a value longer than its column with an error (a 500 on the web) and
    SQLite would store it: a framework whose criterion code is longer than 32 characters is
    refused with the reason, naming the code, and nothing is written."""
    from portfolio.models import Criterion, Framework

    long_code = "CCSS.Math.Content.6.RP.A.3a.Extended-2024"  # 41 characters
    rows = [
        "framework_code,framework_title,version,standard_code,standard_title,kind,criterion_code,criterion_text",
        f"LONG,Long codes,1,LC1,Ratios,performance,{long_code},Use ratio reasoning",
    ]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    frameworks = len(session.exec(select(Framework)).all())
    criteria = len(session.exec(select(Criterion)).all())
    result = cli("framework", "import", str(path))
    assert result.exit_code == 1, result.output
    assert (
        "In standard LC1, a criterion's code “CCSS.Math.Content.6.RP.A.3a.Extended-2024” is too long"
        in result.output
    )
    assert "at most 32 characters" in result.output and "Traceback" not in result.output
    session.expire_all()
    assert len(session.exec(select(Framework)).all()) == frameworks
    assert len(session.exec(select(Criterion)).all()) == criteria
