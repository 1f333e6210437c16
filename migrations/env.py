"""Alembic environment: migrate the database of the current Flask app."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from participation.extensions import db
from participation.search.index import include_name, include_object

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = db.metadata
COMPARE = {
    "compare_type": True,
    "compare_server_default": False,
    "render_as_batch": True,
    "include_object": include_object,
    "include_name": include_name,
}


def run_migrations_offline():
    context.configure(
        url=str(db.engine.url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
        **COMPARE,
    )
    with context.begin_transaction():
        context.run_migrations()


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online():
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            process_revision_directives=_skip_empty_autogenerate,
            **COMPARE,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
