"""Contributions keep their words in order for the summary's themes (summaries.themes)

Revision ID: 5d1c7e2a9b40
Revises: 5b7e2d91c4aa
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

from participation.search.index import restore_search_triggers
from participation.summaries.themes import phrase_tokens

revision = "5d1c7e2a9b40"
down_revision = "5b7e2d91c4aa"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    # A plain ADD COLUMN (no batch copy), so SQLite keeps the contributions' search triggers.
    op.add_column(
        "contributions", sa.Column("theme_tokens", sa.Text(), server_default="", nullable=False)
    )
    _fill()


def _fill():
    """Segment what is already there, so the first summary after the upgrade is fast too."""
    connection = op.get_bind()
    table = sa.table(
        "contributions",
        sa.column("id", sa.Integer),
        sa.column("title", sa.Text),
        sa.column("body", sa.Text),
        sa.column("theme_tokens", sa.Text),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.title, table.c.body)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            connection.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(theme_tokens=phrase_tokens(f"{row.title}\n{row.body}"))
            )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("contributions") as batch_op:
        batch_op.drop_column("theme_tokens")
    restore_search_triggers(op.get_bind())
