"""`flask demo seed`: a believable Thai municipality with users of every role."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from participation.demo.seed import DEMO_MUNICIPALITY_EN, DEMO_PASSWORD, DEMO_USERS, seed
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
    _seed_and_list()


def _seed_and_list():
    seed()
    db.session.commit()
    click.echo(f"Demo data created. Sign in with any of these (password: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        click.echo(f"  {user['email']:<28} {', '.join(user['roles']) or 'resident'}")


@demo_cli.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def reset_command(yes):
    """Erase the demo database and seed it again (never a real municipality's data)."""
    from flask_migrate import upgrade

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("This is a production configuration; nothing was erased.")
    names = set(db.session.scalars(sa.select(Municipality.name_en)))
    if names - {DEMO_MUNICIPALITY_EN}:
        raise click.ClickException(
            f"This database holds {', '.join(sorted(names))}, not only the demo; nothing was "
            "erased."
        )
    if not yes:
        click.confirm("Erase everything in this database and seed the demo again?", abort=True)
    db.session.remove()
    everything = sa.MetaData()
    everything.reflect(bind=db.engine)
    everything.drop_all(bind=db.engine)
    upgrade()
    _seed_and_list()
