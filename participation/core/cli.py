"""Operator commands: `flask translate` (the catalogues), `flask doctor` (is the deployment fit
for production?) and `flask backup` (create and restore database backups)."""

import os
import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import with_appcontext

from participation.config import ROOT_DIR

TRANSLATIONS = ROOT_DIR / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def _pybabel(*args):
    # Run from the repository root so catalogues record relative source paths.
    previous = os.getcwd()
    os.chdir(ROOT_DIR)
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    finally:
        os.chdir(previous)


@click.group("translate")
def translate_cli():
    """Work on the translation catalogues."""


@translate_cli.command("extract")
def extract():
    """Collect every translatable string into translations/messages.pot."""
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "N_",
        "--sort-by-file", "--project", "Ruamkid", "-o", str(TEMPLATE), ".",
    )  # fmt: skip


@translate_cli.command("update")
def update():
    """Extract, then merge new strings into every catalogue."""
    extract.callback()
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate_cli.command("compile")
def compile_catalogues():
    """Compile the catalogues the app reads (.mo files)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@translate_cli.command("init")
@click.argument("language")
def init(language):
    """Start a catalogue for a new language."""
    extract.callback()
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", language)


@click.command("doctor")
@click.option(
    "--single-process",
    is_flag=True,
    help="The site runs exactly one server process, so Redis is not required.",
)
@with_appcontext
def doctor_command(single_process):
    """Check this deployment's configuration for production; exit 1 when a check fails."""
    from participation.core.doctor import report, run_checks

    sys.exit(report(run_checks(current_app, single_process=single_process)))


@click.group("backup")
def backup_cli():
    """Back up the database, or restore a backup."""


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_create(path):
    """Back up the database to PATH (default: instance/backups/ruamkid-<time>)."""
    from participation.core.backup import BackupError, create_backup

    try:
        backup = create_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(backup.tables.values())
    click.echo(f"Backup written to {backup.path} ({backup.path.stat().st_size:,} bytes, "
               f"{rows:,} rows, schema revision {backup.revision}).")  # fmt: skip
    click.echo(f"Its record: {backup.record_path}")
    click.echo(f"Photos: {backup.photos['files']:,} files in {backup.photos_path}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even while other processes use the database.")
@click.option("--yes", is_flag=True, help="Do not ask before replacing a database that has data.")
@with_appcontext
def backup_restore(path, force, yes):
    """Replace the database with the backup at PATH, then migrate it to this code's schema."""
    from participation.core.backup import BackupError, database_rows, read_backup, restore_backup

    try:
        backup = read_backup(path)
        click.echo(f"Backup {backup.path}: made {backup.created_dt}, schema revision "
                   f"{backup.revision}.")  # fmt: skip
        rows = database_rows()
        if rows and not yes:
            click.confirm(f"The database has {rows:,} rows; replace them with the backup?",
                          abort=True)  # fmt: skip
        safety = restore_backup(backup, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if safety:
        click.echo(f"The previous database is kept as {safety}.")
    if backup.photos is not None:
        click.echo(f"Restored {backup.photos.get('files', 0):,} photo files.")
        if backup.kept_photos:
            click.echo(f"The previous photos are kept in {backup.kept_photos}.")
    click.echo(
        f"Restored {sum(backup.tables.values()):,} rows"
        f"{' (as recorded)' if backup.tables else ''}; the schema is up to date."
    )
