"""``portfolio register``: register a learner on standards with an assessor and an IQA."""

from __future__ import annotations

from datetime import date, datetime

import click
from sqlmodel import col, select

from delivery.cli.context import DAY, Context, echo_data, json_option, pass_ctx
from portfolio.errors import Invalid, NoSuch
from portfolio.models import Person
from portfolio.services import frameworks, registrations
from portfolio.services.people import SYSTEM
from portfolio.services.registration_dates import default_planned_end
from portfolio.words import day_words


@click.command("register")
@click.option("--learner", "learner_id", required=True, type=int, help="Learner's person id.")
@click.option("--framework", "code", required=True, help="Framework code, e.g. SE.")
@click.option("--version", default=None, help="Framework version (default: newest).")
@click.option("--standards", required=True, help="Comma-separated standard codes: SE01,SE04.")
@click.option("--assessor", "assessor_id", required=True, type=int, help="Assessor's id.")
@click.option("--iqa", "iqa_id", required=True, type=int, help="IQA's id (not the assessor).")
@click.option("--cohort", "cohort_id", default=None, type=int, help="Cohort id.")
@click.option("--start", type=DAY, default=None, help="Default: today.")
@click.option(
    "--planned-end",
    type=DAY,
    default=None,
    help="Default: a year less a day after the start (2026-09-01: 2027-08-31).",
)
@json_option
@pass_ctx
def register_command(
    ctx: Context,
    learner_id: int,
    code: str,
    version: str | None,
    standards: str,
    assessor_id: int,
    iqa_id: int,
    cohort_id: int | None,
    start: datetime | None,
    planned_end: datetime | None,
    as_json: bool,
) -> None:
    """Register a learner on standards of a framework version with an assessor and an IQA."""
    start_day = start.date() if start else date.today()
    end_day = planned_end.date() if planned_end else default_planned_end(start_day)
    with ctx.session() as session:
        fw = frameworks.find_framework(session, code, version)
        try:
            reg = registrations.register(
                session,
                actor=SYSTEM,
                learner_id=learner_id,
                framework_id=fw.id or 0,
                standard_codes=standards.split(","),
                assessor_id=assessor_id,
                iqa_id=iqa_id,
                cohort_id=cohort_id,
                start_date=start_day,
                planned_end=end_day,
            )
        except NoSuch as gone:  # a page says it in words; here the id was typed
            raise Invalid(gone.by_id) from gone
        data = {
            "registration": reg.id,
            "learner": learner_id,
            "framework": fw.code,
            "version": fw.version,
            "standards": standards.split(","),
            "start": start_day.isoformat(),
            "planned_end": end_day.isoformat(),
        }
        codes = registrations.registration_codes(session, reg.id or 0)
        names = dict(
            session.exec(
                select(Person.id, Person.name).where(
                    col(Person.id).in_([learner_id, assessor_id, iqa_id])
                )
            ).all()
        )
    said = (
        f"Registered {names[learner_id]} on {fw.code} version {fw.version} "
        f"({', '.join(codes)}), assessed by {names[assessor_id]} and quality assured "
        f"by {names[iqa_id]}, from {day_words(start_day)} to {day_words(end_day)} "
        f"(registration {reg.id})."
    )
    echo_data(data, as_json=as_json, lines=lambda _: [said])
