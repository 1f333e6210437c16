"""Every string residents read is translated into Thai."""

from pathlib import Path

from babel.messages.pofile import read_po

from participation.config import ROOT_DIR

CATALOGUE = ROOT_DIR / "translations" / "th" / "LC_MESSAGES" / "messages.po"


def _catalogue():
    with Path(CATALOGUE).open("rb") as handle:
        return read_po(handle)


def _missing(message):
    if isinstance(message.string, tuple | list):
        return not all(message.string)
    return not message.string


def test_thai_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = _catalogue()
    entries = [message for message in catalogue if message.id]

    untranslated = [message.id for message in entries if _missing(message)]
    fuzzy = [message.id for message in entries if message.fuzzy]

    assert entries
    assert untranslated == []
    assert fuzzy == []


def test_thai_catalogue_covers_every_string_in_the_code():
    from babel.messages.extract import extract_from_dir

    catalogue = _catalogue()
    method_map = [("participation/**.py", "python"), ("templates/**.html", "jinja2"),
                  ("templates/**.txt", "jinja2")]  # fmt: skip
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
                "ngettext": (1, 2), "N_": None}  # fmt: skip
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT_DIR), method_map, keywords=keywords
        )
    }

    missing = sorted(found - {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue})
    assert missing == [], "Run `flask translate update` and translate these"


def test_placeholders_survive_translation():
    import re

    for message in _catalogue():
        if not message.id or isinstance(message.id, tuple):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
        assert sorted(re.findall(r"%\(\w+\)[sd]", message.string)) == wanted, message.id
