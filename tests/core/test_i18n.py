"""Language choice and Thai dates (Buddhist Era, Asia/Bangkok)."""

from datetime import UTC, date, datetime

import pytest

from participation.core.i18n import format_date, format_datetime, format_time, localized


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (datetime(2026, 11, 21, 7, 30, tzinfo=UTC), "th", "21 พ.ย. 2569, 14:30 น."),
        (datetime(2026, 11, 21, 7, 30, tzinfo=UTC), "en", "21 Nov 2026, 14:30"),
        # 20:00 UTC on 31 December is already New Year's Day in Bangkok.
        (datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "th", "1 ม.ค. 2570, 03:00 น."),
        (datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "en", "1 Jan 2027, 03:00"),
    ],
)
def test_moments_are_shown_in_bangkok_time_with_the_buddhist_era_in_thai(value, locale, expected):
    assert format_datetime(value, locale) == expected


def test_dates_use_the_buddhist_era_only_in_thai():
    assert format_date(date(2019, 5, 28), "th") == "28 พ.ค. 2562"
    assert format_date(date(2019, 5, 28), "en") == "28 May 2019"
    assert format_date(date(2019, 5, 28), "th", month="wide") == "28 พฤษภาคม 2562"


def test_times_carry_the_thai_clock_word():
    moment = datetime(2026, 1, 1, 2, 5, tzinfo=UTC)
    assert format_time(moment, "th") == "09:05 น."
    assert format_time(moment, "en") == "09:05"


def test_empty_dates_show_nothing():
    assert format_datetime(None, "th") == ""


def test_bilingual_fields_fall_back_to_the_other_language():
    class Thing:
        name_th = "ชุมชนต้นขาม"
        name_en = ""

    assert localized(Thing(), "name", "en") == "ชุมชนต้นขาม"
    assert localized(Thing(), "name", "th") == "ชุมชนต้นขาม"


def _lang(response):
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_thai_is_the_default_language(client):
    assert _lang(client.get("/")) == "th"


def test_browser_language_is_used_when_nothing_was_chosen(client):
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "fr, de;q=0.5"})) == "th"


def test_language_switch_beats_the_browser_language(client):
    response = client.post("/language", data={"language": "en", "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"

    assert _lang(client.get("/", headers={"Accept-Language": "th"})) == "en"


def test_saved_preference_beats_the_language_switch(client, auth, create_user):
    person = create_user(language="en")
    client.set_cookie("lang", "th")
    auth.login(person)

    assert _lang(client.get("/", headers={"Accept-Language": "th"})) == "en"


def test_switching_language_while_signed_in_saves_the_preference(client, auth, resident, in_db):
    from participation.accounts.models import User

    auth.login(resident)
    client.post("/language", data={"language": "en"})
    client.delete_cookie("lang")

    assert _lang(client.get("/")) == "en"
    with in_db() as session:
        assert session.get(User, resident.id).preferred_language == "en"


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"language": "xx"})
    assert _lang(client.get("/")) == "th"


def test_language_switch_is_on_every_page(client):
    for path in ("/", "/login", "/register", "/privacy", "/password/forgot", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert 'action="/language"' in page, path
