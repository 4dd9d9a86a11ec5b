"""``portfolio demo``: the sample framework, demo accounts and, for benchmarks, synthetic learners."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, pass_ctx
from demo.accounts import load_demo
from demo.assessments import add_demo_assessments
from demo.plans import add_demo_plans
from demo.quality import add_demo_quality
from demo.states import add_demo_states
from demo.synthetic import CHUNK, add_synthetic_centre, vacuum_filled


@click.command("demo")
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
@click.option(
    "--chunk",
    default=CHUNK,
    show_default=True,
    type=click.IntRange(min=1),
    help="Synthetic learners per progress line, each chunk a transaction of its own (on "
    "PostgreSQL a load that at least doubles the people is one transaction, with indexes and "
    "foreign keys set aside meanwhile).",
)
@pass_ctx
def demo(ctx: Context, learners: int, seed: int, items: int, chunk: int) -> None:
    """Load the sample framework and demo accounts (idempotent) and print the log-ins."""
    with ctx.session() as session:
        report = load_demo(session)
        assessed = add_demo_assessments(session)
        planned = add_demo_plans(session)
        assured = add_demo_quality(session, zone=ZoneInfo(ctx.settings["TIME_ZONE"]))
        states = add_demo_states(session)  # after the IQA cycle, which keeps its samples
    click.echo(report.text())
    click.echo(assessed.text())
    click.echo(planned.text())
    click.echo(assured.text())
    click.echo(states.text())
    if learners > 0:
        synthetic = add_synthetic_centre(
            ctx.session,
            learners=learners,
            items_per_learner=items,
            seed=seed,
            chunk=chunk,
            progress=click.echo,
        )
        if ctx.engine.dialect.name == "postgresql":
            seconds = vacuum_filled(ctx.engine)
            click.echo(f"  visibility maps and statistics (VACUUM ANALYZE) in {seconds:.0f} s")
        click.echo(synthetic.text())
