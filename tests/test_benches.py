"""The benchmarks under ``bench/`` still run to the end and print their figure lines.

The speed targets are reported with the figures these scripts print, and nothing else runs them:
a bench broken by a change elsewhere (a service's new signature, a job refusing actor 0, an
audit field verify now checks, a helper renamed in another bench) went unnoticed until someone
wanted its figures. Each case here runs one bench as people do (``python bench/<script>.py``, in
a fresh process, from a temporary folder) with tiny sizes, and checks its exit status and that
each figure line it exists for is printed. No timing is asserted: the figures of tiny runs on a
shared machine mean nothing, only that they are there.

By default only the benches that run in a few seconds with tiny options are run, all started at
once (about 16 CPU-seconds in all on SQLite): the privacy detector, the sign-off document,
``audit verify`` with backup and restore, the IQA plan, coverage and the caseload; on PostgreSQL
too (``PORTFOLIO_TEST_POSTGRES_URL``) for those that take a server.

``PORTFOLIO_TEST_BENCHES=all`` also runs, still with tiny sizes, those that cannot be that fast
(marked ``slow``; 5 to 45 s each on a quiet machine): each starts fresh processes or a server,
whose start-up is most of it, or has a fixed size no option makes small:

* ``demo_bench.py`` (the demo's stories, then each size generated in a fresh process; about 7
  CPU-seconds at 2 learners), ``exports_bench.py`` (its bundle is always 300 items and 50 MB), ``cohort_export_bench.py``
  (the demo, then five exports each in a fresh process), ``bundle_signoffs_bench.py`` (a fresh
  process per count), ``framework_bench.py`` (always 100,000 criteria);
* ``concurrency_bench.py``, ``upload_bench.py``, ``evidence_page_bench.py`` and
  ``load_bench.py`` (a real server, which warms its engines before ``/readyz`` answers);
* ``demo_bench.py --pages`` and ``page_cpu_bench.py`` (a database seeded with the demo first);
* ``page_heights.py`` (Debian's Chromium; also marked ``browser``).

Not run here at all:

* ``suggest_*.py``: they need the shared data folder (``--shared``: the dev suites and the NOS
  text) and the sentence-embedding model, and take minutes even with their quickest options;
* ``privacy_labels.py`` is not a bench: it rewrites ``tests/data/privacy/labelled.jsonl``.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PORTFOLIO = Path(sys.executable).with_name("portfolio")
# empty: not set, as conftest reads it
POSTGRES = os.environ.get("PORTFOLIO_TEST_POSTGRES_URL") or None
ALL = os.environ.get("PORTFOLIO_TEST_BENCHES") == "all"
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Bench:
    script: str
    args: list[str]
    # one pattern per figure line the bench exists for (searched line by line in its output)
    lines: list[str]
    # the arguments that run it on a PostgreSQL server instead (given the server's URL)
    postgres: Callable[[str], list[str]] | None = None
    marks: list[pytest.MarkDecorator] = field(default_factory=list)


FAST = [
    Bench(
        "privacy_bench.py",
        [],
        [r"^  overall +\d+ +\d+ +[\d.]+ +[\d.]+$", r"^time per item: wall p50 [\d.]+ ms"],
    ),
    Bench(
        "signoff_bench.py",
        ["1"],
        [
            r"^one document \(30 criteria, 60 evidence refs, [\d,]+ bytes\): median [\d.]+ ms",
            r"^1 documents sequentially: [\d.]+ s",
        ],
    ),
    Bench(
        "audit_bench.py",
        ["--sizes", "20"],
        [
            r" verify +20 entries: +[\d.]+ s, peak Python memory",
            r" backup +20 entries: +[\d.]+ s, archive",
            r" restore +20 entries: +[\d.]+ s, verify ok=True$",
        ],
        postgres=lambda url: [url, "--sizes", "20"],
    ),
    Bench(
        "iqa_plan_bench.py",
        ["--decisions", "80", "--runs", "1"],
        [
            r": 80 decisions \(60 sign-offs, 20 interim\) of \d+ assessors",
            r": load_facts: best [\d.]+ s wall",
            r": plan_cycle \(load, plan, store, gaps, audit\): best [\d.]+ s wall",
            r": plan_page \(what the page shows\): best [\d.]+ s wall",
            r": GET /iqa/cycles/<id>: best [\d.]+ s wall, .*\d+ SQL statements",
        ],
        postgres=lambda url: ["--postgres", url, "--decisions", "80", "--runs", "1"],
    ),
    Bench(
        "coverage_bench.py",
        ["--learners", "2", "--runs", "2"],
        [
            r"^raw fetch-and-fold of the same learner's 1,500 claims .*: p50 [\d.]+ ms",
            r"^load_standings, 1 learner, 188 criteria, 1,500 claims: p50 .*\d+ SQL statements",
            r"^GET /caseload, 2 learners, summaries stored: p50 .*\d+ SQL statements",
        ],
        postgres=lambda url: ["--postgres", url, "--learners", "2", "--runs", "2"],
    ),
]

SLOW = [
    Bench(
        "demo_bench.py",
        ["--sqlite", "--learners", "2", "--items", "2"],
        [r" N= +2: +[\d,]+ rows in .* rows/s wall.*; audit verify intact \(\d+ entries\)"],
        postgres=lambda url: ["--postgres", url, "--learners", "2", "--items", "2"],
    ),
    Bench(
        "exports_bench.py",
        ["--learners", "3"],
        [
            r"^one sign-off record \(30 criteria, 60 evidence refs\) from the DB: [\d.]+ ms wall",
            r"^bulk export of 3 sign-off records, pool of 2: [\d.]+ s wall",
            r"^bundle of 300 evidence items with 50 MB of attachments: .*peak RSS \d+ MB",
        ],
    ),
    Bench(
        "cohort_export_bench.py",
        ["--learners", "3"],
        [
            rf"^  {kind} +N=3 .*: \d+ rows, [\d.]+ s wall, .*peak RSS \d+ MB"
            for kind in ("coverage csv", "coverage xlsx", "register csv", "register xlsx")
        ]
        + [r"^  signoffs zip +N=3 .*: 3 rows, [\d.]+ s wall"],
        postgres=lambda url: ["--postgres", url, "--learners", "3"],
    ),
    Bench(
        "bundle_signoffs_bench.py",
        ["--signoffs", "2"],
        [r"^bundle with 2 sign-off records: [\d.]+ s, peak RSS \d+ MB"],
    ),
    Bench(
        "framework_bench.py",
        [],
        [
            r"seed 003 \(188 criteria\): import p50 [\d.]+ ms",
            r"synthetic 1,000 standards / 100,000 criteria: [\d.]+ s, peak memory \d+ MB",
        ],
        postgres=lambda url: ["--postgres", url],
    ),
    Bench(
        "concurrency_bench.py",
        ["--logins", "3", "--tabs", "2"],
        [
            r"^simultaneous log-ins +302: 3 +5xx/errors +0 ",
            r"^decision race +302: 1, 409: 1 +5xx/errors +0 ",
            r"^slow upload \+ a log-in +302: 2 +5xx/errors +0 ",
        ],
        postgres=lambda url: ["--db", url, "--logins", "3", "--tabs", "2"],
    ),
    Bench(
        "upload_bench.py",
        ["--pages", "3", "--paragraphs", "20", "--text-mb", "1"],
        [
            rf"^upload {name} +HTTP 302 +[\d.]+ s;  evidence page right after: +[\d.]+ ms"
            for name in (r"notes\.txt", r"long\.pdf", r"long\.docx")
        ]
        + [
            r"^another user's requests, while the files were uploaded and read: n= *\d+",
            r"^  \(non-200 answers: 0\)$",
            r"^  evidence \d+: CPU +[\d.]+ ms",
        ],
    ),
    Bench(
        "evidence_page_bench.py",
        ["--learners", "3", "--pages", "2"],
        [
            r"^  first evidence page after the start: \d+ ms",
            r"^  next 2 pages \(each another learner's\): p50 \d+ ms",
        ],
    ),
    Bench(
        "load_bench.py",
        ["--learners", "3", "--clients", "2", "--workers", "1", "--seconds", "1"],
        [
            r"^  all +\d+ +\d+ms +\d+ms +\d+ms +\d+ms +0$",
            r"^  throughput [\d.]+ requests/s, 0 error",
        ],
    ),
    Bench(
        "page_heights.py",
        [],
        [rf"^{page} +[\d,]+ px +[\d,]+ px$" for page in ("decision", "evidence", "sample")],
        marks=[
            pytest.mark.browser,
            pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing"),
        ],
    ),
]


def start(args: list[str], folder: Path) -> subprocess.Popen[str]:
    """Starts a bench (or the CLI) in a fresh process from ``folder``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTFOLIO_INSTANCE_PATH": str(folder),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        args, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> str:
    """What the process printed once it ended, or the test fails with the end of it."""
    try:
        out, err = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, (
        f"{' '.join(map(str, process.args[1:]))} exited with {process.returncode}:\n"  # type: ignore[index]
        f"{(out + err)[-4000:]}"
    )
    return out


