"""Dates that people type: one parser and one form field for every date and time input.

Thai readers count years in the Buddhist Era (2569), English readers in the Common Era (2026).
A clerk who types 2569 by habit must not publish a date in the year 3112, so:

- The field shows a day, a month chosen by name and a year in the reader's era (BE in Thai,
  CE in English), plus a time where the field has one. It needs no JavaScript.
- The rule for years, in both languages: a year from 2400 on is a Buddhist-Era year (BE 2400
  is CE 1857, before any date this platform records), a smaller one is a Common-Era year. So
  2569 and 2026 both mean 2026, whichever language the form is in.
- A year typed in the other era than the reader's, or a date more than ``within_years`` from
  today, is not saved until the person ticks "yes, I mean this date", shown beside the date as
  it was understood.
- A single text value is also accepted (``2026-12-05``, ``5/12/2569``, ``2026-12-05T14:30``),
  for scripts, tests and browsers that send one.
"""

import re
from datetime import date, datetime, time

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value

from participation.core.i18n import (
    BANGKOK,
    BUDDHIST_ERA_OFFSET,
    _month_names,
    current_language,
    format_date,
    format_datetime,
    to_bangkok,
)

BE_FROM = 2400  # a year this large or larger is a Buddhist-Era year
PARTS = ("day", "month", "year", "time")
CONFIRM = "confirm"


class DateInputError(ValueError):
    """What was typed is not a date; ``message`` says why, translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def common_era_year(year):
    """The Common-Era year for a typed year in either era (see the module's rule)."""
    return year - BUDDHIST_ERA_OFFSET if year >= BE_FROM else year


def is_buddhist_era(year):
    return year >= BE_FROM


def _number(text, message):
    text = (text or "").strip()
    if not text.isdigit() or len(text) > 5:
        raise DateInputError(message)
    return int(text)


def parse_date(day, month, year):
    """A date from a typed day, month (1-12) and year in either era."""
    day = _number(day, _l("Please enter the day as a number, e.g. 5."))
    month = _number(month, _l("Please choose the month."))
    year = _number(year, _l("Please enter the year as a number, e.g. 2569."))
    year = common_era_year(year)
    if not 1 <= month <= 12:
        raise DateInputError(_l("Please choose the month."))
    if year < 1900:
        raise DateInputError(_l("Please enter the year as a number, e.g. 2569."))
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError(_l("This month has no such day.")) from None


TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:\s*(?:น\.?|นาฬิกา))?")


def parse_time(text):
    """A clock time: ``14:30``, ``14.30`` or ``14.30 น.``."""
    match = TIME.fullmatch((text or "").strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise DateInputError(_l("Please enter the time as hours and minutes, e.g. 14:30."))
    return time(int(match[1]), int(match[2]))


ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](.+))?")
DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,]+(.+))?")


def parse_text(text):
    """A date (and perhaps a time) from one typed text; returns ``(date, time or None)``."""
    text = (text or "").strip()
    if match := ISO.fullmatch(text):
        year, month, day, clock = match.groups()
    elif match := DMY.fullmatch(text):
        day, month, year, clock = match.groups()
    else:
        raise DateInputError(_l("Please enter a date as day, month and year."))
    return parse_date(day, month, year), parse_time(clock) if clock else None


def typed_year(raw):
    """The year as typed in the year box, or None (one text value is read as ISO-like)."""
    text = (raw or {}).get("year") or ""
    return int(text) if text.isdigit() else None


def years_away(value, today):
    """How many years (with fractions) ``value`` lies from ``today``, past or future."""
    return abs((value - today).days) / 365.25


