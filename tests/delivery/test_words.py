"""Words people use (issue 17): dates as "3 Dec 2026, 08:10" in the centre's time zone, through one
filter; no ISO or "+00:00" timestamps, "(#2)" ids, MIME types, hashes or audit codes on pages."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlmodel import select

from delivery.web.words import (
    action_words,
    fact_words,
    file_type,
    gap_words,
    label_words,
    plain,
    role_words,
    waited,
    when,
)
from mappings.assessment.claims import claimable_criteria
from mappings.quality.models import Sample
from mappings.quality.plan import plan_cycle
from portfolio import config as settings
from portfolio.markdown import plain_words
from portfolio.words import day_end, day_words, last_day
from tests.conftest import actor_of

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
AUDIT = "audit|auth|bundle|claims?|cohort|eqa|evidence|export|framework|iqa|person|registration|standard"
CODES = re.compile(rf"\+00:00|\(#\d+\)|\b[0-9a-f]{{64}}\b|\b(?:{AUDIT})\.[a-z_.]+")
MIME = re.compile(r"\b(?:application|text|image|audio|video)/[a-z0-9.+-]+")


def _words(html: str) -> str:
    """What a person reads: the page's text, without tags, attributes, scripts or the
    fingerprints kept folded away for auditors."""
    html = re.sub(r'<details class="fingerprints">.*?</details>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _plain_page(html: str) -> list[str]:
    text = _words(html)
    found = ISO_DAY.findall(text) + MIME.findall(text)
    found += CODES.findall(text)
    return found


@pytest.mark.parametrize(
    ("value", "zone", "words"),
    [
        (datetime(2026, 12, 3, 8, 10, tzinfo=UTC), "Europe/London", "3 Dec 2026, 08:10"),
        (datetime(2026, 7, 1, 8, 10, tzinfo=UTC), "Europe/London", "1 Jul 2026, 09:10"),  # BST
        (datetime(2026, 7, 1, 8, 10), "Europe/London", "1 Jul 2026, 09:10"),  # naive is UTC
        (datetime(2026, 12, 3, 8, 10, tzinfo=UTC), "America/New_York", "3 Dec 2026, 03:10"),
        (date(2026, 12, 3), "Asia/Tokyo", "3 Dec 2026"),  # a date is a date everywhere
        (None, "Europe/London", "—"),
    ],
)
def test_one_filter_gives_dates_and_times_in_the_centres_zone(
    app: Flask, value: Any, zone: str, words: str
) -> None:
    app.config["TIME_ZONE"] = zone
    with app.app_context():
        assert when(value) == words
        rendered = app.jinja_env.from_string("{{ v|when }}").render(v=value)
        assert rendered == words


def test_the_time_zone_is_a_setting_checked_at_start(tmp_path: Path) -> None:
    conf = settings.from_env({})
    assert conf["TIME_ZONE"] == "Europe/London"
    conf = settings.from_env({"PORTFOLIO_TIME_ZONE": "Mars/Olympus"})
    conf["INSTANCE_PATH"] = str(tmp_path)
    with pytest.raises(RuntimeError, match="Unknown time zone “Mars/Olympus”"):
        settings.finish(conf)


def test_codes_become_words() -> None:
    assert action_words("evidence.create") == "Draft created"
    assert action_words("something.new_here") == "Something new here"  # never the raw code
    assert file_type("application/pdf") == "PDF" and file_type("image/png") == "image"
    assert (
        file_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        == "Word document"
    )
    assert plain("CAMERA: evidence reflective_account") == "CAMERA: evidence reflective account"
    assert plain("Asa Assessor (#2): 2 of 4 decisions") == "Asa Assessor: 2 of 4 decisions"
    now = datetime(2026, 12, 6, 8, 10, tzinfo=UTC)
    assert waited(datetime(2026, 12, 3, 8, 10, tzinfo=UTC), now) == "3 days"


def test_evidence_pages_speak_in_words(
    client: Any, auth: Any, session: Any, make_person: Any, make_registration: Any
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    auth.login(learner)
    response = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={"title": "Job trial", "activity_date": "2026-11-30", "body": "I met the employer."},
    )
    item_url = response.headers["Location"]
    item_id = int(item_url.rsplit("/", 1)[1])
    client.post(
        f"/evidence/{item_id}/attachments",
        data={"file": (io.BytesIO(b"Notes of the meeting."), "notes.txt")},
        content_type="multipart/form-data",
    )
    criterion = claimable_criteria(session, learner.id)[0].criterion_id
    client.post(
        f"/evidence/{item_id}/submit",
        data={"criterion": [str(criterion)], "on_page": "1", "declaration": "y"},
    )
    page = client.get(item_url).get_data(as_text=True)
    text = _words(page)
    assert "30 Nov 2026" in text  # the date of the activity
    assert (
        "Draft created" in text and "File attached" in text and "Submitted for assessment" in text
    )
    assert "(text, " in text  # the file's type in words
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", text)  # when it was saved
    assert _plain_page(page) == []
    assert "Fingerprints of the versions, for auditors" in page  # kept, folded away
    assert _plain_page(client.get("/evidence").get_data(as_text=True)) == []
    assert _plain_page(client.get(f"/learners/{learner.id}/progress").get_data(as_text=True)) == []
    auth.logout()
    auth.login(assessor)
    for url in ("/caseload", "/marking", item_url, f"/learners/{learner.id}/progress", "/"):
        html = client.get(url).get_data(as_text=True)
        assert _plain_page(html) == [], url
    decisions = _words(client.get(item_url).get_data(as_text=True))
    assert "Awaiting decision" in decisions and "claimed" not in decisions


def test_quality_assurance_pages_show_no_ids_or_codes(
    client: Any, auth: Any, session: Any, make_person: Any, make_registration: Any
) -> None:
    from tests.mappings.test_iqa import build_centre

    centre = build_centre(session, make_person, make_registration, learners=3)
    centre.cycle.seed = 1_234_567_890  # as big as one made from a cycle's name; typed as shown
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    sample = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).first()
    auth.login(centre.iqa)
    c = centre.cycle.id
    for url in ("/iqa", f"/iqa/cycles/{c}", f"/iqa/cycles/{c}/grid", f"/iqa/samples/{sample.id}"):
        text = _words(client.get(url).get_data(as_text=True))
        assert not re.search(r"\(#\d+\)", text), url
        assert not ISO_DAY.search(text), (url, ISO_DAY.findall(text))
        assert "reflective_account" not in text and "observation_record" not in text, url
    # the cycle's random seed is said as what it does, not shown as a bare number
    plan = " ".join(_words(client.get(f"/iqa/cycles/{c}").get_data(as_text=True)).split())
    said = (
        "How the samples are chosen At random, with sampling number 1234567890: planning "
        "again with the same number picks the same samples."
    )
    assert said in plan


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        ("CAMERA: method O", "Method “Observation”"),
        # a kind is a value, as a method is: "Method “Reflective account”" beside it on the page
        ("CAMERA: method RA", "Method “Reflective account”"),
        ("CAMERA: evidence reflective_account", "Kind of evidence “Reflective account”"),
        ("CAMERA: evidence star_narrative", "Kind of evidence “STAR narrative”"),
        ("CAMERA: record interim", "Record “Interim (before sign-off)”"),
        ("CAMERA: assessor Asa Assessor (#12)", "Assessor “Asa Assessor”"),
        ("coverage: standard SE01", "Standard “SE01”"),
        (
            "rate: Mo Manager (#11) (new, 100%) has 0 of 1 samples",
            "Mo Manager (new, 100%) has 0 of 1 sample",
        ),
        (  # the strategy's usual rate, not a framework's standard
            "rate: Aaron Assessor (#3) (standard, 20%) has 0 of 1 samples",
            "Aaron Assessor (experienced, 20%) has 0 of 1 sample",
        ),
        (  # one sample short of a quota of several: "samples", as the quota counts them
            "rate: Mo Manager (#11) (new, 100%) has 1 of 3 samples",
            "Mo Manager (new, 100%) has 1 of 3 samples",
        ),
    ],
)
def test_what_an_iqa_plan_lacks_is_said_in_words(gap: str, words: str) -> None:
    assert gap_words(gap) == words


def test_framework_facts_and_roles_in_words(app: Flask) -> None:
    assert label_words("lastChangeDateTime") == "Last changed"
    assert label_words("case_version") == "CASE version"
    assert label_words("adoptionStatus") == "Adoption status"
    assert label_words("date_approved") == "Date approved"
    app.config["TIME_ZONE"] = "Europe/London"
    with app.app_context():
        assert fact_words("2017-05-25") == "25 May 2017"
        assert fact_words("2017-05-25T18:05:33") == "25 May 2017, 19:05"  # naive is UTC
        assert fact_words("2017-05-25T18:05:33Z") == "25 May 2017, 19:05"
    assert fact_words("Private Draft") == "Private Draft"
    assert fact_words("2017-13-45") == "2017-13-45"  # not a date: as it is
    said = fact_words("exactMatchOf: 16, exemplar: 2, hasSkillLevel: 1", "other_associations")
    assert said == "exact match of: 16, exemplar: 2, skill level: 1"
    assert fact_words("exactMatchOf: 16") == "exactMatchOf: 16"  # only that fact is read so
    assert role_words("assessor,iqa") == "Assessor, internal quality assurer"
    assert role_words(frozenset({"eqa", "learner"})) == "External quality assurer, learner"


_ACTION_SHAPE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _recorded_actions() -> set[str]:
    """Every audit action the code records: the ``action=`` of each call and the code passed to the
    two helpers that record on a caller's behalf (``drafts.log``, ``plans._audit``)."""
    import ast

    found: set[str] = set()
    root = Path(__file__).resolve().parents[2]
    for package in ("portfolio", "mappings", "exports", "delivery", "framework", "demo"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                values = [k.value for k in node.keywords if k.arg == "action"]
                if name in ("log", "_audit"):
                    values += node.args
                found |= {
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and _ACTION_SHAPE.match(v.value)
                }
    return found


def test_every_audit_action_the_code_records_has_words_of_its_own() -> None:
    from delivery.web.words import ACTIONS

    recorded = _recorded_actions()
    # the scan finds actions in all three forms: drafts.log, plans._audit and action=
    assert {"evidence.attach", "plan.set", "claim.decide"} <= recorded
    assert sorted(recorded - ACTIONS.keys()) == []


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("the **purpose** of the `team`", "the purpose of the team"),
        ("a __plan__ and *its* steps", "a plan and its steps"),
        ("***both***", "both"),
        ("**Action:** I rang", "Action: I rang"),
        ("2 * 3 * 4 and snake_case_word", "2 * 3 * 4 and snake_case_word"),  # no emphasis
        ("a ** b", "a ** b"),
        (
            "see [the plan](https://example.org/plan) &amp; ![a chart](c.png)",
            "see the plan & a chart",
        ),
    ],
)
def test_a_quoted_sentence_is_shown_without_markdown_marks(sentence: str, shown: str) -> None:
    assert plain_words(sentence) == shown


