"""``portfolio engine``: train the suggestion engine's reranker on labelled evidence."""

from __future__ import annotations

from pathlib import Path

import click

from demo.accounts import SAMPLE, sample_framework_text
from mappings.engine.dataset import framework_from_text, load_framework, load_items
from mappings.engine.train import FOLDS, L2, WEIGHTS_PY, describe, train, write_weights

# The labelled development set, kept beside the repository (../shared/eval/dev.jsonl).
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"
READABLE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("engine")
def engine() -> None:
    """Train the criteria suggestion engine."""


@engine.command("train")
@click.option(
    "--dev",
    type=READABLE,
    default=DEV,
    show_default=True,
    help="Labelled evidence: JSON lines with gold criteria.",
)
@click.option(
    "--framework-text",
    "framework_path",
    type=READABLE,
    default=None,
    help="The framework the items are labelled against, in the NOS text format. "
    "Default: the sample Supported Employment suite.",
)
@click.option("--l2", type=float, default=L2, show_default=True, help="L2 penalty of every fit.")
@click.option(
    "--folds",
    type=click.IntRange(2, None),
    default=FOLDS,
    show_default=True,
    help="Inner folds for the strong thresholds and the warm offsets.",
)
@click.option("--check", is_flag=True, help="Train and print the weights; write nothing.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=WEIGHTS_PY,
    show_default=True,
    help="The weights module to write.",
)
def train_command(
    dev: Path, framework_path: Path | None, l2: float, folds: int, check: bool, out: Path
) -> None:
    """Train the reranker on every labelled item and write the weights module it ships with."""
    if framework_path is None:
        framework = framework_from_text(sample_framework_text(), source=SAMPLE)
    else:
        framework = load_framework(framework_path)
    model = train(framework, load_items(dev), l2, folds)
    for line in describe(model):
        click.echo(line)
    if not check:
        write_weights(model, out)
        click.echo(f"wrote {out}")
