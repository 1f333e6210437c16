"""LINE: linked accounts, handled webhook events, and each month's message usage

Revision ID: 99f8c4f1aa23
Revises: b7e3d95c1a42
Create Date: 2026-12-06 21:42:12.071039
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = '99f8c4f1aa23'
down_revision = 'b7e3d95c1a42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('line_usage',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sent_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('warned_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('sent_count >= 0', name=op.f('ck_line_usage_sent_not_negative')),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_line_usage'))
    )
    op.create_table('line_webhook_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('received_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_line_webhook_events'))
    )
    with op.batch_alter_table('line_webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_line_webhook_events_received', ['received_dt'], unique=False)

    op.create_table('line_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('is_following', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('linked_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('following_changed_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_line_accounts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_accounts')),
    sa.UniqueConstraint('line_user_id', name=op.f('uq_line_accounts_line_user_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_line_accounts_user_id'))
    )


def downgrade():
    op.drop_table('line_accounts')
    with op.batch_alter_table('line_webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_line_webhook_events_received')

    op.drop_table('line_webhook_events')
    op.drop_table('line_usage')
