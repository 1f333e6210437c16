"""E-mail sending: deliveries count their failed tries; digest and purge runs are recorded

Revision ID: b7e3d95c1a42
Revises: f16a31d2a5c3
Create Date: 2026-12-06 21:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = 'b7e3d95c1a42'
down_revision = 'f16a31d2a5c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_runs',
    sa.Column('name', sa.String(length=12), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('started_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', 'period', name=op.f('pk_notification_runs'))
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_notification_deliveries_digest', ['channel', 'state', 'frequency', 'user_id'], unique=False)
        batch_op.create_index('ix_notification_deliveries_created', ['created_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_deliveries_created')
        batch_op.drop_index('ix_notification_deliveries_digest')
        batch_op.drop_column('attempts')
    op.drop_table('notification_runs')
