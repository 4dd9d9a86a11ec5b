"""``portfolio iqa``: plan internal quality assurance sampling cycles and write their records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from delivery.cli.context import (
    Context,
    echo_data,
    json_option,
    output_option,
    pass_ctx,
    report_written,
    write_output,
)
from exports.iqa_report import FORMATS, cycle_report
from mappings.quality import cycles, plan
from portfolio.services.people import SYSTEM


@click.group("iqa")
def iqa_group() -> None:
    """Plan IQA sampling cycles and write their records."""


@iqa_group.command("plan")
@click.option("--cycle", "name", required=True, help="Name of the sampling cycle.")
@click.option("--seed", default=None, type=int, help="Random seed (default: the cycle's).")
@click.option("--create", is_flag=True, help="Create the cycle first (needs --iqa, --from, --to).")
@click.option("--iqa", "iqa_id", default=None, type=int, help="With --create: the IQA's id.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="With --create: first day of the cycle.")  # fmt: skip
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="With --create: last day of the cycle.")  # fmt: skip
@json_option
@pass_ctx
def plan_cycle(
    ctx: Context,
    name: str,
    seed: int | None,
    create: bool,
    iqa_id: int | None,
    start: datetime | None,
    end: datetime | None,
    as_json: bool,
) -> None:
    """Plan (or re-plan) the sample of an existing cycle, or --create it first."""
    with ctx.session() as session:
        if create:
            if iqa_id is None or start is None or end is None:
                raise click.UsageError("--create needs --iqa, --from and --to.")
            cycle = cycles.create_cycle(session, actor=SYSTEM, name=name, start=start.date(),
                                        end=end.date(), iqa_id=iqa_id, seed=seed)  # fmt: skip
        else:
            cycle = cycles.cycle_by_name(session, name)
        result = plan.plan_cycle(session, actor=SYSTEM, cycle_id=cycle.id or 0, seed=seed)
        data: dict[str, Any] = {
            "cycle": result.cycle.name,
            "seed": result.cycle.seed,
            "decisions": len(result.facts.facts),
            "own_excluded": len(result.facts.own_excluded),
            "samples": [
                {"decision": s.decision_id, "reasons": list(s.reasons)} for s in result.plan.samples
            ],
            "gaps": list(result.gaps.short) + list(result.gaps.uncovered),
        }
    echo_data(data, as_json=as_json, lines=_plan_lines)


def _plan_lines(data: dict[str, Any]) -> list[str]:
    return [
        f"Cycle {data['cycle']}: {len(data['samples'])} samples of {data['decisions']} "
        f"decisions (seed {data['seed']}).",
        *(f"  {s['decision']:<20} {'; '.join(s['reasons'])}" for s in data["samples"]),
        *(f"gap: {gap}" for gap in data["gaps"]),
    ]


@iqa_group.command("report")
@click.option("--cycle", "name", required=True, help="Name of the sampling cycle.")
@output_option(".xlsx or .csv: the plan with outcomes; .docx: every sample report")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Default: from the file name's ending (needed with -o -).")  # fmt: skip
@json_option
@pass_ctx
def report_cycle(ctx: Context, name: str, output: Path, fmt: str | None, as_json: bool) -> None:
    """Write the plan with outcomes (.xlsx, .csv) or the sample reports (.docx)."""
    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError("The output file ends in .xlsx, .csv or .docx (or give --format).")
    with ctx.session(write=False) as session:
        data = cycle_report(session, name, fmt, ctx.settings["TIME_ZONE"])
    write_output(output, data)
    report_written(
        output, {"bytes": len(data)}, f"Wrote {output} ({len(data)} bytes).", as_json=as_json
    )
