"""The ``portfolio`` command line: the top-level group and the table of its commands.

Each command (or group of commands) is a click command in its own module of ``delivery.cli``,
imported only when that command runs: ``portfolio --help`` and a simple command do not load the
suggestion engine, the document writers or the web application. To add a command or a group, write
it in its own module and add its line to ``COMMANDS``; ``tests/delivery/test_cli_main.py`` checks
that the line's help is the command's own.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

import click

from portfolio import config as settings

# name: ("module:attribute" of the click command, the one line `portfolio --help` shows for it,
# which is the first sentence of the command's docstring).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("delivery.cli.audit:audit_group", "Check the append-only audit trail."),
    "badges": (
        "delivery.cli.badges:badges_group",
        "Issue and check Open Badges 3.0 of signed-off standards.",
    ),
    "backup": (
        "delivery.cli.backup:backup_command",
        "Write one archive of the database and the file store, with a manifest of SHA-256 hashes.",
    ),
    "cohort": ("delivery.cli.cohort:cohort_group", "Create, list, close and reopen cohorts."),
    "coverage": (
        "delivery.cli.coverage:coverage_command",
        "Show a candidate's coverage per standard: counts, states, evidence and reasons.",
    ),
    "demo": (
        "delivery.cli.demo:demo",
        "Load the sample framework and demo accounts (idempotent) and print the log-ins.",
    ),
    "engine": ("delivery.cli.engine:engine", "Train the criteria suggestion engine."),
    "export": (
        "delivery.cli.export:export_group",
        "Export sign-off records, portfolio bundles, Leap2A and reports.",
    ),
    "files": (
        "delivery.cli.files:files_group",
        "Check the file store for files no row references.",
    ),
    "framework": (
        "delivery.cli.framework:framework_group",
        "Load, list, show and export frameworks.",
    ),
    "import": (
        "delivery.cli.import_:import_group",
        "Import portfolio bundles and Leap2A files.",
    ),
    "init": (
        "delivery.cli.database:init",
        "Create the database, or migrate it to the newest schema.",
    ),
    "iqa": ("delivery.cli.iqa:iqa_group", "Plan IQA sampling cycles and write their records."),
    "key": ("delivery.cli.key:key_group", "Show the centre's bundle-signing key."),
    "lti": (
        "delivery.cli.lti:lti_group",
        "Register VLE platforms whose course links open portfolios (LTI 1.3).",
    ),
    "notifications": (
        "delivery.cli.notifications:notifications_group",
        "Send the daily digests of notifications by e-mail.",
    ),
    "people": ("delivery.cli.people:people_group", "Create and list people."),
    "privacy": (
        "delivery.cli.privacy:privacy_group",
        "Find personal data in evidence text; subject access and erasure.",
    ),
    "tokens": (
        "delivery.cli.tokens:tokens_group",
        "Make, list and revoke personal access tokens for the API.",
    ),
    "two-step": (
        "delivery.cli.two_step:two_step_group",
        "Encrypt the stored two-step secrets; make a key to encrypt them with.",
    ),
    "register": (
        "delivery.cli.register:register_command",
        "Register a learner on standards of a framework version with an assessor and an IQA.",
    ),
    "registrations": (
        "delivery.cli.registrations:registrations_group",
        "Reallocate an assessor's or IQA's learners to someone else.",
    ),
    "retention": (
        "delivery.cli.retention:retention_group",
        "Apply the centre's retention rules to stored evidence.",
    ),
    "restore": (
        "delivery.cli.backup:restore_command",
        "Restore an archive written by `portfolio backup` into an empty database and file store.",
    ),
    "schedule": (
        "delivery.cli.schedule:schedule",
        "Queue the daily jobs on RQ at their times in the centre's time zone: today's registration "
        "summaries after midnight and the retention rules at night (`portfolio worker` runs them).",
    ),
    "serve": (
        "delivery.cli.serve:serve",
        "Serve the web application with a production WSGI server (waitress, or gunicorn for "
        "several processes); never the Flask debug server.",
    ),
    "suggest": (
        "delivery.cli.suggest:suggest",
        'Read {"id","kind","title","text"} JSON lines on stdin; write ranked criteria as JSON '
        "lines.",
    ),
    "summaries": (
        "delivery.cli.summaries:summaries_group",
        "Store where each registration stands, so the day's first caseload folds no one.",
    ),
    "worker": (
        "delivery.cli.worker:worker",
        "Run a background worker for export jobs, attachment readings, suggestions and e-mail (RQ "
        "on PORTFOLIO_REDIS_URL).",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is asked for, and lists its
    commands from a table without importing any (click's documented lazy-loading pattern)."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            return self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, cmd_name: str) -> click.Command:
        """Import the command ``cmd_name`` from the module its table line names."""
        module_name, attribute = self.lazy_commands[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attribute} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; one that lost a race with another writer (PostgreSQL) stops with
        one line and exit 1 rather than a traceback (:func:`delivery.cli.context.race_lost`)."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from delivery.cli.context import race_lost  # only when a command failed

            message = race_lost(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its one-line help from the table, importing none of them."""
        placeholders = {
            name: click.Command(name, help=text) for name, (_, text) in self.lazy_commands.items()
        }
        listing = click.Group(commands={**placeholders, **self.commands})
        click.Group.format_commands(listing, ctx, formatter)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    package_name="competence-portfolio", prog_name="portfolio", message="%(prog)s %(version)s"
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="Database URL. Default: $PORTFOLIO_DATABASE_URL, else SQLite in the instance folder.",
)
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """Competence assessment and e-portfolio engine."""
    # Imported here, when a command runs, so that `portfolio --help` loads no database layer.
    from delivery.cli.context import Context
    from delivery.wiring import configure, wire

    wire()
    if isinstance(ctx.obj, Context):  # given by an embedding program or a test
        configure(ctx.obj.settings)
        return
    conf = settings.from_env()
    if db_url:
        conf["DATABASE_URL"] = db_url
    try:
        conf = settings.finish(conf)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    configure(conf)
    ctx.obj = Context(conf["DATABASE_URL"])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
