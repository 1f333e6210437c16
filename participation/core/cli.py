"""`flask translate`: extract, update and compile the Thai and English catalogues."""

import os

import click
from babel.messages.frontend import CommandLineInterface

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
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
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
