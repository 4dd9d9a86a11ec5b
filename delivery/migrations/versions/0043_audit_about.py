"""each audit entry names the person its subject belongs to: "about whom" finds all of it

Revision ID: 0043
Revises: 0042

The administrators' search "about whom" found the entries about a person, their registrations
and their evidence, but not those about their claims, sign-offs, declarations, plans, IQA samples
and the rest. Each entry now keeps the person its subject belongs to (``about_id``, written with
the entry, not part of its hash), read through ``ix_auditentry_about`` (about_id, id). The
entries written so far are filled in from their subjects as the database holds them (an entry
about a row since deleted names no one, as the search found it before). The append-only guard
of migration 0004 is lifted for the backfill and put back as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

# each subject type's person, for the subject auditentry.subject_id (as audit_about has it)
_OWNERS = {
    "person": "auditentry.subject_id",
    "registration": "(SELECT learner_id FROM registration WHERE id = auditentry.subject_id)",
    "evidence": "(SELECT learner_id FROM evidence WHERE id = auditentry.subject_id)",
    "learner_declaration": (
        "(SELECT learner_id FROM learner_declaration WHERE id = auditentry.subject_id)"
    ),
    "assessment_plan": (
        "(SELECT learner_id FROM assessment_plan WHERE id = auditentry.subject_id)"
    ),
    "iqa_sample": "(SELECT learner_id FROM iqa_sample WHERE id = auditentry.subject_id)",
    "badge": "(SELECT learner_id FROM badge WHERE id = auditentry.subject_id)",
    "eqa_access": "(SELECT person_id FROM eqa_access WHERE id = auditentry.subject_id)",
    "claim": (
        "(SELECT e.learner_id FROM evidence e JOIN claim c ON c.evidence_id = e.id "
        "WHERE c.id = auditentry.subject_id)"
    ),
    "signoff": (
        "(SELECT r.learner_id FROM registration r JOIN signoff s ON s.registration_id = r.id "
        "WHERE s.id = auditentry.subject_id)"
    ),
    "iqa_action": (
        "(SELECT s.learner_id FROM iqa_sample s JOIN iqa_action a ON a.sample_id = s.id "
        "WHERE a.id = auditentry.subject_id)"
    ),
    "attachment": (
        "(SELECT e.learner_id FROM evidence e JOIN evidenceversion v ON v.evidence_id = e.id "
        "JOIN attachment a ON a.version_id = v.id WHERE a.id = auditentry.subject_id)"
    ),
}
SQLITE_GUARD = (
    "CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry "
    "BEGIN SELECT RAISE(ABORT, 'append-only table auditentry: rows are never changed "
    "or deleted'); END"
)


def _backfill() -> None:
    for kind, person in _OWNERS.items():
        op.execute(
            sa.text(
                f"UPDATE auditentry SET about_id = {person} "
                "WHERE subject_type = :kind AND subject_id IS NOT NULL"
            ).bindparams(kind=kind)
        )


def upgrade() -> None:
    op.add_column("auditentry", sa.Column("about_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE auditentry DISABLE TRIGGER auditentry_append_only")
        _backfill()
        op.execute("ALTER TABLE auditentry ENABLE TRIGGER auditentry_append_only")
    else:
        op.execute("DROP TRIGGER auditentry_no_update")
        _backfill()
        op.execute(SQLITE_GUARD)
    op.create_index("ix_auditentry_about", "auditentry", ["about_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_auditentry_about", table_name="auditentry")
    op.drop_column("auditentry", "about_id")  # native on SQLite 3.35+: keeps the triggers
