"""``portfolio suggest``: rank criteria for evidence read as JSON lines (the measured interface)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from sqlmodel import Session

from delivery.cli.context import Context, pass_ctx, read_json
from mappings.assessment.decided import decided_examples
from mappings.assessment.suggestions import build_engine
from mappings.engine.dataset import ItemsError, examples_of, load_items
from mappings.engine.suggest import Example, Suggestion
from portfolio.services.frameworks import find_framework, list_frameworks


@click.command("suggest")
@click.option(
    "--framework",
    "framework_code",
    default=None,
    help="Only this framework's standards (code, newest version). Default: all loaded.",
)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="How many suggestions per item.",
)
@click.option(
    "--examples",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled evidence (JSON lines with gold criteria) used as past decisions.",
)
@pass_ctx
def suggest(ctx: Context, framework_code: str | None, top: int, examples: Path | None) -> None:
    """Read {"id","kind","title","text"} JSON lines on stdin; write ranked criteria as JSON lines.

    Each output line: {"id", "suggestions": [{"standard", "criterion", "score", "strong",
    "because": [sentences]}]}, best first. Decisions already recorded in the database are
    used as examples too."""
    with ctx.session(write=False) as session:
        ids = _framework_ids(session, framework_code)
        engine = build_engine(session, ids)
        past, _ = decided_examples(session, ids)
    if past:
        engine = engine.with_examples(past)
    if examples is not None:
        engine = engine.with_examples(_read_examples(examples))
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        item = read_json(line, f"stdin line {number}")
        if not isinstance(item, dict):
            raise click.ClickException(f"stdin line {number}: not a JSON object")
        text = str(item.get("text") or "")
        ranked = engine.suggest(
            kind=str(item.get("kind") or "other"),
            title=str(item.get("title") or ""),
            text=text,
            top=top,
        )
        out.write(_suggestion_line(item.get("id"), ranked))
        out.flush()


def _framework_ids(session: Session, code: str | None) -> list[int]:
    """The framework named by ``code`` (newest version), else the newest version of each."""
    if code:
        return [find_framework(session, code).id or 0]
    newest: dict[str, int] = {}
    for fw in list_frameworks(session):
        newest[fw.code] = fw.id or 0
    if not newest:
        raise click.ClickException(
            "No framework is loaded: run `portfolio framework import` first."
        )
    return sorted(newest.values())


def _suggestion_line(item_id: Any, ranked: Sequence[Suggestion]) -> str:
    suggestions = [
        {
            "standard": s.standard,
            "criterion": s.criterion,
            "score": round(s.score, 4),
            "strong": s.strong,
            "because": list(s.because),
        }
        for s in ranked
    ]
    return json.dumps({"id": item_id, "suggestions": suggestions}, ensure_ascii=False) + "\n"


def _read_examples(path: Path) -> list[Example]:
    """The labelled items of ``path`` (:func:`load_items`, as ``engine train`` and the
    benchmarks read them) as accepted decisions; a line that is not one stops the command
    naming the file and line."""
    try:
        return examples_of(load_items(path))
    except ItemsError as exc:
        raise click.ClickException(str(exc)) from None
