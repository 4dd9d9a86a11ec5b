"""What an external quality assurer is offered: their grants on the home page, and no buttons
for records only the learner's assessor may write."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlmodel import select

from delivery.web.app import create_app
from mappings.quality.cycles import aware, create_cycle
from mappings.quality.eqa import ended_words, eqa_can_view, grant_eqa, revoke_eqa
from mappings.quality.models import EqaAccess, Sample
from mappings.quality.samples import sample_view
from portfolio.errors import Conflict
from portfolio.models import AuditEntry, Notification, Person
from tests.conftest import PASSWORD, _session_on, actor_of
from tests.delivery.api_world import bearer, token_for
from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START
from tests.mappings.test_iqa_web import planned  # noqa: F401

LONDON = ZoneInfo("Europe/London")  # the centre's time zone unless a test says otherwise


def _granted(session, make_person, centre):
    eqa = make_person("eqa", name="Erin External")
    admin = make_person("admin")
    grant_eqa(session, actor=actor_of(admin), person_id=eqa.id, cycle_id=centre.cycle.id,
              expires_at=datetime.now(UTC) + timedelta(days=5))  # fmt: skip
    session.commit()
    return eqa


def _grant_of(session, eqa) -> EqaAccess:
    return session.exec(select(EqaAccess).where(EqaAccess.person_id == eqa.id)).one()


# 16:30 UTC on 3 Feb: still 3 Feb in London, already 4 Feb (01:30) in Tokyo
LATE_ON_3_FEB = datetime(2026, 2, 3, 16, 30, tzinfo=UTC)


def _withdrawn(session, make_person, centre, at: datetime | None = None):
    """An EQA granted the centre's cycle whose grant an administrator withdrew (``at``, when
    given, is the moment it says it was withdrawn); returns the EQA, their grant, the admin."""
    eqa = _granted(session, make_person, centre)
    grant = _grant_of(session, eqa)
    admin = actor_of(make_person("admin"))
    revoke_eqa(session, actor=admin, grant_id=grant.id, zone=LONDON)
    if at is not None:
        grant.revoked_at = at
        session.add(grant)
    session.commit()
    return eqa, grant, admin


def test_eqa_is_not_offered_records_they_may_not_write(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    centre, sample = planned
    auth.login(_granted(session, make_person, centre))
    page = client.get(f"/learners/{sample.learner_id}/evidence").get_data(as_text=True)
    assert "New observation record" not in page and "New professional discussion" not in page
    assert f"/learners/{sample.learner_id}/evidence/new" not in page
    auth.logout()
    auth.login(centre.iqa)  # the IQA reads the portfolio but does not write records either
    page = client.get(f"/learners/{sample.learner_id}/evidence").get_data(as_text=True)
    assert "New observation record" not in page
    auth.logout()
    assessor = next(a for a in centre.assessors.values() if a.id == sample.assessor_id)
    auth.login(assessor)
    page = client.get(f"/learners/{sample.learner_id}/evidence").get_data(as_text=True)
    assert "New observation record" in page and "New professional discussion" in page


def test_eqa_home_page_lists_their_live_grants(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    centre, _sample = planned
    auth.login(_granted(session, make_person, centre))
    home = client.get("/").get_data(as_text=True)
    assert centre.cycle.name in home and "/eqa" in home
    last = (datetime.now(UTC) + timedelta(days=5)).date()
    assert f"access until {last.day} {last:%b %Y}" in home


def test_eqa_sample_page_links_what_they_read_and_download(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """From a sample the EQA reaches the learner's progress and evidence, each item of evidence
    as it was judged, and the sign-off record to download: the sample page is where they work."""
    centre, _sample = planned
    eqa = _granted(session, make_person, centre)
    samples = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    view = next(
        v
        for s in samples
        if (v := sample_view(session, actor=actor_of(centre.iqa), sample_id=s.id)).signoff
    )
    auth.login(eqa)
    page = client.get(f"/eqa/samples/{view.sample.id}").get_data(as_text=True)
    learner = view.sample.learner_id
    assert f'href="/learners/{learner}/progress"' in page
    assert f'href="/learners/{learner}/evidence"' in page
    assert f'href="/signoffs/{view.signoff.id}/record.docx"' in page
    for e in view.evidence:
        number = e.ref.rsplit("v", 1)[1]
        assert f'href="/evidence/{e.id}/versions/{number}"' in page
    assert client.get(f"/signoffs/{view.signoff.id}/record.docx").status_code == 200


def test_eqa_is_told_the_same_last_day_as_their_pages_say(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """Access that ends at midnight UTC after 10 Dec lasts until 10 Dec: the notification of the
    grant says so, as the home page and the administrator's list do (not "until 11 December")."""
    centre, _sample = planned
    eqa = make_person("eqa")
    last = (datetime.now(UTC) + timedelta(days=5)).date()
    ends = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    grant_eqa(session, actor=actor_of(make_person("admin")), person_id=eqa.id,
              cycle_id=centre.cycle.id, expires_at=ends)  # fmt: skip
    session.commit()
    told = session.exec(select(Notification).where(Notification.person_id == eqa.id)).one()
    said = f"{last.day} {last:%b %Y}"
    assert f"until {said}." in told.text
    auth.login(eqa)
    assert f"access until {said}" in client.get("/").get_data(as_text=True)


