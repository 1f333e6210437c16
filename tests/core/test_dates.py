"""Dates people type: the Buddhist Era in Thai, the Common Era in English, one rule for both."""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from participation.core.dates import (
    DateInputError,
    common_era_year,
    parse_date,
    parse_text,
    parse_time,
)
from participation.core.i18n import BANGKOK
from participation.processes.models import Process
from participation.townhall.models import TownHall

THIS_YEAR = date.today().year
BE_YEAR = THIS_YEAR + 543


@pytest.mark.parametrize(
    ("typed", "year"),
    [(2569, 2026), (2026, 2026), (2400, 1857), (2399, 2399), (3112, 2569)],
)
def test_a_year_from_2400_on_is_buddhist_era(typed, year):
    assert common_era_year(typed) == year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05", (date(2026, 12, 5), None)),
        ("2569-12-05", (date(2026, 12, 5), None)),
        ("5/12/2569", (date(2026, 12, 5), None)),
        ("5.12.2026 14.30", (date(2026, 12, 5), time(14, 30))),
        ("2026-12-05T18:00", (date(2026, 12, 5), time(18, 0))),
    ],
)  # fmt: skip
def test_one_text_is_read_in_either_era(text, expected):
    assert parse_text(text) == expected


@pytest.mark.parametrize("text", ["14:30", "14.30", "14.30 น.", " 9:05 "])
def test_clock_times_are_read_as_thai_readers_write_them(text):
    assert parse_time(text) in (time(14, 30), time(9, 5))


@pytest.mark.parametrize(
    ("day", "month", "year"), [("30", "2", "2569"), ("1", "13", "2569"), ("x", "1", "2569"),
                               ("1", "1", "99"), ("1", "1", "")],
)  # fmt: skip
def test_impossible_dates_are_refused(day, month, year):
    with pytest.raises(DateInputError):
        parse_date(day, month, year)


def _times(data):
    return {"slug": "forum-dates", "title_th": "เวทีประชาคม", **data}


def test_facilitator_schedules_a_town_hall_in_the_buddhist_era(client, auth, facilitator, in_db):
    auth.login(facilitator)

    response = client.post("/townhalls/new", data=_times({
        "starts-day": "20", "starts-month": "1", "starts-year": str(BE_YEAR + 1),
        "starts-time": "18:00",
        "ends-day": "20", "ends-month": "1", "ends-year": str(BE_YEAR + 1), "ends-time": "20.30",
    }))  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        townhall = session.scalar(sa.select(TownHall))
        assert townhall.starts_dt == datetime(THIS_YEAR + 1, 1, 20, 18, 0, tzinfo=BANGKOK)
        assert townhall.ends_dt == datetime(THIS_YEAR + 1, 1, 20, 20, 30, tzinfo=BANGKOK)
    form = client.get("/townhalls/forum-dates/edit").get_data(as_text=True)
    assert f'name="starts-year" value="{BE_YEAR + 1}"' in form
    assert 'value="18:00"' in form


def test_english_reader_schedules_in_the_common_era(client, auth, create_user, in_db):
    auth.login(create_user(roles=["facilitator"], language="en"))

    response = client.post("/townhalls/new", data=_times({
        "starts-day": "20", "starts-month": "1", "starts-year": str(THIS_YEAR + 1),
        "starts-time": "18:00",
        "ends-day": "20", "ends-month": "1", "ends-year": str(THIS_YEAR + 1), "ends-time": "20:00",
    }))  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        assert session.scalar(sa.select(TownHall.starts_dt)).year == THIS_YEAR + 1
    form = client.get("/townhalls/forum-dates/edit").get_data(as_text=True)
    assert f'name="starts-year" value="{THIS_YEAR + 1}"' in form
    assert "January" in form


def test_a_town_hall_in_3112_needs_confirmation(client, auth, facilitator, in_db, thai):
    """The review's town hall, "20 ธ.ค. 3112": the year was typed in the Buddhist Era twice."""
    auth.login(facilitator)
    data = _times({
        "starts-day": "20", "starts-month": "12", "starts-year": "3112", "starts-time": "18:00",
        "ends-day": "20", "ends-month": "12", "ends-year": "3112", "ends-time": "20:00",
    })  # fmt: skip

    refused = client.post("/townhalls/new", data=data)

    assert refused.status_code == 422
    assert thai("This date is more than %(years)s years from today.", years=2) in (
        refused.get_data(as_text=True)
    )
    assert 'name="starts-confirm" value="2569-12-20T18:00+07:00"' in refused.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 0

    confirmed = client.post("/townhalls/new", data={
        **data, "starts-confirm": "2569-12-20T18:00+07:00",
        "ends-confirm": "2569-12-20T20:00+07:00",
    })  # fmt: skip

    assert confirmed.status_code == 302
    with in_db() as session:
        assert session.scalar(sa.select(TownHall.starts_dt)).year == 2569


def test_process_phase_dates_show_and_accept_the_buddhist_era(client, auth, facilitator, in_db):
    auth.login(facilitator)

    response = client.post("/processes/new", data={
        "slug": "canals", "title_th": "คลองสะอาด", "support_threshold": 5,
        "edit_window_minutes": 60,
        "reframe_start-day": "1", "reframe_start-month": "2", "reframe_start-year": str(BE_YEAR),
    })  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        assert session.scalar(sa.select(Process.reframe_start)) == date(THIS_YEAR, 2, 1)
    form = client.get("/processes/canals/edit").get_data(as_text=True)
    assert f'name="reframe_start-year" value="{BE_YEAR}"' in form
    assert "กุมภาพันธ์" in form
