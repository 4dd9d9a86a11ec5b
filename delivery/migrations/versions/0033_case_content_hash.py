"""a CASE framework loaded on 4 Dec 2026 gets the content hash its content has

Revision ID: 0033
Revises: 0032

For a few minutes on 4 December 2026 (commit e932739 to 15a04c6) a framework's content hash
counted the CASE records kept with it (identifiers, URIs, associations); since then it is the
content alone (docs/frameworks.md). A centre that loaded a CASE package in that window kept the
hash that counted them, and a framework is found by its hash: importing the same package again,
or a bundle stating the hash of today, loaded the same content a second time as a new version.

Each framework with CASE records whose stored hash is exactly the one that day's code gives its
stored content is given the hash of its content, computed here as the application computed it
when this migration was written (a copy, so that this migration never changes with the code).
The hash it had is kept beside it, in ``extra["replaced_content_hash"]``, with why. Any other
hash is left as it is: the hash of today is not rewritten, and a hash that neither algorithm
gives (changed by hand, or by a fault) is not this migration's to hide.

The audit trail is not touched: the ``framework.import`` entry keeps the hash it recorded (its
own hash covers it), and the framework row is not among the rows the trail re-hashes.

A second version already loaded because of this stays (nothing is deleted: learners may be
registered on it). It has another version number, so another hash (the version is part of the
content), computed by today's code and left as it is; the package and bundles of the first
version find the first again.

Downgrading leaves the hashes as they are: the code of 0032 computes them the same way.
"""

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# framework.spec.StandardSpec's fields as of this migration, in the order of its dataclass
STANDARD_FIELDS = (
    "code",
    "title",
    "urn",
    "overview",
    "content",
    "version",
    "date_approved",
    "review_date",
    "validity",
    "status",
    "originating_organisation",
    "occupations",
    "keywords",
)
WHY = (
    "loaded on 4 Dec 2026, when the content hash counted the CASE identifiers; "
    "replaced by the hash of the content alone (migration 0033)"
)

framework = sa.table(
    "framework",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("title", sa.String()),
    sa.column("urn", sa.String()),
    sa.column("version", sa.String()),
    sa.column("overview", sa.Text()),
    sa.column("content_hash", sa.String()),
    sa.column("extra", sa.JSON()),
)
standard = sa.table(
    "standard",
    sa.column("id", sa.Integer()),
    sa.column("framework_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    *(sa.column(name, sa.Text()) for name in STANDARD_FIELDS),
)
criterion = sa.table(
    "criterion",
    sa.column("id", sa.Integer()),
    sa.column("standard_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("code", sa.String()),
    sa.column("text", sa.Text()),
    sa.column("position", sa.Integer()),
)


def content(fw: Mapping[str, Any], standards: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``FrameworkSpec.content_dict()`` of a stored framework, as the application had it: the
    framework's fields, its standards (each with its criteria) in order, and the stages, values,
    glossary and metadata kept in ``extra``; not its vocabulary nor its CASE records."""
    extra = fw["extra"] or {}
    return {
        "code": fw["code"],
        "title": fw["title"],
        "urn": fw["urn"],
        "version": fw["version"],
        "overview": fw["overview"],
        "standards": [
            {
                **{name: s[name] for name in STANDARD_FIELDS},
                "criteria": [
                    {"kind": c["kind"], "code": c["code"], "text": c["text"],
                     "position": c["position"]}  # fmt: skip
                    for c in s["criteria"]
                ],
            }
            for s in standards
        ],
        "stages": [
            {"ref": s["ref"], "title": s["title"], "standards": list(s["standards"])}
            for s in extra.get("stages", [])
        ],
        "values": list(extra.get("values", [])),
        "glossary": [
            {"term": g["term"], "definition": g["definition"]} for g in extra.get("glossary", [])
        ],
        "metadata": dict(extra.get("metadata", {})),
    }


def digest(data: Mapping[str, Any]) -> str:
    """``FrameworkSpec.content_hash()``: SHA-256 of the content as sorted JSON."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _case_frameworks(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    for row in conn.execute(sa.select(framework).order_by(framework.c.id)).mappings():
        if isinstance(row["extra"], dict) and row["extra"].get("case"):
            yield dict(row)


def _standards(conn: sa.Connection, framework_id: int) -> list[dict[str, Any]]:
    rows = [
        dict(s)
        for s in conn.execute(
            sa.select(standard)
            .where(standard.c.framework_id == framework_id)
            .order_by(standard.c.position, standard.c.id)
        ).mappings()
    ]
    for s in rows:
        s["criteria"] = list(
            conn.execute(
                sa.select(criterion)
                .where(criterion.c.standard_id == s["id"])
                .order_by(criterion.c.position, criterion.c.id)
            ).mappings()
        )
    return rows


def upgrade() -> None:
    conn = op.get_bind()
    on = datetime.now(UTC).date().isoformat()
    for fw in list(_case_frameworks(conn)):
        data = content(fw, _standards(conn, fw["id"]))
        now, then = digest(data), digest({**data, "case": fw["extra"]["case"]})
        if fw["content_hash"] != then or then == now:
            continue
        replaced = {"hash": then, "why": WHY, "on": on}
        conn.execute(
            sa.update(framework)
            .where(framework.c.id == fw["id"], framework.c.content_hash == then)
            .values(content_hash=now, extra={**fw["extra"], "replaced_content_hash": replaced})
        )
        log.info("Framework %s version %s: content hash %s replaced by %s (its content's).",
                 fw["code"], fw["version"], then, now)  # fmt: skip


def downgrade() -> None:
    pass  # the hash of the content alone is the hash the code of 0032 computes too
