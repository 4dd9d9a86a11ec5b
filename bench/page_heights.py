"""How tall the long pages are: the assessor's decision page, the learner's evidence page and the
IQA's sample review, at 1200 px and 375 px wide, in Debian's Chromium (issue 17).

The demo data (``portfolio demo``) is loaded into a temporary SQLite database, plus one item with a
realistic amount of history: three versions, 30 claims across three standards (most decided, some
referred and decided again, eight awaiting), four attached files with their text read, a VACSR
judgement and a conversation. The IQA cycle is planned after it, so its sample holds those
decisions. The app is served by waitress in a thread and each page's document height printed.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/page_heights.py [--shots DIR]``
(``--shots`` saves a full-page screenshot of each page at each width).
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from delivery.schema import upgrade
from delivery.web.app import create_app
from demo.accounts import DEMO_PASSWORD, load_demo
from demo.assessments import add_demo_assessments
from demo.quality import add_demo_quality
from mappings.assessment import claims
from mappings.assessment.models import Claim
from mappings.assessment.reading import read_all
from mappings.quality.models import Sample, SampleReview
from portfolio.db import make_engine, session_scope
from portfolio.models import Person
from portfolio.services import comments, evidence
from portfolio.services.evidence.reading import pending
from portfolio.services.files import FileStore
from portfolio.services.people import Actor

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1200, 375)
LEARNER, ASSESSOR, IQA = "learner1@example.org", "assessor1@example.org", "iqa@example.org"
STANDARDS = ("SE01", "SE04", "SE07")
PARAGRAPH = (
    "I met the job seeker at the community centre and we went through the vocational profile "
    "together, looking at what she had enjoyed in her volunteering and what support she would "
    "need at work. Her support worker joined us for the second half and we agreed next steps."
)


def _person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def _body(version: int) -> str:
    parts = [f"## Week {n}\n\n{PARAGRAPH} (version {version}, part {n})" for n in range(1, 9)]
    return "\n\n".join(parts)


def _long_item(session: Session, files: FileStore) -> int:
    """One item with three versions, 30 claims, four files and a conversation."""
    learner, assessor = _person(session, LEARNER), _person(session, ASSESSOR)
    me, them = Actor.of(learner), Actor.of(assessor)
    draft = evidence.Draft(
        kind="reflective_account",
        title="Reflective account: a job seeker's route from profile to paid work",
        activity_date=date.today() - timedelta(weeks=3),
        body=_body(1),
    )
    item = evidence.create(session, actor=me, learner_id=learner.id or 0, draft=draft)
    item_id = item.id or 0
    for n in range(1, 5):
        text = f"Notes of meeting {n}\n\n" + "\n\n".join([PARAGRAPH] * 12)
        evidence.attach(
            session,
            actor=me,
            store=files,
            evidence_id=item_id,
            filename=f"meeting-notes-{n}.txt",
            stream=io.BytesIO(text.encode()),
            max_bytes=10 * 1024 * 1024,
        )
    criteria = claims.claimable_criteria(session, learner.id or 0)
    wanted = [
        c.criterion_id
        for code in STANDARDS
        for c in [c for c in criteria if c.standard_code == code][:10]
    ]
    claims.set_claims(session, actor=me, evidence_id=item_id, criterion_ids=wanted)
    evidence.submit(session, actor=me, evidence_id=item_id, declaration=True)
    claims.judge(session, actor=them, evidence_id=item_id, flags=dict.fromkeys(claims.VACSR, True))
    rows = sorted(
        session.exec(select(Claim).where(Claim.evidence_id == item_id)).all(),
        key=lambda c: c.id or 0,
    )
    for n, claim in enumerate(rows[:22]):
        refer = n % 4 == 0
        claims.decide(
            session,
            actor=them,
            claim_id=claim.id or 0,
            expected_revision=claim.revision,
            decision="referred" if refer else "accepted",
            method=("O", "WT", "P", "RA", "PD")[n % 5],
            feedback="Say how you checked the job seeker's own view." if refer else "",
        )
    comments.add(session, actor=them, evidence_id=item_id, body="Please add the second meeting.")
    comments.add(session, actor=me, evidence_id=item_id, body="Added in version 2.")
    for version in (2, 3):
        draft = evidence.Draft(
            kind="reflective_account",
            title=draft.title,
            activity_date=draft.activity_date,
            body=_body(version),
        )
        evidence.update(
            session, actor=me, evidence_id=item_id, expected_version=version - 1, draft=draft
        )
        evidence.submit(session, actor=me, evidence_id=item_id, declaration=True)
    for claim in session.exec(
        select(Claim).where(Claim.evidence_id == item_id, Claim.status == "referred")
    ).all():
        claims.decide(
            session,
            actor=them,
            claim_id=claim.id or 0,
            expected_revision=claim.revision,
            decision="accepted",
            method="PD",
            feedback="Now clear from the professional discussion.",
        )
    return item_id


def seed(url: str, folder: Path) -> tuple[int, int]:
    """The demo data and the long item; returns (its id, the id of the sample to review)."""
    engine = make_engine(url)
    upgrade(engine)
    files = FileStore(folder / "files")
    with session_scope(engine) as session:
        load_demo(session)
        add_demo_assessments(session)
        item_id = _long_item(session, files)
    with session_scope(engine) as session:
        attached = pending(session)  # every version's copy of the files, as the worker reads them
    read_all(lambda: Session(engine, expire_on_commit=False), attached, store_root=files)
    with session_scope(engine) as session:
        add_demo_quality(session)
        reviewed = set(session.exec(select(SampleReview.sample_id)).all())
        samples = session.exec(select(Sample).order_by(col(Sample.position))).all()
        open_ones = [s for s in samples if s.id not in reviewed]
        learner_id = _person(session, LEARNER).id
        ours = [s for s in open_ones if s.learner_id == learner_id] or open_ones
        sample_id = ours[0].id or 0
    engine.dispose()
    return item_id, sample_id


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def measure(base: str, pages: list[tuple[str, str, str]], shots: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    print(f"{'page':<16}" + "".join(f"{f'{w} px wide':>14}" for w in WIDTHS))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, email, path in pages:
            heights = []
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                _login(page, base, email)
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (name, response)
                heights.append(page.evaluate("document.documentElement.scrollHeight"))
                if shots is not None:
                    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
                context.close()
            print(f"{name:<16}" + "".join(f"{h:>11,} px" for h in heights))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=Path, help="save full-page screenshots in this folder")
    args = parser.parse_args()
    try:
        import playwright  # noqa: F401 - a test tool (requirements/test.lock), not in `make run`'s
    except ImportError:
        print("page_heights: Playwright is not installed (`make setup-test`); nothing measured")
        return
    if not Path(CHROMIUM).exists():
        print(f"page_heights: {CHROMIUM} is missing (Debian's chromium); nothing measured")
        return
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    from waitress.server import create_server

    with tempfile.TemporaryDirectory(prefix="heights-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        item_id, sample_id = seed(url, folder / "instance")
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "page-heights",
                "INSTANCE_PATH": str(folder / "instance"),
                "FILE_STORE": str(folder / "instance" / "files"),
            }
        )
        logging.getLogger("portfolio").setLevel(logging.WARNING)  # figures, not the request log
        server = create_server(app, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            measure(
                base,
                [
                    ("decision", ASSESSOR, f"/evidence/{item_id}"),
                    ("evidence", LEARNER, f"/evidence/{item_id}"),
                    ("sample", IQA, f"/iqa/samples/{sample_id}"),
                ],
                args.shots,
            )
        finally:
            server.close()
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
