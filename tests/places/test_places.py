"""Pins, community boundaries and the map of needs."""

import io
import json

import pytest
import sqlalchemy as sa

from participation.municipality.models import Area
from participation.places.models import Place
from participation.proposals.models import Contribution

# Two illustrative squares side by side (longitude, latitude), like the demo's communities.
NORTH = [[98.90, 18.76], [98.94, 18.76], [98.94, 18.80], [98.90, 18.80], [98.90, 18.76]]
SOUTH = [[98.90, 18.72], [98.94, 18.72], [98.94, 18.76], [98.90, 18.76], [98.90, 18.72]]
IN_NORTH = ("18.7800", "98.9200")
IN_SOUTH = ("18.7400", "98.9200")
OUTSIDE = ("13.7563", "100.5018")  # Bangkok


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(key, ring, kind="Polygon", prop="slug"):
    return {"type": "Feature", "properties": {prop: key},
            "geometry": {"type": kind, "coordinates": [ring]}}  # fmt: skip


GOOD = _collection(_feature("north", NORTH), _feature("ชุมชนใต้", SOUTH, prop="name"))


def _upload(client, content):
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    return client.post("/admin/boundaries", data={"boundaries": (io.BytesIO(content), "b.geojson")},
                       content_type="multipart/form-data")  # fmt: skip


def _boundaries(in_db):
    with in_db() as session:
        return dict(session.execute(sa.select(Area.slug, Area.boundary)).all())


@pytest.fixture
def bounded(client, auth, admin, municipality, in_db):
    """The test municipality with both communities' boundaries uploaded by an administrator."""
    auth.login(admin)
    assert _upload(client, GOOD).status_code == 302
    auth.logout()
    return municipality


def test_administrator_uploads_boundaries_by_slug_or_thai_name(client, auth, admin, municipality,
                                                               in_db):  # fmt: skip
    auth.login(admin)

    response = _upload(client, GOOD)

    assert response.status_code == 302
    saved = _boundaries(in_db)
    assert json.loads(saved["north"])["type"] == "Polygon"
    assert json.loads(saved["south"])["type"] == "Polygon"
    page = client.get("/admin/boundaries").get_data(as_text=True)
    assert "ชุมชนเหนือ" in page


BOWTIE = [[98.90, 18.76], [98.94, 18.80], [98.94, 18.76], [98.90, 18.80], [98.90, 18.76]]


@pytest.mark.parametrize(
    ("content", "message", "values"),
    [
        (b'{"type": "FeatureCollection",\n "features": [}',
         "The file is not valid JSON (line %(line)s, column %(column)s): %(problem)s.",
         {"line": 2, "column": 15, "problem": "Expecting value"}),
        ({"type": "Feature"},
         "The file must be a GeoJSON FeatureCollection, one feature per community.", {}),
        (_collection(_feature("north", NORTH), _feature("south", BOWTIE)),
         "Feature %(number)s (%(name)s): the shape is not valid (%(reason)s).",
         {"number": 2, "name": "ชุมชนใต้", "reason": "Self-intersection[98.92 18.78]"}),
        (_collection(_feature("nowhere", NORTH)),
         "Feature %(number)s: no community is called “%(name)s” (give the community's slug or "
         "Thai name as the property slug or name).", {"number": 1, "name": "nowhere"}),
        (_collection({"type": "Feature", "properties": {"slug": "north"},
                      "geometry": {"type": "Point", "coordinates": [98.9, 18.7]}}),
         "Feature %(number)s (%(name)s): a boundary must be a Polygon or a MultiPolygon, not "
         "%(kind)s.", {"number": 1, "name": "ชุมชนเหนือ", "kind": "Point"}),
        (_collection(_feature("north", [[1800, 18.7], [1801, 18.7], [1801, 19], [1800, 18.7]])),
         "Feature %(number)s (%(name)s): coordinates must be longitude and latitude in degrees.",
         {"number": 1, "name": "ชุมชนเหนือ"}),
    ],
)  # fmt: skip
def test_a_bad_boundary_file_is_refused_with_what_is_wrong_and_nothing_replaced(
    client, auth, admin, bounded, in_db, thai, content, message, values
):
    before = _boundaries(in_db)
    auth.login(admin)

    response = _upload(client, content)

    assert response.status_code == 422
    from markupsafe import escape

    assert str(escape(thai(message, **values))) in response.get_data(as_text=True)
    assert _boundaries(in_db) == before