def test_the_last_day_of_access_is_the_centres_day_in_summer_and_winter() -> None:
    """Access granted "until 10 Jul" ends at the start of 11 Jul in the centre's time zone
    (23:00 UTC in British Summer Time): every page says 10 Jul, in winter as in summer. Grants
    made before ended at midnight UTC after their last day; they keep the day they were given."""
    london, tokyo, new_york = (
        ZoneInfo(z) for z in ("Europe/London", "Asia/Tokyo", "America/New_York")
    )
    assert day_end(date(2027, 7, 10), london) == datetime(2027, 7, 10, 23, 0, tzinfo=UTC)
    assert day_end(date(2026, 12, 10), london) == datetime(2026, 12, 11, 0, 0, tzinfo=UTC)
    assert day_end(date(2027, 3, 27), london) == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    assert day_end(date(2027, 3, 28), london) == datetime(2027, 3, 28, 23, 0, tzinfo=UTC)
    assert day_end(date(2026, 12, 10), tokyo) == datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    for day, zone in ((date(2027, 7, 10), london), (date(2026, 12, 10), london),
                      (date(2027, 3, 28), london), (date(2027, 10, 31), london),
                      (date(2026, 12, 10), tokyo), (date(2027, 7, 10), new_york)):  # fmt: skip
        assert last_day(day_end(day, zone), zone) == day_words(day)
        assert last_day(day_end(day, zone).replace(tzinfo=None), zone) == day_words(day)
        # a grant made before: midnight UTC after its last day (naive from the database)
        made_before = datetime.combine(day + timedelta(days=1), time.min)
        assert last_day(made_before, zone) == day_words(day)
    # a moment that is no day's end: the last day is the one it falls in
    assert last_day(datetime(2027, 7, 10, 22, 30, tzinfo=UTC), london) == "10 Jul 2027"
    assert last_day(datetime(2027, 7, 10, 23, 30, tzinfo=UTC), london) == "11 Jul 2027"
    assert last_day(None, london) == "—"
