"""``portfolio import``: import portfolio bundles (the module is named ``import_`` because
``import`` is a Python keyword)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlmodel import Session

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from delivery.cli.export import learner_by_email
from exports.bundle import import_bundle
from exports.leap2a import import_leap2a
from mappings.assessment.decided import learnt_in
from portfolio.errors import DomainError
from portfolio.services.keys import load_public_key
from portfolio.services.people import SYSTEM, Actor


@click.group("import")
def import_group() -> None:
    """Import portfolio bundles and Leap2A files."""


@import_group.command("bundle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "keys",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A sending centre's public key (PEM, from its `portfolio key show`); repeatable. "
    "The bundle's decisions count only when one of these verifies its signature.",
)
@json_option
@pass_ctx
def import_bundle_command(ctx: Context, path: Path, keys: tuple[Path, ...], as_json: bool) -> None:
    """Import a portfolio bundle: every hash checked first; refused if already imported."""
    try:
        trusted = [load_public_key(k) for k in keys]
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint="--trust") from exc
    with ctx.session() as session:
        report = import_bundle(session, ctx.file_store, path, SYSTEM, trusted=trusted)
        learnt = learnt_in(session)  # frameworks whose decisions it recreated
    _relearn(ctx, learnt)  # once the import has committed
    data = {
        "message": report.message,
        "learner": {"id": report.learner_id, "email": report.learner_email},
        "learner_created": report.learner_created,
        "counts": dict(report.counts),
        "signature": report.signature.state,
        "received": report.received,
        "frameworks_imported": list(report.frameworks_imported),
        "people_created": list(report.people_created),
        "cohorts_at_sending_centre": list(report.cohorts),
        "standards_not_added": list(report.standards_not_added),
        "standards_added": list(report.standards_added),
        "registrations_made": list(report.registrations_made),
        "vocabulary_not_applied": list(report.vocabulary_not_applied),
    }
    echo_data(data, as_json=as_json, lines=_import_lines)


def _relearn(ctx: Context, framework_ids: list[int]) -> None:
    """Once an import that recreated decisions has committed, as after a decision on the web
    (:mod:`delivery.web.learning`): the suggestions of evidence awaiting a decision in those
    frameworks are worked out again, on RQ when Redis is configured, else here and now (a
    command leaves no background thread behind)."""
    if not framework_ids:
        return
    from mappings.assessment import relearn  # the engine: loaded only when there is work for it

    redis_url = ctx.settings.get("REDIS_URL")
    if redis_url:
        relearn.enqueue_rq(redis_url, framework_ids, database_url=ctx.url)
        return
    engine = ctx.engine
    relearn.relearn(lambda: Session(engine, expire_on_commit=False), framework_ids)


def _import_lines(data: dict[str, Any]) -> list[str]:
    return [
        data["message"],
        *(f"  framework imported: {line}" for line in data["frameworks_imported"]),
        *(f"  person created (no password yet): {e}" for e in data["people_created"]),
    ]


@import_group.command("leap2a")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--learner", "email", required=True, help="The learner's e-mail address.")
@json_option
@pass_ctx
def import_leap2a_command(ctx: Context, path: Path, email: str, as_json: bool) -> None:
    """Import a Leap2A file (leap2a.xml, or a zip with its files) as the learner's drafts."""
    max_bytes = int(ctx.settings["MAX_UPLOAD_MB"]) * 1024 * 1024
    with ctx.session() as session:
        learner = learner_by_email(session, email)
        report = import_leap2a(
            session,
            ctx.file_store,
            actor=Actor.of(learner),
            learner_id=learner.id or 0,
            data=path.read_bytes(),
            max_bytes=max_bytes,
        )
    data = {
        "message": report.message,
        "drafts": [{"id": i, "title": title} for i, title in report.items],
        "warnings": list(report.warnings),
    }
    echo_data(
        data,
        as_json=as_json,
        lines=lambda d: [
            d["message"],
            *(f"  draft {item['id']}: {item['title']}" for item in d["drafts"]),
            *(f"  warning: {w}" for w in d["warnings"]),
        ],
    )
