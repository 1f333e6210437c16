"""`flask processes advance`: move processes whose next phase has started (run daily)."""

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.core.transactions import writing
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
    today = today.date() if today else date.today()
    moved = 0
    with writing():
        for process in db.session.scalars(sa.select(Process).where(Process.is_published)):
            if advance_by_date(process, today):
                moved += 1
                click.echo(f"{process.slug}: now {process.phase}")
        db.session.commit()
    click.echo(f"{moved} process(es) advanced.")
