"""``portfolio privacy backfill | subject-access | erase``: the administrator's privacy work on
stored data (``portfolio privacy scan`` reads text on stdin: :mod:`delivery.cli.privacy`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from exports.subject_access import write_subject_access
from mappings.privacy.requests import erase_person, find_person
from portfolio.services.actors import SYSTEM
from portfolio.services.evidence.backfill import backfill
from portfolio.words import count_words


@click.command("backfill")
@click.option("--dry-run", is_flag=True, help="Count what would be scanned; write nothing.")
@json_option
@pass_ctx
def backfill_command(ctx: Context, dry_run: bool, as_json: bool) -> None:
    """Scan for personal data the evidence saved before evidence was scanned (idempotent)."""
    with ctx.session(write=not dry_run) as session:
        result = backfill(session, actor=SYSTEM, dry_run=dry_run)

    def lines(data: dict[str, Any]) -> list[str]:
        verb = "Would scan" if dry_run else "Scanned"
        found = "" if dry_run else f"; {count_words(data['findings'], 'finding')} stored"
        return [
            f"{verb} {count_words(data['bodies'], 'text')} and "
            f"{count_words(data['attachments'], 'attachment text')} of "
            f"{count_words(data['versions'], 'evidence version')}{found}."
        ]

    echo_data(result.as_dict(), as_json=as_json, lines=lines)


@click.command("subject-access")
@click.argument("email")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
def subject_access_command(ctx: Context, email: str, output: Path) -> None:
    """Write one zip of everything held about the person with this e-mail."""
    tmp = output.with_name(f".{output.name}.part")
    try:
        with ctx.session() as session, tmp.open("wb") as out:
            person = find_person(session, email)
            names = write_subject_access(
                session,
                ctx.file_store,
                person.id or 0,
                out,
                actor=SYSTEM,
                centre=ctx.settings["CENTRE_NAME"],
                zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
            )
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"Wrote {output}: {count_words(len(names), 'file')}: {', '.join(names)}.")


@click.command("erase")
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; write nothing.")
@json_option
@pass_ctx
def erase_command(ctx: Context, email: str, dry_run: bool, as_json: bool) -> None:
    """Erase a person's personal data on their request, keeping what the awarding body requires."""
    with ctx.session(write=not dry_run) as session:
        person = find_person(session, email)
        who = f"{person.name} ({person.email})"  # as the administrator knows them, before erasing
        result = erase_person(
            session,
            actor=SYSTEM,
            person_id=person.id or 0,
            store=ctx.file_store,
            dry_run=dry_run,
            zone=ZoneInfo(ctx.settings["TIME_ZONE"]),
        )

    def lines(data: dict[str, Any]) -> list[str]:
        head = "Would erase" if dry_run else "Erased"
        return [
            f"{head} the name, e-mail and log-in of {who}, "
            f"{count_words(data['notifications'], 'notification')}, the content of "
            f"{count_words(data['evidence_erased'], 'evidence item')} and "
            f"{count_words(data['files_erased'], 'file')} "
            f"({data['files_removed_from_store']} leaving the file store).",
            f"Kept: {count_words(data['evidence_kept'], 'evidence item')} behind sign-offs, the sign-off "
            "records, claims and decisions.",
        ]

    echo_data(result.as_dict(), as_json=as_json, lines=lines)