def _next(month: int, day: int) -> date:
    """The next ``day`` of ``month`` after tomorrow (within a year: a grant may be made to it)."""
    today = datetime.now(UTC).date()
    found = date(today.year, month, day)
    return found if found > today + timedelta(days=1) else date(today.year + 1, month, day)


@pytest.mark.parametrize("last", [_next(7, 10), _next(1, 20)], ids=["summer", "winter"])
def test_access_ends_at_midnight_in_the_centres_time_zone_after_its_last_day(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
    last,
) -> None:
    """The administrator chooses a day of the centre's calendar: access lasts until 23:59 of it
    in London and is refused from 00:00 the next day, in British Summer Time as in winter (not
    until 01:00, midnight UTC), and every page and the notification name that day."""
    centre, sample = planned
    eqa = make_person("eqa")
    auth.login("admin")
    granted = client.post("/admin/eqa", data={"grant-person": eqa.id,
                          "grant-cycle": centre.cycle.id, "grant-expires": last.isoformat()})  # fmt: skip
    assert granted.status_code == 302
    grant = _grant_of(session, eqa)
    midnight = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LONDON)
    assert aware(grant.expires_at) == midnight
    late = datetime.combine(last, time(23, 59), tzinfo=LONDON).astimezone(UTC)
    assert eqa_can_view(session, eqa, sample.learner_id, now=late)
    assert not eqa_can_view(session, eqa, sample.learner_id, now=midnight.astimezone(UTC))
    said = f"{last.day} {last:%b %Y}"
    assert f"{said}</td>" in client.get("/admin/eqa").get_data(as_text=True)
    auth.logout()
    told = session.exec(select(Notification).where(Notification.person_id == eqa.id)).one()
    assert told.text.endswith(f"until {said}.")
    auth.login(eqa)
    assert f"access until {said}" in client.get("/").get_data(as_text=True)
    assert f"access until {said}" in client.get("/eqa").get_data(as_text=True)
    assert f"ended after {said}, its last day" in ended_words(grant, "C", str, LONDON)


def test_readers_who_add_nothing_are_not_offered_to_add_evidence(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """An EQA and the learner's IQA write nothing in the portfolio: its evidence list has no
    "Add evidence" heading over an empty list of kinds."""
    centre, sample = planned
    for reader in (_granted(session, make_person, centre), centre.iqa):
        auth.login(reader)
        page = client.get(f"/learners/{sample.learner_id}/evidence").get_data(as_text=True)
        assert "Evidence of" in page and "Add evidence" not in page
        auth.logout()
    assessor = next(a for a in centre.assessors.values() if a.id == sample.assessor_id)
    auth.login(assessor)
    assert "Add evidence" in client.get(f"/learners/{sample.learner_id}/evidence").get_data(
        as_text=True
    )


def test_eqa_whose_access_ended_is_told_when_and_what_to_do(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """When the time box ends the EQA's page says which access ended and on which day, and
    whom to ask, rather than only "no active access"; the portfolio is closed to them."""
    centre, sample = planned
    eqa = _granted(session, make_person, centre)
    grant = _grant_of(session, eqa)
    last = (datetime.now(UTC) - timedelta(days=3)).date()
    grant.expires_at = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    session.add(grant)
    session.commit()
    auth.login(eqa)
    page = client.get("/eqa").get_data(as_text=True)
    assert f"Your access to {centre.cycle.name} ended after {last.day} {last:%b %Y}" in page
    assert "administrator" in page


def _ended_pages(session, centre, learner_id: int, make_evidence) -> list[str]:
    """The pages of a sampled learner an EQA bookmarks: a sample, the learner's progress and
    evidence, an item of evidence, a sign-off record."""
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == centre.cycle.id, Sample.learner_id == learner_id)
    ).all()
    views = [sample_view(session, actor=actor_of(centre.iqa), sample_id=s.id) for s in samples]
    pages = [f"/eqa/samples/{samples[0].id}", f"/learners/{learner_id}/progress",
             f"/learners/{learner_id}/evidence"]  # fmt: skip
    item = make_evidence(session.get(Person, learner_id), title="Job-match visit")
    pages.append(f"/evidence/{item.id}")
    pages += [f"/signoffs/{v.signoff.id}/record.docx" for v in views if v.signoff][:1]
    return pages


