"""The full-text index of contributions: SQLite FTS5, or PostgreSQL tsvector with GIN.

Both index the ``search_text`` column, which holds the segmented terms of a contribution's
title and body (see :mod:`participation.search.thai`), separated by spaces.

- SQLite: an external-content FTS5 table kept in step by triggers; terms are matched exactly.
- PostgreSQL: a stored generated column ``search_vector`` =
  ``array_to_tsvector(string_to_array(search_text, ' '))`` with a GIN index; terms become
  lexemes as they are, so the text-search parser never splits Thai words again, and nothing is
  re-parsed at query time.

The migrations create these objects; Alembic's comparison ignores them (:func:`include_object`).
"""

import sqlalchemy as sa

FTS_TABLE = "contributions_fts"
PG_INDEX = "ix_contributions_search"
PG_COLUMN = "search_vector"
PG_VECTOR = "array_to_tsvector(string_to_array(search_text, ' '))"

# Thai vowel and tone marks are Unicode category M: by default FTS5 would cut a term at them
# (เสีย into เส + ย, so that a search for เส found it) where PostgreSQL keeps each term whole.
SQLITE_TOKENIZER = "unicode61 remove_diacritics 0 categories ''L* N* Co M*''"
# Built from the constant names above, never from input.
SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='contributions', "
    f"content_rowid='id', tokenize='{SQLITE_TOKENIZER}')",
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
POSTGRES_DDL = [
    f"ALTER TABLE contributions ADD COLUMN {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX {PG_INDEX} ON contributions USING gin ({PG_COLUMN})",
]
POSTGRES_DROP = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"ALTER TABLE contributions DROP COLUMN IF EXISTS {PG_COLUMN}",
]


def restore_search_triggers(connection):
    """Put SQLite's triggers back after a migration rebuilt the contributions table (batch mode
    copies the table, and its triggers go with the old one). Nothing to do on PostgreSQL."""
    if connection.dialect.name != "sqlite":
        return
    for statement in SQLITE_DROP[:3] + SQLITE_DDL[1:]:
        connection.exec_driver_sql(statement)


def create_search_index(connection):
    """Create the index objects for this database (called from a migration)."""
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def rebuild_search_index(connection):
    """Fill SQLite's index again from ``search_text`` (PostgreSQL's column follows by itself)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def drop_search_index(connection):
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRES_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


def _search_object(name, type_):
    return (
        (type_ == "table" and bool(name) and name.startswith(FTS_TABLE))
        or (type_ == "index" and name == PG_INDEX)
        or (type_ == "column" and name == PG_COLUMN)
    )


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search index out of Alembic's model/database comparison."""
    return not _search_object(name, type_)


def include_name(name, type_, parent_names):
    """Do not even reflect the search objects."""
    return not _search_object(name, type_)


def _quote(term):
    return '"' + term.replace('"', '""') + '"'


def _tsquery(terms):
    return " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


# Above this many matches, SQLite should walk the list's own index and test membership,
# rather than look up and sort every match (its planner cannot tell without help).
COMMON_TERMS = 2000


def search_condition(id_column, terms):
    """A WHERE clause: contributions containing every term (uses the full-text index)."""
    if _dialect() == "sqlite":
        from participation.extensions import db

        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        matches = (
            sa.select(fts.c.rowid)
            .select_from(fts)
            .where(sa.text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=_fts(terms)))
        )
        common = db.session.scalar(
            sa.select(sa.func.count()).select_from(matches.limit(COMMON_TERMS + 1).subquery())
        )
        if common > COMMON_TERMS:
            # A unary + keeps SQLite from driving the query from the match list.
            return sa.literal_column("+contributions.id").in_(matches)
        return id_column.in_(matches)
    return sa.text(f"contributions.{PG_COLUMN} @@ CAST(:tsquery AS tsquery)").bindparams(
        tsquery=_tsquery(terms)
    )


def ranked_matches(terms):
    """A selectable of (id, rank) for ordering by relevance (lower rank is better)."""
    if _dialect() == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        return (
            sa.select(fts.c.rowid.label("id"),
                      sa.literal_column(f"bm25({FTS_TABLE})").label("rank"))
            .select_from(fts)
            .where(sa.text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=_fts(terms)))
        )  # fmt: skip
    query = sa.text("CAST(:rank_query AS tsquery)").bindparams(rank_query=_tsquery(terms))
    vector = sa.literal_column(f"contributions.{PG_COLUMN}")
    return (
        sa.select(
            sa.literal_column("contributions.id").label("id"),
            (-sa.func.ts_rank(vector, query)).label("rank"),
        )
        .select_from(sa.table("contributions"))
        .where(
            sa.text(f"contributions.{PG_COLUMN} @@ CAST(:match_query AS tsquery)").bindparams(
                match_query=_tsquery(terms)
            )
        )
    )


def _fts(terms):
    return " AND ".join(_quote(term) for term in terms)


def _dialect():
    from participation.extensions import db

    return db.engine.dialect.name
