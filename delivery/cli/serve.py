"""``portfolio serve``: serve the web application with a production WSGI server."""

from __future__ import annotations

import gc
import os
import tempfile

import click

from delivery.cli.context import Context, pass_ctx
from delivery.schedule import use_time_zone
from portfolio.config import SITE_UNADDRESSED, centre_unnamed, site_unaddressed


def own_address(host: str, port: int) -> str:
    """This server's address for links: ``localhost`` when it listens on every address."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - names the address, binds nothing
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    help="Threads per process (default: 8 with one process; 4 per gunicorn worker, where more "
    "threads contend for the worker's one interpreter lock and answer more slowly).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes. 1 serves with waitress; more serve with gunicorn (one per core is a good start).",
)
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int | None, workers: int) -> None:
    """Serve the web application with a production WSGI server (waitress, or gunicorn for
    several processes); never the Flask debug server."""
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    # "today" on the pages (plans due and overdue, breaks, the caseload's summaries, the nightly
    # thread) is date.today(): the centre's day, whatever the machine's zone (gunicorn's workers
    # inherit it), as the scheduler reads its cron times
    use_time_zone(ctx.settings["TIME_ZONE"])
    if not ctx.settings.get("BASE_URL") and ctx.settings.get("ENV") != "production":
        # links in e-mail sent outside a request (notifications) need the site's address: outside
        # production, this server's own; set in the environment, so gunicorn's workers have it too
        os.environ["PORTFOLIO_BASE_URL"] = own_address(host, port)
        click.echo(f"Links in e-mail: {os.environ['PORTFOLIO_BASE_URL']} (PORTFOLIO_BASE_URL)")
    if site_unaddressed(ctx.settings):  # sign-offs go on; their badges name the request's address
        click.echo(SITE_UNADDRESSED)
    if centre_unnamed(ctx.settings):
        click.echo(
            f"Sign-off records, badges and e-mail name the centre “{ctx.settings['CENTRE_NAME']}”: "
            "set PORTFOLIO_CENTRE_NAME to your centre's name."
        )
    # The server is chosen at run time: only the one in use is imported (gunicorn is Unix-only).
    if workers == 1:
        from waitress import serve as waitress_serve

        from delivery.web.app import create_app

        app = create_app({"DATABASE_URL": ctx.url})
        gc.freeze()  # the app's long-lived objects leave the collector's full passes
        waitress_serve(app, host=host, port=port, threads=threads or 8, ident="portfolio")
        return
    # Each worker writes its metrics to files here and a scrape adds them up; set before the
    # metrics' module is first imported, which chooses how figures are kept.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="portfolio-metrics-"))
    from delivery.gunicorn_app import serve as gunicorn_serve

    gunicorn_serve(ctx.url, host=host, port=port, workers=workers, threads=threads or 4)
