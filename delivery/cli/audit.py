"""``portfolio audit``: check the append-only audit trail and print its head."""

from __future__ import annotations

import click

from delivery.cli.context import Context, echo_data, echo_json, json_option, pass_ctx
from portfolio.services import audit, audit_checks
from portfolio.services.actors import SYSTEM
from portfolio.words import count_words


@click.group("audit")
def audit_group() -> None:
    """Check the append-only audit trail."""


def _head(value: str | None) -> audit.Head | None:
    if value is None:
        return None
    try:
        return audit.Head.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expect") from exc


@audit_group.command("verify")
@click.option(
    "--expect",
    metavar="COUNT:HASH",
    default=None,
    help="A head printed earlier by `portfolio audit head`: fail unless the trail still extends it.",
)
@json_option
@pass_ctx
def verify_audit(ctx: Context, expect: str | None, as_json: bool) -> None:
    """Verify the hash chain and re-hash the rows it vouches for; exit 1 on any finding.

    Checks that every entry links to the one before and matches its hash, that every decision,
    claim, evidence version and sign-off is as the newest entry about it recorded and none is
    missing from the trail, that each entry about a person, registration, evidence item,
    declaration, plan or sign-off names whom its subject belongs to, and with --expect that the
    trail still extends that head. Each run is kept (when, how many entries, intact or where it
    broke): /admin/audit shows the last."""
    expected = _head(expect)
    with ctx.session(write=False) as session:
        report = audit.verify(session, expect=expected)
    with ctx.session() as session:  # kept, so the audit page says when the trail was checked
        audit_checks.record_check(session, actor=SYSTEM, report=report)
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "breaks": list(report.breaks),
                "more": report.more,
                "expected": str(expected) if expected else None,
            }
        )
        if not report.ok:
            raise SystemExit(1)
        return
    if report.ok:
        extends = f" It extends the expected head {expected}." if expected else ""
        click.echo(f"Audit trail intact: {report.entries} entries.{extends}")
        return
    for line in report.breaks:
        click.echo(line, err=True)
    if report.more:
        click.echo(f"… and {report.more} more.", err=True)
    if any("in no audit entry" in line for line in report.breaks):
        click.echo(
            "If this database was upgraded from a version whose trail did not record rows, run "
            "`portfolio audit baseline` once (only then) to vouch for the rows as they are.",
            err=True,
        )
    total = len(report.breaks) + report.more
    raise click.ClickException(f"Audit trail broken in {count_words(total, 'place')}.")


@audit_group.command("head")
@json_option
@pass_ctx
def head_audit(ctx: Context, as_json: bool) -> None:
    """Print the entry count and the newest hash as COUNT:HASH, to keep outside the database.

    Later, `portfolio audit verify --expect COUNT:HASH` fails if the trail no longer extends it."""
    with ctx.session(write=False) as session:
        head = audit.head(session)
    echo_data(
        {"entries": head.entries, "hash": head.hash, "head": str(head)},
        as_json=as_json,
        lines=lambda d: [d["head"]],
    )


@audit_group.command("baseline")
@json_option
@pass_ctx
def baseline_audit(ctx: Context, as_json: bool) -> None:
    """Record the rows no entry vouches for yet, as they are now (once, after upgrading).

    Decisions, claims, evidence versions and sign-offs written before the trail recorded rows
    are otherwise reported by `audit verify`. The baseline entries are themselves in the trail,
    so run it only when you know the database has not been changed outside the application."""
    with ctx.session() as session:
        count = audit.baseline(session, actor=SYSTEM)
    echo_data(
        {"recorded": count},
        as_json=as_json,
        lines=lambda d: [f"Recorded {count_words(d['recorded'], 'row')} in the audit trail."],
    )
