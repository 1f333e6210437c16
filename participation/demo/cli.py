"""`flask demo seed`: a believable Thai municipality with users of every role."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from participation.extensions import db
from participation.municipality.models import Municipality


@click.group("demo")
def demo_cli():
    """Demo data for trying Ruamkid."""


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@with_appcontext
def seed_command(if_empty):
    """Create the demo municipality, communities and users."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)):
        if if_empty:
            click.echo("The database already has data; demo seed skipped.")
            return
        raise click.ClickException("The database already has data; seed an empty database.")
    seed()
    db.session.commit()
    click.echo(f"Demo data created. Sign in with any of these (password: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        click.echo(f"  {user['email']:<28} {', '.join(user['roles']) or 'resident'}")
