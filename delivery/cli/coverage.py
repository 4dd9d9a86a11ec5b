"""``portfolio coverage``: one candidate's coverage per standard."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from mappings.assessment.coverage_report import coverage_report, report_text


@click.command("coverage")
@click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
@click.option("--standard", default=None, help="Only this standard, e.g. SE01.")
@json_option
@pass_ctx
def coverage_command(ctx: Context, learner_id: int, standard: str | None, as_json: bool) -> None:
    """Show a candidate's coverage per standard: counts, states, evidence and reasons."""
    with ctx.session(write=False) as session:
        learner, entries = coverage_report(session, learner_id=learner_id, standard=standard)
        text = report_text(
            learner, entries, detail=standard is not None, zone=ZoneInfo(ctx.settings["TIME_ZONE"])
        )
    echo_data(entries, as_json=as_json, lines=lambda _: [text])
