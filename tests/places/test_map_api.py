"""The maps' GeoJSON in the API: a process's pins and the municipality's open issues, in a box,
with the list's filters, clustered where they crowd; nothing hidden, withdrawn or private."""

import random

import pytest
import sqlalchemy as sa

from participation.places.mapdata import CLUSTER_FROM
from participation.proposals.models import Contribution

NORTH_PIN = ("18.78", "98.92")
SOUTH_PIN = ("18.74", "98.92")
CITY = "98.90,18.72,98.98,18.80"


def _map(client, slug, **params):
    return client.get(f"/api/v1/processes/{slug}/map.geojson", query_string=params)


def _titles(answer):
    return sorted(f["properties"]["title"] for f in answer.get_json()["features"])


def _pin_many(app, process, author, count, seed=7, west=98.90, south=18.72, side=0.08):
    """``count`` open issues with pins scattered in a square, written straight to the tables."""
    from participation.extensions import db
    from participation.places.models import Place
    from participation.proposals.models import Issue

    rng = random.Random(seed)
    with app.app_context():
        issues = [Issue(process_id=process.id, author_id=author.id, title=f"ประเด็น {n}")
                  for n in range(count)]  # fmt: skip
        db.session.add_all(issues)
        db.session.flush()
        db.session.add_all(
            Place(contribution_id=issue.id, latitude=south + rng.random() * side,
                  longitude=west + rng.random() * side)
            for issue in issues
        )  # fmt: skip
        db.session.commit()


