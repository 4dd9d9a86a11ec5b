"""Suggestions stored per evidence version: worked out in the background when a version is saved,
submitted or a file attached, read by the evidence page (which never runs the engine), worked out
again for another engine version or after newer decisions; the cached engine is replaced whole."""

from __future__ import annotations

import io
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from delivery.cli.main import main
from delivery.web.evidence import readings
from demo.accounts import register_learner
from mappings.assessment import stored, suggestions
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.deciders import framework_of
from mappings.assessment.models import Claim, Decision, VersionSuggestions
from mappings.engine.suggest import ENGINE_VERSION, SuggestionEngine
from portfolio.models import Evidence, EvidenceVersion, Framework, Person
from portfolio.services import evidence, people
from portfolio.services.actors import SYSTEM
from tests.conftest import actor_of, migrated_database, run_queued_jobs

REDIS_URL = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROFILE = (
    "I completed a vocational profile with K, identifying her aspirations, skills and support "
    "needs. I carried out a better-off calculation with her."
)
RECORD = (
    "Vocational profile with K, an autistic job seeker. We mapped her skills, talents "
    "and employment preferences. I completed a better-off calculation of her benefits."
)

# the learner's evidence page, pinned (26 before its files were read once for the page and its
# personal-data panel; 25 before the criteria's states were worked out from the criteria the page
# reads, the visitor read in the request's own session; 21 before the frameworks' key and rules
# and the newest decision were read in one statement, the claims with their decisions, the item
# with its learner's name, and the last scan with the findings; 15 before the files, comments,
# judgements and received records were asked for only when the item has some; 11 before the
# unread notifications came with the log-in's row)
EVIDENCE_PAGE_STATEMENTS = 10


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    suggestions.reset_cache()
    yield
    suggestions.reset_cache()


def _row(session: Session, evidence_id: int) -> VersionSuggestions | None:
    session.expire_all()
    item = session.get(Evidence, evidence_id)
    assert item is not None
    version = session.exec(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == evidence_id,
            EvidenceVersion.number == item.current_version,
        )
    ).one()
    return session.exec(
        select(VersionSuggestions).where(VersionSuggestions.version_id == version.id)
    ).first()


def _section(page: str) -> str:
    marker = 'id="suggest-heading"'
    return page.split(marker, 1)[1].split("</section>", 1)[0] if marker in page else ""


