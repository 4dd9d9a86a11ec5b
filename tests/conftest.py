"""Shared fixtures: a real database per backend, each test rolled back; app, client, CLI."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from delivery.cli.context import Context
from delivery.cli.main import main
from delivery.schema import upgrade
from delivery.web.app import create_app
from delivery.wiring import wire
from demo.accounts import register_learner, sample_spec
from portfolio import config as settings
from portfolio import sealing
from portfolio.db import make_engine, normalise_url
from portfolio.models import Framework, Person, Registration
from portfolio.services import people, two_step
from portfolio.services.people import SYSTEM

pytest_plugins = ["tests.assessed"]  # the ``store`` and ``case`` of exports and privacy tests

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "data" / "shared"
PASSWORD = "correct-horse-battery"
# One key encrypts two-step secrets for every app, command and worker of the run, whatever their
# secret keys, as in one deployment (what one seals the others read); tests of keys set theirs.
TEST_ENCRYPTION_KEY = "ITGKAQGMjn0fxvIS0KwCw0lx1P8L5A_Il0EJay2yreQ="
os.environ.setdefault("PORTFOLIO_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEY)
PG_ENV = "PORTFOLIO_TEST_POSTGRES_URL"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@contextmanager
def _postgres_database(template: str | None = None) -> Iterator[str]:
    admin_url = normalise_url(os.environ[PG_ENV])
    name = f"portfolio_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty database of ``backend``; dropped afterwards, with any suggestion engine built
    on it (a command that relearns there must not teach the other tests its decisions)."""
    from mappings.assessment.suggestions import reset_cache

    try:
        if backend == "postgresql":
            with _postgres_database() as url:
                yield url
        else:
            yield f"sqlite:///{folder / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}"
    finally:
        reset_cache()


def _load_sample(engine: Engine, *, trail: bool = True) -> None:
    """Load the sample framework; ``trail=False`` writes no audit entry, for a database at an
    old revision whose audit table lacks columns today's entries have (migration tests)."""
    from contextlib import ExitStack
    from unittest import mock

    from portfolio.services import audit
    from portfolio.services.frameworks import import_framework

    with Session(engine) as session, ExitStack() as stack:
        if not trail:
            stack.enter_context(mock.patch.object(audit, "record"))
        import_framework(session, actor=SYSTEM, spec=sample_spec())
        session.commit()


@pytest.fixture(scope="session", params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Migrated databases, made once per run for each (backend, sample) and copied for each test that
# asks for one: PostgreSQL's CREATE DATABASE ... TEMPLATE, SQLite's backup API. The copies are
# the database that migrating (and loading the sample) gives, without doing it again each time.
_TEMPLATES: dict[tuple[str, bool], str] = {}
_TEMPLATE_CLEANUP: list[Any] = []


def _template(backend: str, sample: bool) -> str:
    """The template for ``backend``: a PostgreSQL database name or an SQLite file's path."""
    key = (backend, sample)
    if key not in _TEMPLATES:
        if backend == "postgresql":
            made: Any = _postgres_database()
            url = made.__enter__()
            found = str(make_url(url).database)
        else:
            made = tempfile.TemporaryDirectory(prefix="portfolio-template-")
            found = str(Path(made.__enter__()) / "template.sqlite3")
            url = f"sqlite:///{found}"
        _TEMPLATE_CLEANUP.append(made)
        eng = make_engine(url)
        try:
            upgrade(eng)
            if sample:
                _load_sample(eng)
        finally:
            eng.dispose()  # a PostgreSQL template may have no one connected to it
        _TEMPLATES[key] = found
    return _TEMPLATES[key]


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    while _TEMPLATE_CLEANUP:
        _TEMPLATE_CLEANUP.pop().__exit__(None, None, None)
    _TEMPLATES.clear()


@pytest.fixture(autouse=True)
def _process_zone_kept() -> Iterator[None]:
    """Put back the process's time zone (``TZ``) that ``portfolio serve`` sets to the centre's:
    the next test reads "today" from the machine's clock again."""
    before = os.environ.get("TZ")
    yield
    if os.environ.get("TZ") != before:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture(autouse=True)
def _no_warming_outlives_its_test() -> Iterator[None]:
    """A suggestion warm-up thread a test started (the app's, the worker's) has ended when the
    test does: one still running afterwards reads a database the test has dropped."""
    import threading

    before = set(threading.enumerate())
    yield
    started = [t for t in threading.enumerate() if t not in before and t.name == "suggestions-warm"]
    for thread in started:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in started), "a suggestion warm-up thread outlived its test"


@contextmanager
def _copied_database(backend: str, folder: Path, *, sample: bool) -> Iterator[str]:
    template = _template(backend, sample)
    if backend == "postgresql":
        with _postgres_database(template) as url:
            yield url
        return
    folder.mkdir(parents=True, exist_ok=True)  # as make_engine does for a new file
    path = folder / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
    source, target = sqlite3.connect(template), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    yield f"sqlite:///{path}"


