"""``portfolio people``: add and list people."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.models.people import ROLES
from portfolio.services import learner_numbers, people, people_import
from portfolio.services.people import SYSTEM
from portfolio.words import count_words, role_words

INVITE_HELP = (
    "E-mail each new person an invitation to set their password (a link that works once, for 7 "
    "days), once the addition is saved. Needs PORTFOLIO_MAIL_HOST and PORTFOLIO_BASE_URL: "
    "without them nothing is written."
)


@click.group("people")
def people_group() -> None:
    """Create and list people."""


@people_group.command("add")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="E-mail address (the log-in).")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    help=f"{', '.join(ROLES[:-1])} or {ROLES[-1]}; repeat or comma-separate for several.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from this file (first line); otherwise prompt (not with --invite).",
)
@click.option("--site", default="Main site", show_default=True, help="Assessment site.")
@click.option("--uln", default="", help="A learner's unique learner number (10 digits).")
@click.option("--invite", is_flag=True, help=INVITE_HELP)
@json_option
@pass_ctx
def add_person(
    ctx: Context,
    name: str,
    email: str,
    roles: tuple[str, ...],
    password_file: Path | None,
    site: str,
    uln: str,
    invite: bool,
    as_json: bool,
) -> None:
    """Add a person with one or more roles (and, for a learner, their ULN)."""
    from delivery.cli import invite as invitation  # only here: ``people list`` stays light

    if invite:
        invitation.check(ctx)
    password = _read_password(password_file) if not invite or password_file else ""
    with ctx.session() as session:
        person = people.create_person(
            session,
            actor=SYSTEM,
            name=name,
            email=email,
            roles=",".join(roles),
            password=password or None,
            site=site,
        )
        if uln.strip():  # in the same transaction: a bad number adds no one
            learner_numbers.set_uln(session, actor=SYSTEM, person_id=person.id or 0, uln=uln)
        data: dict[str, Any] = {"id": person.id, "name": person.name, "email": person.email}
        data["roles"] = person.roles.split(",")
        data["uln"] = person.uln
        messages = invitation.make(ctx, session, [person.id or 0]) if invite else []
    data["invited"] = invitation.send(ctx, messages) == 1 if invite else False
    echo_data(data, as_json=as_json, lines=_added_lines)


def _added_lines(d: dict[str, Any]) -> list[str]:
    added = f"Added {d['name']} <{d['email']}> as {_roles(d['roles'])} (id {d['id']})"
    if d["invited"]:
        return [f"{added}; they were e-mailed an invitation to set their password."]
    return [f"{added}."]


def _roles(roles: list[str]) -> str:
    """Roles as the pages say them: ["eqa", "iqa"] -> "external quality assurer, internal quality
    assurer" (``--json`` keeps the codes)."""
    return role_words(roles).lower()


def _read_password(password_file: Path | None) -> str:
    """The first line of the file, else what is typed at a terminal, else nothing."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    return getpass.getpass("Password: ") if sys.stdin.isatty() else ""


@people_group.command("list")
@click.option("--role", default=None, help="Only people with this role.")
@json_option
@pass_ctx
def list_people(ctx: Context, role: str | None, as_json: bool) -> None:
    """List people (id, name, e-mail, two-step verification on or off, roles)."""
    with ctx.session(write=False) as session:
        rows: list[dict[str, Any]] = [
            {
                "id": p.id,
                "name": p.name,
                "email": p.email,
                "roles": sorted(p.role_set),
                "two_step": on,
            }
            for p, on in people.list_people_two_step(session, role=role)
        ]
    echo_data(rows, as_json=as_json, lines=lambda rs: _person_lines(rs, role))


def _person_lines(rows: list[dict[str, Any]], role: str | None) -> list[str]:
    if not rows:
        return ["No people with that role." if role else "No people yet."]
    return [
        f"{'Id':>5}  {'Name':<28} {'E-mail':<36} {'Two-step':<9} Roles",
        *(
            f"{r['id']:>5}  {r['name']:<28} {r['email']:<36} "
            f"{'on' if r['two_step'] else 'off':<9} {_roles(r['roles'])}"
            for r in rows
        ),
    ]


@people_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check every row and show what would happen; write nothing."
)
@click.option("--invite", is_flag=True, help=INVITE_HELP)
@json_option
@pass_ctx
def import_people(ctx: Context, file: Path, dry_run: bool, invite: bool, as_json: bool) -> None:
    """Add people (and register learners) from a CSV file: all rows or none.

    Columns: name, email, roles, site, framework, standards, assessor, iqa, cohort,
    start_date, planned_end (see the README). Exits 1 when any row has an error."""
    from delivery.cli import invite as invitation  # only here: ``people list`` stays light

    if invite:
        invitation.check(ctx)
    with ctx.session(write=not dry_run) as session:
        report = people_import.import_people(
            session, actor=SYSTEM, data=file.read_bytes(), dry_run=dry_run
        )
        messages = invitation.make(ctx, session, report.created_ids) if invite else []
    data = {
        "written": report.written,
        "dry_run": dry_run,
        "invite": invite,
        "invited": invitation.send(ctx, messages),
        "people_created": report.people_created,
        "registrations_created": report.registrations_created,
        "cohorts_created": list(report.cohorts_created),
        "errors": report.errors,
        "rows": [
            {
                "line": r.line,
                "email": r.email,
                "name": r.name,
                "roles": r.roles,
                "registration": r.registration,
                "action": r.action,
                "errors": list(r.errors),
            }
            for r in report.rows
        ],  # fmt: skip
    }
    echo_data(data, as_json=as_json, lines=_import_lines)
    if report.errors:
        raise SystemExit(1)


def _import_lines(data: dict[str, Any]) -> list[str]:
    out = []
    for r in data["rows"]:
        what = "; ".join(r["errors"]) if r["errors"] else r["action"]
        mark = "error" if r["errors"] else "ok"
        extra = f" ({r['registration']})" if r["registration"] and not r["errors"] else ""
        out.append(f"line {r['line']:>4}  {mark:<5} {r['email'] or '(no e-mail)'}: {what}{extra}")
    if data["errors"]:
        out.append(f"{count_words(data['errors'], 'row')} with errors: nothing was written.")
    elif data["dry_run"]:
        would = "; each new person would be e-mailed an invitation" if data["invite"] else ""
        out.append(f"A check only, nothing saved yet: this would add {_counts(data)}{would}.")
    else:
        out.append(f"Added {_counts(data)}.")
        if data["invite"] and data["people_created"]:
            out.append(f"{data['invited']} were e-mailed an invitation to set their password.")
    return out


def _counts(data: dict[str, Any]) -> str:
    """ "3 people and 1 registration"."""
    people_n, regs = data["people_created"], data["registrations_created"]
    who = "1 person" if people_n == 1 else f"{people_n} people"
    return f"{who} and {regs} registration{'' if regs == 1 else 's'}"
