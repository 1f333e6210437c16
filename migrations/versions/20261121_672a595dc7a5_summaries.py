"""Council summaries of processes and town halls; attendance seen; summary notifications

Revision ID: 672a595dc7a5
Revises: 6ec222157a59
Create Date: 2026-11-21 17:14:44.804911
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = '672a595dc7a5'
down_revision = '6ec222157a59'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('reply', 'response', 'status', 'update', 'phase')"
SQLITE_VISIBLE = "is_hidden IS 0 AND is_deleted IS 0"  # as SQLAlchemy writes the queries
PG_VISIBLE = "NOT is_hidden AND NOT is_deleted"
KINDS_NOW = "kind IN ('reply', 'response', 'status', 'update', 'phase', 'summary')"


def upgrade():
    op.create_table('summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('townhall_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('statement_th', sa.Text(), nullable=False),
    sa.Column('statement_en', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('fingerprint', sa.String(length=200), nullable=False),
    sa.Column('computed_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'reviewed', 'published')", name=op.f('ck_summaries_state_known')),
    sa.CheckConstraint('(process_id IS NULL) <> (townhall_id IS NULL)', name=op.f('ck_summaries_one_subject')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_summaries_process_id_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_summaries_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_summaries_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['townhall_id'], ['townhalls.id'], name=op.f('fk_summaries_townhall_id_townhalls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summaries')),
    sa.UniqueConstraint('process_id', name=op.f('uq_summaries_process_id')),
    sa.UniqueConstraint('townhall_id', name=op.f('uq_summaries_townhall_id'))
    )
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.create_index('ix_summaries_state', ['state', 'published_dt'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_summary_id_summaries'), 'summaries', ['summary_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', KINDS_NOW)

    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.create_index('ix_supports_process_time', ['process_id', 'created_dt', 'user_id'], unique=False)

    op.create_index('ix_comments_visible_time', 'comments',
                    ['contribution_id', 'created_dt', 'author_id'],
                    sqlite_where=sa.text(SQLITE_VISIBLE), postgresql_where=sa.text(PG_VISIBLE))
    op.create_index('ix_comments_alignment', 'comments', ['contribution_id', 'alignment'],
                    sqlite_where=sa.text(f"alignment IS NOT NULL AND {SQLITE_VISIBLE}"),
                    postgresql_where=sa.text(f"alignment IS NOT NULL AND {PG_VISIBLE}"))

    with op.batch_alter_table('townhall_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('townhall_attendance', schema=None) as batch_op:
        batch_op.drop_column('seen')

    op.drop_index('ix_comments_alignment', table_name='comments')
    op.drop_index('ix_comments_visible_time', table_name='comments')
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_index('ix_supports_process_time')

    op.execute("DELETE FROM notifications WHERE kind = 'summary'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', KINDS_BEFORE)
        batch_op.drop_constraint(batch_op.f('fk_notifications_summary_id_summaries'), type_='foreignkey')
        batch_op.drop_column('summary_id')

    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_summaries_state')

    op.drop_table('summaries')
