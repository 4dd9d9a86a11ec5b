"""``portfolio suggest``: rank criteria for evidence read as JSON lines (the measured interface)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mappings.engine.suggest import Example


def register_suggest(main: click.Group) -> None:
    from delivery.cli.context import Context, pass_ctx
    from mappings.engine.suggest import Example

    @main.command("suggest")
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
        from mappings.assessment.suggestions import build_engine, decided_examples
        from portfolio.services.frameworks import find_framework, list_frameworks

        with ctx.session() as session:
            if framework_code:
                ids = [find_framework(session, framework_code).id or 0]
            else:
                newest: dict[str, int] = {}
                for fw in list_frameworks(session):
                    newest[fw.code] = fw.id or 0
                ids = sorted(newest.values())
            if not ids:
                raise click.ClickException(
                    "No framework is loaded: run `portfolio framework import` first."
                )
            engine = build_engine(session, ids)
            past, _ = decided_examples(session, ids)
        if past:
            engine.add_examples(past)
        if examples is not None:
            engine.add_examples(_read_examples(examples))
        out = sys.stdout
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item: dict[str, Any] = json.loads(line)
                text = str(item.get("text") or "")
            except (json.JSONDecodeError, AttributeError) as exc:
                raise click.ClickException(
                    f"stdin line {number}: not a JSON object ({exc})"
                ) from exc
            ranked = engine.suggest(
                kind=str(item.get("kind") or "other"),
                title=str(item.get("title") or ""),
                text=text,
                top=top,
            )
            out.write(
                json.dumps(
                    {
                        "id": item.get("id"),
                        "suggestions": [
                            {
                                "standard": s.standard,
                                "criterion": s.criterion,
                                "score": round(s.score, 4),
                                "strong": s.strong,
                                "because": list(s.because),
                            }
                            for s in ranked
                        ],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            out.flush()

    def _read_examples(path: Path) -> list[Example]:
        found: list[Example] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                for gold in row.get("gold", []):
                    found.append(
                        Example(
                            kind=row.get("kind", "other"),
                            title=row.get("title", ""),
                            text=row["text"],
                            standard=gold["standard"],
                            code=gold["criterion"],
                            accepted=True,
                        )
                    )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise click.ClickException(
                    f"{path}:{number}: not a labelled evidence line ({exc})"
                ) from exc
        return found