@contextmanager
def migrated_database(backend: str, folder: Path, *, sample: bool = False) -> Iterator[Engine]:
    """A new database of ``backend`` at the newest schema (with the sample framework when
    ``sample``), as an engine; disposed and dropped afterwards."""
    with _copied_database(backend, folder, sample=sample) as url:
        eng = make_engine(url)
        try:
            yield eng
        finally:
            eng.dispose()


@pytest.fixture(autouse=True)
def _forget_what_engines_learnt() -> Iterator[None]:
    """After each test, forget the suggestion engines that learnt decisions: the test's rollback
    took those decisions away and the next test reuses their ids, so an engine that remembers
    them would skip the next test's decisions as already learnt. Engines that learnt nothing
    are kept (building one is the slow part)."""
    yield
    import sys

    suggestions = sys.modules.get("mappings.assessment.suggestions")
    if suggestions is None:  # never imported: nothing built (and the CLI tests stay light)
        return
    with suggestions._lock:
        for key, warm in list(suggestions._cache.items()):
            if warm.learnt.newest:
                del suggestions._cache[key]


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database holding the sample framework, shared by the session's tests. The
    suggestion engines built on it are forgotten with it: the next backend's database has the same
    framework (same ids, same content) but none of these decisions."""
    from mappings.assessment.suggestions import reset_cache

    with migrated_database(backend, tmp_path_factory.mktemp("db"), sample=True) as eng:
        yield eng
    reset_cache()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


def _session_on(conn: Connection) -> Session:
    return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    s = _session_on(connection)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def app(engine: Engine, connection: Connection, tmp_path: Path) -> Flask:
    application = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "READINGS_INLINE": True,  # attachments are read after the commit, in the request
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    application.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class TestContext(Context):
    """The CLI's context bound to the test's rolled-back connection."""

    def __init__(self, engine: Engine, connection: Connection) -> None:
        super().__init__(engine.url.render_as_string(hide_password=False))
        self._engine = engine
        self._connection = connection

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        import click

        from portfolio.errors import DomainError

        s = _session_on(self._connection)
        try:
            yield s
            s.commit()
        except DomainError as exc:
            s.rollback()
            raise click.ClickException(str(exc)) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()


@pytest.fixture
def cli(engine: Engine, connection: Connection) -> Callable[..., Result]:
    """Run ``portfolio ARGS`` against the test database; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(
            main,
            list(args),
            obj=TestContext(engine, connection),
            input=input,
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def sample_framework(session: Session) -> Framework:
    fw = session.exec(select(Framework).where(Framework.code == "SE")).first()
    assert fw is not None
    return fw


@pytest.fixture
def make_person(session: Session) -> Callable[..., Person]:
    counter = iter(range(1, 10_000))

    def make(
        roles: str = "learner",
        name: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        site: str = "Main site",
    ) -> Person:
        n = next(counter)
        person = people.create_person(
            session,
            actor=SYSTEM,
            name=name or f"{roles.split(',')[0].title()} {n}",
            email=email or f"{roles.split(',')[0]}{n}-{uuid.uuid4().hex[:6]}@test.example",
            roles=roles,
            password=password,
            site=site,
        )
        session.commit()
        return person

    return make


@pytest.fixture
def make_registration(
    session: Session, sample_framework: Framework, make_person: Callable[..., Person]
) -> Callable[..., Registration]:
    def make(
        learner: Person | None = None,
        assessor: Person | None = None,
        iqa: Person | None = None,
        codes: str = "SE01,SE03,SE04",
    ) -> Registration:
        learner = learner or make_person("learner")
        reg = register_learner(
            session,
            learner_id=learner.id or 0,
            framework_id=sample_framework.id or 0,
            codes=codes.split(","),
            assessor_id=assessor.id if assessor else None,
            iqa_id=iqa.id if iqa else None,
            cohort_id=None,
            start=date.today() - timedelta(days=60),
            planned_end=date.today() + timedelta(days=300),
        )
        session.commit()
        return reg

    return make


class Auth:
    """Log a client in as a given person (``auth.login(person)``) or a new one of a role."""

    def __init__(self, client: FlaskClient, make_person: Callable[..., Person]) -> None:
        self.client = client
        self.make_person = make_person

    def login(self, who: Person | str) -> Person:
        person = self.make_person(who) if isinstance(who, str) else who
        response = self.client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return person

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, make_person: Callable[..., Person]) -> Auth:
    return Auth(client, make_person)


