"""The pabulib ``.pb`` file: how participatory budgeting elections are shared for recounting.

Three sections, each a ``;``-separated table under its name (META, PROJECTS, VOTES), as read
by pabutools and the pabulib.org tools. Ballots are written anonymised: the caller hands them
over already shuffled and without voter identities; voter ids here are only 1, 2, 3...
"""

import csv
import io

SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    pass


def write(meta, projects, ballots):
    """``meta``: ordered pairs; ``projects``: dicts with project_id, cost, votes, name and
    selected; ``ballots``: iterables of project ids (one per voter). Returns the text."""
    out = io.StringIO()
    table = csv.writer(out, delimiter=";", lineterminator="\n")
    ballots = [sorted(map(str, ballot), key=_natural) for ballot in ballots]
    out.write("META\n")
    table.writerow(["key", "value"])
    for key, value in meta:
        table.writerow([key, value])
    table.writerow(["num_projects", len(projects)])
    table.writerow(["num_votes", len(ballots)])
    out.write("PROJECTS\n")
    table.writerow(["project_id", "cost", "votes", "name", "selected"])
    for project in projects:
        table.writerow([project["project_id"], project["cost"], project["votes"],
                        _one_line(project["name"]), int(bool(project["selected"]))])  # fmt: skip
    out.write("VOTES\n")
    table.writerow(["voter_id", "vote"])
    for number, ballot in enumerate(ballots, start=1):
        table.writerow([number, ",".join(ballot)])
    return out.getvalue()


def read(text):
    """The sections of a ``.pb`` text: (meta dict, project rows, vote rows), rows as dicts."""
    sections = {name: [] for name in SECTIONS}
    current = None
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row:
            continue
        if len(row) == 1 and row[0].strip().upper() in SECTIONS:
            current = row[0].strip().upper()
            continue
        if current is None:
            raise PabulibError("the file does not start with a section name")
        sections[current].append([cell.strip() for cell in row])
    tables = {}
    for name, rows in sections.items():
        if not rows:
            raise PabulibError(f"section {name} is missing or empty")
        header, *body = rows
        tables[name] = [dict(zip(header, row, strict=False)) for row in body]
    meta = {row["key"]: row.get("value", "") for row in tables["META"]}
    return meta, tables["PROJECTS"], tables["VOTES"]


def _one_line(text):
    return " ".join(str(text).split())


def _natural(value):
    return (0, int(value), "") if value.isdigit() else (1, 0, value)
