"""Peak memory of a learner's bundle that holds many sign-off records (.docx).

A bundle lays out one .docx per sign-off of the learner (signed and reopened alike). A
python-docx document is a cycle of parts holding lxml trees whose memory the collector cannot
see, so dropped documents wait for a collection; this bench shows what they cost.

One learner on one standard (30 criteria) with 60 accepted evidence items and ``--signoffs``
sign-offs of it (all but the last reopened), each over the 60 items. The bundle is written in a
fresh process for each count; peak RSS by ``resource.getrusage``, against the RSS after the
imports and one record laid out (so the figure is what the bundle adds).

Run: ``.venv/bin/python bench/bundle_signoffs_bench.py [--signoffs 10 40]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from exports_bench import NOW, _accept_claims, _evidence, _register, _sha, _spec
from sqlalchemy import insert, select
from sqlmodel import Session

from delivery.schema import upgrade
from mappings.assessment.models import SignOff, SignOffEvidence
from portfolio.db import make_engine
from portfolio.models import Cohort, Criterion, Person
from portfolio.services.files import FileStore
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM


def build(url: str, signoffs: int) -> int:
    """The learner and their sign-offs; returns the learner's id."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        fw_id = import_framework(session, actor=SYSTEM, spec=_spec()).framework_id or 0
        criteria = [c[0] for c in session.exec(select(Criterion.id).order_by(Criterion.position))]
        session.execute(
            insert(Person),
            [
                {"name": "Ada Assessor", "email": "assessor@bench.example", "roles": "assessor"},
                {"name": "Bundle Learner", "email": "learner@bench.example", "roles": "learner"},
            ],
        )
        assessor, learner = (p[0] for p in session.exec(select(Person.id).order_by(Person.id)))
        session.add(Cohort(name="Bench cohort"))
        session.flush()
        cohort_id = session.exec(select(Cohort.id)).one()[0]
        std_id = session.exec(select(Criterion.standard_id)).first()[0]
        reg_id = _register(session, [learner], fw_id, cohort_id, assessor, std_id)[learner]
        ev_ids, ver_ids = _evidence(session, learner, assessor)
        _accept_claims(session, learner, assessor, ev_ids, criteria)
        for n in range(signoffs):
            last = n == signoffs - 1
            so = SignOff(
                registration_id=reg_id,
                standard_id=std_id,
                assessor_id=assessor,
                document_id=f"SO-BUNDLE-{n:04d}",
                summary="Competent.",
                learner_declared_at=NOW,
                assessor_declared_at=NOW,
                signed_at=NOW,
                evidence_set_sha256=_sha(str(n)),
                status="signed" if last else "reopened",
                reopened_at=None if last else NOW,
                reopened_by=None if last else assessor,
                reopen_reason="" if last else "Sampled: one more observation needed.",
            )
            session.add(so)
            session.flush()
            session.execute(
                insert(SignOffEvidence),
                [
                    {"signoff_id": so.id, "version_id": v, "sha256": _sha(f"E{v}v1")}
                    for v in ver_ids
                ],
            )
        session.commit()
    engine.dispose()
    return learner


def child(url: str, store: str, learner_id: int, out: str) -> None:
    """In a fresh process: one record laid out (imports, templates), then the bundle."""
    import resource

    from exports.bundle import write_bundle
    from exports.signoff import build_signoff_docx
    from exports.signoff_view import signoff_view

    engine = make_engine(url)
    with Session(engine) as session:
        first = session.execute(select(SignOff.id)).scalar()
        build_signoff_docx(signoff_view(session, first or 0, centre="Bench"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    with Session(engine) as session, open(out, "wb") as fh:
        manifest = write_bundle(session, FileStore(store), learner_id, fh, centre="Bench")
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "rss_before_mb": before,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "documents": sum(1 for f in manifest["files"] if f.startswith("signoffs/")),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signoffs", type=int, nargs="+", default=[10, 40])
    parser.add_argument("--child", nargs=4, metavar=("URL", "STORE", "LEARNER", "OUT"))
    args = parser.parse_args()
    if args.child:
        url, store, learner, out = args.child
        child(url, store, int(learner), out)
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for count in args.signoffs:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
            learner = build(url, count)
            (folder / "files").mkdir()
            result = subprocess.run(
                [sys.executable, __file__, "--child", url, str(folder / "files"), str(learner),
                 str(folder / "bundle.zip")],
                capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode:
                raise SystemExit(result.stderr)
            got = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"bundle with {got['documents']} sign-off records: {got['seconds']:.1f} s, peak RSS "
                f"{got['peak_rss_mb']:.0f} MB, {got['peak_rss_mb'] - got['rss_before_mb']:.0f} MB "
                f"above the RSS after one record ({got['rss_before_mb']:.0f} MB)"
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