def test_eqa_whose_access_ended_is_told_so_on_a_bookmarked_page(
    client,
    auth,
    session,
    make_person,
    make_evidence,
    planned,  # noqa: F811
) -> None:
    """A bookmarked sample or portfolio page tells an EQA whose access ended that it ended and
    on which day, as their /eqa page does (it said "not found"); an EQA who never had access to
    that learner, and one asking for a learner no cycle of theirs sampled, are told nothing."""
    centre, sample = planned
    eqa = _granted(session, make_person, centre)
    pages = _ended_pages(session, centre, sample.learner_id, make_evidence)
    assert len(pages) == 5
    auth.login(eqa)
    for url in pages:
        assert client.get(url).status_code == 200, url
    grant = _grant_of(session, eqa)
    last = (datetime.now(UTC) - timedelta(days=3)).date()
    grant.expires_at = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    session.add(grant)
    session.commit()
    said = f"Your access to {centre.cycle.name} ended after {last.day} {last:%b %Y}, its last day."
    assert said in client.get("/eqa").get_data(as_text=True)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.get_data(as_text=True)
        assert said in page and 'href="/"' in page, url
    stranger = make_person("learner")  # sampled in no cycle of theirs
    assert client.get(f"/learners/{stranger.id}/evidence").status_code == 404
    assert client.get("/learners/999999/progress").status_code == 404
    auth.logout()
    auth.login(_granted_elsewhere(session, make_person, centre))  # never had that learner
    for url in pages:
        assert client.get(url).status_code == 404, url


def _granted_elsewhere(session, make_person, centre):
    """An EQA whose access (now withdrawn) was to a cycle that sampled nobody."""
    admin = make_person("admin")
    cycle = create_cycle(session, actor=actor_of(centre.iqa), name="Another cycle",
                         start=CYCLE_START, end=CYCLE_END, seed=1)  # fmt: skip
    eqa = make_person("eqa", name="Otto Other")
    grant_eqa(session, actor=actor_of(admin), person_id=eqa.id, cycle_id=cycle.id,
              expires_at=datetime.now(UTC) + timedelta(days=5))  # fmt: skip
    revoke_eqa(session, actor=actor_of(admin), grant_id=session.exec(
        select(EqaAccess).where(EqaAccess.person_id == eqa.id)).one().id, zone=LONDON)  # fmt: skip
    session.commit()
    return eqa