@pytest.fixture
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[Any]:
    """Argon2id at its production cost (64 MiB, 3 passes, 4 lanes) takes ~0.2 s of CPU per hash
    or check, and the suite makes or checks a password thousands of times: the tests hash with
    the same algorithm at its lowest cost. tests/portfolio/test_passwords.py checks the
    production hasher itself (its parameters, and a log-in through it), which this fixture
    yields."""
    from argon2 import PasswordHasher

    from portfolio.services import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._dummy_hash.cache_clear()
    try:
        yield real
    finally:
        passwords._hasher = real
        passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def choices_as_wtforms_3_4_reads_them() -> Iterator[None]:
    """WTForms 3.3 reads a select's, radio's or tick box's choice given as a (value, label)
    tuple but says it is deprecated, and only when the tuples reach the field's constructor;
    3.4 removes them. Every choice a page builds, also those set on a bound field (``.choices
    = ...``, which 3.3 takes without a word), must be a ``SelectChoice`` (or a plain string):
    the tests read choices as 3.4 will, refusing a tuple wherever a page renders or validates."""
    from wtforms.fields.choices import Choice, SelectChoice

    real = SelectChoice.__dict__["from_input"]

    def from_input(cls: type[SelectChoice], input: Any, optgroup: Any = None) -> SelectChoice:
        if isinstance(input, tuple) and not isinstance(input, Choice):  # Choice: its own warning
            raise TypeError(f"a choice given as a tuple, which WTForms 3.4 refuses: {input!r}")
        return real.__func__(cls, input, optgroup)

    SelectChoice.from_input = classmethod(from_input)
    try:
        yield
    finally:
        SelectChoice.from_input = real


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """Guards and relations registered as the app, the CLI and the worker register them."""
    wire()


@pytest.fixture(autouse=True)
def sealed_with_the_test_key() -> None:
    """Each test starts with the run's keys, whatever keys the one before configured."""
    two_step.use_sealer(sealing.from_settings(settings.from_env()))


def pytest_report_header(config: Any) -> str:
    return f"database backends: {', '.join(_backends())}"


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(connection: Connection, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements.

    The log-in's "last seen" write (once a minute) is held off, so a slow run does not add a
    statement to whichever request crosses the minute."""
    from sqlalchemy import event

    from portfolio.services import logins

    monkeypatch.setattr(logins, "TOUCH_EVERY", timedelta(days=1))

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.statements.append(statement)

        event.listen(connection, "before_cursor_execute", listener)
        try:
            yield counter
        finally:
            event.remove(connection, "before_cursor_execute", listener)

    return counting


@pytest.fixture
def make_evidence(session: Session) -> Callable[..., Any]:
    """Create (and by default submit) evidence for ``learner`` through the real service."""
    from portfolio.services import evidence as service
    from portfolio.services.people import Actor

    def make(
        learner: Person,
        *,
        kind: str = "reflective_account",
        title: str = "Evidence",
        body: str = "I supported a job seeker.",
        activity_date: date | None = None,
        submit: bool = True,
        author: Person | None = None,
    ) -> Any:
        writer = author or learner
        actor = Actor(id=writer.id or 0, name=writer.name, roles=writer.role_set)
        fields = None
        if kind == "witness_testimony":
            fields = {
                "witness_name": "W",
                "witness_role": "Manager",
                "witness_relationship": "Boss",
            }
        item = service.create(
            session,
            actor=actor,
            learner_id=learner.id or 0,
            draft=service.Draft(
                kind=kind,
                title=title,
                activity_date=activity_date or date.today() - timedelta(days=7),
                body=body,
                fields=fields,
            ),
        )
        if submit:
            service.submit(session, actor=actor, evidence_id=item.id or 0, declaration=True)
        session.commit()
        return item

    return make


def actor_of(person: Person) -> Any:
    from portfolio.services.people import Actor

    return Actor(id=person.id or 0, name=person.name, roles=person.role_set)


def run_queued_jobs(queues: list[Any], connection: Any) -> bool:
    """Run what is queued, in this process (rq's SimpleWorker in burst mode), as the tests' worker.

    With the command listener ``portfolio worker`` has (exports.rq_worker.PromptStop): the
    burst ends as soon as its jobs do (rq's own listener sometimes held it up for 60 s). The
    worker's handlers of SIGINT and SIGTERM are taken away again when it ends: left in place, the
    signal that ends the test process later raised rq's StopRequested in whatever ran then."""
    import signal

    from exports.rq_worker import PortfolioSimpleWorker

    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return bool(PortfolioSimpleWorker(queues, connection=connection).work(burst=True))
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


def redis_answers(url: str) -> bool:
    """Whether a Redis answers at ``url`` (tests that need one are skipped without it)."""
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - no Redis: the caller skips
        return False


@contextmanager
def redis_held(url: str) -> Iterator[None]:
    """Hold the Redis database at ``url`` alone while a test empties it (``flushdb``): the
    pytest-xdist workers (and another run of the suite on the machine) would otherwise empty it
    under each other's jobs. A lock file per database, held with ``flock``, is let go when the
    test ends or its process dies."""
    import fcntl
    import hashlib

    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"portfolio-tests-redis-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
