"""The real app in a real threaded server on a real database, and clients that fire at once.

Used by the concurrency tests and by ``bench/concurrency_bench.py``: a fresh database with
``learners`` learners (password :data:`PASSWORD`) and one assessor, and one submitted item whose
claim the assessor can decide; the app served by werkzeug's threaded server in a thread.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import select
from werkzeug.serving import make_server

T = TypeVar("T")
PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Seeded:
    learners: list[str]
    assessor: str
    claim_id: int
    method: str
    draft_id: int  # a draft of the first learner's, to attach files to


def seed(url: str, learners: int = 30) -> Seeded:
    """Migrate a new database at ``url`` and fill it for the scenarios."""
    from delivery.schema import upgrade
    from delivery.wiring import wire
    from demo.accounts import register_learner, sample_spec
    from mappings.assessment import claims
    from mappings.assessment.models import Claim
    from mappings.assessment.rules import rules_for
    from portfolio.db import make_engine, session_scope
    from portfolio.models import Framework
    from portfolio.services import evidence, people
    from portfolio.services.frameworks import import_framework
    from portfolio.services.people import SYSTEM, Actor

    wire()
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        fw = import_framework(s, actor=SYSTEM, spec=sample_spec())
        assessor = people.create_person(
            s,
            actor=SYSTEM,
            name="Assessor",
            email="assessor@live.example",
            roles="assessor",
            password=PASSWORD,
            site="Main site",
        )
        emails = []
        for n in range(learners):
            person = people.create_person(
                s,
                actor=SYSTEM,
                name=f"Learner {n}",
                email=f"learner{n}@live.example",
                roles="learner",
                password=PASSWORD,
                site="Main site",
            )
            emails.append(person.email)
            if n == 0:
                learner = person
        register_learner(
            s,
            learner_id=learner.id or 0,
            framework_id=fw.framework_id or 0,
            codes=["SE01"],
            assessor_id=assessor.id,
            iqa_id=None,
            cohort_id=None,
            start=date.today() - timedelta(days=30),
            planned_end=date.today() + timedelta(days=300),
        )
        me = Actor(id=learner.id or 0, name=learner.name, roles=learner.role_set)
        item = evidence.create(
            s,
            actor=me,
            learner_id=learner.id or 0,
            draft=evidence.Draft(
                kind="reflective_account",
                title="Race",
                activity_date=date.today(),
                body="I supported a job seeker.",
            ),
        )
        criterion = claims.claimable_criteria(s, learner.id or 0)[0].criterion_id
        claims.set_claims(s, actor=me, evidence_id=item.id or 0, criterion_ids=[criterion])
        evidence.submit(s, actor=me, evidence_id=item.id or 0, declaration=True)
        claim = s.exec(select(Claim).where(Claim.evidence_id == item.id)).one()
        method = rules_for(s.get(Framework, fw.framework_id)).methods[0][0]
        draft = evidence.create(
            s,
            actor=me,
            learner_id=learner.id or 0,
            draft=evidence.Draft(
                kind="reflective_account",
                title="Draft",
                activity_date=date.today(),
                body="Notes.",
            ),
        )
        seeded = Seeded(emails, assessor.email, claim.id or 0, method, draft.id or 0)
    engine.dispose()
    return seeded


@contextmanager
def serving(url: str, folder: Path, **config: Any) -> Iterator[str]:
    """The app on ``url`` served by werkzeug's threaded server; yields its base URL."""
    from delivery.web.app import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "live-secret",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(folder / "instance"),
            "FILE_STORE": str(folder / "files"),
            **config,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        app.extensions["portfolio"].engine.dispose()


def post(
    base: str, path: str, data: dict[str, str], cookie: str | None = None
) -> tuple[int, str | None]:
    """POST a form; (status, the session cookie it set, if any). Redirects are not followed."""
    conn = http.client.HTTPConnection(base, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("POST", path, urllib.parse.urlencode(data), headers)
        response = conn.getresponse()
        response.read()
        set_cookie = response.getheader("Set-Cookie")
        return response.status, set_cookie.split(";", 1)[0] if set_cookie else None
    finally:
        conn.close()


def log_in(base: str, email: str) -> tuple[int, str | None]:
    return post(base, "/login", {"email": email, "password": PASSWORD})


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in its own thread, released together; their results in order."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - a failed call is a result to count
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def decide_race(base: str, seeded: Seeded, tabs: int) -> list[int]:
    """The assessor decides the same claim from ``tabs`` tabs at once; each tab's status."""
    status, cookie = log_in(base, seeded.assessor)
    assert status == 302 and cookie, status
    form = {"revision": "0", "decision": "accepted", "method": seeded.method, "feedback": "Met."}
    path = f"/claims/{seeded.claim_id}/decision"
    calls = [lambda: post(base, path, form, cookie)[0] for _ in range(tabs)]
    return at_once(calls)


def slow_upload(
    base: str, cookie: str, evidence_id: int, data: bytes, meanwhile: Callable[[], T]
) -> tuple[int, T | None]:
    """Upload ``data`` as a text file in two halves, calling ``meanwhile()`` (in another thread)
    between them; (the upload's status, what ``meanwhile`` returned if it returned while the
    upload was still under way, else None)."""
    boundary = "live-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(base, timeout=120)
    try:
        conn.putrequest("POST", f"/evidence/{evidence_id}/attachments")
        conn.putheader("Cookie", cookie)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        half = len(body) // 2
        conn.send(body[:half])
        box: list[T] = []
        helper = threading.Thread(target=lambda: box.append(meanwhile()))
        helper.start()
        helper.join(timeout=20)  # generous: a writer that has to wait for the upload waits 30 s
        during = box[0] if box else None
        conn.send(body[half:])
        response = conn.getresponse()
        response.read()
        helper.join()
        return response.status, during
    finally:
        conn.close()
