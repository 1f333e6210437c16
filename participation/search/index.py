"""The full-text index of contributions: SQLite FTS5, or PostgreSQL tsvector with GIN.

Both index the ``search_text`` column, which holds the segmented terms of a contribution's
title and body (see :mod:`participation.search.thai`), separated by spaces.

- SQLite: an external-content FTS5 table kept in step by triggers; terms are matched exactly.
- PostgreSQL: a GIN index on ``array_to_tsvector(string_to_array(search_text, ' '))``; terms
  become lexemes as they are, so the text-search parser never splits Thai words again.

The migrations create these objects; Alembic's comparison ignores them (:func:`include_object`).
"""

import sqlalchemy as sa

FTS_TABLE = "contributions_fts"
PG_INDEX = "ix_contributions_search"
PG_VECTOR = "array_to_tsvector(string_to_array(search_text, ' '))"

# Built from the constant names above, never from input.
SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='contributions', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON contributions BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON contributions BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF search_text ON contributions BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_DDL = [f"CREATE INDEX {PG_INDEX} ON contributions USING gin (({PG_VECTOR}))"]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}"]


def create_search_index(connection):
    """Create the index objects for this database (called from a migration)."""
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_index(connection):
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRES_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search index out of Alembic's model/database comparison."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)


def include_name(name, type_, parent_names):
    """Do not even reflect the search objects (PostgreSQL warns on expression indexes)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)


def _quote(term):
    return '"' + term.replace('"', '""') + '"'


def matching_ids(terms):
    """Return a selectable of (id, rank) for contributions containing every term.

    Lower rank is better on both databases.
    """
    dialect = sa.inspect(_engine()).dialect.name
    if dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid"), sa.column("search_text"))
        query = " AND ".join(_quote(term) for term in terms)
        return (
            sa.select(
                fts.c.rowid.label("id"), sa.literal_column(f"bm25({FTS_TABLE})").label("rank")
            )
            .select_from(fts)
            .where(sa.text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=query))
        )
    from participation.proposals.models import Contribution

    tsquery = " & ".join(
        "'" + term.replace("'", "''").replace("\\", "\\\\") + "'" for term in terms
    )
    vector = sa.text(PG_VECTOR)
    return sa.select(
        Contribution.id.label("id"),
        (
            -sa.func.ts_rank(vector, sa.cast(sa.literal(tsquery), sa.dialects.postgresql.TSQUERY))
        ).label("rank"),
    ).where(sa.text(f"{PG_VECTOR} @@ CAST(:tsquery AS tsquery)").bindparams(tsquery=tsquery))


def _engine():
    from participation.extensions import db

    return db.engine