def arguments(bench: Bench, postgres: str | None) -> list[str]:
    args = bench.args if postgres is None or bench.postgres is None else bench.postgres(postgres)
    return [sys.executable, str(BENCH / bench.script), *args]


def check(bench: Bench, said: str) -> None:
    missing = [p for p in bench.lines if not re.search(p, said, re.MULTILINE)]
    assert not missing, f"{bench.script} did not print {missing}; it printed:\n{said[-4000:]}"


def cases(benches: list[Bench], *marks: pytest.MarkDecorator) -> list:  # type: ignore[type-arg]
    found = []
    for b in benches:
        found.append(pytest.param(b, None, id=b.script, marks=[*marks, *b.marks]))
        if b.postgres is not None:
            skip = pytest.mark.skipif(POSTGRES is None, reason="PORTFOLIO_TEST_POSTGRES_URL unset")
            found.append(
                pytest.param(b, POSTGRES, id=f"{b.script}-postgresql", marks=[*marks, skip])
            )
    return found


@pytest.fixture(scope="module")
def fast_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple[str, str | None], subprocess.Popen[str]]]:
    """The selected fast benches, all started at once (most of each is the start-up of its
    Python process, so on 2 cores they take about half as long together as one by one)."""
    running = {}
    for item in request.session.items:
        call = getattr(item, "callspec", None)
        name = getattr(item, "originalname", "")
        if call is None or name != test_fast_bench_runs_and_prints_its_figures.__name__:
            continue
        bench, postgres = call.params["bench"], call.params["postgres"]
        if postgres is None and call.id.endswith("-postgresql"):
            continue
        folder = tmp_path_factory.mktemp(bench.script.removesuffix(".py"))
        running[(bench.script, postgres)] = start(arguments(bench, postgres), folder)
    yield running
    for process in running.values():
        process.kill()
        process.communicate()


