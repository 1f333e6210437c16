"""What other features hold about a person beyond their rows: they register it here.

Rows that refer to a person are found from the schema itself (privacy.operations); files are
not in the schema, so a feature that stores files for a person registers:

- ``files(user)``: (name in the archive, path on disk) of each file that is theirs, for the
  data download;
- ``erase(user)``: remove them when the account is deleted (before the account row goes);
- ``data(user)``: what the rows that refer to the person do not say on their own (the
  projects a ballot chose sit in a table without the voter; a survey's answers belong to
  a response, which is theirs), as JSON-ready data placed in the download under the
  feature's name.
"""

REGISTERED = []


def register(name, files=None, erase=None, data=None):
    """Declare a feature's personal files and data and how to erase them (one call each)."""
    REGISTERED[:] = [entry for entry in REGISTERED if entry[0] != name]
    REGISTERED.append((name, files, erase, data))


def files_of(user):
    return [item for _name, files, _erase, _data in REGISTERED if files for item in files(user)]


def data_of(user):
    """Each feature's registered data about ``user`` that is not empty, by feature name."""
    found = {}
    for name, _files, _erase, data in REGISTERED:
        if data:
            value = data(user)
            if value:
                found[name] = value
    return found


def erase_all_of(user):
    for _name, _files, erase, _data in REGISTERED:
        if erase:
            erase(user)
