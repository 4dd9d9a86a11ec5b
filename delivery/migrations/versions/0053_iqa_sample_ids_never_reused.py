"""on SQLite an IQA sample's or a VLE platform's id is never given again: AUTOINCREMENT

Revision ID: 0053
Revises: 0052

Planning a cycle again (``mappings.quality.plan``) deletes the planner's samples of the cycle and
stores new ones; removing a VLE platform (``portfolio.services.lti.remove_platform``) deletes its
row. SQLite, without AUTOINCREMENT, gives the next new row the largest id in the table plus one,
so a deleted sample's id went to a new sample (often the same ids, the plan stored again): a
bookmarked ``/iqa/samples/<id>`` link, an API client's stored id or an audit entry about the
sample then named another decision. Likewise a removed platform's id, named by the trail and by
a form still open on the administrator's page, went to the next platform registered. PostgreSQL's
sequences never give an id twice, so there nothing is done.

As migration 0051 did for the evidence tables, and by its machinery
(``delivery/migrations/ids_never_given_again.py``): on SQLite each table is made anew with
``INTEGER PRIMARY KEY AUTOINCREMENT`` (the models say ``sqlite_autoincrement``), every row,
column, constraint, index, trigger and foreign key (those of the reviews and actions referring to
a sample too) as it was, and SQLite's ``sqlite_sequence`` seeded with the largest of the largest
id in the table and the largest id of it the audit trail names. A sample deleted before this
migration and named nowhere in the trail cannot be known.

The other tables rows are deleted from were checked and left alone: their ids are not shown in
links, the API or the trail (the caseload summaries, a registration's standards, a plan's
criteria and items, log-in sessions, recovery codes, two-step settings, VLE links and nonces), or
they are already AUTOINCREMENT (migration 0051). Notifications and API tokens, whose rows go
when a person is erased, are migration 0054's.

Downgrade makes each table anew without AUTOINCREMENT, its text as it was before.
"""

from delivery.migrations import ids_never_given_again as never_again

revision = "0053"
down_revision = "0052"
branch_labels = None
depends_on = None

TABLES = ("iqa_sample", "lti_platform")


def upgrade() -> None:
    never_again.upgrade(TABLES, tag="0053")


def downgrade() -> None:
    never_again.downgrade(TABLES, tag="0053")
