"""Search terms: plausible Thai words only, and SQLite's index keeps each term whole (as
PostgreSQL does) instead of cutting it at Thai vowel and tone marks

Revision ID: 5e1c0a7b2f94
Revises: 810d3d1eed80
Create Date: 2026-12-06 18:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from participation.search.index import (
    SQLITE_DDL,
    SQLITE_TOKENIZER,
    create_search_index,
    drop_search_index,
    rebuild_search_index,
)
from participation.search.thai import index_terms

revision = "5e1c0a7b2f94"
down_revision = "810d3d1eed80"
branch_labels = None
depends_on = None

OLD_TOKENIZER = "unicode61 remove_diacritics 0"


def _segment_again(bind):
    """Recompute every contribution's search terms with the current rule (erased ones stay
    empty)."""
    rows = bind.execute(
        sa.text("SELECT id, title, body FROM contributions WHERE search_text != ''")
    ).all()
    for row in rows:
        bind.execute(
            sa.text("UPDATE contributions SET search_text = :terms WHERE id = :id"),
            {"terms": " ".join(index_terms(f"{row.title}\n{row.body}")), "id": row.id},
        )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        drop_search_index(bind)
        _segment_again(bind)
        create_search_index(bind)
        rebuild_search_index(bind)
    else:
        _segment_again(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        drop_search_index(bind)
        for statement in SQLITE_DDL:
            bind.exec_driver_sql(statement.replace(SQLITE_TOKENIZER, OLD_TOKENIZER))
        rebuild_search_index(bind)
