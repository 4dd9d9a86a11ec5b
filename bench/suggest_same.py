"""Whether a change to the engine left its suggestions as they were: dump them, then compare.

PYTHONPATH=/work/main .venv/bin/python bench/suggest_same.py --shared /work/shared --dump /tmp/before.json
PYTHONPATH=$PWD .venv/bin/python bench/suggest_same.py --shared /work/shared --dump /tmp/after.json \
    --against /tmp/before.json

For every item of each dev set (``bench/suggest_suites.py``), cold and with the first 20 items
decided, it records the top 20 suggestions (criterion, score, strong) and the sentence vectors of the
item. ``--against`` prints the largest difference of score and vector and how many rankings differ
(the criteria in another order, another strong set); the exit status is 1 when any ranking differs or
a score moves by more than ``--tol`` (1e-5).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH: the engine compared is the one it names

from bench.suggest_eval import SHARED  # noqa: E402
from bench.suggest_suites import SUITES  # noqa: E402
from mappings.engine.dataset import ItemsError, examples_of, load_framework, load_items  # noqa: E402
from mappings.engine.embed import MemoEncoder, load_encoder  # noqa: E402
from mappings.engine.text import sentence_spans  # noqa: E402


def dump(shared: Path) -> dict[str, list[dict[str, object]]]:
    loaded = load_encoder()
    assert loaded is not None, "the model package is part of the install"
    out: dict[str, list[dict[str, object]]] = {}
    for name, (fw_path, dev) in SUITES.items():
        fw = load_framework(shared / fw_path)
        items = load_items(shared / dev)
        encoder = MemoEncoder(loaded, limit=0)
        cold = fw.engine(None, encoder)
        warm = cold.with_examples(examples_of(items[:20]))
        rows = out.setdefault(name, [])
        for it in items:
            texts = [it["title"].strip(), *(it["text"][a:b] for a, b in sentence_spans(it["text"]))]
            row: dict[str, object] = {"id": it["id"], "vectors": loaded.encode(texts).tolist()}
            for label, engine in (("cold", cold), ("warm", warm)):
                got = engine.suggest(kind=it["kind"], title=it["title"], text=it["text"], top=20)
                row[label] = [[s.criterion, s.score, s.strong] for s in got]
            rows.append(row)
    return out


def compare(new: dict, old: dict, tol: float) -> int:  # type: ignore[type-arg]
    worst_score = worst_vector = 0.0
    differ = 0
    for name, rows in old.items():
        for a, b in zip(rows, new[name], strict=True):
            va, vb = a["vectors"], b["vectors"]
            worst_vector = max(
                [
                    worst_vector,
                    *(
                        abs(x - y)
                        for ra, rb in zip(va, vb, strict=True)
                        for x, y in zip(ra, rb, strict=True)
                    ),
                ]
            )
            for label in ("cold", "warm"):
                sa, sb = a[label], b[label]
                if [(c, s) for c, _, s in sa] != [(c, s) for c, _, s in sb]:
                    differ += 1
                    print(f"  {name} {a['id']} {label}: ranking differs")
                worst_score = max(
                    [worst_score, *(abs(x[1] - y[1]) for x, y in zip(sa, sb, strict=True))]
                )
    print(f"largest score difference {worst_score:.2e}, vector component {worst_vector:.2e}; "
          f"{differ} rankings differ")  # fmt: skip
    return 1 if differ or worst_score > tol else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--dump", type=Path, required=True)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args(argv)
    data = dump(args.shared)
    args.dump.write_text(json.dumps(data), "utf-8")
    if args.against is None:
        return 0
    return compare(data, json.loads(args.against.read_text("utf-8")), args.tol)


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except ItemsError as exc:  # a labelled item it cannot read: named, as the CLI names it
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