def _post_issue(client, process, **fields):
    data = {"title": "ไฟทางดับหน้าตลาด", "body": "ไฟถนนดับมาหลายคืน มืดมาก", **fields}
    return client.post(f"/processes/{process.slug}/issues/new", data=data)


def _place_of(in_db):
    with in_db() as session:
        return session.execute(
            sa.select(Contribution.area_id, Place.latitude, Place.longitude, Place.landmark)
            .join(Place, Place.contribution_id == Contribution.id)
        ).one()  # fmt: skip


def test_a_pin_gives_the_issue_its_community(client, auth, resident, bounded, create_process,
                                             in_db):  # fmt: skip
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, latitude=IN_SOUTH[0], longitude=IN_SOUTH[1],
                           landmark="หน้าตลาดสดแม่เหียะ")  # fmt: skip

    assert response.status_code == 302
    place = _place_of(in_db)
    assert place.area_id == process.area_ids[1]  # ชุมชนใต้
    assert (place.latitude, place.longitude) == (18.74, 98.92)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "หน้าตลาดสดแม่เหียะ" in page
    assert "18.74000, 98.92000" in page


def test_the_residents_own_choice_of_community_wins_over_the_pin(
    client, auth, resident, bounded, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    _post_issue(client, process, latitude="๑๘.๗๘", longitude="๙๘.๙๒",  # Thai digits
                area_id=process.area_ids[1])  # fmt: skip

    assert _place_of(in_db).area_id == process.area_ids[1]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latitude": OUTSIDE[0], "longitude": OUTSIDE[1]},
         "This place is outside the municipality. Please put the pin where the need is, inside "
         "the municipality's communities."),
        ({"latitude": "18.78"}, "Please give both the latitude and the longitude, or neither."),
        ({"latitude": "north", "longitude": "98.9"},
         "These are not map coordinates: give them in degrees, such as 18.7611 and 98.9301."),
        ({"latitude": "98.92", "longitude": "180.5"},
         "These are not map coordinates: give them in degrees, such as 18.7611 and 98.9301."),
    ],
)  # fmt: skip
def test_a_pin_outside_or_malformed_is_refused(client, auth, resident, bounded, create_process,
                                               in_db, thai, fields, message):  # fmt: skip
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, **fields)

    assert response.status_code == 422
    from markupsafe import escape

    assert str(escape(thai(message))) in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0