@pytest.mark.parametrize(("bench", "postgres"), cases(FAST))
def test_fast_bench_runs_and_prints_its_figures(
    bench: Bench,
    postgres: str | None,
    fast_runs: dict[tuple[str, str | None], subprocess.Popen[str]],
) -> None:
    check(bench, finish(fast_runs[(bench.script, postgres)]))


NOT_ALL = pytest.mark.skipif(not ALL, reason="slow: set PORTFOLIO_TEST_BENCHES=all")


@pytest.mark.parametrize(("bench", "postgres"), cases(SLOW, pytest.mark.slow, NOT_ALL))
def test_slow_bench_runs_and_prints_its_figures(
    bench: Bench, postgres: str | None, tmp_path: Path
) -> None:
    check(bench, finish(start(arguments(bench, postgres), tmp_path)))


@pytest.mark.slow
@NOT_ALL
def test_benches_on_a_demo_database_run_and_print_their_figures(tmp_path: Path) -> None:
    """``demo_bench.py --pages`` and ``page_cpu_bench.py`` on a database seeded as their
    docstrings say (``portfolio init``, then ``portfolio demo --learners N``)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    finish(start([str(PORTFOLIO), "--db", url, "init"], tmp_path))
    finish(start([str(PORTFOLIO), "--db", url, "demo", "--learners", "3"], tmp_path))
    pages = Bench(
        "demo_bench.py",
        ["--pages", url, "--runs", "2"],
        [
            r"^  GET /caseload: first \d+ ms; p50 \d+ ms",
            r"^  GET /: first \d+ ms; p50 \d+ ms",
            r"^  GET /learners/\d+/evidence: first \d+ ms; p50 \d+ ms",
            r"^  GET /evidence/\d+: first \d+ ms; p50 \d+ ms",
        ],
    )
    check(pages, finish(start(arguments(pages, None), tmp_path)))
    cpu = Bench(
        "page_cpu_bench.py",
        ["--db", url, "--runs", "2", "--learners", "2"],
        [
            *(
                rf"^  {page} +median +[\d.]+ ms, mean +[\d.]+ ms$"
                for page in ("home", "evidence list", "evidence page", "coverage grid", "caseload")
            ),
            r"^  mix +mean +[\d.]+ ms",
        ],
    )
    check(cpu, finish(start(arguments(cpu, None), tmp_path)))


def test_every_bench_is_run_here_or_said_why_not() -> None:
    """A new bench is added to this file, or to the docstring's list of those not run here."""
    here = {b.script for b in FAST + SLOW} | {"demo_bench.py", "page_cpu_bench.py"}
    said = (__doc__ or "").replace("\n", " ")
    others = {
        p.name
        for p in BENCH.glob("*.py")
        if not p.name.startswith("_")
        and p.name not in here
        and not (p.name.startswith("suggest_") and "``suggest_*.py``" in said)
        and f"``{p.name}``" not in said
    }
    assert not others, f"neither run nor said why not: {sorted(others)}"


