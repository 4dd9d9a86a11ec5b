"""The measured interface: `portfolio suggest` reads JSON lines and writes ranked criteria."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mappings.assessment.suggestions import reset_cache
from mappings.engine.dataset import load_items

# A copy of the shared labelled dev set (../shared/eval/dev.jsonl), so the tests run from a lone clone.
DEV = Path(__file__).resolve().parent / "data" / "dev.jsonl"


def test_suggest_cli_ranks_criteria_with_reasons(cli) -> None:
    lines = DEV.read_text().splitlines()[:3]
    r = cli("suggest", "--framework", "SE", "--top", "5", input="\n".join(lines) + "\n")
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.output.splitlines()]
    assert [o["id"] for o in out] == ["D-001", "D-002", "D-003"]
    for item, line in zip(out, lines, strict=True):
        text = json.loads(line)["text"]
        assert len(item["suggestions"]) == 5
        scores = [s["score"] for s in item["suggestions"]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        for s in item["suggestions"]:
            assert set(s) == {"standard", "criterion", "score", "strong", "because"}
            assert all(sentence in text for sentence in s["because"])
    # the observation of on-the-job coaching is about SE07 (in-work support)
    assert out[0]["suggestions"][0]["standard"] == "SE07"


def test_suggest_cli_with_examples_and_bad_input(cli, tmp_path) -> None:
    reset_cache()
    # six labelled items are examples enough for the option's path; the whole dev set (48 long
    # items) took a minute of encoding here, and training (test_suggest_train) reads all of it
    examples = tmp_path / "examples.jsonl"
    examples.write_text("\n".join(DEV.read_text().splitlines()[:6]) + "\n")
    r = cli(
        "suggest",
        "--examples",
        str(examples),
        input='{"id": 1, "kind": "other", "title": "", "text": ""}\n',
    )
    assert r.exit_code == 0
    assert json.loads(r.output) == {"id": 1, "suggestions": []} or all(
        not s["strong"] for s in json.loads(r.output)["suggestions"]
    )
    r = cli("suggest", input="not json\n")
    assert r.exit_code != 0 and "line 1" in r.output


def test_engine_from_database_reads_values_and_overviews(session) -> None:
    from mappings.assessment.suggestions import build_engine
    from portfolio.services.frameworks import find_framework

    fw = find_framework(session, "SE")
    engine = build_engine(session, [fw.id or 0])
    docs = engine._criteria
    assert len(docs) == 188
    assert all(d.standard_overview.startswith("This standard is about") for d in docs)
    # the suite's statement of values becomes one unit vector over the criteria vocabulary
    assert float(np.linalg.norm(engine._values_vec)) == pytest.approx(1.0)


def test_suggest_cli_refuses_lines_nested_thousands_deep(cli, tmp_path) -> None:
    """Thousands of [ on stdin or in --examples: the line is named, nothing is written."""
    deep = "[" * 100_000
    r = cli("suggest", "--framework", "SE", input=deep + "\n")
    assert r.exit_code == 1 and "stdin line 1: JSON nested too deeply" in r.output
    examples = tmp_path / "examples.jsonl"
    examples.write_text(DEV.read_text().splitlines()[0] + "\n" + deep + "\n")
    r = cli("suggest", "--framework", "SE", "--examples", str(examples), input="")
    assert r.exit_code == 1 and f"{examples} line 2: JSON nested too deeply" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    "bad",
    [
        '{"kind": "reflection", "title": "t", "text": 3, "gold": []}',
        '{"kind": "reflection", "title": "t", "text": "t", "gold": [{"standard": "SE01"}]}',
        '{"title": "t", "text": "t", "gold": "SE01 P1"}',
    ],
)
def test_suggest_cli_refuses_an_examples_line_that_is_not_a_labelled_item(
    cli, tmp_path, bad: str
) -> None:
    """--examples reads labelled items as ``engine train`` and the benchmarks do (one function):
    a text that is a number, a gold criterion without its code, a gold that is not a list were
    taken, skipped or ended in a traceback; the file and line are named."""
    examples = tmp_path / "examples.jsonl"
    examples.write_text(DEV.read_text().splitlines()[0] + "\n" + bad + "\n")
    r = cli("suggest", "--framework", "SE", "--examples", str(examples), input="")
    assert r.exit_code == 1, r.output
    assert f"{examples} line 2: not a labelled item" in r.output and "Traceback" not in r.output


def test_suggest_cli_reads_examples_without_kind_or_title(cli, tmp_path) -> None:
    """The CLI contract's --examples lines need only ``text`` and ``gold``: kind and title may
    be left out (read as "other" and ""), as the option always took them."""
    examples = tmp_path / "examples.jsonl"
    examples.write_text(
        '{"id": "x", "text": "I booked a working interview with the employer for M.", '
        '"gold": [{"standard": "SE01", "criterion": "P1"}]}\n'
    )
    items = '{"id": "a", "kind": "reflection", "title": "t", "text": "A working interview."}\n'
    r = cli("suggest", "--framework", "SE", "--examples", str(examples), input=items)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.splitlines()[-1])["id"] == "a"
    assert load_items(examples)[0]["kind"] == "other"
