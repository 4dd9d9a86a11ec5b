"""Every option that takes a day asks for it as people write it: the help says YYYY-MM-DD and a
day it cannot read is refused with an example, never with the format code "%Y-%m-%d"."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from delivery.cli.main import main

# each command with its options that take a day, and the other options it needs to run
DAY_OPTIONS = [
    (["iqa", "plan"], ["--from", "--to"], ["--cycle", "C", "--create", "--iqa", "1"]),
    (["export", "register"], ["--from", "--to"], ["-o", "-"]),
    (["register"], ["--start", "--planned-end"],
     ["--learner", "1", "--framework", "SE", "--standards", "SE01", "--assessor", "2", "--iqa", "3"]),
]  # fmt: skip


@pytest.mark.parametrize(("command", "options", "others"), DAY_OPTIONS)
def test_day_options_say_how_to_write_a_day(
    command: list[str], options: list[str], others: list[str]
) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, [*command, "--help"], prog_name="portfolio", terminal_width=200)
    assert shown.exit_code == 0, shown.output
    for option in options:
        line = next(x for x in shown.output.splitlines() if x.strip().startswith(option + " "))
        assert f"{option} YYYY-MM-DD" in line, line
    assert "%Y" not in shown.output and "%m" not in shown.output
    for option in options:
        good = [arg for o in options if o != option for arg in (o, "2026-09-01")]
        refused = runner.invoke(
            main, [*command, *others, *good, option, "1/9/2026"], prog_name="portfolio"
        )
        assert refused.exit_code == 2, refused.output
        assert "“1/9/2026” is not a day: give it as YYYY-MM-DD, e.g. 2026-09-01." in (
            refused.output
        ), refused.output
        assert "%Y" not in refused.output
