"""``portfolio privacy scan``: find personal data in texts read as JSON lines (the measured
interface); the commands on stored data are in :mod:`delivery.cli.privacy_requests`."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from delivery.cli.context import read_json
from delivery.cli.privacy_requests import (
    backfill_command,
    erase_command,
    subject_access_command,
)
from portfolio.errors import Invalid
from portfolio.privacy.scan import centre_identifiers, scan
from portfolio.services.evidence import scanning


@click.group("privacy")
def privacy_group() -> None:
    """Find personal data in evidence text; subject access and erasure."""


@privacy_group.command("scan")
@click.option(
    "--no-names",
    is_flag=True,
    help="Pattern kinds only: do not load the named-entity model.",
)
@click.option(
    "--identifier",
    "identifiers",
    multiple=True,
    metavar="KIND=REGEX",
    help="An identifier the centre configures, e.g. 'client_ref=CR-\\d{6}' (repeatable).",
)
def scan_command(no_names: bool, identifiers: tuple[str, ...]) -> None:
    """Read {"id","text"} JSON lines on stdin; write {"id","findings"} JSON lines.

    Each finding is {"kind","start","end","text"} with character offsets into "text"
    (text[start:end] is the finding's text). An optional "learner" (a name, or a list of names)
    is never reported as a name. A line that is not a JSON object with a string "text" stops the
    run with its line number; the lines before it have been written."""
    extra = {**scanning.identifiers(), **_identifiers(identifiers)}
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        item = _parse(number, line)
        learner = item.get("learner") or []
        if isinstance(learner, str):
            learner = [learner]
        findings = scan(
            item["text"], learner=[str(n) for n in learner], names=not no_names, identifiers=extra
        )
        record = {"id": item.get("id"), "findings": [f.as_dict() for f in findings]}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def _identifiers(options: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    pairs: dict[str, str] = {}
    for option in options:
        kind, sep, pattern = option.partition("=")
        if not sep:
            raise click.BadParameter(f"“{option}”: write KIND=REGEX", param_hint="--identifier")
        pairs[kind.strip()] = pattern
    try:
        return centre_identifiers(pairs)
    except Invalid as exc:
        raise click.BadParameter(str(exc), param_hint="--identifier") from exc


def _parse(number: int, line: str) -> dict[str, Any]:
    item = read_json(line, f"stdin line {number}")
    if not isinstance(item, dict):
        raise click.ClickException(f'stdin line {number}: not a JSON object with "id" and "text"')
    if not isinstance(item.get("text"), str):
        raise click.ClickException(f'stdin line {number}: "text" is missing or not a string')
    learner = item.get("learner")
    if learner is not None and not isinstance(learner, str | list):
        raise click.ClickException(f'stdin line {number}: "learner" must be a name or a list')
    return item


privacy_group.add_command(backfill_command)
privacy_group.add_command(subject_access_command)
privacy_group.add_command(erase_command)
