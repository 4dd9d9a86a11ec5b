"""received records: the decisions of a bundle whose signature no trusted key verified, kept as
the sending centre's record (not counted, people as text)

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('received_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('by_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('centre', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.ForeignKeyConstraint(['learner_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('received_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_record_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_record_learner_id'), ['learner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('received_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_record_learner_id'))
        batch_op.drop_index(batch_op.f('ix_received_record_evidence_id'))

    op.drop_table('received_record')
