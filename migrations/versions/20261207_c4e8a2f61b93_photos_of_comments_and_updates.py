"""Photos of comments and of the council's progress updates

Revision ID: c4e8a2f61b93
Revises: 1d729fb0a5df
Create Date: 2026-12-07 00:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2f61b93"
down_revision = "1d729fb0a5df"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("update_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_comment_id_comments"), "comments", ["comment_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_update_id_implementation_updates"), "implementation_updates",
            ["update_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
        batch_op.create_check_constraint(
            batch_op.f("ck_photos_one_owner"), "comment_id IS NULL OR update_id IS NULL"
        )
        batch_op.create_index(batch_op.f("ix_photos_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_update_id"), ["update_id"], unique=False)


def downgrade():
    # The photos of comments and updates go with the columns that say whose they are (their
    # files stay in the storage folder).
    op.execute("DELETE FROM photos WHERE comment_id IS NOT NULL OR update_id IS NOT NULL")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_update_id"))
        batch_op.drop_index(batch_op.f("ix_photos_comment_id"))
        batch_op.drop_constraint(batch_op.f("ck_photos_one_owner"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_photos_update_id_implementation_updates"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_photos_comment_id_comments"), type_="foreignkey")
        batch_op.drop_column("update_id")
        batch_op.drop_column("comment_id")
