"""`flask processes advance`: move processes whose next phase has started (run daily)."""

from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.core.i18n import BANGKOK
from participation.extensions import db
from participation.processes.models import Process
from participation.processes.operations import advance_by_date


@click.group("processes")
def processes_cli():
    """Manage participatory processes."""


@processes_cli.command("advance")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD).")  # fmt: skip
@with_appcontext
def advance_command(today):
    """Advance every published process whose next phase has started by its dates."""
    today = today.date() if today else datetime.now(BANGKOK).date()
    moved = 0
    ids = db.session.scalars(sa.select(Process.id).where(Process.is_published)).all()
    for process_id in ids:
        process = db.session.get(Process, process_id)
        if advance_by_date(process, today):
            moved += 1
            click.echo(f"{process.slug}: now {process.phase}")
    click.echo(f"{moved} process(es) advanced.")
    if db.engine.dialect.name == "sqlite":
        # The daily run also refreshes SQLite's planner statistics where they went stale
        # (PostgreSQL's autovacuum does this by itself).
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")
