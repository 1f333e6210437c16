"""`flask jobs worker`: run the background worker."""

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs (notifications, digests).")


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(threads):
    """Run the job worker until stopped (SIGINT finishes the current jobs first)."""
    from participation.jobs.worker import run_worker

    run_worker(current_app._get_current_object(), threads)
