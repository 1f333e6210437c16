"""One follow per person and target (partial unique indexes); indexes for list orders

Revision ID: 844c6ba2be3e
Revises: 1606b4445be7
Create Date: 2026-11-21 12:49:38.278097
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = '844c6ba2be3e'
down_revision = '1606b4445be7'
branch_labels = None
depends_on = None


FOLLOW_INDEXES = (
    ("uq_follows_user_process", ["user_id", "process_id"], "process_id IS NOT NULL"),
    ("uq_follows_user_contribution", ["user_id", "contribution_id"], "contribution_id IS NOT NULL"),
)


def upgrade():
    # Duplicate follows could exist (NULLs never collided in the old constraint): keep one each.
    op.execute(
        "DELETE FROM follows WHERE id NOT IN (SELECT MIN(id) FROM follows "
        "GROUP BY user_id, process_id, contribution_id)"
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_constraint("uq_follows_user_id_process_id_contribution_id", type_="unique")
    for name, columns, where in FOLLOW_INDEXES:
        op.create_index(name, "follows", columns, unique=True,
                        sqlite_where=sa.text(where), postgresql_where=sa.text(where))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_list', ['user_id', 'id'], unique=False)

    with op.batch_alter_table('townhalls', schema=None) as batch_op:
        batch_op.create_index('ix_townhalls_published_start', ['is_published', 'starts_dt'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_created', ['created_dt', 'id'], unique=False)



def downgrade():
    for name, _columns, _where in FOLLOW_INDEXES:
        op.drop_index(name, table_name="follows")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_follows_user_id_process_id_contribution_id",
            ["user_id", "process_id", "contribution_id"],
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_created')

    with op.batch_alter_table('townhalls', schema=None) as batch_op:
        batch_op.drop_index('ix_townhalls_published_start')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_list')

