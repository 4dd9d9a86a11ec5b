"""two-step secrets are stored encrypted: the column holds a Fernet token (about 140 characters)

Revision ID: 0038
Revises: 0037

``two_step.secret`` grows from 64 to 255 characters. The rows stored before keep their plain
base32 secret, which the code still reads: each is encrypted at the person's next log-in, or all
at once by ``portfolio two-step seal``. Going down refuses while any secret is encrypted (the
code before could not read it): reset those people's two-step verification first.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("two_step", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=255),
            existing_nullable=False,
        )


def downgrade() -> None:
    sealed = op.get_bind().execute(
        sa.text("SELECT count(*) FROM two_step WHERE length(secret) > 64")
    ).scalar_one()
    if sealed:
        raise RuntimeError(
            f"{sealed} two-step {'secret is' if sealed == 1 else 'secrets are'} stored encrypted, which the version before 0038 "
            "cannot read: reset those people's two-step verification first."
        )
    with op.batch_alter_table("two_step", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            type_=sqlmodel.sql.sqltypes.AutoString(length=64),
            existing_nullable=False,
        )
