"""Command groups of the ``portfolio`` CLI, one function per group."""

from __future__ import annotations

import getpass
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from framework.parse import FORMATS
from framework.spec import FrameworkFormatError
from portfolio.services import audit, frameworks, people
from portfolio.services.people import SYSTEM


def register_commands(main: click.Group) -> None:
    from delivery.cli.context import Context, echo_json, pass_ctx

    # ---------------------------------------------------------------- frameworks
    @main.group("framework")
    def framework_group() -> None:
        """Load, list, show and export frameworks."""

    @framework_group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--format",
        "fmt",
        default="auto",
        show_default=True,
        type=click.Choice(["auto", *FORMATS]),
        help="File format; auto detects it from name and content.",
    )
    @click.option("--code", default=None, help="Code for a unit that has none (topic guides).")
    @click.option("--title", default=None, help="Title for a unit whose file has none.")
    @click.option("--new-version", is_flag=True, help="Import changed content as a new version.")
    @click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
    @click.option("--strict", is_flag=True, help="CASE: validate against the official schema.")
    @pass_ctx
    def framework_import(
        ctx: Context,
        path: Path,
        fmt: str,
        code: str | None,
        title: str | None,
        new_version: bool,
        dry_run: bool,
        strict: bool,
    ) -> None:
        """Import a framework file (NOS text or .docx, topic guide, CASE JSON, NOS JSON, CSV)."""
        from framework.parse import parse

        try:
            spec = parse(path.read_bytes(), path.name, fmt, code=code, title=title, strict=strict)
        except FrameworkFormatError as exc:
            raise click.ClickException(str(exc) if exc.source else f"{path}: {exc}") from exc
        with ctx.session() as session:
            result = frameworks.import_framework(
                session, actor=SYSTEM, spec=spec, new_version=new_version, dry_run=dry_run
            )
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(result.message)
        for line in result.diff:
            click.echo(f"  {line}")
        if result.status == "refused":
            raise SystemExit(1)

    @framework_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def framework_list(ctx: Context, as_json: bool) -> None:
        """List loaded frameworks and their versions."""
        with ctx.session() as session:
            rows = frameworks.framework_summaries(session)
        if as_json:
            echo_json(rows)
            return
        for r in rows:
            click.echo(
                f"{r['code']:<12} v{r['version']:<6} {r['standards']:>4} standards "
                f"{r['criteria']:>6} criteria  {r['title']}"
            )

    @framework_group.command("show")
    @click.argument("code")
    @click.option("--version", default=None, help="Framework version (default: newest).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def framework_show(ctx: Context, code: str, version: str | None, as_json: bool) -> None:
        """Show a framework, or one standard (by code, e.g. SE04), with its criteria."""
        with ctx.session() as session:
            data = frameworks.describe(session, code, version=version)
        if as_json:
            echo_json(data)
            return
        for std in data["standards"]:
            click.echo(f"{std['code']}  {std['title']}")
            for c in std["criteria"]:
                click.echo(f"  {c['code']:<6} {c['text']}")

    @framework_group.command("export")
    @click.argument("code")
    @click.option("--format", "fmt", type=click.Choice(["json", "csv", "docx"]), required=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @click.option("--version", default=None, help="Framework version (default: newest).")
    @pass_ctx
    def framework_export(
        ctx: Context, code: str, fmt: str, output: Path, version: str | None
    ) -> None:
        """Export a framework (or one standard, for docx) as JSON, CSV or .docx."""
        with ctx.session() as session:
            data = frameworks.export(session, code, fmt, version=version)
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data)} bytes).")

    @framework_group.command("rules")
    @click.argument("code")
    @click.option(
        "--set",
        "set_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="JSON file with the new rules (keys: performance_methods, knowledge_methods, "
        "assessment_methods, currency_years, methods).",
    )
    @pass_ctx
    def framework_rules(ctx: Context, code: str, set_file: Path | None) -> None:
        """Show (or --set) a framework's assessment strategy: coverage rules and method codes."""
        import json

        from mappings.assessment.rules import rules_for, set_rules

        with ctx.session() as session:
            fw = frameworks.find_framework(session, code)
            if set_file is not None:
                try:
                    data = json.loads(set_file.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise click.ClickException(f"{set_file}: not JSON ({exc})") from exc
                if not isinstance(data, dict):
                    raise click.ClickException(f"{set_file}: expected a JSON object")
                rules = set_rules(session, actor=SYSTEM, framework_id=fw.id or 0, data=data)
            else:
                rules = rules_for(fw)
            echo_json(rules.to_dict())

    # ---------------------------------------------------------------- people
    @main.group("people")
    def people_group() -> None:
        """Create and list people."""

    @people_group.command("add")
    @click.option("--name", required=True, help="Full name.")
    @click.option("--email", required=True, help="E-mail address (the log-in).")
    @click.option(
        "--role",
        "roles",
        required=True,
        multiple=True,
        help="admin, assessor, iqa or learner; repeat or comma-separate for several.",
    )
    @click.option(
        "--password-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read the password from this file (first line); otherwise prompt.",
    )
    @click.option("--site", default="Main site", show_default=True, help="Assessment site.")
    @pass_ctx
    def people_add(
        ctx: Context,
        name: str,
        email: str,
        roles: tuple[str, ...],
        password_file: Path | None,
        site: str,
    ) -> None:
        """Add a person with one or more roles."""
        if password_file is not None:
            lines = password_file.read_text(encoding="utf-8").splitlines()
            password = lines[0] if lines else ""
        else:
            password = getpass.getpass("Password: ") if sys.stdin.isatty() else ""
        with ctx.session() as session:
            person = people.create_person(
                session,
                actor=SYSTEM,
                name=name,
                email=email,
                roles=",".join(roles),
                password=password or None,
                site=site,
            )
            click.echo(f"Added {person.name} <{person.email}> as {person.roles} (id {person.id}).")

    @people_group.command("list")
    @click.option("--role", default=None, help="Only people with this role.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def people_list(ctx: Context, role: str | None, as_json: bool) -> None:
        """List people (id, name, e-mail, roles)."""
        with ctx.session() as session:
            rows: list[dict[str, Any]] = [
                {"id": p.id, "name": p.name, "email": p.email, "roles": sorted(p.role_set)}
                for p in people.list_people(session, role=role)
            ]
        if as_json:
            echo_json(rows)
            return
        for r in rows:
            click.echo(f"{r['id']:>5}  {r['name']:<28} {r['email']:<36} {','.join(r['roles'])}")

    # ---------------------------------------------------------------- registrations
    @main.command("register")
    @click.option("--learner", "learner_id", required=True, type=int, help="Learner's person id.")
    @click.option("--framework", "code", required=True, help="Framework code, e.g. SE.")
    @click.option("--version", default=None, help="Framework version (default: newest).")
    @click.option("--standards", required=True, help="Comma-separated standard codes: SE01,SE04.")
    @click.option("--assessor", "assessor_id", required=True, type=int, help="Assessor's id.")
    @click.option("--iqa", "iqa_id", required=True, type=int, help="IQA's id (not the assessor).")
    @click.option("--cohort", "cohort_id", default=None, type=int, help="Cohort id.")
    @click.option(
        "--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today."
    )
    @click.option(
        "--planned-end",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Default: 52 weeks after the start.",
    )
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
    ) -> None:
        """Register a learner on standards of a framework version with an assessor and an IQA."""
        from portfolio.services import registrations

        start_day = start.date() if start else date.today()
        end_day = planned_end.date() if planned_end else start_day + timedelta(weeks=52)
        with ctx.session() as session:
            fw = frameworks.find_framework(session, code, version)
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
            click.echo(
                f"Registered learner {learner_id} on {fw.code} v{fw.version} "
                f"({standards}) as registration {reg.id}."
            )

    @main.group("cohort")
    def cohort_group() -> None:
        """Create and list cohorts."""

    @cohort_group.command("add")
    @click.option("--name", required=True, help="Cohort name (unique).")
    @click.option("--site", default="Main site", show_default=True, help="Assessment site.")
    @pass_ctx
    def cohort_add(ctx: Context, name: str, site: str) -> None:
        """Add a cohort."""
        from portfolio.services import registrations

        with ctx.session() as session:
            cohort = registrations.create_cohort(session, actor=SYSTEM, name=name, site=site)
            click.echo(f"Added cohort {cohort.name} at {cohort.site} (id {cohort.id}).")

    @cohort_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def cohort_list(ctx: Context, as_json: bool) -> None:
        """List cohorts (id, name, site, registrations)."""
        from dataclasses import asdict

        from portfolio.services import registrations

        with ctx.session() as session:
            rows = [asdict(c) for c in registrations.list_cohorts(session)]
        if as_json:
            echo_json(rows)
            return
        for r in rows:
            click.echo(f"{r['id']:>5}  {r['name']:<32} {r['site']:<20} {r['registrations']:>4}")

    # ---------------------------------------------------------------- coverage
    @main.command("coverage")
    @click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
    @click.option("--standard", default=None, help="Only this standard, e.g. SE01.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def coverage_command(
        ctx: Context, learner_id: int, standard: str | None, as_json: bool
    ) -> None:
        """Show a candidate's coverage per standard: counts, states, evidence and reasons."""
        from mappings.assessment.coverage_report import coverage_report, report_text

        with ctx.session() as session:
            learner, entries = coverage_report(session, learner_id=learner_id, standard=standard)
            text = report_text(learner, entries, detail=standard is not None)
        if as_json:
            echo_json(entries)
            return
        click.echo(text)

    # ---------------------------------------------------------------- quality assurance
    @main.group("iqa")
    def iqa_group() -> None:
        """Plan IQA sampling cycles and write their records."""

    @iqa_group.command("plan")
    @click.option("--cycle", "name", required=True, help="Name of the sampling cycle.")
    @click.option("--seed", default=None, type=int, help="Random seed (default: the cycle's).")
    @click.option(
        "--create", is_flag=True, help="Create the cycle first (needs --iqa, --from, --to)."
    )
    @click.option("--iqa", "iqa_id", default=None, type=int, help="With --create: the IQA's id.")
    @click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="With --create: first day of the cycle.")  # fmt: skip
    @click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="With --create: last day of the cycle.")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def iqa_plan(
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
        from mappings.quality import cycles as iqa
        from mappings.quality.plan import plan_cycle

        with ctx.session() as session:
            if create:
                if iqa_id is None or start is None or end is None:
                    raise click.UsageError("--create needs --iqa, --from and --to.")
                cycle = iqa.create_cycle(session, actor=SYSTEM, name=name, start=start.date(),
                                         end=end.date(), iqa_id=iqa_id, seed=seed)  # fmt: skip
            else:
                cycle = iqa.cycle_by_name(session, name)
            result = plan_cycle(session, actor=SYSTEM, cycle_id=cycle.id or 0, seed=seed)
            data: dict[str, Any] = {
                "cycle": result.cycle.name,
                "seed": result.cycle.seed,
                "decisions": len(result.facts.facts),
                "own_excluded": len(result.facts.own_excluded),
                "samples": [
                    {"decision": s.decision_id, "reasons": list(s.reasons)}
                    for s in result.plan.samples
                ],
                "gaps": list(result.gaps.short) + list(result.gaps.uncovered),
            }
        if as_json:
            echo_json(data)
            return
        click.echo(
            f"Cycle {data['cycle']}: {len(data['samples'])} samples of {data['decisions']} "
            f"decisions (seed {data['seed']})."
        )
        for sample in data["samples"]:
            click.echo(f"  {sample['decision']:<20} {'; '.join(sample['reasons'])}")
        for gap in data["gaps"]:
            click.echo(f"gap: {gap}")

    @iqa_group.command("report")
    @click.option("--cycle", "name", required=True, help="Name of the sampling cycle.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help=".xlsx or .csv: the plan with outcomes; .docx: every sample report.")  # fmt: skip
    @pass_ctx
    def iqa_report(ctx: Context, name: str, output: Path) -> None:
        """Write the plan with outcomes (.xlsx, .csv) or the sample reports (.docx)."""
        from exports.iqa_report import FORMATS, cycle_report

        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise click.UsageError("The output file ends in .xlsx, .csv or .docx.")
        with ctx.session() as session:
            data = cycle_report(session, name, fmt)
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data)} bytes).")

    # ---------------------------------------------------------------- audit
    @main.group("audit")
    def audit_group() -> None:
        """Check the append-only audit trail."""

    @audit_group.command("verify")
    @pass_ctx
    def audit_verify(ctx: Context) -> None:
        """Verify the hash chain of the audit trail; exit 1 on any break."""
        with ctx.session() as session:
            report = audit.verify(session)
        if report.ok:
            click.echo(f"Audit trail intact: {report.entries} entries.")
            return
        for line in report.breaks:
            click.echo(line, err=True)
        raise click.ClickException(f"Audit trail broken in {len(report.breaks)} place(s).")

    # ---------------------------------------------------------------- exports
    @main.group("export")
    def export_group() -> None:
        """Export sign-off records, portfolio bundles and reports."""

    def _write_atomically(output: Path, data: bytes) -> None:
        tmp = output.with_name(f".{output.name}.part")
        tmp.write_bytes(data)
        tmp.replace(output)

    @export_group.command("signoff")
    @click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
    @click.option("--standard", required=True, help="Standard code, e.g. SE03.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @pass_ctx
    def export_signoff(ctx: Context, learner_id: int, standard: str, output: Path) -> None:
        """Write the sign-off record (.docx) of a signed-off standard."""
        from exports.signoff import build_signoff_docx
        from exports.signoff_view import find_registration, signoff_view

        with ctx.session() as session:
            reg_id = find_registration(session, learner_id=learner_id, standard_code=standard)
            view = signoff_view(
                session,
                registration_id=reg_id,
                standard_code=standard,
                centre=ctx.settings["CENTRE_NAME"],
            )
            data = build_signoff_docx(view)
        _write_atomically(output, data)
        click.echo(f"Wrote {output}: record {view.document_id} ({len(data)} bytes).")

    @export_group.command("bundle")
    @click.option("--candidate", "learner_id", required=True, type=int, help="Learner's id.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @pass_ctx
    def export_bundle(ctx: Context, learner_id: int, output: Path) -> None:
        """Write a learner's portable portfolio bundle (.zip)."""
        from exports.bundle import write_bundle
        from portfolio.services.files import FileStore

        tmp = output.with_name(f".{output.name}.part")
        try:
            with ctx.session() as session, tmp.open("wb") as out:
                manifest = write_bundle(
                    session,
                    FileStore(ctx.file_store),
                    learner_id,
                    out,
                    centre=ctx.settings["CENTRE_NAME"],
                )
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
        click.echo(
            f"Wrote {output}: {len(manifest['evidence'])} evidence items, "
            f"{len(manifest['signoffs'])} sign-offs, {len(manifest['files'])} files."
        )

    def _report_output(output: Path) -> str:
        from exports.reports import format_of

        try:
            return format_of(output.name)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="-o") from exc

    @export_group.command("coverage")
    @click.option("--cohort", "cohort_id", required=True, type=int, help="Cohort id.")
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="FILE.csv or FILE.xlsx.",
    )
    @pass_ctx
    def export_coverage(ctx: Context, cohort_id: int, output: Path) -> None:
        """Write a cohort's coverage (one row per learner per standard) as CSV or .xlsx."""
        from exports.reports import cohort_coverage, render

        fmt = _report_output(output)
        with ctx.session() as session:
            report = cohort_coverage(session, actor=SYSTEM, cohort_id=cohort_id)
        _write_atomically(output, render(report, fmt))
        click.echo(f"Wrote {output}: {len(report.rows)} rows.")

    @export_group.command("register")
    @click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="FILE.csv or FILE.xlsx.",
    )
    @pass_ctx
    def export_register(ctx: Context, start: datetime, end: datetime, output: Path) -> None:
        """Write the register of sign-offs made in a period (both days included)."""
        from exports.reports import render, signoff_register

        fmt = _report_output(output)
        with ctx.session() as session:
            report = signoff_register(session, actor=SYSTEM, start=start.date(), end=end.date())
        _write_atomically(output, render(report, fmt))
        click.echo(f"Wrote {output}: {len(report.rows)} sign-offs.")

    @main.group("import")
    def import_group() -> None:
        """Import portfolio bundles."""

    @import_group.command("bundle")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @pass_ctx
    def import_bundle_command(ctx: Context, path: Path) -> None:
        """Import a portfolio bundle: every hash checked first; refused if already imported."""
        from exports.bundle_import import import_bundle
        from portfolio.services.files import FileStore

        with ctx.session() as session:
            report = import_bundle(session, FileStore(ctx.file_store), path, SYSTEM)
        click.echo(report.message)
        for line in report.frameworks_imported:
            click.echo(f"  framework imported: {line}")
        for email in report.people_created:
            click.echo(f"  person created (no password yet): {email}")

    @main.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @pass_ctx
    def worker(ctx: Context, burst: bool) -> None:
        """Run a background worker for export jobs (RQ on PORTFOLIO_REDIS_URL)."""
        url = ctx.settings.get("REDIS_URL")
        if not url:
            click.echo(
                "PORTFOLIO_REDIS_URL is not set: export jobs run in a thread of the web server, "
                "so no separate worker is needed. Set PORTFOLIO_REDIS_URL to run them on RQ "
                "workers started with `portfolio worker`."
            )
            return
        from exports.jobs import QUEUE, run_worker

        click.echo(f"Working the {QUEUE!r} queue on {url} (Ctrl-C to stop).")
        run_worker(url, burst=burst)
