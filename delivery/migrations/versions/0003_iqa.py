"""quality assurance: cycles, samples, actions, external access

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('iqa_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('iqa_id', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.JSON(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('planned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['iqa_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('iqa_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iqa_cycle_iqa_id'), ['iqa_id'], unique=False)

    op.create_table('iqa_strategy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('interim', sa.Boolean(), nullable=False),
    sa.Column('summative', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('eqa_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['iqa_cycle.id'], ),
    sa.ForeignKeyConstraint(['granted_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('eqa_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eqa_access_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eqa_access_person_id'), ['person_id'], unique=False)

    op.create_table('iqa_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('decision_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=True),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('dropped', sa.Boolean(), nullable=False),
    sa.Column('dropped_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['iqa_cycle.id'], ),
    sa.ForeignKeyConstraint(['learner_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.ForeignKeyConstraint(['signoff_id'], ['signoff.id'], ),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'decision_key', name='uq_sample_cycle_key')
    )
    with op.batch_alter_table('iqa_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iqa_sample_assessor_id'), ['assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_iqa_sample_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_iqa_sample_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_iqa_sample_registration_id'), ['registration_id'], unique=False)

    op.create_table('iqa_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reopened_signoff', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['sample_id'], ['iqa_sample.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sample_id')
    )
    op.create_table('iqa_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('responded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['closed_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['iqa_review.id'], ),
    sa.ForeignKeyConstraint(['sample_id'], ['iqa_sample.id'], ),
    sa.ForeignKeyConstraint(['set_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('iqa_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iqa_action_assessor_id'), ['assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_iqa_action_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_iqa_action_sample_id'), ['sample_id'], unique=False)

    op.create_table('iqa_decision_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('agree', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['iqa_review.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'decision_id', name='uq_decision_check_review_decision')
    )
    with op.batch_alter_table('iqa_decision_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iqa_decision_check_review_id'), ['review_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('iqa_decision_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iqa_decision_check_review_id'))

    op.drop_table('iqa_decision_check')
    with op.batch_alter_table('iqa_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iqa_action_sample_id'))
        batch_op.drop_index(batch_op.f('ix_iqa_action_review_id'))
        batch_op.drop_index(batch_op.f('ix_iqa_action_assessor_id'))

    op.drop_table('iqa_action')
    op.drop_table('iqa_review')
    with op.batch_alter_table('iqa_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iqa_sample_registration_id'))
        batch_op.drop_index(batch_op.f('ix_iqa_sample_learner_id'))
        batch_op.drop_index(batch_op.f('ix_iqa_sample_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_iqa_sample_assessor_id'))

    op.drop_table('iqa_sample')
    with op.batch_alter_table('eqa_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eqa_access_person_id'))
        batch_op.drop_index(batch_op.f('ix_eqa_access_cycle_id'))

    op.drop_table('eqa_access')
    op.drop_table('iqa_strategy')
    with op.batch_alter_table('iqa_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iqa_cycle_iqa_id'))

    op.drop_table('iqa_cycle')
