"""``portfolio retention apply``: erase the evidence past its keeping time (the deploy's cron
runs it daily; see README, "Retention")."""

from __future__ import annotations

from typing import Any

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from mappings.privacy.retention import Rules, apply
from portfolio.services.actors import SYSTEM


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
        result = apply(session, actor=SYSTEM, rules=rules, store=ctx.file_store, dry_run=dry_run)

    def lines(data: dict[str, Any]) -> list[str]:
        shown = [
            f"{d['learner']} <{d['email']}>: {d['ended']} on {d['ended_on']}, kept until "
            f"{d['kept_until']}: {d['items']} evidence item(s), {d['files']} file(s)"
            for d in data["learners"]
        ]
        e = data["erased"]
        verb = "Would erase" if dry_run else "Erased"
        return [
            *shown,
            f"{verb} the content of {e['items']} evidence item(s) ({e['versions']} version(s)) "
            f"and {e['files']} file(s) of {len(data['learners'])} learner(s); "
            f"{e['removed_files']} file(s) leaving the file store.",
        ]

    echo_data(result.as_dict(), as_json=as_json, lines=lines)
