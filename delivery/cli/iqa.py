"""``portfolio iqa``: plan internal quality assurance sampling cycles and write their records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from delivery.cli.context import (
    DAY,
    Context,
    echo_data,
    json_option,
    output_option,
    pass_ctx,
    report_written,
    write_output,
)
from exports.iqa_report import FORMATS, cycle_report
from mappings.quality import cycles, plan, sampling
from mappings.quality.words import gaps_words, reason_plain, sample_kind_phrase, sample_label
from portfolio.services.people import SYSTEM

# as the plan page's field says it
SEED_HELP = "Sampling number: the same number picks the same samples again (default: the cycle's)."


@click.group("iqa")
def iqa_group() -> None:
    """Plan IQA sampling cycles and write their records."""


@iqa_group.command("plan")
@click.option("--cycle", "name", required=True, help="Name of the sampling cycle.")
@click.option("--seed", default=None, type=int, help=SEED_HELP)
@click.option("--create", is_flag=True, help="Create the cycle first (needs --iqa, --from, --to).")
@click.option("--iqa", "iqa_id", default=None, type=int, help="With --create: the IQA's id.")
@click.option("--from", "start", type=DAY, default=None,
              help="With --create: first day of the cycle.")  # fmt: skip
@click.option("--to", "end", type=DAY, default=None,
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
                                        end=end.date(), iqa_id=iqa_id, seed=seed,
                                        zone=ZoneInfo(ctx.settings["TIME_ZONE"]))  # fmt: skip
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
        lines = _plan_lines(data, result)
    echo_data(data, as_json=as_json, lines=lambda _: lines)


def _plan_lines(data: dict[str, Any], result: plan.PlanResult) -> list[str]:
    """The plan in the words of the IQA plan page: "Sample 2 — Lena Learner, SE01 (summative,
    after sign-off): quota of a new assessor (100%)", not the planner's "S2" and "rate: new ..."."""
    own = data["own_excluded"]
    samples = sorted(result.plan.samples, key=lambda s: result.positions.get(s.decision_id, 0))
    gaps = gaps_words(result.gaps)
    return [
        f"Cycle {data['cycle']}: {len(data['samples'])} samples of {data['decisions']} "
        f"decisions (sampling number {data['seed']})."
        + (f" Left out: the IQA's own decisions ({own})." if own else ""),
        *(_sample_line(s, result) for s in samples),
        *(["What the strategy still lacks:", *(f"  {g}" for g in gaps)] if gaps else []),
    ]


def _sample_line(sample: sampling.Sample, result: plan.PlanResult) -> str:
    ref = result.facts.refs.get(sample.decision_id)
    label = sample_label(
        result.positions.get(sample.decision_id, 0), ref.learner_name if ref else ""
    )
    where = f", {ref.standard_code} ({sample_kind_phrase(ref.kind)})" if ref else ""
    return f"  {label}{where}: {'; '.join(map(reason_plain, sample.reasons))}"


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
