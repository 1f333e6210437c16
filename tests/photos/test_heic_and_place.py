"""An iPhone's HEIC photo is taken like any other, and a phone photo's location can become the
issue's pin when its author says so (never kept in the photo)."""

import io
import json

import pytest
import sqlalchemy as sa
from markupsafe import escape
from PIL import Image

from participation.photos.models import Photo
from participation.places.models import Place
from participation.proposals.models import Contribution
from tests.photos import images
from tests.photos.serving import post_issue as _post_issue
from tests.photos.serving import stored_files as _stored_files

NORTH = [[98.90, 18.76], [98.94, 18.76], [98.94, 18.80], [98.90, 18.80], [98.90, 18.76]]
SOUTH = [[98.90, 18.72], [98.94, 18.72], [98.94, 18.76], [98.90, 18.76], [98.90, 18.72]]
AT_THE_MARKET = images.gps(18.7812, 98.9187)  # inside the northern community
IN_BANGKOK = images.gps(13.7563, 100.5018)
OUTSIDE = "This place is outside the municipality. Please put the pin where the need is, inside " \
    "the municipality's communities."  # fmt: skip


@pytest.fixture
def bounded(client, auth, admin, municipality):
    """The test municipality with both communities' boundaries uploaded by an administrator."""
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"slug": slug},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for slug, ring in (("north", NORTH), ("south", SOUTH))
    ]}  # fmt: skip
    auth.login(admin)
    response = client.post(
        "/admin/boundaries", content_type="multipart/form-data",
        data={"boundaries": (io.BytesIO(json.dumps(collection).encode()), "b.geojson")},
    )  # fmt: skip
    assert response.status_code == 302
    auth.logout()
    return municipality


def _issue(in_db):
    with in_db() as session:
        issue = session.scalars(sa.select(Contribution)).one()
        place = session.get(Place, issue.id)
        return issue.id, issue.area_id, place and (place.latitude, place.longitude, place.landmark)


