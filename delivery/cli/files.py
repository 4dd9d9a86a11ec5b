"""``portfolio files``: check the file store for files no row references."""

from __future__ import annotations

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.services import files
from portfolio.services.people import SYSTEM
from portfolio.words import count_words


@click.group("files")
def files_group() -> None:
    """Check the file store for files no row references."""


@files_group.command("check")
@click.option("--delete", is_flag=True, help="Delete the files found.")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Only files at least this many minutes old (younger ones may be uploads under way).",
)
@json_option
@pass_ctx
def check_files(ctx: Context, delete: bool, older_than: int, as_json: bool) -> None:
    """List files in the store that no row references; exit 1 if any remain (--delete: remove
    them)."""
    with ctx.session() as session:
        found = files.check(
            session,
            actor=SYSTEM,
            store=ctx.file_store,
            older_than_minutes=older_than,
            delete=delete,
        )
    rows = [{"path": str(o.path), "bytes": o.size, "age_minutes": o.age_minutes} for o in found]

    def lines(data: list[dict[str, object]]) -> list[str]:
        shown = [f"{r['path']}  {r['bytes']} bytes  {r['age_minutes']} min" for r in data]
        verb = "Deleted" if delete else "Found"
        return [*shown, f"{verb} {count_words(len(data), 'file')} no row references."]

    echo_data(rows, as_json=as_json, lines=lines)
    if found and not delete:
        raise SystemExit(1)
