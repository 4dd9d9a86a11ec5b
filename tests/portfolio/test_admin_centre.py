"""The administrator's home (the centre's figures, one SQL statement) and the people search."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from delivery.web.admin.figures import centre_figures
from portfolio.services import withdrawals
from tests.conftest import actor_of


def _value(figures, label: str) -> int:
    every = figures.people + figures.work + figures.this_month
    return next(f.value for f in every if f.label == label)


def test_centre_figures_count_in_one_statement(
    session, make_person, make_registration, count_queries
) -> None:
    assessor = make_person("assessor")
    make_person("iqa,assessor")
    make_registration(assessor=assessor)
    make_registration()  # no assessor nor IQA yet
    with count_queries() as q:
        figures = centre_figures(session, today=date.today())
    assert q.count == 1
    assert _value(figures, "Learners") == 2
    assert _value(figures, "Assessors") == 2
    assert _value(figures, "Internal quality assurers") == 1
    assert _value(figures, "Active registrations") == 2
    assert _value(figures, "Registrations without an assessor or IQA") == 2
    assert _value(figures, "Standards signed off") == 0


def test_admin_home_and_people_search(client, auth, make_person) -> None:
    auth.login("admin")
    make_person("iqa,assessor", name="Quinn Searchable", email="quinn@example.org")
    make_person("learner", name="Other Person")
    home = client.get("/admin").get_data(as_text=True)
    assert "The centre at a glance" in home and "Active registrations" in home
    assert 'href="/admin"' in client.get("/").get_data(as_text=True)  # in the navigation
    found = client.get("/admin/people?q=SEARCHABLE").get_data(as_text=True)
    assert "Quinn Searchable" in found and "Other Person" not in found
    assert "Assessor, internal quality assurer" in found and "1 person matches" in found
    by_mail = client.get("/admin/people?q=quinn@").get_data(as_text=True)
    assert "Quinn Searchable" in by_mail
    none = client.get("/admin/people?q=%25").get_data(
        as_text=True
    )  # a % is a character, not a wildcard
    assert "No one matches" in none


def test_withdrawn_registrations_are_counted_apart_from_active_ones(
    session, make_person, make_registration, count_queries
) -> None:
    assessor = make_person("assessor")
    left = make_registration(assessor=assessor)
    make_registration(assessor=assessor)
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=left.id,
        on=date.today(),
        reason="Moved",
    )
    session.commit()
    with count_queries() as q:
        figures = centre_figures(session, today=date.today())
    assert q.count == 1
    active = next(f for f in figures.work if f.label == "Active registrations")
    assert active.value == 1 and "1 withdrawn, not counted" in active.hint


def test_claims_of_a_withdrawn_registration_are_not_awaiting_a_decision(
    session, make_person, make_registration, make_evidence, count_queries
) -> None:
    from mappings.assessment import claims

    assessor = make_person("assessor")
    regs = []
    for _ in range(2):
        learner = make_person("learner")
        regs.append(make_registration(learner=learner, assessor=assessor, codes="SE01"))
        item = make_evidence(learner)
        found = claims.claimable_criteria(session, learner.id)
        claims.set_claims(
            session,
            actor=actor_of(learner),
            evidence_id=item.id,
            criterion_ids=[c.criterion_id for c in found][:3],
        )
    session.commit()
    awaiting = next(f for f in centre_figures(session).work if f.label.startswith("Claims"))
    assert (awaiting.value, awaiting.hint) == (6, "in 2 submitted items")
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=regs[0].id,
        on=date.today(),
        reason="Moved",
    )
    session.commit()
    with count_queries() as q:
        figures = centre_figures(session, today=date.today())
    assert q.count == 1
    awaiting = next(f for f in figures.work if f.label == "Claims awaiting a decision")
    assert (awaiting.value, awaiting.hint) == (3, "in 1 submitted item")


def test_learners_on_a_break_are_counted_apart_from_those_past_their_planned_end(
    session, make_person, make_registration, count_queries
) -> None:
    from portfolio.services import breaks

    assessor = make_person("assessor")
    late = make_registration(assessor=assessor)
    away = make_registration(assessor=assessor)
    make_registration(assessor=assessor)
    admin = actor_of(make_person("admin"))
    breaks.start_break(session, actor=admin, registration_id=away.id, reason="Long-term sickness")
    session.commit()
    later = max(late.planned_end, away.planned_end) + timedelta(days=1)
    with count_queries() as q:
        figures = centre_figures(session, today=later)
    assert q.count == 1
    past = next(f for f in figures.work if f.label == "Registrations past their planned end")
    assert past.value == 2  # the two not on a break
    assert past.hint == "with a standard not yet signed off; 1 on a break, not counted"
    with count_queries() as q:
        figures = centre_figures(session, today=date.today())
    past = next(f for f in figures.work if f.label == "Registrations past their planned end")
    assert (past.value, past.hint) == (0, "with a standard not yet signed off")


def test_one_active_registration_is_counted_in_the_singular(session, make_person, make_registration) -> None:  # fmt: skip
    """The centre page reads "1 registration with a standard not yet signed off", not "1 registrations"."""
    make_registration(assessor=make_person("assessor"))
    session.commit()
    active = next(f for f in centre_figures(session).work if f.label == "Active registrations")
    assert (active.value, active.hint) == (1, "registration with a standard not yet signed off")
    make_registration(assessor=make_person("assessor"))
    session.commit()
    active = next(f for f in centre_figures(session).work if f.label == "Active registrations")
    assert (active.value, active.hint) == (2, "registrations with a standard not yet signed off")


def test_this_months_figures_begin_at_midnight_in_the_centres_time_zone(
    session, make_person, make_registration, make_evidence
) -> None:
    """June's figures count what was submitted from 00:00 on 1 Jun in London (23:00 UTC on
    31 May in British Summer Time), not from midnight UTC, an hour into June."""
    learner = make_person("learner")
    make_registration(learner=learner)
    for title, at in (("Late in May", datetime(2027, 5, 31, 22, 30, tzinfo=UTC)),
                      ("Early in June", datetime(2027, 5, 31, 23, 30, tzinfo=UTC))):  # fmt: skip
        item = make_evidence(learner, title=title)
        item.submitted_at = at
        session.add(item)
    session.flush()
    figures = centre_figures(session, today=date(2027, 6, 15), zone=ZoneInfo("Europe/London"))
    assert figures.month == "June 2027"
    assert _value(figures, "Evidence items submitted") == 1
    in_utc = centre_figures(session, today=date(2027, 6, 15), zone=ZoneInfo("UTC"))
    assert _value(in_utc, "Evidence items submitted") == 0  # a centre kept in UTC: May


def test_administrators_are_told_when_the_centre_has_no_name_of_its_own(app, client, auth) -> None:
    # a centre that never set PORTFOLIO_CENTRE_NAME signs its records and badges with the
    # default "Demo Training Centre": its administrators are told, on their home and Centre pages
    auth.login("admin")
    for path in ("/", "/admin"):
        page = client.get(path).get_data(as_text=True)
        assert "PORTFOLIO_CENTRE_NAME" in page and "Demo Training Centre" in page
    app.config["CENTRE_NAME"] = "Northfield Training"
    for path in ("/", "/admin"):
        assert "PORTFOLIO_CENTRE_NAME" not in client.get(path).get_data(as_text=True)
    auth.login("assessor")  # only administrators can do something about it
    app.config["CENTRE_NAME"] = "Demo Training Centre"
    assert "PORTFOLIO_CENTRE_NAME" not in client.get("/").get_data(as_text=True)


def test_serve_says_when_documents_would_carry_the_default_centre_name(cli, monkeypatch) -> None:
    import gc

    import waitress

    monkeypatch.setattr(waitress, "serve", lambda app, **_kw: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "http://127.0.0.1:5127")  # restored after the test
    monkeypatch.delenv("PORTFOLIO_CENTRE_NAME", raising=False)
    said = cli("serve", "--port", "5127").output
    assert "“Demo Training Centre”" in said and "set PORTFOLIO_CENTRE_NAME" in said
    monkeypatch.setenv("PORTFOLIO_CENTRE_NAME", "Northfield Training")
    said = cli("serve", "--port", "5127").output
    assert "PORTFOLIO_CENTRE_NAME" not in said


def _no_framework(session) -> None:
    """The centre as it starts: no framework loaded (the tests' database holds the sample)."""
    from sqlmodel import delete

    from portfolio.models import Criterion, Framework, Standard

    for table in (Criterion, Standard, Framework):
        session.exec(delete(table))
    session.commit()


def test_a_new_centre_is_shown_where_to_begin(client, auth, session, make_person) -> None:
    _no_framework(session)
    auth.login("admin")
    home = client.get("/").get_data(as_text=True)
    assert "Getting started" in home
    assert 'href="/frameworks/upload"' in home  # the first step, before any learner is registered
    assert 'href="/admin/people"' in home and 'href="/admin/registrations"' in home
    page = client.get("/admin/registrations").get_data(as_text=True)
    assert '<a href="/frameworks/upload">Load a framework</a> first' in page


def test_getting_started_goes_once_a_learner_is_registered(client, auth, make_registration) -> None:
    auth.login("admin")
    assert "Getting started" in client.get("/").get_data(as_text=True)
    make_registration()
    assert "Getting started" not in client.get("/").get_data(as_text=True)