def test_an_iphone_heic_photo_is_stored_upright_as_jpeg_without_exif_or_gps(
    app, client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("IMG_4521.HEIC", images.iphone_heic(200, 100))])

    assert response.status_code == 302
    with in_db() as session:
        photo = session.scalars(sa.select(Photo)).one()
        token, size = photo.token, (photo.width, photo.height)
    assert size == (100, 200)  # turned upright, as the iPhone showed it
    for path in _stored_files(app):
        data = path.read_bytes()
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"  # re-encoded, never the uploaded HEIC
        assert len(stored.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
        assert b"PhoneMaker" not in data
        assert b"Exif" not in data
        assert stored.height > stored.width
        top = stored.getpixel((stored.width // 2, stored.height // 8))
        assert top[2] > 150  # the blue half, on the left before turning, is now on top
        assert top[0] < 100
    served = client.get(f"/photos/{token}/display.jpg")
    assert served.headers["Content-Type"] == "image/jpeg"
    served.close()


def test_a_heic_over_the_pixel_limit_is_refused_before_it_is_decoded(
    app, client, auth, resident, create_process, in_db, thai, monkeypatch
):
    from pillow_heif.as_plugin import HeifImageFile

    decoded = []
    original_load = HeifImageFile.load
    monkeypatch.setattr(
        HeifImageFile, "load", lambda self: decoded.append(self.size) or original_load(self)
    )
    app.config["PHOTO_MAX_PIXELS"] = 10_000
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("IMG_4522.HEIC", images.iphone_heic(200, 100))])

    assert response.status_code == 422
    assert str(escape(thai("This photo is too large in pixels. Please send a smaller one."))) in (
        response.get_data(as_text=True))  # fmt: skip
    assert decoded == []  # refused from its header: the pixels were never decoded
    assert _stored_files(app) == []
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0


def test_a_half_sent_heic_is_refused_and_nothing_is_stored(
    app, client, auth, resident, create_process, in_db, thai
):
    process = create_process("reframe")
    auth.login(resident)
    heic = images.iphone_heic(640, 480)

    response = _post_issue(client, process, [("IMG_4523.HEIC", heic[: len(heic) // 2])])

    assert response.status_code == 422
    assert str(escape(thai("This photo is damaged or incomplete. Please send it again."))) in (
        response.get_data(as_text=True))  # fmt: skip
    assert _stored_files(app) == []


@pytest.mark.parametrize(
    "photo",
    [
        ("IMG_0007.JPG", images.phone_jpeg(where=AT_THE_MARKET)),
        ("IMG_4524.HEIC", images.iphone_heic(where=AT_THE_MARKET)),
    ],
)  # fmt: skip
def test_a_resident_uses_the_place_their_photo_was_taken_as_the_issues_pin(
    app, client, auth, resident, bounded, create_process, in_db, photo
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [photo], landmark="หน้าตลาดสดแม่เหียะ")

    issue_id, area_id, place = _issue(in_db)
    assert response.headers["Location"].endswith(f"/issues/{issue_id}/photo-place")
    assert place == (None, None, "หน้าตลาดสดแม่เหียะ")  # nothing is pinned before they decide
    for path in _stored_files(app):  # and the stored photo knows nothing of the place
        data = path.read_bytes()
        assert len(Image.open(io.BytesIO(data)).getexif()) == 0
        assert b"GPS" not in data
    offer = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "18.78120, 98.91870" in offer
    assert "ชุมชนเหนือ" in offer

    done = client.post(response.headers["Location"], data={"use": "1"})

    assert done.headers["Location"].endswith(f"/issues/{issue_id}")
    issue_id, area_id, place = _issue(in_db)
    assert place == (pytest.approx(18.7812), pytest.approx(98.9187), "หน้าตลาดสดแม่เหียะ")
    assert area_id == process.area_ids[0]  # the pin gave the community
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "18.78120, 98.91870" in page
    # The offer is used once: asking again leads back to the issue.
    assert client.get(response.headers["Location"]).status_code == 302


def test_a_resident_who_declines_keeps_no_pin_and_the_location_is_forgotten(
    client, auth, resident, bounded, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)
    response = _post_issue(client, process,
                           [("IMG_0008.JPG", images.phone_jpeg(where=AT_THE_MARKET))])  # fmt: skip
    offer_url = response.headers["Location"]

    client.post(offer_url, data={"use": "0"})

    assert _issue(in_db)[2] is None
    with client.session_transaction() as session:
        assert "photo_place" not in session
    client.post(offer_url, data={"use": "1"})  # too late: nothing is on offer any more
    assert _issue(in_db)[2] is None


@pytest.mark.parametrize(
    ("where", "fields"),
    [
        (IN_BANGKOK, {}),  # outside the municipality: not offered
        (None, {}),  # no location in the photo
        (AT_THE_MARKET, {"latitude": "18.7400", "longitude": "98.9200"}),  # already pinned
    ],
)  # fmt: skip
def test_no_offer_without_a_usable_location_or_when_the_issue_is_already_pinned(
    client, auth, resident, bounded, create_process, in_db, where, fields
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("IMG.JPG", images.phone_jpeg(where=where))],
                           **fields)  # fmt: skip

    issue_id = _issue(in_db)[0]
    assert response.headers["Location"].endswith(f"/issues/{issue_id}")
    assert client.get(f"/processes/{process.slug}/issues/{issue_id}/photo-place"
                      ).status_code == 302  # fmt: skip


def test_only_the_author_may_use_their_photos_location(
    client, auth, resident, create_user, bounded, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)
    offer_url = _post_issue(client, process, [("IMG.JPG", images.phone_jpeg(
        where=AT_THE_MARKET))]).headers["Location"]  # fmt: skip
    auth.logout()
    auth.login(create_user())

    assert client.get(offer_url).status_code == 403
    assert client.post(offer_url, data={"use": "1"}).status_code == 403
    assert _issue(in_db)[2] is None


def test_the_form_asks_which_community_holds_a_pin_and_hears_at_once_when_it_is_outside(
    client, bounded, create_process, thai
):
    process = create_process("reframe")
    url = f"/processes/{process.slug}/places/community"

    north = client.get(url, query_string={"latitude": "18.78", "longitude": "98.92"}).get_json()
    south = client.get(url, query_string={"latitude": "๑๘.๗๔", "longitude": "๙๘.๙๒"}).get_json()
    bangkok = client.get(url, query_string={"latitude": "13.75", "longitude": "100.5"}).get_json()
    nonsense = client.get(url, query_string={"latitude": "x", "longitude": "98.9"}).get_json()

    assert (north["inside"], north["area_id"], north["name"]) == (True, process.area_ids[0],
                                                                 "ชุมชนเหนือ")  # fmt: skip
    assert south["area_id"] == process.area_ids[1]
    assert (bangkok["inside"], bangkok["area_id"]) == (False, None)
    assert bangkok["message"] == thai(OUTSIDE)
    assert nonsense["inside"] is False
    assert nonsense["message"]


def test_without_boundaries_a_pin_is_inside_but_no_community_is_suggested(
    client, municipality, create_process
):
    process = create_process("reframe")

    answer = client.get(
        f"/processes/{process.slug}/places/community",
        query_string={"latitude": "13.75", "longitude": "100.5"},
    ).get_json()

    assert (answer["inside"], answer["area_id"], answer["message"]) == (True, None, "")


def test_photos_written_before_a_rule_refuses_the_issue_are_removed_again(
    app, client, auth, resident, bounded, create_process, in_db, thai
):
    """Photos are cleaned and written before the issue (so the database waits for no pixels);
    when the issue itself is then refused, nothing of them stays."""
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("IMG.JPG", images.phone_jpeg())],
                           latitude="13.7563", longitude="100.5018")  # fmt: skip

    assert response.status_code == 422
    assert str(escape(thai(OUTSIDE))) in response.get_data(as_text=True)
    assert _stored_files(app) == []
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0
