"""What other features hold about a person beyond their rows: they register it here.

Rows that refer to a person are found from the schema itself (privacy.operations); files are
not in the schema, so a feature that stores files for a person registers:

- ``files(user)``: (name in the archive, path on disk) of each file that is theirs, for the
  data download;
- ``erase(user)``: remove them when the account is deleted (before the account row goes);
- ``data(user)``: JSON-ready data that refers to the person only through other rows (a
  survey's answers belong to a response, which is theirs), added to the download.
"""

REGISTERED = []


DATA = {}


def register(name, files=None, erase=None, data=None):
    """Declare a feature's personal files and data and how to erase them (one call each)."""
    REGISTERED[:] = [entry for entry in REGISTERED if entry[0] != name]
    REGISTERED.append((name, files, erase))
    if data is not None:
        DATA[name] = data


def data_of(user):
    """What registered features hold about ``user`` beyond their rows, by feature."""
    found = {name: data(user) for name, data in DATA.items()}
    return {name: value for name, value in found.items() if value}


def files_of(user):
    return [item for _name, files, _erase in REGISTERED if files for item in files(user)]


def erase_all_of(user):
    for _name, _files, erase in REGISTERED:
        if erase:
            erase(user)
