"""The top-level ``portfolio`` group: its lazily loaded commands, its help, its cost and its errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from delivery.cli.main import COMMANDS, main

HEAVY = ("scipy", "numpy", "docx", "openpyxl", "flask", "mappings.engine", "exports")


def _help_listing(width: int, *, lazy: bool) -> str:
    ctx = click.Context(main, info_name="portfolio", terminal_width=width)
    formatter = ctx.make_formatter()
    if lazy:
        main.format_commands(ctx, formatter)
    else:  # click's own listing, which imports every command to read its help
        click.Group.format_commands(main, ctx, formatter)
    return formatter.getvalue()


def test_the_table_names_every_command_with_its_own_one_line_help() -> None:
    for name, (_, text) in COMMANDS.items():
        command = main.get_command(click.Context(main), name)
        assert command is not None and command.name == name
        assert text == command.get_short_help_str(limit=10_000), name


@pytest.mark.parametrize("width", [50, 80, 200])
def test_help_lists_every_command_as_click_would_after_importing_them(width: int) -> None:
    listing = _help_listing(width, lazy=True)
    assert listing == _help_listing(width, lazy=False)
    for name in COMMANDS:
        assert f"\n  {name} " in listing


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output


def _modules_loaded_by(*args: str) -> set[str]:
    """Run ``portfolio ARGS`` in a fresh interpreter; the modules it imported."""
    code = (
        "import sys\n"
        "from delivery.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return set(done.stderr.split())


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)}


def test_help_imports_no_command_and_no_database_layer() -> None:
    loaded = _modules_loaded_by("--help")
    assert not _heavy(loaded)
    assert not {m for m in loaded if m.startswith(("sqlalchemy", "sqlmodel", "delivery.cli."))} - {
        "delivery.cli.main"
    }


def test_a_simple_command_imports_only_its_own_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PORTFOLIO_INSTANCE_PATH", str(tmp_path / "instance")
    )  # init's key goes there
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(main, ["--db", url, "init"]).exit_code == 0
    loaded = _modules_loaded_by("--db", url, "people", "list")
    assert not _heavy(loaded)
    commands = {m for m in loaded if m.startswith("delivery.cli.")}
    assert commands == {"delivery.cli.main", "delivery.cli.context", "delivery.cli.people"}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://someone:secret@127.0.0.1:1/nowhere",  # nothing listens on port 1
        "sqlite:///{file}/under/a/file.db",  # a folder that cannot be made
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_1(url: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    url = url.format(file=tmp_path / "file")
    result = CliRunner().invoke(main, ["--db", url, "people", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot reach the database at ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "secret" not in result.output


def test_a_malformed_database_url_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(main, ["--db", "not a url", "people", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Not a database URL: ")
    assert result.output.count("\n") == 1
