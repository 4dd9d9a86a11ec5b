"""``portfolio retention apply``: erase the evidence past its keeping time (the deploy's cron
runs it daily; see README, "Retention")."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from mappings.privacy.retention import Rules, apply
from portfolio.services.actors import SYSTEM
from portfolio.words import count_words, day_words


@click.group("retention")
def retention_group() -> None:
    """Apply the centre's retention rules to stored evidence."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="List what would be erased; write nothing.")
@json_option
@pass_ctx
def apply_command(ctx: Context, dry_run: bool, as_json: bool) -> None:
    """Erase the content and files of evidence kept past the retention period."""
    rules = Rules.from_config(ctx.settings)
    with ctx.session(write=not dry_run) as session:
        result = apply(
            session,
            actor=SYSTEM,
            rules=rules,
            store=ctx.file_store,
            dry_run=dry_run,
            zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
        )

    def lines(data: dict[str, Any]) -> list[str]:
        # days and counts as pages say them: "left on 4 Dec 2022", "2 evidence items, 1 file"
        shown = [
            f"{d['learner']} <{d['email']}>: {d['ended']} on {_day(d['ended_on'])}, kept until "
            f"{_day(d['kept_until'])}: {count_words(d['items'], 'evidence item')}, "
            f"{count_words(d['files'], 'file')}"
            for d in data["learners"]
        ]
        e = data["erased"]
        verb = "Would erase" if dry_run else "Erased"
        return [
            *shown,
            f"{verb} the content of {count_words(e['items'], 'evidence item')} "
            f"({count_words(e['versions'], 'version')}) and {count_words(e['files'], 'file')} of "
            f"{count_words(len(data['learners']), 'learner')}; "
            f"{count_words(e['removed_files'], 'file')} leaving the file store.",
        ]

    echo_data(result.as_dict(), as_json=as_json, lines=lines)


def _day(iso: str) -> str:
    """A day of the JSON ("2022-12-04") as the pages say it: "4 Dec 2022"."""
    return day_words(date.fromisoformat(iso))
