"""What `portfolio --help` and each group's help list: every command's one line is a whole
sentence, never one cut at an abbreviation ("Show a framework, or one standard (by code, e.g.")."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from delivery.cli.main import main


def _groups(group: click.Group, path: list[str]) -> Iterator[list[str]]:
    """The path of every group of commands, the top one first."""
    yield path
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _groups(command, [*path, name])


def test_each_command_is_listed_with_a_whole_sentence() -> None:
    runner = CliRunner()
    for path in _groups(main, []):
        shown = runner.invoke(main, [*path, "--help"], prog_name="portfolio", terminal_width=400)
        assert shown.exit_code == 0, (path, shown.output)
        listing = shown.output.split("Commands:", 1)[1]
        for line in filter(str.strip, listing.splitlines()):
            assert not line.rstrip().endswith(("e.g.", "i.e.", "etc.")), (path, line)