def test_a_resident_sees_only_the_pins_inside_the_box_of_the_map(
    client, resident, create_process, create_contribution
):
    process = create_process("reframe")
    create_contribution(process, resident, kind="issue", title="ไฟดับเหนือ", landmark="ซอยวัด",
                        latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip
    create_contribution(process, resident, kind="issue", title="ท่อตันใต้",
                        latitude=SOUTH_PIN[0], longitude=SOUTH_PIN[1])  # fmt: skip
    create_contribution(process, resident, kind="issue", title="ไม่มีหมุด")

    north = _map(client, process.slug, bbox="98.90,18.76,98.94,18.80")
    everything = _map(client, process.slug)

    assert north.status_code == 200
    assert _titles(north) == ["ไฟดับเหนือ"]
    feature = north.get_json()["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [98.92, 18.78]}
    assert feature["properties"]["landmark"] == "ซอยวัด"
    assert feature["properties"]["url"].startswith(f"/processes/{process.slug}/issues/")
    assert _titles(everything) == ["ท่อตันใต้", "ไฟดับเหนือ"]


@pytest.mark.parametrize(
    "bbox",
    ["98.9,18.7,98.98", "west,18.7,98.98,18.8", "98.98,18.7,98.90,18.8", "98.9,-91,98.98,18.8",
     "98.9,18.7,nan,18.8", "98.9,18.7,inf,18.8", ""],
)  # fmt: skip
def test_a_box_that_cannot_be_read_is_refused_with_a_clear_message_in_thai(
    client, create_process, thai, bbox
):
    process = create_process("reframe")

    answer = _map(client, process.slug, bbox=bbox)

    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    message = thai(
        "Give bbox as four numbers separated by commas: west,south,east,north (longitudes and "
        "latitudes in degrees, west not greater than east, south not greater than north)."
    )
    body = answer.get_json()
    assert body["detail"] == message
    assert body["errors"] == [{"field": "bbox", "message": message}]


def test_the_maps_filters_are_the_lists_filters(client, resident, create_process,
                                                create_contribution, move_to):  # fmt: skip
    process = create_process("reframe")
    north, south = process.area_ids
    create_contribution(process, resident, kind="issue", title="ถนนพังเหนือ", area_id=north,
                        latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip
    move_to(process, "reimagine")
    create_contribution(process, resident, kind="proposal", title="ซ่อมถนนเหนือ", area_id=north,
                        latitude=NORTH_PIN[0], longitude="98.93")  # fmt: skip
    create_contribution(process, resident, kind="proposal", title="ปลูกต้นไม้ใต้", area_id=south,
                        category_id=process.category_ids[1],
                        latitude=SOUTH_PIN[0], longitude=SOUTH_PIN[1])  # fmt: skip

    assert _titles(_map(client, process.slug, kind="issues")) == ["ถนนพังเหนือ"]
    assert _titles(_map(client, process.slug, kind="proposals", area=north)) == ["ซ่อมถนนเหนือ"]
    assert _titles(_map(client, process.slug, category=process.category_ids[1])) == [
        "ปลูกต้นไม้ใต้"]  # fmt: skip
    assert _titles(_map(client, process.slug, q="ต้นไม้")) == ["ปลูกต้นไม้ใต้"]
    assert _titles(_map(client, process.slug, status="accepted")) == []
    assert _map(client, process.slug, kind="ideas").status_code == 422


def test_hidden_withdrawn_and_merged_items_are_on_no_map_not_even_their_authors(
    app, client, auth, resident, create_process, create_contribution
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.proposals import operations

    process = create_process("reframe")
    ids = {title: create_contribution(process, resident, kind="issue", title=title,
                                      latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])
           for title in ("ขยะกองริมถนน", "ถอนแล้ว", "ยังอยู่")}  # fmt: skip
    with app.app_context():
        hide(db.session.get(User, process.facilitator.id),
             db.session.get(Contribution, ids["ขยะกองริมถนน"]), "ทดสอบ")  # fmt: skip
        operations.withdraw(db.session.get(Contribution, ids["ถอนแล้ว"]),
                            db.session.get(User, resident.id))  # fmt: skip
        db.session.commit()

    auth.login(resident)
    answer = _map(client, process.slug)

    assert _titles(answer) == ["ยังอยู่"]
    assert resident.email not in answer.get_data(as_text=True)
    assert set(answer.get_json()["features"][0]["properties"]) == {
        "cluster", "id", "kind", "title", "status", "landmark", "area", "affected_count",
        "support_count", "url"}  # fmt: skip


def test_a_draft_process_has_no_map_for_residents(client, create_process):
    draft = create_process("reframe", published=False)

    assert _map(client, draft.slug).status_code == 404


def test_a_crowded_city_is_sent_as_clusters_whose_counts_add_up_to_the_pins(
    app, client, resident, create_process, in_db
):
    process = create_process("reframe")
    _pin_many(app, process, resident, CLUSTER_FROM + 150)

    zoomed_out = _map(client, process.slug, bbox=CITY, zoom=13).get_json()
    street = _map(client, process.slug, bbox="98.90,18.72,98.905,18.725", zoom=18).get_json()

    assert zoomed_out["clustered"] is True
    assert zoomed_out["total"] == CLUSTER_FROM + 150
    counts = [f["properties"]["count"] if f["properties"]["cluster"] else 1
              for f in zoomed_out["features"]]  # fmt: skip
    assert sum(counts) == CLUSTER_FROM + 150
    assert any(f["properties"]["cluster"] for f in zoomed_out["features"])
    west, south, east, north = street["bbox"]  # widened to whole cluster cells
    assert max(west - 98.90, south - 18.72) <= 0
    assert min(east - 98.905, north - 18.725) >= 0
    box = {"s": south, "n": north, "w": west, "e": east}
    with in_db() as session:
        in_street = session.scalar(sa.text(
            "SELECT count(*) FROM contribution_places WHERE latitude BETWEEN :s AND :n "
            "AND longitude BETWEEN :w AND :e"), box)  # fmt: skip
    assert street["clustered"] is False
    assert len(street["features"]) == street["total"] == in_street


def test_the_home_page_maps_the_open_issues_of_every_published_process(
    app, client, resident, create_process, create_contribution, municipality
):
    from participation.extensions import db
    from participation.municipality.models import Municipality
    from participation.proposals.models import Status

    first, second = create_process("reframe"), create_process("reframe")
    draft = create_process("reframe", published=False)
    create_contribution(first, resident, kind="issue", title="ไฟดับ",
                        latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip
    answered = create_contribution(second, resident, kind="issue", title="แก้แล้ว",
                                   latitude=SOUTH_PIN[0], longitude=SOUTH_PIN[1])  # fmt: skip
    create_contribution(second, resident, kind="issue", title="น้ำท่วมขัง",
                        latitude=SOUTH_PIN[0], longitude=SOUTH_PIN[1])  # fmt: skip
    create_contribution(draft, resident, kind="issue", title="ในฉบับร่าง",
                        latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip
    with app.app_context():
        db.session.get(Contribution, answered).status = Status.ACCEPTED
        town = db.session.scalar(sa.select(Municipality))
        town.map_latitude, town.map_longitude, town.map_zoom = 18.76, 98.945, 15
        db.session.commit()

    home = client.get("/").get_data(as_text=True)
    answer = client.get("/api/v1/map.geojson", query_string={"bbox": CITY, "zoom": 14})

    assert 'id="home-map"' in home
    assert 'data-geojson="/api/v1/map.geojson"' in home
    assert 'data-center="[18.76, 98.945, 15]"' in home
    assert f"/processes/{first.slug}/map?kind=issues" in home  # without JavaScript
    assert _titles(answer) == ["น้ำท่วมขัง", "ไฟดับ"]
    assert client.get("/api/v1/map.geojson", query_string={"bbox": "1,2,3"}).status_code == 400


def test_the_map_page_asks_the_api_with_its_filters_and_lists_pins_without_javascript(
    client, resident, create_process, create_contribution
):
    process = create_process("reframe")
    north = process.area_ids[0]
    item = create_contribution(process, resident, kind="issue", title="ไฟดับ",
                               latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip

    page = client.get(f"/processes/{process.slug}/map?kind=issues&area={north}")
    text = page.get_data(as_text=True)
    focused = client.get(f"/processes/{process.slug}/map?focus={item}").get_data(as_text=True)

    assert (
        f'data-geojson="/api/v1/processes/{process.slug}/map.geojson?kind=issues&amp;area={north}"'
        in text
    )  # noqa: E501
    assert "ไฟดับ" not in text  # the pin is not in the chosen community
    assert "ไฟดับ" in focused
    assert f'data-focus="{item}" data-focus-lat="18.78" data-focus-lng="98.92"' in focused


def test_a_panned_map_gets_the_same_answer_until_an_item_changes(
    app, client, resident, create_process, create_contribution
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide

    process = create_process("reframe")
    item = create_contribution(process, resident, kind="issue", title="ไฟดับ",
                               latitude=NORTH_PIN[0], longitude=NORTH_PIN[1])  # fmt: skip
    first = _map(client, process.slug, bbox=CITY, zoom=14)
    panned = _map(client, process.slug, bbox="98.9001,18.7201,98.9801,18.8001", zoom=14)
    assert panned.get_json() == first.get_json()
    assert _titles(panned) == ["ไฟดับ"]

    with app.app_context():
        hide(db.session.get(User, process.facilitator.id), db.session.get(Contribution, item),
             "ข้อมูลส่วนบุคคล")  # fmt: skip
        db.session.commit()

    assert _titles(_map(client, process.slug, bbox=CITY, zoom=14)) == []


def test_boundaries_come_with_the_pins_when_asked(client, auth, admin, create_process):
    from tests.places.test_places import GOOD, _upload

    auth.login(admin)
    assert _upload(client, GOOD).status_code == 302
    process = create_process("reframe")

    with_shapes = _map(client, process.slug, boundaries="true").get_json()

    assert sorted(f["properties"]["name"] for f in with_shapes["boundaries"]["features"]) == [
        "ชุมชนเหนือ", "ชุมชนใต้"]  # fmt: skip
    assert _map(client, process.slug).get_json().get("boundaries") is None