def _write(client: Any, learner: Person, body: str = PROFILE) -> int:
    """A new draft saved through the editor page; its id."""
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={
            "title": "Vocational profile with K",
            "activity_date": (date.today() - timedelta(days=3)).isoformat(),
            "body": body,
            "save": "Save",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _decide(session: Session, learner: Person, item: Evidence, codes: list[str]) -> None:
    """Accept claims of ``item`` on these criteria (``SE04 P1``), each with its decision row."""
    wanted = set(codes)
    for c in claimable_criteria(session, learner.id or 0):
        if f"{c.standard_code} {c.code}" not in wanted:
            continue
        claim = Claim(
            evidence_id=item.id or 0,
            criterion_id=c.criterion_id,
            claimed_by=learner.id or 0,
            status="accepted",
        )
        session.add(claim)
        session.flush()
        session.add(
            Decision(
                claim_id=claim.id or 0,
                framework_id=framework_of(session, claim.id or 0),
                actor_id=learner.id or 0,
                old_status="claimed",
                new_status="accepted",
            )
        )
    session.commit()


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the page ran the suggestion engine")


def test_saving_stores_the_suggestions_and_the_page_only_reads_them(
    client, auth, make_registration, session, monkeypatch
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    evidence_id = _write(client, learner)
    row = _row(session, evidence_id)
    assert row is not None, "saving the draft stored its suggestions"
    assert row.engine_version == ENGINE_VERSION
    fw = session.exec(select(Framework).where(Framework.code == "SE")).one()
    # the framework's version, and its vocabulary (the sample has one): a new one makes them stale
    assert row.frameworks == [[fw.id, f"{fw.content_hash}+{row.frameworks[0][1][-12:]}"]]
    assert row.frameworks == [list(pair) for pair in suggestions.framework_key(session, [fw.id])]
    first = row.suggestions[0]
    assert set(first) == {"criterion_id", "standard", "code", "score", "strong", "because"}
    assert any(s["strong"] for s in row.suggestions)
    assert all(isinstance(b, str) for s in row.suggestions for b in s["because"])
    computed = row.computed_at

    monkeypatch.setattr(SuggestionEngine, "suggest", _refuse)
    monkeypatch.setattr(SuggestionEngine, "build", _refuse)
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    shown = _section(page)
    assert "<mark>" in shown and ", strong" in shown
    assert "being worked out" not in page
    # submitting the same text finds the stored suggestions current: nothing is worked out again
    r = client.post(
        f"/evidence/{evidence_id}/submit", data={"declaration": "y", "submit": "Submit"}
    )
    assert r.status_code == 302
    row = _row(session, evidence_id)
    assert row is not None and row.computed_at == computed


def test_editing_the_text_works_them_out_again(client, auth, make_registration, session) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    evidence_id = _write(client, learner, body="I met K at the cafe.")
    row = _row(session, evidence_id)
    assert row is not None
    before = (row.basis, list(row.suggestions))
    r = client.post(
        f"/evidence/{evidence_id}/edit",
        data={
            "title": "Vocational profile with K",
            "activity_date": (date.today() - timedelta(days=3)).isoformat(),
            "body": PROFILE,
            "expected_version": "1",
            "save": "Save",
        },
    )
    assert r.status_code == 302
    after = _row(session, evidence_id)
    assert after is not None and after.basis != before[0]
    assert after.suggestions != before[1]
    assert any("vocational profile" in b for s in after.suggestions for b in s["because"])


def test_attaching_a_file_stores_suggestions_that_read_its_text(
    client, auth, make_registration, session
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE04,SE05")
    evidence_id = _write(client, learner, body="See the attached record.")
    r = client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(RECORD.encode()), "record.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    row = _row(session, evidence_id)
    assert row is not None
    top = {(s["standard"], s["code"]): s for s in row.suggestions}
    assert top[("SE04", "P1")]["strong"]
    assert (
        "We mapped her skills, talents and employment preferences."
        in (top[("SE04", "P1")]["because"])
    )
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "<mark>We mapped her skills, talents and employment preferences.</mark>" in _section(
        page
    )


def test_a_page_without_stored_suggestions_says_so_and_queues_them(
    app, client, auth, make_registration, make_evidence, session, monkeypatch
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(readings, "suggest", queued.append)
    monkeypatch.setattr(SuggestionEngine, "suggest", _refuse)
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    item = make_evidence(learner, title="Profile", body=PROFILE)  # behind the pages' back
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Suggestions are being worked out; refresh in a moment." in page
    assert _section(page) == ""
    version = evidence.current_version(session, session.get(Evidence, item.id))
    assert queued == [[version.id]]
    assert _row(session, item.id) is None  # the page wrote nothing


def test_another_engine_version_is_worked_out_again(
    client, auth, make_registration, session, monkeypatch
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    evidence_id = _write(client, learner)
    assert _row(session, evidence_id).engine_version == ENGINE_VERSION
    monkeypatch.setattr(stored, "ENGINE_VERSION", "next-engine")
    # the page shows what it has, and has it worked out again (in tests: after the answer)
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "<mark>" in _section(page) and "being worked out" not in page
    row = _row(session, evidence_id)
    assert row is not None and row.engine_version == "next-engine"


def test_a_decision_after_storing_has_them_worked_out_again(
    client, auth, make_person, make_registration, make_evidence, session, monkeypatch
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    evidence_id = _write(client, learner)
    row = _row(session, evidence_id)
    assert row is not None
    seen = row.decision_id
    other = make_person("learner")
    make_registration(learner=other, codes="SE04")
    decided = make_evidence(other, title="Profile of J", body=PROFILE)
    _decide(session, other, decided, ["SE04 P1", "SE04 P2"])
    newest = session.exec(select(Decision.id).order_by(Decision.id.desc())).first()
    assert newest is not None and seen < newest
    ran: list[str] = []
    real = SuggestionEngine.suggest

    def counted(self: SuggestionEngine, **kwargs: Any) -> Any:
        ran.append(kwargs["title"])
        return real(self, **kwargs)

    monkeypatch.setattr(SuggestionEngine, "suggest", counted)
    client.get(f"/evidence/{evidence_id}")
    assert ran == [] and _row(session, evidence_id).decision_id == seen  # computed just now
    monkeypatch.setattr(stored, "SETTLE", timedelta(0))  # as if computed a while ago
    client.get(f"/evidence/{evidence_id}")
    after = _row(session, evidence_id)
    assert after is not None and after.decision_id == newest
    assert ran == ["Vocational profile with K"]  # worked out again (after the page's answer)
    # the engine learnt the decision on near-identical text: the suggestions now say so
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "<mark>" in _section(page)
    learned = {f"{s['standard']} {s['code']}": s.get("learned", "") for s in after.suggestions}
    assert learned["SE04 P1"] and learned["SE04 P1"] in PROFILE  # the sentence accepted before
    assert "Learned from your centre's decisions" in _section(page)


def test_the_old_engine_is_left_unchanged_by_a_decision(
    auth, make_person, make_registration, make_evidence, session, sample_framework
) -> None:
    ids = [sample_framework.id or 0]
    first = suggestions.warm_engine(session, ids)
    assert first.engine.neighbours("Profile", PROFILE) is None  # nothing decided yet
    before = first.engine.suggest(kind="reflective_account", title="Profile", text=PROFILE)
    assert suggestions.warm_engine(session, ids) is first  # nothing new: the same engine
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    item = make_evidence(learner, title="Profile", body=PROFILE)
    _decide(session, learner, item, ["SE04 P1"])
    second = suggestions.warm_engine(session, ids)
    assert second is not first and second.engine is not first.engine
    assert second.seen > first.seen
    assert second.engine.neighbours("Profile", PROFILE) is not None  # learnt
    assert first.engine.neighbours("Profile", PROFILE) is None  # the old one did not change
    again = first.engine.suggest(kind="reflective_account", title="Profile", text=PROFILE)
    assert again == before


def test_the_evidence_page_issues_the_same_statements_however_many_decisions(
    client,
    auth,
    make_person,
    make_registration,
    make_evidence,
    session,
    count_queries,
    monkeypatch,
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(readings, "suggest", queued.append)
    monkeypatch.setattr(stored, "SETTLE", timedelta(0))  # any newer decision makes them stale
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    item = make_evidence(learner, title="Profile", body=PROFILE)
    version_id = evidence.current_version(session, session.get(Evidence, item.id)).id
    factory = client.application.extensions["portfolio"].session_factory
    others = make_person("learner")
    make_registration(learner=others, codes="SE01,SE03,SE04")
    codes = ["SE04 P1", "SE04 P2", "SE04 P3", "SE03 P1", "SE03 P2", "SE01 P1"]
    counts = []
    for n in (1, 12):
        for i in range(n):
            done = make_evidence(others, title=f"Item {n}-{i}", body=f"{PROFILE} Visit {i}.")
            _decide(session, others, done, codes)
        assert stored.compute(factory, version_id)  # worked out with every decision so far
        with count_queries() as q:
            page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
        assert "<mark>" in _section(page)
        counts.append(q.count)
    # and a page whose suggestions a newer decision made stale: the same statements, one job
    _decide(session, others, make_evidence(others, title="Late", body=PROFILE), codes[:1])
    with count_queries() as q:
        page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "<mark>" in _section(page)
    counts.append(q.count)
    assert counts[0] == counts[1] == counts[2] == EVIDENCE_PAGE_STATEMENTS, counts
    assert queued == [[version_id]]


def test_decided_examples_fetch_each_text_once_whatever_the_claims(
    make_person, make_registration, make_evidence, session, count_queries, sample_framework
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    ids = [sample_framework.id or 0]
    few = make_evidence(learner, title="Few", body=PROFILE)
    _decide(session, learner, few, ["SE04 P1"])
    with count_queries() as q:
        examples, newest = suggestions.decided_examples(session, ids)
    assert [e.code for e in examples] == ["P1"]
    statements = q.count
    many = make_evidence(learner, title="Many", body=RECORD)
    criteria = claimable_criteria(session, learner.id or 0)
    _decide(session, learner, many, [f"{c.standard_code} {c.code}" for c in criteria[:25]])
    with count_queries() as q:
        examples, later = suggestions.decided_examples(session, ids, newest)
    assert q.count == statements and later.newest > newest.newest
    assert len(examples) == 25
    assert len({id(e.text) for e in examples}) == 1  # one text for the 25 claims on one version
    assert RECORD in examples[0].text


# ------------------------------------------------------------------ committed databases


def _learner_with_item(engine: Engine, body: str = PROFILE) -> tuple[int, int]:
    """A registered learner with one saved item (no suggestions stored): (learner, version)."""
    with Session(engine, expire_on_commit=False) as s:
        learner = people.create_person(
            s,
            actor=SYSTEM,
            name="Lee",
            email=f"lee-{uuid.uuid4().hex[:6]}@test.example",
            roles="learner",
            password="a long enough password",
            site="Main",
        )
        fw = s.exec(select(Framework).where(Framework.code == "SE")).one()
        register_learner(
            s,
            learner_id=learner.id or 0,
            framework_id=fw.id or 0,
            codes=["SE04"],
            assessor_id=None,
            iqa_id=None,
            cohort_id=None,
            start=date.today() - timedelta(days=60),
            planned_end=date.today() + timedelta(days=300),
        )
        item = evidence.create(
            s,
            actor=actor_of(learner),
            learner_id=learner.id or 0,
            draft=evidence.Draft(
                kind="reflective_account",
                title="Profile",
                activity_date=date.today() - timedelta(days=3),
                body=body,
            ),
        )
        version = evidence.current_version(s, item)
        s.commit()
        return learner.id or 0, version.id or 0


@pytest.fixture
def committed(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(backend, tmp_path, sample=True) as engine:
        yield engine


def _stored(engine: Engine, version_id: int) -> VersionSuggestions | None:
    with Session(engine) as s:
        return s.exec(
            select(VersionSuggestions).where(VersionSuggestions.version_id == version_id)
        ).first()


def test_worker_pending_works_out_what_is_missing(committed: Engine, monkeypatch) -> None:
    _learner, version_id = _learner_with_item(committed)
    url = committed.url.render_as_string(hide_password=False)
    r = CliRunner().invoke(main, ["--db", url, "worker", "--pending"])
    assert r.exit_code == 0, r.output
    assert "Suggestions worked out for 1 evidence version." in r.output
    row = _stored(committed, version_id)
    assert row is not None and row.engine_version == ENGINE_VERSION and row.suggestions
    r = CliRunner().invoke(main, ["--db", url, "worker", "--pending"])
    assert "Suggestions worked out for 0 evidence versions." in r.output
    monkeypatch.setattr(stored, "ENGINE_VERSION", "next-engine")
    r = CliRunner().invoke(main, ["--db", url, "worker", "--pending"])
    assert "Suggestions worked out for 1 evidence version." in r.output
    assert _stored(committed, version_id).engine_version == "next-engine"


def test_suggestions_are_worked_out_on_rq_with_a_real_redis(committed: Engine) -> None:
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (and CI is unset)")
    _learner, version_id = _learner_with_item(committed)
    queue = f"test-suggestions-{uuid.uuid4().hex[:8]}"
    url = committed.url.render_as_string(hide_password=False)
    conn.delete(stored.pending_key(url, version_id))
    ids = stored.enqueue_rq(REDIS_URL, [version_id], database_url=url, queue=queue)
    # pages that find it out of date while its job waits do not queue it again
    assert stored.enqueue_rq(REDIS_URL, [version_id], database_url=url, queue=queue) == []
    q = Queue(queue, connection=conn)
    assert q.job_ids == ids and _stored(committed, version_id) is None
    try:
        run_queued_jobs([q], conn)
        row = _stored(committed, version_id)
        assert row is not None and any(s["strong"] for s in row.suggestions)
        # once its job has started, the version can be queued again
        assert len(stored.enqueue_rq(REDIS_URL, [version_id], database_url=url, queue=queue)) == 1
    finally:
        q.delete(delete_jobs=True)
        conn.delete(stored.pending_key(url, version_id))


def test_a_thread_finding_the_engine_being_updated_uses_the_older_one(
    committed: Engine, monkeypatch
) -> None:
    learner_id, _version_id = _learner_with_item(committed)
    with Session(committed) as s:
        ids = [s.exec(select(Framework.id)).one() or 0]
        first = suggestions.warm_engine(s, ids)
    with Session(committed, expire_on_commit=False) as s:
        learner = s.get(Person, learner_id)
        item = s.exec(select(Evidence)).one()
        _decide(s, learner, item, ["SE04 P1"])
    entered, release = threading.Event(), threading.Event()
    real: Callable[..., Any] = suggestions.decided_examples

    def slow(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "updater":
            entered.set()
            assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "decided_examples", slow)
    found: list[suggestions.Warm] = []

    def update() -> None:
        with Session(committed) as s:
            found.append(suggestions.warm_engine(s, ids))

    updater = threading.Thread(target=update, name="updater")
    updater.start()
    try:
        assert entered.wait(30)
        with Session(committed) as s:  # meanwhile: the older engine, no waiting
            assert suggestions.warm_engine(s, ids) is first
    finally:
        release.set()
        updater.join(30)
    assert found and found[0] is not first and found[0].seen > first.seen
    with Session(committed) as s:
        assert suggestions.warm_engine(s, ids) is found[0]


def test_warming_builds_the_engines_learners_need_before_any_page(
    committed: Engine, monkeypatch
) -> None:
    _learner_with_item(committed)
    thread = suggestions.start_warming(lambda: Session(committed, expire_on_commit=False))
    thread.join(120)
    assert not thread.is_alive()
    monkeypatch.setattr(suggestions, "build_engine", _refuse)  # a page would find it built
    with Session(committed) as s:
        ids = [s.exec(select(Framework.id)).one() or 0]
        assert suggestions.framework_sets(s) == [ids]
        assert suggestions.warm_engine(s, ids).engine.suggest(
            kind="reflective_account", title="Profile", text=PROFILE
        )
