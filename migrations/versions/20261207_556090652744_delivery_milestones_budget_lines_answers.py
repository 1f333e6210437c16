"""Delivery: budget lines, milestones with photos and documents, "was it really fixed?" answers

Revision ID: 556090652744
Revises: 5cc859928834
Create Date: 2026-12-07 03:49:48.573865
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = "556090652744"
down_revision = "5cc859928834"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delivery_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("plan_code", sa.String(length=50), nullable=True),
        sa.Column("ordinance_item", sa.String(length=200), nullable=False),
        sa.Column("amount_baht", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("done_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "reopened_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("yes_count", sa.Integer(), nullable=False),
        sa.Column("not_yet_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "modified_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('in_progress', 'done', 'reopened')",
            name=op.f("ck_delivery_records_status_known"),
        ),
        sa.CheckConstraint(
            "amount_baht IS NULL OR amount_baht >= 0",
            name=op.f("ck_delivery_records_amount_not_negative"),
        ),
        sa.CheckConstraint(
            "yes_count >= 0 AND not_yet_count >= 0",
            name=op.f("ck_delivery_records_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["contributions.id"],
            name=op.f("fk_delivery_records_proposal_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_records")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_delivery_records_proposal_id")),
    )
    with op.batch_alter_table("delivery_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_records_board", ["status", "fiscal_year", "id"], unique=False
        )
        batch_op.create_index("ix_delivery_records_plan_code", ["plan_code"], unique=False)

    op.create_table(
        "delivery_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column(
            "created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "answer IN ('yes', 'not_yet')", name=op.f("ck_delivery_answers_answer_known")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery_records.id"],
            name=op.f("fk_delivery_answers_delivery_id_delivery_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_delivery_answers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_answers")),
        sa.UniqueConstraint(
            "delivery_id",
            "user_id",
            "round",
            name=op.f("uq_delivery_answers_delivery_id_user_id_round"),
        ),
    )
    with op.batch_alter_table("delivery_answers", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_answers_user", ["user_id"], unique=False)

    op.create_table(
        "delivery_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("actual_date", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_delivery_milestones_name_not_empty")),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 100",
            name=op.f("ck_delivery_milestones_progress_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery_records.id"],
            name=op.f("fk_delivery_milestones_delivery_id_delivery_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_milestones")),
        sa.UniqueConstraint(
            "delivery_id", "position", name=op.f("uq_delivery_milestones_delivery_id_position")
        ),
    )
    op.create_table(
        "delivery_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_delivery_documents_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["delivery_milestones.id"],
            name=op.f("fk_delivery_documents_milestone_id_delivery_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_documents")),
        sa.UniqueConstraint("token", name=op.f("uq_delivery_documents_token")),
    )
    with op.batch_alter_table("delivery_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_documents_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_documents_milestone_id"), ["milestone_id"], unique=False
        )

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("milestone_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stage", sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f("ix_photos_answer_id"), ["answer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_milestone_id"), ["milestone_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_answer_id_delivery_answers"),
            "delivery_answers",
            ["answer_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_milestone_id_delivery_milestones"),
            "delivery_milestones",
            ["milestone_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_photos_stage_known"),
            "stage IS NULL OR stage IN ('before', 'during', 'after')",
        )


def downgrade():
    # Milestone and answer photos go with the columns that say whose they are.
    op.execute("DELETE FROM photos WHERE milestone_id IS NOT NULL OR answer_id IS NOT NULL")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_photos_stage_known"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_photos_milestone_id_delivery_milestones"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_photos_answer_id_delivery_answers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_photos_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_photos_answer_id"))
        batch_op.drop_column("stage")
        batch_op.drop_column("answer_id")
        batch_op.drop_column("milestone_id")

    with op.batch_alter_table("delivery_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_documents_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_documents_author_id"))

    op.drop_table("delivery_documents")
    op.drop_table("delivery_milestones")
    with op.batch_alter_table("delivery_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_answers_user")

    op.drop_table("delivery_answers")
    with op.batch_alter_table("delivery_records", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_records_plan_code")
        batch_op.drop_index("ix_delivery_records_board")

    op.drop_table("delivery_records")
