"""on SQLite an API token's or a notification's id is never given again: AUTOINCREMENT

Revision ID: 0054
Revises: 0053

Erasing a person on their request (``mappings.privacy.requests.erase_person``) deletes their API
tokens and their notifications with the account. SQLite, without AUTOINCREMENT, gives the next
new row the largest id in the table plus one, so the id of the erased person's newest token went
to the next token made, anyone's: the audit entries for making and revoking a token name it by
its id in their data (their subject is the person), and the trail's token then meant two tokens
of two people. Likewise the newest notification's id went to the next notification, marked read
by it (``/notifications/<id>/read``). PostgreSQL's sequences never give an id twice, so there
nothing is done. (Migration 0053 left these two alone, the erased person's links and ids being
held by nobody else; the trail's token ids are held by everyone who reads it.)

As migrations 0051 and 0053 did, and by their machinery
(``delivery/migrations/ids_never_given_again.py``): on SQLite each table is made anew with
``INTEGER PRIMARY KEY AUTOINCREMENT`` (the models say ``sqlite_autoincrement``), every row,
column, constraint, index (the unread notifications' partial index too), trigger and foreign key
as it was, and SQLite's ``sqlite_sequence`` seeded with the largest of the largest id in the
table and the largest id of it the audit trail names: for tokens, also the largest id the
entries ``token.create`` and ``token.revoke`` record in their data (the machinery's
``also_named``). So a token erased before this migration is not given again; a notification
deleted before it, named nowhere, cannot be known.

The other tables rows are deleted from were checked again and left alone: their ids are not
shown in links, the API or the trail (the caseload summaries, a registration's standards, a
plan's criteria and items, log-in sessions, password resets, recovery codes, two-step settings,
VLE links and nonces, e-mail choices), or they are already AUTOINCREMENT (0051, 0053).

Downgrade makes each table anew without AUTOINCREMENT, its text as it was before.
"""

from delivery.migrations import ids_never_given_again as never_again

revision = "0054"
down_revision = "0053"
branch_labels = None
depends_on = None

TABLES = ("api_token", "notification")
# the entries about a token name the person as their subject and the token in their data
TOKENS_NAMED = (
    "SELECT max(CAST(json_extract(data, '$.token') AS INTEGER)) FROM auditentry"
    " WHERE action IN ('token.create', 'token.revoke')"
    " AND json_type(data, '$.token') = 'integer'"
)


def upgrade() -> None:
    never_again.upgrade(TABLES, tag="0054", also_named={"api_token": TOKENS_NAMED})


def downgrade() -> None:
    never_again.downgrade(TABLES, tag="0054")
