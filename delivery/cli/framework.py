"""``portfolio framework``: import, list, show and export frameworks, and their coverage rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from delivery.cli.context import (
    Context,
    echo_data,
    echo_json,
    json_option,
    output_option,
    pass_ctx,
    read_json,
    report_written,
    write_output,
)
from framework.parse import FORMATS
from framework.parse.combine import parse_files
from framework.parse.warning_groups import group_warnings
from framework.spec import FrameworkFormatError
from mappings.assessment.coverage import CoverageRules, Kind
from mappings.assessment.rules import rules_for, set_rules
from mappings.engine.vocabulary import Vocabulary, VocabularyError
from portfolio.services import framework_exports, frameworks
from portfolio.services.framework_add import add_standards
from portfolio.services.people import SYSTEM


@click.group("framework")
def framework_group() -> None:
    """Load, list, show and export frameworks."""


@framework_group.command("import")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
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
@click.option(
    "--add",
    is_flag=True,
    help="Add the files' standards to the loaded version of the framework (newest, or "
    "--version); refused if a standard it already has would change.",
)
@click.option("--version", "target_version", default=None, help="With --add: the version.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option("--strict", is_flag=True, help="CASE: validate against the official schema.")
@click.option(
    "--vocabulary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The framework's own vocabulary for the suggestion engine (docs/vocabulary.md).",
)
@json_option
@pass_ctx
def import_framework(
    ctx: Context,
    paths: tuple[Path, ...],
    fmt: str,
    code: str | None,
    title: str | None,
    new_version: bool,
    add: bool,
    target_version: str | None,
    dry_run: bool,
    strict: bool,
    vocabulary: Path | None,
    as_json: bool,
) -> None:
    """Import a framework from one file (NOS text or .docx, the text of a NOS page, topic
    guide, CASE JSON, NOS JSON, CSV), or one framework version from several (one NOS each)."""
    if add and new_version:
        raise click.UsageError("--add and --new-version do not go together.")
    if target_version and not add:
        raise click.UsageError("--version goes with --add.")
    try:
        files = [(p.name, p.read_bytes()) for p in paths]
        spec = parse_files(files, fmt, code=code, title=title, strict=strict)
    except FrameworkFormatError as exc:
        raise click.ClickException(str(exc) if exc.source else f"{paths[0]}: {exc}") from exc
    if vocabulary is not None:
        spec.vocabulary = _read_vocabulary(vocabulary)
    with ctx.session() as session:
        if add:
            result = add_standards(
                session, actor=SYSTEM, spec=spec, version=target_version, dry_run=dry_run
            )
        else:
            result = frameworks.import_framework(
                session, actor=SYSTEM, spec=spec, new_version=new_version, dry_run=dry_run
            )
    if as_json:
        echo_json(
            {
                "status": result.status,
                "message": result.message,
                "framework": result.framework_code,
                "version": result.version,
                "framework_id": result.framework_id,
                "standards": result.standards,
                "criteria": result.criteria,
                "diff": list(result.diff),
                "warnings": list(result.warnings),
            }
        )
    else:
        # grouped by kind as the upload page shows them; --json keeps every one
        for warning in group_warnings(result.warnings):
            click.echo(f"warning: {warning}", err=True)
        click.echo(result.message)
        for line in result.diff:
            click.echo(f"  {line}")
    if result.status in ("refused", "refused_add"):
        raise SystemExit(1)


def _read_vocabulary(path: Path) -> str:
    """The text of a vocabulary table, refused with the line at fault if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
        if not Vocabulary.parse(text):
            raise VocabularyError("no concepts and no markers of the field")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text") from exc
    except VocabularyError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    return text


@framework_group.command("list")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    help="How many frameworks to list.",
)
@click.option(
    "--after",
    type=int,
    default=None,
    help="Go on after this framework (its id): the one the page before listed last.",
)
@json_option
@pass_ctx
def list_frameworks(ctx: Context, limit: int, after: int | None, as_json: bool) -> None:
    """List loaded frameworks and their versions by code, a page at a time (as the API pages them);
    when more follow, says (on standard error) the command that lists the next page."""
    with ctx.session(write=False) as session:
        rows, more = frameworks.summaries_after(
            session,
            after=frameworks.position_of(after) if after is not None else None,
            limit=limit,
        )
    echo_data(rows, as_json=as_json, lines=_framework_lines)
    if more is not None:
        click.echo(
            f"More frameworks follow: portfolio framework list --limit {limit} --after {more[1]}",
            err=True,
        )


