"""Progress updates can be corrected (earlier versions kept) and followers told of it

Revision ID: 5b7e2d91c4aa
Revises: a1849d2503a1
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = '5b7e2d91c4aa'
down_revision = 'a1849d2503a1'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('reply', 'response', 'status', 'update', 'phase', 'summary')"
KINDS_NOW = "kind IN ('reply', 'response', 'status', 'update', 'correction', 'phase', 'summary')"


def upgrade():
    op.create_table('implementation_update_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('update_date', sa.Date(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('written_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replaced_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_implementation_update_versions_progress_percent')),
    sa.ForeignKeyConstraint(['update_id'], ['implementation_updates.id'], name=op.f('fk_implementation_update_versions_update_id_implementation_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_update_versions')),
    sa.UniqueConstraint('update_id', 'version', name=op.f('uq_implementation_update_versions_update_id_version')),
    )
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', KINDS_NOW)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'correction'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', KINDS_BEFORE)
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.drop_column('corrected_dt')
    op.drop_table('implementation_update_versions')