SEEDS = ROOT / "tests" / "data" / "shared" / "seeds"
DEV_LINE = (
    '{"id": "e1", "kind": "reflection", "title": "Job fair", "text": "I met employers.", '
    '"gold": [{"standard": "SE01", "criterion": "P1"}]}'
)


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ("[" * 100_000, "line 2: JSON nested too deeply"),
        ("not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: not a labelled item"),
        ('{"kind": "reflection", "title": "t", "text": "t"}', "line 2: not a labelled item"),
        ('{"kind": "reflection", "title": "t", "text": 3, "gold": []}', "line 2: not a labelled"),
        ('{"kind": "r", "title": "t", "text": "t", "gold": [{"standard": 1}]}', "line 2: not a"),
    ],
)
def test_the_suggestion_bench_refuses_a_bad_items_line_as_the_cli_does(
    tmp_path: Path, bad: str, said: str
) -> None:
    """``suggest_eval.py`` read its labelled items with a reader of its own, without the checks
    ``portfolio engine train`` and ``portfolio suggest --examples`` apply: a line nested thousands
    deep ended in a RecursionError's traceback, one without its gold in a KeyError far into the
    run. It reads them with the CLI's function now, and stops naming the file and line before
    the engine is built (the folder holds the Supported Employment suite, no model is needed)."""
    shared = tmp_path / "shared"
    (shared / "seeds").mkdir(parents=True)
    suite = "003_b475007781b3f849.txt"
    (shared / "seeds" / suite).write_bytes((SEEDS / suite).read_bytes())
    dev = tmp_path / "dev.jsonl"
    dev.write_text(f"{DEV_LINE}\n{bad}\n", encoding="utf-8")
    args = ["--single", "--shared", str(shared), "--dev", str(dev), "--no-build-bench"]
    process = start([sys.executable, str(BENCH / "suggest_eval.py"), *args], tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1, out + err
    assert f"{dev} {said}" in err, err
    assert "Traceback" not in err, err


def test_the_suggestion_benches_and_the_cli_read_items_with_one_function() -> None:
    """Not a copy: the benches reading labelled items and the CLI call the same function."""
    from delivery.cli import engine, suggest
    from mappings.engine import dataset

    assert engine.load_items is dataset.load_items
    assert suggest.load_items is dataset.load_items
    for name in (
        "suggest_eval",
        "suggest_same",
        "suggest_speed",
        "suggest_suites",
        "suggest_topic_guides",
    ):
        bench = importlib.import_module(f"bench.{name}")
        assert bench.load_items is dataset.load_items, name
