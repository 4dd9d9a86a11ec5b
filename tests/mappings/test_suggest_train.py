"""Training the reranker: the shipped weights are what `portfolio engine train` writes."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from demo.accounts import sample_framework_text
from mappings.engine.dataset import examples_of, framework_from_text, gold_pairs, load_items
from mappings.engine.model import RerankModel
from mappings.engine.train import WEIGHTS_PY, describe, train, weights_source
from mappings.engine.weights import shipped_model

DEV = Path(__file__).resolve().parent / "data" / "dev.jsonl"


@pytest.fixture(scope="module")
def framework():
    return framework_from_text(sample_framework_text())


def test_dataset_reads_the_dev_set_and_the_sample_suite(framework) -> None:
    items = load_items(DEV)
    assert len(items) == 48 and items[0]["id"] == "D-001"
    assert len(framework.criteria) == 188
    assert len(framework.glossary) == 14 and len(framework.values) == 12
    pairs = gold_pairs(items[0])
    assert pairs == sorted(set(pairs)) and pairs
    examples = examples_of(items[:2])
    assert len(examples) == len(gold_pairs(items[0])) + len(gold_pairs(items[1]))
    assert all(ex.accepted for ex in examples)


@pytest.mark.slow
def test_training_on_the_dev_set_writes_the_shipped_weights_module(framework) -> None:
    model = train(framework, load_items(DEV))
    shipped = WEIGHTS_PY.read_text(encoding="utf-8")
    assert weights_source(model, shipped) == shipped
    assert describe(model) == describe(shipped_model())


def test_engine_train_check_prints_and_writes_nothing(cli, tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join(DEV.read_text(encoding="utf-8").splitlines()[:10]) + "\n")
    out = tmp_path / "weights.py"
    r = cli("engine", "train", "--dev", str(dev), "--folds", "2", "--check", "--out", str(out))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[0] == "hand_rel" and lines[-1].lstrip().startswith("bias ")
    assert not out.exists()
    # deterministic: the same data gives the same weights, and the module written loads
    r = cli("engine", "train", "--dev", str(dev), "--folds", "2", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:-1] == lines and r.output.splitlines()[-1] == f"wrote {out}"
    written = runpy.run_path(str(out))
    model = RerankModel.from_dict(written["WEIGHTS"])
    assert describe(model) == lines
    assert written["shipped_model"]().to_dict() == model.to_dict()


def test_engine_train_refuses_a_missing_dev_set(cli, tmp_path: Path) -> None:
    r = cli("engine", "train", "--dev", str(tmp_path / "none.jsonl"), "--check")
    assert r.exit_code != 0 and "does not exist" in r.output
