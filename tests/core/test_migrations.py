"""The schema comes only from Alembic: the revisions and the models must agree."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from participation.extensions import db
from participation.search.index import include_name, include_object


def _differences(connection):
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": True,
            "include_object": include_object,
            "include_name": include_name,
        },
    )
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    """Run on SQLite by default, and on PostgreSQL when TEST_DATABASE_URL points to one."""
    with app.app_context(), db.engine.connect() as connection:
        assert _differences(connection) == []


def _fresh_sqlite_app(config, tmp_path, make_app):
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/fresh.sqlite3"
    return make_app(config)


def test_every_migration_downgrades_and_upgrades_again(config, tmp_path, make_app):
    app = _fresh_sqlite_app(config, tmp_path, make_app)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()
        assert set(tables) <= {"alembic_version"}, tables
        upgrade()
        with db.engine.connect() as connection:
            assert _differences(connection) == []


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(config, tmp_path, make_app):
    app = _fresh_sqlite_app(config, tmp_path, make_app)
    with app.app_context():
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 5000