def test_without_boundaries_any_pin_is_taken_and_no_community_is_guessed(
    client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    assert (
        _post_issue(client, process, latitude=OUTSIDE[0], longitude=OUTSIDE[1]).status_code == 302
    )
    assert _place_of(in_db).area_id is None


def test_the_map_page_lists_every_pin_and_where_needs_gather_without_javascript(
    client, auth, resident, bounded, create_process, create_contribution, create_user
):
    process = create_process("reframe")
    create_contribution(
        process,
        resident,
        kind="issue",
        title="ท่อระบายน้ำอุดตัน",
        latitude=IN_NORTH[0],
        longitude=IN_NORTH[1],
        landmark="ซอยวัด",
    )
    create_contribution(
        process, resident, kind="issue", title="ทางเท้าแตก", latitude=IN_NORTH[0], longitude="98.93"
    )
    create_contribution(process, resident, kind="issue", title="ไม่มีหมุด")  # fmt: skip

    page = client.get(f"/processes/{process.slug}/map").get_data(as_text=True)

    assert "ท่อระบายน้ำอุดตัน" in page
    assert "ซอยวัด" in page
    assert "ไม่มีหมุด" not in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap" in page
    assert "vendor/leaflet/leaflet.js" in page
    # The list of communities: two pins in ชุมชนเหนือ, none in ชุมชนใต้.
    table = page.split('id="communities-title"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert "ชุมชนเหนือ" in rows[0]
    assert rows[0].endswith("<td>2</td></tr>")
    geojson = client.get(f"/api/v1/processes/{process.slug}/map.geojson?boundaries=true")
    features = geojson.get_json()["features"]
    assert sorted(f["properties"]["title"] for f in features) == ["ทางเท้าแตก", "ท่อระบายน้ำอุดตัน"]
    assert features[0]["geometry"]["type"] == "Point"
    assert len(geojson.get_json()["boundaries"]["features"]) == 2


def test_a_hidden_item_leaves_the_maps_data_and_stays_listed_only_for_its_author(
    app, client, auth, resident, create_process, create_contribution
):
    process = create_process("reframe")
    item_id = create_contribution(process, resident, kind="issue", title="ขยะกองริมถนน",
                                  latitude="18.78", longitude="98.92")  # fmt: skip
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide

    with app.app_context():
        hide(db.session.get(User, process.facilitator.id), db.session.get(Contribution, item_id),
             "ทดสอบ")  # fmt: skip
        db.session.commit()

    api = f"/api/v1/processes/{process.slug}/map.geojson"
    assert client.get(api).get_json()["features"] == []
    assert "ขยะกองริมถนน" not in client.get(f"/processes/{process.slug}/map").get_data(as_text=True)
    auth.login(resident)
    assert client.get(api).get_json()["features"] == []  # the API's map is what everyone sees
    assert "ขยะกองริมถนน" in client.get(f"/processes/{process.slug}/map").get_data(as_text=True)


def test_under_the_map_the_pins_come_a_page_at_a_time_and_counts_cover_them_all(
    client, bounded, resident, create_process, create_contribution, monkeypatch
):
    from participation.places import views

    monkeypatch.setattr(views, "MAP_LIST_PAGE", 2)
    process = create_process("reframe")
    for number in range(5):
        create_contribution(process, resident, kind="issue", title=f"หลุมบนถนนจุดที่ {number}",
                            latitude=IN_NORTH[0], longitude=IN_NORTH[1])  # fmt: skip

    first = client.get(f"/processes/{process.slug}/map").get_data(as_text=True)
    last = client.get(f"/processes/{process.slug}/map?page=3").get_data(as_text=True)
    beyond = client.get(f"/processes/{process.slug}/map?page=9").get_data(as_text=True)

    assert first.count('class="card"') == 2
    assert "หลุมบนถนนจุดที่ 4" in first  # the newest first
    assert "page=2" in first
    assert last.count('class="card"') == 1
    assert "หลุมบนถนนจุดที่ 0" in last
    assert beyond.count('class="card"') == 1  # past the end: the last page
    for page in (first, last):
        table = page.split('id="communities-title"')[1].split("</table>")[0]
        assert table.split("<tr>")[2].endswith("<td>5</td></tr>")  # every pin, not one page


def test_another_tile_server_is_allowed_by_the_content_security_policy(
    config, make_app, create_process
):
    config.MAP_TILE_URL = "https://tiles.example.go.th/{z}/{x}/{y}.png"
    config.MAP_TILE_ATTRIBUTION = "เทศบาลทดสอบ"
    app = make_app(config)
    process = create_process("reframe")

    response = app.test_client().get(f"/processes/{process.slug}/map")

    assert "img-src 'self' data: https://tiles.example.go.th" in response.headers[
        "Content-Security-Policy"]  # fmt: skip
    assert "tiles.example.go.th/{z}" in response.get_data(as_text=True)


def test_many_pins_get_their_community_at_once_as_one_by_one():
    """The bulk assignment (an STRtree) agrees with the one-pin check, edges included."""
    import random
    from types import SimpleNamespace

    from participation.places import geo

    def square(ring):
        return json.dumps({"type": "Polygon", "coordinates": [ring]})

    areas = [SimpleNamespace(id=1, boundary=square(NORTH)),
             SimpleNamespace(id=2, boundary=square(SOUTH)),
             SimpleNamespace(id=3, boundary=None)]  # fmt: skip
    rng = random.Random(5)
    pins = [(18.70 + rng.random() * 0.12, 98.88 + rng.random() * 0.08) for _ in range(500)]
    pins += [(18.76, 98.92), (18.80, 98.90), (13.75, 100.5)]  # a shared edge, a corner, Bangkok

    found = geo.communities_for(areas, pins)

    assert found == [getattr(geo.community_at(areas, lat, lng), "id", None) for lat, lng in pins]
    assert found[-3:] == [1, 1, None]
    assert {1, 2, None} <= set(found)
