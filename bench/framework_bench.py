"""Framework import speed: seed 003 (target < 100 ms) and a synthetic suite of 1,000 standards and
100,000 criteria (target < 20 s, peak memory < 400 MB), on SQLite and, with --postgres URL, PostgreSQL.

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss) is its own.
Usage: .venv/bin/python bench/framework_bench.py [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import temporary_database

ROOT = Path(__file__).resolve().parents[1]


def synthetic(standards: int, per_standard: int):  # type: ignore[no-untyped-def]
    from framework.spec import CriterionSpec, FrameworkSpec, StandardSpec

    return FrameworkSpec(
        code="SYN",
        title="Synthetic suite",
        urn="SYN 00",
        standards=[
            StandardSpec(
                code=f"S{i:04d}",
                title=f"Synthetic standard {i}",
                urn=f"SYN S{i:04d}",
                overview="An overview " * 5,
                criteria=[
                    CriterionSpec(
                        kind="performance" if j % 2 else "knowledge",
                        code=f"{'P' if j % 2 else 'K'}{j}",
                        text=f"criterion {j} of standard {i}: support the job seeker to do task {j}",
                        position=j,
                    )
                    for j in range(1, per_standard + 1)
                ],
            )
            for i in range(1, standards + 1)
        ],
    )


def run_one(url: str, what: str) -> dict[str, float]:
    """Runs inside the subprocess: import into a fresh database, report time and peak memory."""
    from sqlmodel import Session

    from delivery.schema import upgrade
    from demo.accounts import sample_framework_text
    from framework.parse.nos_text import parse_nos_text
    from portfolio.db import make_engine
    from portfolio.services.frameworks import import_framework
    from portfolio.services.people import SYSTEM

    engine = make_engine(url)
    upgrade(engine)
    timings = []
    if what == "seed":
        text = sample_framework_text()
        for i in range(20):
            spec = parse_nos_text(text)
            spec.code = f"SE{i}"
            start = time.perf_counter()
            with Session(engine) as session:
                import_framework(session, actor=SYSTEM, spec=spec)
                session.commit()
            timings.append(time.perf_counter() - start)
        # parse included: one full run from text
        start = time.perf_counter()
        spec = parse_nos_text(text)
        spec.code = "SEFULL"
        with Session(engine) as session:
            import_framework(session, actor=SYSTEM, spec=spec)
            session.commit()
        full = time.perf_counter() - start
        return {
            "p50_ms": statistics.median(timings) * 1000,
            "max_ms": max(timings) * 1000,
            "with_parse_ms": full * 1000,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    spec = synthetic(1000, 100)
    start = time.perf_counter()
    with Session(engine) as session:
        import_framework(session, actor=SYSTEM, spec=spec)
        session.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return {
        "seconds": elapsed,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    for kind in kinds:
        for what in ("seed", "synthetic"):
            server = args.postgres if kind == "postgresql" else None
            with temporary_database(server, "fwbench") as url:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, what],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if what == "seed":
                print(
                    f"{kind:<10} seed 003 (188 criteria): import p50 {r['p50_ms']:.1f} ms, "
                    f"max {r['max_ms']:.1f} ms; parse + import {r['with_parse_ms']:.1f} ms"
                )
            else:
                print(
                    f"{kind:<10} synthetic 1,000 standards / 100,000 criteria: {r['seconds']:.2f} s, "
                    f"peak memory {r['peak_mb']:.0f} MB"
                )


if __name__ == "__main__":
    main()
