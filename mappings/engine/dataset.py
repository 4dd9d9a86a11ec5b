"""Labelled data for the suggestion engine: a framework's text and evidence items with gold criteria.

The trainer (:mod:`mappings.engine.train`) and the benchmark (``bench/suggest_eval.py``) read the
same two kinds of file: a framework suite in the NOS text format (criteria, glossary and statement
of values) and JSON lines of evidence items, ``{"id", "kind", "title", "text", "gold":
[{"standard", "criterion"}]}``. Pure: files or text in, plain data out; no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework._json import load_json
from framework.parse import parse
from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError, FrameworkSpec
from mappings.engine.cold import Params
from mappings.engine.semantic import CriterionMeaning, Encodes
from mappings.engine.suggest import CriterionDoc, Example, SuggestionEngine
from mappings.engine.vocabulary import NO_VOCABULARY, Vocabulary

# One labelled evidence item, as read from a JSON line.
Item = dict[str, Any]


@dataclass(frozen=True)
class FrameworkText:
    """What the engine reads of a framework: criteria, glossary and statement of values."""

    criteria: list[CriterionDoc]
    glossary: list[tuple[str, str]]
    values: list[str]
    vocabulary: Vocabulary = NO_VOCABULARY

    def engine(
        self,
        params: Params | None = None,
        encoder: Encodes | None = None,
        criterion_vectors: CriterionMeaning | None = None,
    ) -> SuggestionEngine:
        return SuggestionEngine.build(
            self.criteria,
            self.glossary,
            params,
            self.values,
            self.vocabulary,
            encoder,
            criterion_vectors,
        )


def framework_from_text(text: str, source: str = "") -> FrameworkText:
    """The criteria, glossary and values of a suite in the NOS text format."""
    return framework_from_spec(parse_nos_text(text, source=source))


def framework_from_spec(spec: FrameworkSpec) -> FrameworkText:
    """The criteria, glossary and values of a parsed framework of any format."""
    docs = [
        CriterionDoc(s.code, c.code, c.kind, c.text, s.title, s.overview)
        for s in spec.standards
        for c in s.criteria
    ]
    return FrameworkText(docs, [(g.term, g.definition) for g in spec.glossary], list(spec.values))


def load_framework(path: Path, vocabulary: Path | None = None) -> FrameworkText:
    """A suite from a file: NOS text (``.txt``) or any format the importer detects (CSV, CASE...),
    with the vocabulary table in ``vocabulary`` if given."""
    if path.suffix == ".txt":
        found = framework_from_text(path.read_text(encoding="utf-8"), source=str(path))
    else:
        found = framework_from_spec(parse(path.read_bytes(), path.name))
    if vocabulary is None:
        return found
    words = Vocabulary.parse(vocabulary.read_text(encoding="utf-8"))
    return FrameworkText(found.criteria, found.glossary, found.values, words)


class ItemsError(ValueError):
    """A line of a labelled-items file that is not a labelled item; the message names the file
    and the line, "dev.jsonl line 2: JSON nested too deeply"."""


def load_items(path: Path) -> list[Item]:
    """The labelled items of a JSON-lines file, in file order, each an object with ``kind``,
    ``title`` and ``text`` (strings; ``kind`` and ``title`` may be left out: "other" and "") and
    ``gold``, a list of ``{"standard", "criterion"}`` (strings). A line that is not one (not JSON, bad UTF-8, nested too deeply, another shape)
    raises :class:`ItemsError` naming the file and line. The one reader of these files: the
    CLI's ``engine train`` and ``suggest --examples`` and the benchmarks call it."""
    found: list[Item] = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            item = load_json(line)
        except FrameworkFormatError as exc:
            place = "" if exc.place in ("/", "line 1") else f", {exc.place}"
            raise ItemsError(f"{where}{place}: {exc.message}") from None
        if isinstance(item, dict):  # as the CLI's --examples always read them: kind and title
            item.setdefault("kind", "other")  # may be left out
            item.setdefault("title", "")
        if not _labelled(item):
            raise ItemsError(
                f'{where}: not a labelled item (an object with "kind", "title", "text" and '
                '"gold": a list of {"standard", "criterion"})'
            )
        found.append(item)
    return found


def _labelled(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("gold"), list):
        return False
    texts = all(isinstance(item.get(key), str) for key in ("kind", "title", "text"))
    return texts and all(
        isinstance(g, dict)
        and isinstance(g.get("standard"), str)
        and isinstance(g.get("criterion"), str)
        for g in item["gold"]
    )


def gold_pairs(item: Item) -> list[tuple[str, str]]:
    """The item's gold (standard, criterion) pairs, sorted, each once."""
    return sorted({(g["standard"], g["criterion"]) for g in item["gold"]})


def examples_of(items: Sequence[Item]) -> list[Example]:
    """The items' gold criteria as accepted assessor decisions."""
    return [
        Example(it["kind"], it["title"], it["text"], s, c, True)
        for it in items
        for s, c in gold_pairs(it)
    ]
