"""Administrators set where maps open and the communities' populations; the demo has both."""

import sqlalchemy as sa

from participation.municipality.models import Area, Municipality


def _settings(in_db):
    with in_db() as session:
        town = session.scalar(sa.select(Municipality))
        populations = dict(session.execute(sa.select(Area.slug, Area.population)).all())
        return (town.map_latitude, town.map_longitude, town.map_zoom), populations


def test_an_administrator_sets_the_maps_centre_zoom_and_populations(
    client, auth, admin, municipality, in_db, create_process
):
    north, south = municipality
    auth.login(admin)

    response = client.post("/admin/map-settings", data={
        "map_latitude": "๑๘.๗๖", "map_longitude": "98.945", "map_zoom": "15",
        f"population-{north.id}": "2150", f"population-{south.id}": "",
    })  # fmt: skip

    assert response.status_code == 302
    assert _settings(in_db) == ((18.76, 98.945, 15), {"north": 2150, "south": None})
    process = create_process("reframe")
    page = client.get(f"/processes/{process.slug}/map").get_data(as_text=True)
    assert 'data-center="[18.76, 98.945, 15]"' in page


def test_wrong_map_settings_are_refused_together_and_nothing_is_saved(
    client, auth, admin, municipality, in_db, thai
):
    north, _south = municipality
    auth.login(admin)

    response = client.post("/admin/map-settings", data={
        "map_latitude": "18.76", "map_longitude": "", "map_zoom": "25",
        f"population-{north.id}": "many",
    })  # fmt: skip

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert thai("Please give both the latitude and the longitude, or neither.") in page
    assert thai("Give the zoom as a whole number from 1 (the world) to 19 (a street).") in page
    assert thai("%(name)s: give the population as a whole number of people.",
                name="ชุมชนเหนือ") in page  # fmt: skip
    assert _settings(in_db) == ((None, None, None), {"north": None, "south": None})


def test_the_demo_opens_its_maps_on_its_illustrative_town(app, in_db):
    from participation.demo.seed import DEMO_MAP_CENTRE, seed
    from participation.extensions import db

    with app.app_context():
        seed()
        db.session.commit()

    (latitude, longitude, zoom), populations = _settings(in_db)
    assert (latitude, longitude, zoom) == DEMO_MAP_CENTRE
    assert all(populations.values())
    with in_db() as session:
        boundaries = session.scalars(sa.select(Area.boundary)).all()
    from participation.places import geo

    areas = [type("A", (), {"id": n, "boundary": b})() for n, b in enumerate(boundaries)]
    assert geo.community_at(areas, latitude, longitude) is not None  # the centre is in town