class EraDateField(Field):
    """A date typed as day / month name / year in the reader's era (see the module).

    ``within_years``: a date further from today than this needs the person's confirmation.
    ``with_time``: also ask for a clock time; ``data`` is then a datetime in Bangkok.
    """

    with_time = False

    def __init__(self, label=None, validators=None, within_years=3, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.within_years = within_years
        self.raw = None  # what was typed, by part, to show it again
        self.confirmed_value = ""  # the date the person said "yes, I mean it" to
        self.needs_confirmation = False

    # --- reading the request ------------------------------------------------------------------

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        if data is unset_value or data is None:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = self._from_object(data)
        self.raw_data = []
        names = [self.name, *(f"{self.name}-{part}" for part in PARTS)]
        if formdata is None or not any(name in formdata for name in names):
            return  # not sent: keep what the object holds
        raw = {part: (formdata.get(f"{self.name}-{part}") or "").strip() for part in PARTS}
        raw["text"] = (formdata.get(self.name) or "").strip()
        self.confirmed_value = (formdata.get(f"{self.name}-{CONFIRM}") or "").strip()
        self.raw = raw
        typed = " ".join(value for value in raw.values() if value)
        if not typed:
            self.data = None
            return
        self.raw_data = [typed]
        try:
            self.data = self._parse(raw)
        except DateInputError as error:
            self.data = None
            self.process_errors.append(error.message)

    def _from_object(self, value):
        if isinstance(value, datetime):
            return to_bangkok(value) if self.with_time else to_bangkok(value).date()
        if isinstance(value, date):
            return datetime.combine(value, time(), BANGKOK) if self.with_time else value
        return None

    def _parse(self, raw):
        if raw["text"] and not (raw["day"] or raw["month"] or raw["year"]):
            try:
                day, clock = parse_text(raw["text"])
            except DateInputError:
                raise DateInputError(
                    _l("Please enter a date and time.")
                    if self.with_time
                    else _l("Please enter a date as day, month and year.")
                ) from None
        else:
            day, clock = parse_date(raw["day"], raw["month"], raw["year"]), None
        if not self.with_time:
            return day
        if raw["time"]:
            clock = parse_time(raw["time"])
        if clock is None:
            raise DateInputError(_l("Please enter the time as hours and minutes, e.g. 14:30."))
        return datetime.combine(day, clock, BANGKOK)

    # --- checking ---------------------------------------------------------------------------------

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.errors or self.data is None or self.raw is None:
            return
        if self.data == self._from_object(self.object_data):
            return  # kept as it was saved: asked about when it was typed
        reasons = []
        year = typed_year(self.raw)
        thai = current_language() == "th"
        if year is not None and is_buddhist_era(year) != thai:
            reasons.append(
                _l("You typed the year %(year)s, which we read as a Common-Era year (ค.ศ.).",
                   year=year)
                if thai
                else _l("You typed the year %(year)s, which we read as a Buddhist-Era year (BE).",
                        year=year)
            )  # fmt: skip
        today = datetime.now(BANGKOK).date()
        day = self.data.date() if isinstance(self.data, datetime) else self.data
        if years_away(day, today) > self.within_years:
            reasons.append(
                _l("This date is more than %(years)s years from today.", years=self.within_years)
            )
        if reasons and not self.confirmed:
            self.needs_confirmation = True
            self.errors.extend(
                [*reasons, _l("Please check the year, or tick the box to confirm this date.")]
            )

    @property
    def confirmed(self):
        """True when the person confirmed exactly the date now understood (ticking the box,
        then changing the date, confirms nothing)."""
        return bool(self.data) and self.confirmed_value == self.confirmation_value()

    def confirmation_value(self):
        """What the confirmation box sends: the date as understood, in ISO form."""
        if self.data is None:
            return ""
        if self.with_time:
            return to_bangkok(self.data).isoformat(timespec="minutes")
        return self.data.isoformat()

    # --- showing ------------------------------------------------------------------------------

    def understood(self):
        """The date as it was read, in the reader's words (for the confirmation box)."""
        if self.data is None:
            return ""
        return format_datetime(self.data) if self.with_time else format_date(self.data)

    def parts(self):
        """The values to show in the day, month, year and time inputs."""
        if self.raw is not None and (self.errors or self.data is None):
            raw = self.raw
            if raw["text"] and not raw["year"]:
                try:
                    day, clock = parse_text(raw["text"])
                except DateInputError:
                    return {"day": "", "month": "", "year": raw["text"], "time": raw["time"]}
                return self._parts_of(day, clock)
            return {part: raw[part] for part in PARTS}
        if self.data is None:
            return dict.fromkeys(PARTS, "")
        if isinstance(self.data, datetime):
            local = to_bangkok(self.data)
            return self._parts_of(local.date(), local.time())
        return self._parts_of(self.data, None)

    @staticmethod
    def _parts_of(day, clock):
        thai = current_language() == "th"
        return {
            "day": str(day.day),
            "month": str(day.month),
            "year": str(day.year + BUDDHIST_ERA_OFFSET if thai else day.year),
            "time": clock.strftime("%H:%M") if clock else "",
        }

    @staticmethod
    def month_choices():
        return list(_month_names(current_language(), "wide").items())

    @staticmethod
    def year_label():
        return _l("Year (BE)") if current_language() == "th" else _l("Year")

    def __call__(self, **kwargs):
        """The day, month, year (and time) inputs; ``kwargs`` as for any field (aria, class)."""
        html = render_template("macros/date_inputs.html", f=self, attrs=kwargs)
        return Markup(html)  # noqa: S704 - rendered by Jinja with autoescaping

    def _value(self):
        return ""


class EraDateTimeField(EraDateField):
    """A date and a clock time in Bangkok (town halls); ``data`` is an aware datetime."""

    with_time = True
