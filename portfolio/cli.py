"""The ``portfolio`` command line."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlmodel import Session

from portfolio import config as settings
from portfolio.db import make_engine, schema_state, session_scope, upgrade
from portfolio.errors import DomainError


class Context:
    """What every command shares: the database URL and, once needed, its engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    @property
    def settings(self) -> dict[str, Any]:
        """The configuration (``PORTFOLIO_*`` variables, paths filled in), read once."""
        if getattr(self, "_settings", None) is None:
            self._settings = settings.finish(settings.from_env())
        return self._settings

    @property
    def file_store(self) -> Path:
        """The folder of uploaded files (``PORTFOLIO_FILE_STORE``, default in the instance)."""
        return Path(self.settings["FILE_STORE"])

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one command: commit on success, roll back and exit 1 on a domain error."""
        state = schema_state(self.engine)
        if not state["up_to_date"]:
            raise click.ClickException(
                f"The database schema is at {state['current']}, the code needs {state['head']}: "
                "run `portfolio init` first."
            )
        try:
            with session_scope(self.engine) as session:
                yield session
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc


pass_ctx = click.make_pass_decorator(Context)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    if isinstance(ctx.obj, Context):  # given by an embedding program or a test
        return
    conf = settings.from_env()
    if db_url:
        conf["DATABASE_URL"] = db_url
    conf = settings.finish(conf)
    ctx.obj = Context(conf["DATABASE_URL"])


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    upgrade(ctx.engine)
    state = schema_state(ctx.engine)
    click.echo(
        f"Database ready at schema {state['current']} ({ctx.engine.url.render_as_string()})."
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes. 1 serves with waitress; more serve with gunicorn (one per core is a good start).",
)
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int, workers: int) -> None:
    """Serve the web application with a production WSGI server (waitress, or gunicorn for
    several processes); never the Flask debug server."""
    from portfolio.app import create_app

    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    if workers == 1:
        from waitress import serve as waitress_serve

        app = create_app({"DATABASE_URL": ctx.url})
        gc.freeze()  # the app's long-lived objects leave the collector's full passes
        waitress_serve(app, host=host, port=port, threads=threads, ident="portfolio")
        return
    from portfolio.gunicorn_app import serve as gunicorn_serve

    gunicorn_serve(ctx.url, host=host, port=port, workers=workers, threads=threads)


@main.command()
@click.option(
    "--learners", default=0, type=int, help="Also generate N synthetic learners (benchmarks)."
)
@click.option(
    "--seed", default=1, show_default=True, type=int, help="Random seed for synthetic data."
)
@click.option(
    "--items",
    default=20,
    show_default=True,
    type=int,
    help="Evidence items per synthetic learner (each mapped and mostly decided).",
)
@pass_ctx
def demo(ctx: Context, learners: int, seed: int, items: int) -> None:
    """Load the sample framework and demo accounts (idempotent) and print the log-ins."""
    from mappings.demo import add_demo_assessments
    from portfolio.services.demo import load_demo

    with ctx.session() as session:
        report = load_demo(session, synthetic_learners=learners, seed=seed)
        assessed = add_demo_assessments(session)
        if report.synthetic_ids:
            from mappings.synthetic import add_synthetic_evidence

            add_synthetic_evidence(
                session,
                learner_ids=report.synthetic_ids,
                assessor_of=report.assessor_of,
                items_per_learner=items,
                seed=seed,
            )
    click.echo(report.text())
    click.echo(assessed.text())


def _register_groups() -> None:
    from portfolio.cli_commands import register_commands
    from portfolio.cli_suggest import register_suggest

    register_commands(main)
    register_suggest(main)


_register_groups()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