def test_eqa_whose_access_was_withdrawn_is_told_so(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    centre, sample = planned
    eqa, _grant, _admin = _withdrawn(session, make_person, centre)
    auth.login(eqa)
    page = client.get("/eqa").get_data(as_text=True)
    assert f"Your access to {centre.cycle.name} was withdrawn on " in page
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the day it was withdrawn, the centre's
    response = client.get(f"/learners/{sample.learner_id}/progress")
    assert response.status_code == 403
    said = f"Your access to {centre.cycle.name} was withdrawn on {today.day} {today:%b %Y}."
    assert said in response.get_data(as_text=True)


def test_two_withdrawn_grants_to_one_cycle_are_said_once(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """An administrator who ends a grant, grants the same cycle again and ends that too left the
    EQA's page saying the same line twice ("Your access to C1 was withdrawn on 7 Dec 2026, 10:24."
    over and over): the page says each cycle's latest ending once."""
    centre, _sample = planned
    eqa = _granted(session, make_person, centre)
    admin = actor_of(make_person("admin"))
    grant_eqa(session, actor=admin, person_id=eqa.id, cycle_id=centre.cycle.id,
              expires_at=datetime.now(UTC) + timedelta(days=9))  # fmt: skip
    for grant in session.exec(select(EqaAccess).where(EqaAccess.person_id == eqa.id)).all():
        revoke_eqa(session, actor=admin, grant_id=grant.id, zone=LONDON)
    session.commit()
    auth.login(eqa)
    page = client.get("/eqa").get_data(as_text=True)
    assert page.count(f"Your access to {centre.cycle.name} was withdrawn on ") == 1


@pytest.fixture
def in_tokyo(monkeypatch):
    """The centre's time zone is Asia/Tokyo (the app made after this fixture reads it)."""
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", "Asia/Tokyo")


def test_a_withdrawal_is_said_on_the_centres_day_on_a_bookmarked_page(
    in_tokyo,
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """Withdrawn at 16:30 UTC on 3 Feb, already 01:30 on 4 Feb in the centre's Tokyo: a page the
    EQA may no longer open says 4 Feb, as their /eqa page does (it said the UTC day, 3 Feb)."""
    centre, sample = planned
    eqa, _grant, _admin = _withdrawn(session, make_person, centre, at=LATE_ON_3_FEB)
    auth.login(eqa)
    assert "was withdrawn on 4 Feb 2026, 01:30." in client.get("/eqa").get_data(as_text=True)
    for url in (f"/learners/{sample.learner_id}/progress", f"/eqa/samples/{sample.id}"):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.get_data(as_text=True)
        assert f"Your access to {centre.cycle.name} was withdrawn on 4 Feb 2026." in page, url


def _app_in(zone: str, engine, connection, tmp_path) -> Flask:
    """Another app in this process, on the test's database, whose centre is in ``zone``."""
    made = create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True,
                       "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                       "WTF_CSRF_ENABLED": False, "READINGS_INLINE": True, "TIME_ZONE": zone,
                       "INSTANCE_PATH": str(tmp_path / f"instance-{zone.replace('/', '-')}")})  # fmt: skip
    made.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    return made


def _refused(application: Flask, eqa, urls: list[str], token: str) -> list[str]:
    """What each page (and the API's sample) tells the EQA whose access was withdrawn."""
    client = application.test_client()
    assert client.post("/login", data={"email": eqa.email, "password": PASSWORD}).status_code == 302
    said = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        said.append(_withdrawn_day(response.get_data(as_text=True)))
    answer = application.test_client().get(urls[-1].replace("/eqa/", "/api/v1/iqa/"),
                                           headers=bearer(token))  # fmt: skip
    assert answer.status_code == 403
    said.append(_withdrawn_day(answer.get_json()["detail"]))
    return said


def _withdrawn_day(text: str) -> str:
    found = re.search(r"was withdrawn on (\d+ \w+ \d{4})\.", text)
    assert found, text
    return found.group(1)


def test_two_apps_in_one_process_each_say_the_withdrawal_on_their_own_centres_day(
    app,
    engine,
    connection,
    tmp_path,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """Withdrawn at 16:30 UTC on 3 Feb: 4 Feb in Tokyo, 3 Feb in London. Each app says the day
    in its own TIME_ZONE, read when it answers: the one made first (London) after another was
    made (Tokyo), and an app whose TIME_ZONE is changed once it has started."""
    centre, sample = planned
    eqa, _grant, _admin = _withdrawn(session, make_person, centre, at=LATE_ON_3_FEB)
    token = token_for(session, eqa.id)
    urls = [f"/learners/{sample.learner_id}/progress", f"/eqa/samples/{sample.id}"]
    app.config["TIME_ZONE"] = "Europe/London"
    tokyo = _app_in("Asia/Tokyo", engine, connection, tmp_path)
    assert _refused(app, eqa, urls, token) == ["3 Feb 2026"] * 3
    assert _refused(tokyo, eqa, urls, token) == ["4 Feb 2026"] * 3
    app.config["TIME_ZONE"] = "Asia/Tokyo"  # changed after start
    assert _refused(app, eqa, urls, token) == ["4 Feb 2026"] * 3


def test_withdrawing_again_says_the_day_in_the_zone_given(
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    centre, _sample = planned
    _eqa, grant, admin = _withdrawn(session, make_person, centre, at=LATE_ON_3_FEB)
    for zone, day in (("Asia/Tokyo", "4 Feb 2026"), ("Europe/London", "3 Feb 2026")):
        with pytest.raises(Conflict, match=f"already withdrawn on {day}: "):
            revoke_eqa(session, actor=admin, grant_id=grant.id, zone=ZoneInfo(zone))


def test_two_live_grants_to_one_cycle_show_it_once_until_the_later_day(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """An administrator who grants access again to the same cycle (say to a later day) leaves two
    live grants: the EQA's pages list the cycle once, until the later of the two last days (it
    was listed twice, with its samples twice and two headings of the same id)."""
    centre, _sample = planned
    eqa = _granted(session, make_person, centre)  # 5 days
    later = (datetime.now(UTC) + timedelta(days=40)).date()
    grant_eqa(session, actor=actor_of(make_person("admin")), person_id=eqa.id,
              cycle_id=centre.cycle.id,
              expires_at=datetime.combine(later + timedelta(days=1), time.min, tzinfo=UTC))  # fmt: skip
    session.commit()
    auth.login(eqa)
    said = f"access until {later.day} {later:%b %Y}"
    for url in ("/", "/eqa"):
        page = client.get(url).get_data(as_text=True)
        assert page.count(f"{centre.cycle.name}</a> (") + page.count(f">{centre.cycle.name} (") == 1
        assert said in page, url


def test_eqa_page_links_each_sampled_learners_progress(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """The EQA's page leads to each sampled learner's progress (their standards, sign-offs and
    sign-off records), not only to their evidence."""
    centre, sample = planned
    auth.login(_granted(session, make_person, centre))
    page = client.get("/eqa").get_data(as_text=True)
    learners = page.split("Learners sampled")[1].split("</ul>")[0]
    assert f'href="/learners/{sample.learner_id}/progress"' in learners
    assert f'href="/learners/{sample.learner_id}/evidence"' in learners


def _withdrawals(session, grant_id: int) -> int:
    return len(
        session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "eqa.revoke", AuditEntry.subject_id == grant_id
            )
        ).all()
    )


def test_withdrawing_access_that_has_ended_says_so_and_writes_nothing(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """An administrator who withdraws a grant that had already ended (a page loaded before its
    last day) is told it had ended and when: nothing is withdrawn or audited (it was recorded and
    said as withdrawn, "Access ended.")."""
    centre, _sample = planned
    eqa = _granted(session, make_person, centre)
    grant = _grant_of(session, eqa)
    last = (datetime.now(UTC) - timedelta(days=3)).date()
    grant.expires_at = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    session.add(grant)
    session.commit()
    said = f"This access had already ended after {last.day} {last:%b %Y}, its last day: "
    with pytest.raises(Conflict, match=said + "there is nothing to withdraw."):
        revoke_eqa(session, actor=actor_of(make_person("admin")), grant_id=grant.id, zone=LONDON)
    auth.login("admin")
    response = client.post(f"/admin/eqa/{grant.id}/revoke")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert said in page and "Access ended." not in page
    session.refresh(grant)
    assert grant.revoked_at is None and _withdrawals(session, grant.id) == 0


def test_withdrawing_access_twice_says_when_it_was_withdrawn(
    client,
    auth,
    session,
    make_person,
    planned,  # noqa: F811
) -> None:
    """A second withdrawal (two administrators, or the button clicked on a stale page) says the
    access was already withdrawn and on which day, and records nothing more (it said "Access
    ended." again)."""
    centre, _sample = planned
    eqa = _granted(session, make_person, centre)
    grant = _grant_of(session, eqa)
    auth.login("admin")
    assert client.post(f"/admin/eqa/{grant.id}/revoke").status_code == 302
    session.refresh(grant)
    first = grant.revoked_at
    today = datetime.now(ZoneInfo("Europe/London")).date()
    response = client.post(f"/admin/eqa/{grant.id}/revoke")
    assert response.status_code == 409
    said = f"This access was already withdrawn on {today.day} {today:%b %Y}: there is nothing to"
    assert said in response.get_data(as_text=True)
    session.refresh(grant)
    assert grant.revoked_at == first and _withdrawals(session, grant.id) == 1


def test_a_new_centre_is_told_what_a_grant_needs_first(client, auth, make_person) -> None:
    # found as a new centre: the grant form offered an empty "Sampling cycle" list and no EQA, and
    # said nothing of why or where to make them
    auth.login("admin")
    page = client.get("/admin/eqa").get_data(as_text=True)
    assert "No sampling cycle yet" in page and "“New sampling cycle”" in page
    assert "No one has the external quality assurer role yet" in page
    assert 'href="/admin/people"' in page
    make_person("eqa", name="Erin External")
    page = client.get("/admin/eqa").get_data(as_text=True)
    assert "No one has the external quality assurer role yet" not in page


def test_the_last_day_of_a_grant_is_said_on_the_centres_clock(
    client,
    auth,
    planned,  # noqa: F811
) -> None:
    # the form said "Access ends (end of this day, UTC)", but a grant ends at midnight on the
    # centre's clock (PORTFOLIO_TIME_ZONE): an hour later than UTC all summer in London
    auth.login("admin")
    page = client.get("/admin/eqa").get_data(as_text=True)
    assert "UTC" not in page
    assert "Last day of access (it ends at midnight, the centre’s time)" in page
