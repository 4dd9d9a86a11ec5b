"""``portfolio demo``: the sample framework, demo accounts and, for benchmarks, synthetic learners."""

from __future__ import annotations

import click

from delivery.cli.context import Context, pass_ctx
from demo.accounts import load_demo
from demo.assessments import add_demo_assessments
from demo.quality import add_demo_quality
from demo.synthetic import add_synthetic_evidence


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
@pass_ctx
def demo(ctx: Context, learners: int, seed: int, items: int) -> None:
    """Load the sample framework and demo accounts (idempotent) and print the log-ins."""
    with ctx.session() as session:
        report = load_demo(session, synthetic_learners=learners, seed=seed)
        assessed = add_demo_assessments(session)
        assured = add_demo_quality(session)
        if report.synthetic_ids:
            add_synthetic_evidence(
                session,
                learner_ids=report.synthetic_ids,
                assessor_of=report.assessor_of,
                items_per_learner=items,
                seed=seed,
            )
    click.echo(report.text())
    click.echo(assessed.text())
    click.echo(assured.text())