def _framework_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Under a heading, as the other lists: "SE  1  8  188  Supported Employment ..." (it said
    "v1 ... 8 standards 188 criteria" with no heading)."""
    if not rows:
        return ["No frameworks loaded yet."]
    return [
        f"{'Code':<12} {'Version':<8} {'Standards':>9} {'Criteria':>9}  Title",
        *(
            f"{r['code']:<12} {r['version']:<8} {r['standards']:>9} {r['criteria']:>9}  {r['title']}"
            for r in rows
        ),
    ]


@framework_group.command("show")
@click.argument("code")
@click.option("--version", default=None, help="Framework version (default: newest).")
@json_option
@pass_ctx
def show_framework(ctx: Context, code: str, version: str | None, as_json: bool) -> None:
    """Show a framework, or one of its standards by its code (SE04), with its criteria."""
    with ctx.session(write=False) as session:
        data = frameworks.describe(session, code, version=version)
    echo_data(data, as_json=as_json, lines=_standard_lines)


def _standard_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for std in data["standards"]:
        lines.append(f"{std['code']}  {std['title']}")
        lines.extend(f"  {c['code']:<6} {c['text']}" for c in std["criteria"])
    return lines


@framework_group.command("export")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(framework_exports.FORMATS),
    required=True,
    help="case: a CASE 1.1 CFPackage (JSON) of the whole framework.",
)
@output_option()
@click.option("--version", default=None, help="Framework version (default: newest).")
@json_option
@pass_ctx
def export_framework(
    ctx: Context, code: str, fmt: str, output: Path, version: str | None, as_json: bool
) -> None:
    """Export a framework (or one standard) as JSON, CSV, .docx or a CASE 1.1 package."""
    with ctx.session(write=False) as session:
        data = framework_exports.export(session, code, fmt, version=version)
    write_output(output, data)
    report_written(
        output, {"bytes": len(data)}, f"Wrote {output} ({len(data)} bytes).", as_json=as_json
    )


@framework_group.command("rules")
@click.argument("code")
@click.option(
    "--set",
    "set_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file with the new rules, as --json prints them (keys: performance_methods, "
    "knowledge_methods, assessment_methods, currency_years, methods).",
)
@json_option
@pass_ctx
def framework_rules(ctx: Context, code: str, set_file: Path | None, as_json: bool) -> None:
    """Show (or --set) a framework's assessment strategy: what counts for each kind of
    criterion, how long evidence stays current, and the methods; --json prints the rules as the
    JSON --set reads."""
    with ctx.session() as session:
        fw = frameworks.find_framework(session, code)
        if set_file is not None:
            data = _read_rules(set_file)
            rules = set_rules(session, actor=SYSTEM, framework_id=fw.id or 0, data=data)
        else:
            rules = rules_for(fw)
        named = f"{fw.title} ({fw.code}, version {fw.version})"
    if as_json:
        echo_json(rules.to_dict())
        return
    heading = f"Saved the rules for {named}:" if set_file else f"Rules for {named}:"
    for line in [heading, *_rules_lines(rules)]:
        click.echo(line)


# each kind of criterion as the rules' lines name it
_KIND_NAMES: dict[Kind, str] = {
    "performance": "Performance criteria",
    "knowledge": "Knowledge statements",
    "assessment": "Assessment criteria",
}


def _rules_lines(rules: CoverageRules) -> list[str]:
    """The rules as a centre administrator reads them: what meets each kind of criterion, how
    long evidence counts, and the methods (code and name) an assessor records."""
    lines = []
    for kind, name in _KIND_NAMES.items():
        allowed = rules.allowed_methods(kind)
        how = "any method" if allowed is None else rules.describe(allowed, words=True)
        lines.append(f"  {name}: met by an accepted claim by {how}.")
    years = rules.currency_years
    if years is None:
        lines.append("  Evidence counts however long ago its activity was.")
    elif years == 0:
        lines.append("  Evidence counts only on the day of its activity.")
    else:
        span = "1 year" if years == 1 else f"{years} years"
        lines.append(f"  Evidence whose activity was more than {span} ago does not count.")
    lines.append("Methods an assessor records (code, name):")
    width = max((len(code) for code, _ in rules.methods), default=0)
    lines.extend(f"  {code:<{width}}  {name}" for code, name in rules.methods)
    return lines


def _read_rules(path: Path) -> dict[str, Any]:
    data = read_json(path.read_bytes(), str(path))
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object")
    return data
