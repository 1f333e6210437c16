"""`flask opinions recompute`: compute stale opinion maps now, or keep watching for them."""

import click
from flask.cli import with_appcontext

from participation.opinions import recompute


@click.group("opinions")
def opinions_cli():
    """Opinion maps (docs/opinion-map.md)."""


@opinions_cli.command("recompute")
@click.option("--watch", "interval", type=click.FloatRange(min=0.5), default=None,
              help="Keep running: look for stale maps every this many seconds.")  # fmt: skip
@with_appcontext
def recompute_command(interval):
    """Recompute every opinion map that is older than its votes."""
    recompute.watch(interval or 0, once=interval is None, echo=click.echo)
