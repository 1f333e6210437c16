"""The health check's heartbeat row

Revision ID: 5b1e0c4d7a21
Revises: 5e1c0a7b2f94
Create Date: 2026-12-06 18:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = '5b1e0c4d7a21'
down_revision = '5e1c0a7b2f94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('heartbeats',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('checked_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_heartbeats_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heartbeats'))
    )


def downgrade():
    op.drop_table('heartbeats')
