"""on SQLite a draft's ids are never given again: the tables a discard deletes from are AUTOINCREMENT

Revision ID: 0051
Revises: 0050

Discarding a draft (``mappings.assessment.discard``) deletes its rows: the evidence item, its
versions, their files, the files' readings, privacy scans and findings, suggestions, and its
claims. SQLite, without AUTOINCREMENT, gives the next new row the largest id in the table plus
one, so the id of a discarded draft (the newest item) went to the next item made, anyone's: an
audit entry naming the draft, a link in an e-mail, an API client holding the id, then pointed at
someone else's work. PostgreSQL's sequences never give an id twice, so there nothing is done.

On SQLite each of those tables is made anew with ``INTEGER PRIMARY KEY AUTOINCREMENT`` (the models
say ``sqlite_autoincrement``, so a schema made from them agrees), as the table stands: its own
``CREATE TABLE`` text with the id column's primary key written on the column, every other column,
constraint and foreign key as it was. As in migration 0050 the foreign keys of the rows referring
to the table stay checked: its rows are set aside, the table emptied (the check deferred to the
commit), dropped and made anew under its own name (no rename: the references from other tables
name it and are never rewritten), and the rows put back with their ids, which settles the
deferred check. Its indexes and triggers are made again from their stored text; an index on
each referring column that has none is made for the move alone, so each row's references are
found by an index, not by reading the referring table.

SQLite then remembers the largest id each table has given (``sqlite_sequence``). It is seeded
with the largest of: the largest id in the table, the largest id of that table an audit entry is
about, and the largest id of it an audit entry records written or removed. So an id handed out,
and the id of a draft discarded before this migration (the audit trail names it), is not given
again. An id deleted before this migration and named nowhere in the trail cannot be known; the
work-rounds for ids given again (item history, ``audit verify``, subject access) stay for the
history made before.

Downgrade makes each table anew without AUTOINCREMENT, its text as it was before.
"""

from delivery.migrations import ids_never_given_again as never_again

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

# the tables a discard deletes from whose rows have an id of their own (a plan's link to an
# item is named by the plan and the item), parents before the tables that refer to them
TABLES = (
    "evidence",
    "evidenceversion",
    "attachment",
    "attachmentreading",
    "privacy_scan",
    "privacy_finding",
    "version_suggestions",
    "claim",
)
# the machinery, shared with migration 0053 (delivery/migrations/ids_never_given_again.py), is
# what this migration first held, unchanged
with_autoincrement = never_again.with_autoincrement
without_autoincrement = never_again.without_autoincrement


def upgrade() -> None:
    never_again.upgrade(TABLES, tag="0051")


def downgrade() -> None:
    never_again.downgrade(TABLES, tag="0051")
