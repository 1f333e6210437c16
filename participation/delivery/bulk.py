"""Bulk updates from the municipality's own tracking sheet (CSV or XLSX).

Columns (header names, any order, case ignored): ``item`` (the proposal's number) or
``plan_code`` (the plan project's code), ``milestone`` (its name or its number, 1 first),
``planned_date``, ``actual_date`` (or ``date``), ``progress`` (0-100) and ``note``. Dates may be
typed in either era (5/12/2569 and 2026-12-05 are the same day) or be spreadsheet dates.

Every row is checked before anything is written: a preview lists each row's changes and
errors; applying is one transaction, refused whole if any row is at fault.
"""

import csv
import io
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.dates import DateInputError, common_era_year, parse_text
from participation.core.rules import RuleError
from participation.delivery import operations
from participation.delivery.models import NOTE_MAX, DeliveryRecord
from participation.delivery.operations import RowResult
from participation.extensions import db
from participation.proposals.models import Proposal

MAX_ROWS = 2000
ALIASES = {
    "item": "item", "item_id": "item", "id": "item", "proposal": "item",
    "plan_code": "plan_code", "plan": "plan_code",
    "milestone": "milestone",
    "planned_date": "planned_date", "planned": "planned_date",
    "actual_date": "actual_date", "date": "actual_date",
    "progress": "progress", "note": "note",
}  # fmt: skip


def read_rows(filename, data):
    """The rows of an uploaded CSV or XLSX file as dicts of known columns."""
    name = (filename or "").lower()
    if data[:2] == b"PK" or name.endswith(".xlsx"):
        table = _xlsx(data)
    else:
        table = _csv(data)
    if not table:
        raise RuleError(_l("The file has no rows."), "file")
    header = [ALIASES.get(str(cell or "").strip().lower().replace(" ", "_")) for cell in table[0]]
    if "milestone" not in header or not ({"item", "plan_code"} & set(header)):
        raise RuleError(
            _l("The first row must name the columns, with item (or plan_code) and milestone."),
            "file",
        )
    rows = []
    for cells in table[1:]:
        if all(cell in (None, "") for cell in cells):
            continue
        rows.append({key: _cell(cell) for key, cell in zip(header, cells, strict=False) if key})
    if len(rows) > MAX_ROWS:
        raise RuleError(_l("A file can have at most %(count)s rows.", count=MAX_ROWS), "file")
    return rows


def _cell(value):
    """A spreadsheet's date as an ISO text (a year typed as 2569 read as 2026), so the rows
    can travel from the preview to "apply" as plain text."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(year=common_era_year(value.year)).isoformat()
    return value


def _csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError(_l("Save the CSV file as UTF-8."), "file") from None
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx(data):
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RuleError(_l("This file cannot be read as a CSV or XLSX file."), "file") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        book.close()


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        year = common_era_year(value.year)  # a spreadsheet date typed as 2569 stays 2026
        return value.replace(year=year)
    try:
        day, _clock = parse_text(str(value).strip())
    except DateInputError as error:
        raise RuleError(error.message) from None
    return day


def _find_item(values, result):
    item = values.get("item")
    if item not in (None, ""):
        try:
            number = int(float(str(item).strip().lstrip("#")))
        except ValueError:
            result.errors.append(_l("The item number %(value)s is not a number.", value=item))
            return None
        proposal = db.session.get(Proposal, number)
        if proposal is None or not operations.in_delivery(proposal):
            result.errors.append(_l("No accepted proposal has the number %(value)s.",
                                    value=number))  # fmt: skip
            return None
        return proposal
    code = str(values.get("plan_code") or "").strip()
    if not code:
        result.errors.append(_l("Give the item number or the plan code."))
        return None
    records = db.session.scalars(
        sa.select(DeliveryRecord).where(DeliveryRecord.plan_code == code).limit(2)
    ).all()
    if len(records) != 1:
        result.errors.append(
            _l("No item has the plan code %(value)s.", value=code) if not records
            else _l("Several items have the plan code %(value)s; use the item number.",
                    value=code)
        )  # fmt: skip
        return None
    return records[0].proposal


def _find_milestone(record, value, result):
    text = str(value or "").strip()
    if not text:
        result.errors.append(_l("Name the milestone."))
        return None
    if text.replace(".0", "").isdigit():
        position = int(float(text)) - 1
        found = [m for m in record.milestones if m.position == position]
        if 0 <= position < len(record.milestones):
            found = [record.milestones[position]]
    else:
        found = [m for m in record.milestones if m.name.strip().lower() == text.lower()]
    if not found:
        result.errors.append(_l("This item has no milestone %(value)s.", value=text))
        return None
    return found[0]


def plan(rows):
    """Check every row and work out its changes, writing nothing (but delivery records of
    accepted proposals that had none, with their default milestones)."""
    results = []
    for number, values in enumerate(rows, start=2):  # row 1 is the header
        result = RowResult(number=number, values={k: "" if v is None else str(v)
                                                  for k, v in values.items()})  # fmt: skip
        proposal = _find_item(values, result)
        if proposal is not None:
            result.proposal = proposal
            record = operations.delivery_of(proposal)
            result.milestone = milestone = _find_milestone(record, values.get("milestone"), result)
            if milestone is not None:
                _changes(milestone, values, result)
        results.append(result)
    return results


def _changes(milestone, values, result):
    for key in ("planned_date", "actual_date"):
        try:
            value = _date(values.get(key))
        except RuleError as error:
            result.errors.append(error.message)
            continue
        if value is not None and value != getattr(milestone, key):
            result.changes[key] = value
    progress = values.get("progress")
    if progress not in (None, ""):
        try:
            number = round(float(str(progress).strip().rstrip("%")))
        except ValueError:
            number = -1
        if not 0 <= number <= 100:
            result.errors.append(_l("Progress is a percentage from 0 to 100."))
        elif number != milestone.progress:
            result.changes["progress"] = number
    note = str(values.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        result.errors.append(_l("Use at most %(count)s characters.", count=NOTE_MAX))
    elif note and note != milestone.note:
        result.changes["note"] = note
    if not result.changes and not result.errors:
        result.changes = {}


def apply(results, user):
    """Apply checked rows, all or nothing; followers hear once per item. Raises RuleError when
    any row has an error (nothing is changed then)."""
    operations._require_manager(user)
    bad = [result for result in results if not result.ok]
    if bad:
        raise RuleError(_l("Row %(row)s: %(error)s", row=bad[0].number, error=bad[0].errors[0]),
                        "file")  # fmt: skip
    changed = {}
    for result in results:
        if not result.changes:
            continue
        try:
            did = operations.change_milestone(result.milestone, user, tell=False, **result.changes)
        except RuleError as error:
            raise RuleError(_l("Row %(row)s: %(error)s", row=result.number, error=error.message),
                            "file") from None  # fmt: skip
        if did:
            changed[result.proposal.id] = result.milestone.delivery
    for record in changed.values():
        operations.tell_followers(record, user)
    return list(changed.values())
