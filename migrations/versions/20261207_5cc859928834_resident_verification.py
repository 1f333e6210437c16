"""Resident verification: verifications, letter codes, the resident list (keyed hashes),
guessing attempts, process requirements; and the registrar role.

Revision ID: 5cc859928834
Revises: c918755ce20a
Create Date: 2026-12-07 03:50:36.681448
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = "5cc859928834"
down_revision = "c918755ce20a"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('facilitator', 'council', 'admin')"
ROLES_NOW = "role IN ('facilitator', 'council', 'registrar', 'admin')"


def upgrade():
    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address_hash", sa.String(length=32), nullable=False),
        sa.Column(
            "created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_verification_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempts")),
    )
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_verification_attempts_address", ["address_hash", "created_dt"], unique=False
        )
        batch_op.create_index(
            "ix_verification_attempts_user", ["user_id", "created_dt"], unique=False
        )

    op.create_table(
        "process_verification_requirements",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("residents_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "action IN ('support', 'ballot', 'forum', 'survey')",
            name=op.f("ck_process_verification_requirements_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["processes.id"],
            name=op.f("fk_process_verification_requirements_process_id_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "process_id", "action", name=op.f("pk_process_verification_requirements")
        ),
    )
    op.create_table(
        "resident_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "uploaded_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_resident_list_entries_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_list_entries")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_resident_list_entries_token_hash")),
    )
    with op.batch_alter_table("resident_list_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_list_entries_area_id"), ["area_id"], unique=False
        )

    op.create_table(
        "verification_letter_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "withdrawn_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "code_count > 0", name=op.f("ck_verification_letter_batches_code_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_verification_letter_batches_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_verification_letter_batches_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_letter_batches")),
    )
    with op.batch_alter_table("verification_letter_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_letter_batches_area_id"), ["area_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_letter_batches_created_by_id"),
            ["created_by_id"],
            unique=False,
        )

    op.create_table(
        "verification_letter_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("used_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["verification_letter_batches.id"],
            name=op.f("fk_verification_letter_codes_batch_id_verification_letter_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_letter_codes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_verification_letter_codes_token_hash")),
    )
    with op.batch_alter_table("verification_letter_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_letter_codes_batch_id"), ["batch_id"], unique=False
        )

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "verified_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("show_community", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("list_entry_id", sa.Integer(), nullable=True),
        sa.Column(
            "revoked_dt", participation.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), server_default="", nullable=False),
        sa.CheckConstraint(
            "method IN ('desk', 'letter', 'list')", name=op.f("ck_verifications_method_known")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_verifications_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_entry_id"],
            ["resident_list_entries.id"],
            name=op.f("fk_verifications_list_entry_id_resident_list_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_verifications_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_verifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_verifications_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_verifications_area_current", ["area_id", "revoked_dt", "expires_dt"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verifications_list_entry_id"), ["list_entry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verifications_revoked_by_id"), ["revoked_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_verifications_user_current", ["user_id", "revoked_dt", "expires_dt"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verifications_verified_by_id"), ["verified_by_id"], unique=False
        )

    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_roles_role_grantable"), type_="check")
        batch_op.create_check_constraint("role_grantable", ROLES_NOW)


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'registrar'")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_roles_role_grantable"), type_="check")
        batch_op.create_check_constraint("role_grantable", ROLES_BEFORE)
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_verified_by_id"))
        batch_op.drop_index("ix_verifications_user_current")
        batch_op.drop_index(batch_op.f("ix_verifications_revoked_by_id"))
        batch_op.drop_index(batch_op.f("ix_verifications_list_entry_id"))
        batch_op.drop_index("ix_verifications_area_current")

    op.drop_table("verifications")
    with op.batch_alter_table("verification_letter_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_letter_codes_batch_id"))

    op.drop_table("verification_letter_codes")
    with op.batch_alter_table("verification_letter_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_letter_batches_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_verification_letter_batches_area_id"))

    op.drop_table("verification_letter_batches")
    with op.batch_alter_table("resident_list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_list_entries_area_id"))

    op.drop_table("resident_list_entries")
    op.drop_table("process_verification_requirements")
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_attempts_user")
        batch_op.drop_index("ix_verification_attempts_address")

    op.drop_table("verification_attempts")
