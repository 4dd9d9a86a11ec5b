"""``portfolio registrations``: change registrations in bulk (reallocate a person's learners)."""

from __future__ import annotations

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.services import reallocation
from portfolio.services.people import SYSTEM


@click.group("registrations")
def registrations_group() -> None:
    """Reallocate an assessor's or IQA's learners to someone else."""


@registrations_group.command("reallocate")
@click.option(
    "--from", "from_email", required=True, help="E-mail of the assessor (or IQA) leaving."
)
@click.option("--to", "to_email", required=True, help="E-mail of the person taking them on.")
@click.option("--iqa", is_flag=True, help="Move the learners they are the IQA of instead.")
@json_option
@pass_ctx
def reallocate_command(
    ctx: Context, from_email: str, to_email: str, iqa: bool, as_json: bool
) -> None:
    """Move every learner of one assessor (or IQA) to another, in one transaction; the new
    assessor (or IQA) is told, by e-mail too as they chose, once it has committed."""
    with ctx.mailing_session() as session:
        done = reallocation.reallocate_all(
            session, actor=SYSTEM, from_email=from_email, to_email=to_email, iqa=iqa
        )
        data = {
            "moved": done.moved,
            "from": done.moved_from,
            "to": done.iqa if iqa else done.assessor,
            "role": "iqa" if iqa else "assessor",
        }
    echo_data(
        data,
        as_json=as_json,
        lines=lambda d: [
            f"Moved {reallocation.learners_words(d['moved'])} from {d['from']} to {d['to']} "
            f"(as their {'IQA' if d['role'] == 'iqa' else 'assessor'})."
        ],
    )
