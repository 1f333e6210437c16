"""Staff forms for processes and town halls: every problem at once, slugs made for them."""

import sqlalchemy as sa

from participation.processes.models import Process
from participation.townhall.models import TownHall


def _count(in_db, model):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_process_form_shows_every_problem_at_once(client, auth, facilitator, in_db, thai):
    auth.login(facilitator)

    response = client.post("/processes/new", data={
        "slug": "Bad Slug!", "title_th": "", "title_en": "", "support_threshold": 5,
        "edit_window_minutes": 60, "reframe_start": "2026-12-10", "reframe_end": "2026-12-01",
    })  # fmt: skip

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert thai("Give the process a title in Thai or English.") in page
    assert thai("Use 3 to 80 lower-case letters, digits and dashes for the web address.") in page
    assert thai("A phase cannot end before it starts.") in page
    assert _count(in_db, Process) == 0


def test_town_hall_form_shows_every_problem_at_once(client, auth, facilitator, in_db, thai):
    auth.login(facilitator)

    response = client.post("/townhalls/new", data={
        "slug": "ok-slug", "title_th": "", "title_en": "", "process_id": "999",
        "starts": "2026-12-20T18:00", "ends": "2026-12-20T17:00",
    })  # fmt: skip

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert thai("Give the town hall a title in Thai or English.") in page
    assert thai("The town hall must end after it starts.") in page
    assert thai("Please choose one of the listed processes.") in page
    assert _count(in_db, TownHall) == 0
