"""Staff forms for processes and town halls: every problem at once, slugs made for them."""

import pytest
import sqlalchemy as sa

from participation.core.slugs import SLUG, make_slug
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


def _process_slugs(in_db):
    with in_db() as session:
        return session.scalars(sa.select(Process.slug).order_by(Process.id)).all()


def test_a_thai_title_gets_a_valid_unique_web_address(client, auth, facilitator, in_db):
    """Staff are not asked for a slug: one is made from the Thai title, and a second process
    with the same title gets its own."""
    auth.login(facilitator)
    data = {"title_th": "ทางม้าลายหน้าโรงเรียน", "support_threshold": 5,
            "edit_window_minutes": 60}  # fmt: skip

    first = client.post("/processes/new", data=data)
    second = client.post("/processes/new", data=data)

    assert first.status_code == second.status_code == 302
    slugs = _process_slugs(in_db)
    assert len(slugs) == 2
    assert slugs[1] == f"{slugs[0]}-2"
    assert all(SLUG.fullmatch(slug) for slug in slugs)
    assert slugs[0].startswith("thang")  # ทาง, in Latin letters
    assert client.get(first.headers["Location"]).status_code == 200


def test_the_web_address_waits_under_advanced_and_can_still_be_chosen(
    client, auth, facilitator, in_db
):
    auth.login(facilitator)
    form = client.get("/processes/new").get_data(as_text=True)
    assert form.index('<details class="advanced"') < form.index('name="slug"')

    data = {"title_th": "คลองสะอาด", "slug": "clean-canals", "support_threshold": 5,
            "edit_window_minutes": 60}  # fmt: skip
    client.post("/processes/new", data=data)

    assert _process_slugs(in_db) == ["clean-canals"]


def test_a_town_hall_gets_a_web_address_from_its_thai_title(client, auth, facilitator, in_db):
    auth.login(facilitator)
    data = {"title_th": "เวทีประชาคมชุมชนเหนือ", "starts": "2026-12-20T18:00",
            "ends": "2026-12-20T20:00"}  # fmt: skip

    client.post("/townhalls/new", data=data)
    client.post("/townhalls/new", data=data)

    with in_db() as session:
        slugs = session.scalars(sa.select(TownHall.slug).order_by(TownHall.id)).all()
    assert len(slugs) == 2
    assert slugs[1] == f"{slugs[0]}-2"
    assert all(SLUG.fullmatch(slug) for slug in slugs)


@pytest.mark.parametrize(
    ("titles", "expected"),
    [(("Safe routes to school!", "x"), "safe-routes-to-school"),
     (("", "?!"), "process"),
     (("", "ก" * 200), None)],
)  # fmt: skip
def test_slugs_are_always_valid(titles, expected):
    slug = make_slug(titles, lambda slug: False, fallback="process")
    assert SLUG.fullmatch(slug)
    assert expected is None or slug == expected
