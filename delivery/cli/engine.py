"""``portfolio engine``: train the suggestion engine's reranker on labelled evidence."""

from __future__ import annotations

from pathlib import Path

import click

from demo.accounts import SAMPLE, sample_framework_text, sample_vocabulary_text
from mappings.engine.dataset import (
    FrameworkText,
    Item,
    ItemsError,
    framework_from_text,
    load_framework,
    load_items,
)
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.train import FOLDS, L2, WEIGHTS_PY, describe, train, write_weights
from mappings.engine.vocabulary import Vocabulary

# The labelled development sets, kept beside the repository (../shared/eval).
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
READABLE = click.Path(exists=True, dir_okay=False, path_type=Path)


def default_suites(shared: Path) -> list[tuple[Path | None, Path, Path | None]]:
    """(framework file, labelled items, vocabulary) of every dev suite; a framework of None is
    the sample, with its vocabulary."""
    return [
        (None, shared / "eval" / "dev.jsonl", None),
        (
            shared / "eval" / "frameworks" / "management-leadership.csv",
            shared / "eval" / "dev-management.jsonl",
            None,
        ),
    ]


def _suite(framework: Path | None, vocabulary: Path | None) -> FrameworkText:
    if framework is None:
        found = framework_from_text(sample_framework_text(), source=SAMPLE)
        words = Vocabulary.parse(sample_vocabulary_text())
        return FrameworkText(found.criteria, found.glossary, found.values, words)
    return load_framework(framework, vocabulary)


@click.group("engine")
def engine() -> None:
    """Train the criteria suggestion engine."""


@engine.command("train")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    metavar="FRAMEWORK:ITEMS[:VOCABULARY]",
    help="A framework file (any importable format; `sample` for the sample suite with its "
    "vocabulary), its labelled evidence (JSON lines with gold criteria) and optionally its "
    "vocabulary, joined by colons. Repeat for each suite. Default: both dev suites in ../shared.",
)
@click.option("--l2", type=float, default=L2, show_default=True, help="L2 penalty of every fit.")
@click.option(
    "--folds",
    type=click.IntRange(2, None),
    default=FOLDS,
    show_default=True,
    help="Inner folds for the strong thresholds and the warm offsets.",
)
@click.option("--words-only", is_flag=True, help="Train only the model that reads no embeddings.")
@click.option("--check", is_flag=True, help="Train and print the weights; write nothing.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=WEIGHTS_PY,
    show_default=True,
    help="The weights module to write.",
)
def train_command(
    suites: tuple[str, ...], l2: float, folds: int, words_only: bool, check: bool, out: Path
) -> None:
    """Train the rerankers on every labelled item of every suite and write the weights module."""
    chosen = [_parse_suite(s) for s in suites] if suites else default_suites(SHARED)
    data = []
    for framework, items, vocabulary in chosen:
        for path in (framework, items, vocabulary):
            if path is not None and not path.is_file():
                raise click.ClickException(f"{path}: no such file")
        data.append((_suite(framework, vocabulary), _read_items(items)))
    encoder = None if words_only else load_encoder()
    models = train(data, MemoEncoder(encoder) if encoder else None, l2, folds)
    for name, model in sorted(models.items()):
        click.echo(f"{name}:")
        for line in describe(model):
            click.echo(line)
    if not check:
        write_weights(models, out)
        click.echo(f"wrote {out}")


def _read_items(path: Path) -> list[Item]:
    """The labelled items of a JSON-lines file (:func:`load_items`, as the benchmarks read
    them); a line that is not one stops the command naming the file and line."""
    try:
        return load_items(path)
    except ItemsError as exc:
        raise click.ClickException(str(exc)) from None


def _parse_suite(text: str) -> tuple[Path | None, Path, Path | None]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise click.BadParameter(
            f"“{text}”: expected FRAMEWORK:ITEMS or FRAMEWORK:ITEMS:VOCABULARY"
        )
    framework = None if parts[0] == "sample" else Path(parts[0])
    return framework, Path(parts[1]), Path(parts[2]) if len(parts) == 3 else None
