"""Training the reranker: the shipped weights are what `portfolio engine train` writes."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from demo.accounts import sample_framework_text, sample_vocabulary_text
from mappings.engine.dataset import (
    FrameworkText,
    examples_of,
    framework_from_text,
    gold_pairs,
    load_framework,
    load_items,
)
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.model import RerankModel
from mappings.engine.train import WEIGHTS_PY, describe, train, weights_source
from mappings.engine.vocabulary import Vocabulary
from mappings.engine.weights import shipped_model

DATA = Path(__file__).resolve().parent / "data"
DEV = DATA / "dev.jsonl"
MANAGEMENT = DATA / "management-leadership.csv"
MANAGEMENT_DEV = DATA / "dev-management.jsonl"


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
def test_training_on_both_dev_suites_writes_the_shipped_weights_module(framework) -> None:
    sample = FrameworkText(
        framework.criteria,
        framework.glossary,
        framework.values,
        Vocabulary.parse(sample_vocabulary_text()),
    )
    suites = [(sample, load_items(DEV)), (load_framework(MANAGEMENT), load_items(MANAGEMENT_DEV))]
    models = train(suites, MemoEncoder(load_encoder()))
    shipped = WEIGHTS_PY.read_text(encoding="utf-8")
    written = weights_source(models, shipped)
    # The same module, number for number. BLAS sums in another order on another CPU (AVX2 or
    # AVX-512 kernels), which moves the eighth significant digit of a mean or a weight (and a
    # zero's sign); anything larger is a change in the training.
    assert _NUMBER.sub("#", written) == _NUMBER.sub("#", shipped)
    got = [float(x) for x in _NUMBER.findall(written)]
    want = [float(x) for x in _NUMBER.findall(shipped)]
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6)
    for semantic in (True, False):
        name = "semantic" if semantic else "words"
        assert _rounded(describe(models[name])) == _rounded(describe(shipped_model(semantic)))
    assert shipped_model(True).semantic and not shipped_model(False).semantic


_NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+e-?\d+")


def _rounded(lines: list[str]) -> list[str]:
    """``describe``'s lines with a printed zero's sign dropped (-0.000 is +0.000)."""
    return [line.replace("-0.000", "+0.000") for line in lines]


def test_engine_train_check_prints_and_writes_nothing(cli, tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join(MANAGEMENT_DEV.read_text(encoding="utf-8").splitlines()[:10]) + "\n")
    out = tmp_path / "weights.py"
    suite = f"{MANAGEMENT}:{dev}"
    args = ("engine", "train", "--suite", suite, "--folds", "2", "--words-only")
    r = cli(*args, "--check", "--out", str(out))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "words:" and lines[1].split()[0] == "hand_rel"
    assert lines[-1].lstrip().startswith("bias ")
    assert not out.exists()
    # deterministic: the same data gives the same weights, and the module written loads
    r = cli(*args, "--out", str(out))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:-1] == lines and r.output.splitlines()[-1] == f"wrote {out}"
    written = runpy.run_path(str(out))
    model = RerankModel.from_dict(written["WEIGHTS"]["words"])
    assert describe(model) == lines[1:]
    assert written["shipped_model"]().to_dict() == model.to_dict()


def test_engine_train_refuses_a_missing_file_or_a_bad_suite(cli, tmp_path: Path) -> None:
    r = cli("engine", "train", "--suite", f"sample:{tmp_path / 'none.jsonl'}", "--check")
    assert r.exit_code != 0 and "no such file" in r.output
    r = cli("engine", "train", "--suite", "just-one-part", "--check")
    assert r.exit_code != 0 and "FRAMEWORK:ITEMS" in r.output


def test_engine_train_names_the_items_line_it_cannot_read(cli, tmp_path: Path) -> None:
    """A labelled item that is not JSON, nested thousands deep, or not an object with its gold
    criteria ended in a traceback; the file and line are named, nothing is trained or written."""
    dev = tmp_path / "dev.jsonl"
    first = MANAGEMENT_DEV.read_text(encoding="utf-8").splitlines()[0]
    out = tmp_path / "weights.py"
    for bad, said in [
        ("[" * 100_000, "line 2: JSON nested too deeply"),
        ("not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: not a labelled item"),
        ('{"text": "t"}', "line 2: not a labelled item"),
    ]:
        dev.write_text(f"{first}\n{bad}\n")
        r = cli("engine", "train", "--suite", f"{MANAGEMENT}:{dev}", "--words-only",
                "--out", str(out))  # fmt: skip
        assert r.exit_code == 1 and f"{dev} {said}" in r.output, r.output
        assert not out.exists()
