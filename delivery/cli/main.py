"""The ``portfolio`` command line: the top-level group and the commands that run the service."""

from __future__ import annotations

import gc
import sys

import click

from delivery.cli.context import Context, pass_ctx
from delivery.schema import schema_state, upgrade
from delivery.wiring import wire
from portfolio import config as settings


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
    wire()
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
    from delivery.web.app import create_app

    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    if workers == 1:
        from waitress import serve as waitress_serve

        app = create_app({"DATABASE_URL": ctx.url})
        gc.freeze()  # the app's long-lived objects leave the collector's full passes
        waitress_serve(app, host=host, port=port, threads=threads, ident="portfolio")
        return
    from delivery.gunicorn_app import serve as gunicorn_serve

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
    from demo.accounts import load_demo
    from demo.assessments import add_demo_assessments

    with ctx.session() as session:
        report = load_demo(session, synthetic_learners=learners, seed=seed)
        assessed = add_demo_assessments(session)
        if report.synthetic_ids:
            from demo.synthetic import add_synthetic_evidence

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
    from delivery.cli.commands import register_commands
    from delivery.cli.engine import engine
    from delivery.cli.suggest import register_suggest

    register_commands(main)
    register_suggest(main)
    main.add_command(engine)


_register_groups()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
