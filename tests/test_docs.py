"""README stays honest: every CLI command and configuration key it documents exists, and back."""

from __future__ import annotations

import re
from pathlib import Path

import click

from delivery.cli.main import main
from portfolio.config import PREFIX, SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    names: set[str] = set()
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the main group loads its commands when asked
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            names |= _commands(command, full + " ")
        else:
            names.add(full)
    return names


def test_every_cli_command_is_documented_and_every_documented_one_exists() -> None:
    documented = set(re.findall(r"`portfolio ([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)?)", README))
    real = _commands(main)
    missing = {c for c in real if c not in documented}
    assert not missing, f"README does not document: {sorted(missing)}"
    for doc in documented:
        first = doc.split()[0]
        assert doc in real or first in real or any(r.startswith(doc) for r in real), doc


def test_every_configuration_key_is_documented_and_exists() -> None:
    documented = set(re.findall(r"`PORTFOLIO_([A-Z][A-Z0-9_]*)`", README))
    real = set(SETTINGS)
    assert real <= documented, f"undocumented settings: {sorted(real - documented)}"
    test_only = {"TEST_POSTGRES_URL", "TEST_BENCHES"}
    assert documented - test_only <= real, f"README names unknown settings: {documented - real}"
    assert PREFIX == "PORTFOLIO_"


def test_the_api_examples_copy_paste_against_make_run() -> None:
    """The curl examples of the README and docs/api.md reach the app `make run` serves (the
    Makefile's HOST and PORT), and the README's token is made for a demo account it lists: a
    newcomer pasting them after `make run` reached nothing (port 8000 is the container's) and
    named a person the demo does not have."""
    root = Path(__file__).resolve().parents[1]
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    host = re.search(r"^HOST \?= (\S+)$", makefile, re.M)
    port = re.search(r"^PORT \?= (\S+)$", makefile, re.M)
    assert host and port
    served = f"http://{host.group(1)}:{port.group(1)}/api/v1/"
    api = (root / "docs" / "api.md").read_text(encoding="utf-8")
    addresses = re.findall(r"https?://[^\s\"']+/api/v1/", README + api)
    assert addresses and set(addresses) == {served}, set(addresses)
    demo = set(re.findall(r"([a-z0-9]+@example\.org)", README.split("## The two commands")[1]
                          .split("## Layout")[0]))  # fmt: skip
    named = re.findall(r"tokens create --email (\S+)", README + api)
    assert named and not [e for e in named if e not in demo and e != "E"], named


def test_the_api_operations_are_written_with_real_values() -> None:
    """docs/api.md wrote `POST /frameworks/import?fmt=&new_version=&dry_run=` as notation:
    pasted as written, its empty values were refused. An address it gives has a value for every
    parameter it names."""
    api = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    addresses = re.findall(r"`(?:GET|POST|PUT|PATCH|DELETE) (/[^`\s]*\?[^`\s]*)`", api)
    assert addresses
    empty = [a for a in addresses if re.search(r"=(?:&|$)", a)]
    assert not empty, empty
