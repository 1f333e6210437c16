"""Town hall join codes, the projector's join toggle, guests

Revision ID: b7c3d9e1f2a4
Revises: 99f8c4f1aa23
Create Date: 2026-12-06 22:00:00
"""

import secrets

import sqlalchemy as sa

import participation.core.models
from alembic import op

revision = "b7c3d9e1f2a4"
down_revision = "99f8c4f1aa23"
branch_labels = None
depends_on = None

ALPHABET = "ACEFGHKMNPRTWXY34679"


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("is_guest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("townhalls") as batch:
        batch.add_column(
            sa.Column("allow_guests", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("join_code", sa.String(length=6), nullable=True))
        batch.add_column(
            sa.Column("show_join_code", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.create_unique_constraint(batch.f("uq_townhalls_join_code"), ["join_code"])
    # Town halls that have not ended get their code now.
    connection = op.get_bind()
    townhalls = sa.table("townhalls", sa.column("id"), sa.column("state"), sa.column("join_code"))
    used = set()
    for (townhall_id,) in connection.execute(
        sa.select(townhalls.c.id).where(townhalls.c.state != "ended")
    ).all():
        code = None
        while code is None or code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        used.add(code)
        connection.execute(
            townhalls.update().where(townhalls.c.id == townhall_id).values(join_code=code)
        )
    op.create_table(
        "townhall_guests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("townhall_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("created_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_dt", participation.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["townhall_id"], ["townhalls.id"],
            name=op.f("fk_townhall_guests_townhall_id_townhalls"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("fk_townhall_guests_user_id_users"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_townhall_guests")),
        sa.UniqueConstraint("user_id", name=op.f("uq_townhall_guests_user_id")),
    )  # fmt: skip
    with op.batch_alter_table("townhall_guests") as batch:
        batch.create_index(batch.f("ix_townhall_guests_townhall_id"), ["townhall_id"])


def downgrade():
    with op.batch_alter_table("townhall_guests") as batch:
        batch.drop_index(batch.f("ix_townhall_guests_townhall_id"))
    op.drop_table("townhall_guests")
    op.execute("DELETE FROM users WHERE is_guest")
    with op.batch_alter_table("townhalls") as batch:
        batch.drop_constraint(batch.f("uq_townhalls_join_code"), type_="unique")
        batch.drop_column("show_join_code")
        batch.drop_column("join_code")
        batch.drop_column("allow_guests")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_guest")
