"""A resident adds photos from a phone: checked by content, cleaned of EXIF, served with care."""

import io
import zipfile

import pytest
import sqlalchemy as sa
from PIL import Image

from participation.photos.models import Photo
from participation.proposals.models import Contribution
from tests.photos import images
from tests.photos.serving import assert_seen_only_by_author_and_moderators
from tests.photos.serving import fetch as _get
from tests.photos.serving import post_issue as _post_issue
from tests.photos.serving import stored_files as _stored_files

NOT_A_PHOTO = "This file is not a photo. Please send a JPEG, PNG, WebP or HEIC photo."
DAMAGED = "This photo is damaged or incomplete. Please send it again."
TOO_MANY_PIXELS = "This photo is too large in pixels. Please send a smaller one."
POLYGLOT = images.phone_jpeg() + b"<html><script>alert(1)</script></html>"


def _photos(in_db):
    with in_db() as session:
        return session.execute(sa.select(Photo.id, Photo.token, Photo.width, Photo.height,
                                         Photo.contribution_id)).all()  # fmt: skip


def test_phone_photo_is_stored_upright_without_exif_or_gps(
    app, client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("IMG_0001.JPG", images.phone_jpeg(200, 100))],
                           photo_alt="ทางเท้าแตกเป็นแนวยาว")  # fmt: skip

    assert response.status_code == 302
    [photo] = _photos(in_db)
    assert (photo.width, photo.height) == (100, 200)  # turned by its orientation tag
    for size, longest in (("thumb", 200), ("medium", 200), ("display", 200)):
        served = _get(client, f"/photos/{photo.token}/{size}.jpg")
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"] == "inline"
        assert "private" in served.headers["Cache-Control"]
        assert "max-age=86400" in served.headers["Cache-Control"]
        stored = Image.open(io.BytesIO(served.data))
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
        assert b"PhoneMaker" not in served.data
        assert b"Exif" not in served.data
        assert stored.height > stored.width
        assert stored.height == longest  # never enlarged beyond the upload
        # The blue half was on the left; turned a quarter clockwise it is on top.
        top = stored.getpixel((stored.width // 2, stored.height // 8))
        assert top[2] > 150
        assert top[0] < 100
    # The photo knew where it was taken: the resident is asked whether to use it (tests/photos/
    # test_heic_and_place.py); the issue's page shows the photo with its description.
    assert response.headers["Location"].endswith(f"/issues/{photo.contribution_id}/photo-place")
    page = client.get(f"/processes/{process.slug}/issues/{photo.contribution_id}")
    assert 'alt="ทางเท้าแตกเป็นแนวยาว"' in page.get_data(as_text=True)
    assert len(_stored_files(app)) == 3  # thumbnail, medium, full


def test_png_with_transparency_and_animated_webp_are_re_encoded_as_jpeg(
    client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [("map.png", images.png_with_transparency()),
                                             ("clip.webp", images.animated_webp())])  # fmt: skip

    assert response.status_code == 302
    rows = _photos(in_db)
    assert [(row.width, row.height) for row in rows] == [(120, 80), (300, 200)]
    served = _get(client, f"/photos/{rows[0].token}/display.jpg")
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.getpixel((110, 40))[0] > 240  # transparency became white
    # The page shows the item's title where the author gave no description.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'alt="ทางเท้าแตกหน้าตลาด"' in page


def test_a_polyglot_is_re_encoded_so_nothing_appended_survives(
    client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    auth.login(resident)

    assert _post_issue(client, process, [("x.jpg", POLYGLOT)]).status_code == 302

    [photo] = _photos(in_db)
    served = _get(client, f"/photos/{photo.token}/display.jpg").data
    assert b"<script" not in served
    assert b"<html" not in served


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.jpg", b"<html><body>hello</body></html>", NOT_A_PHOTO),
        ("shell.jpg", b"<?php system($_GET['c']); ?>", NOT_A_PHOTO),
        ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                        b"</svg>", NOT_A_PHOTO),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", NOT_A_PHOTO),
        ("half.jpg", images.truncated_jpeg(), DAMAGED),
        ("bomb.png", images.huge_png(), TOO_MANY_PIXELS),
        ("empty.jpg", b"", "The photo file is empty."),
    ],
)  # fmt: skip
def test_what_is_not_a_usable_photo_is_refused_and_nothing_is_stored(
    app, client, auth, resident, create_process, in_db, thai, name, content, message
):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [(name, content)])

    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0
    assert _photos(in_db) == []
    assert _stored_files(app) == []


def test_a_photo_over_the_byte_limit_is_refused(
    config, make_app, create_user, create_process, in_db
):
    config.PHOTO_MAX_BYTES = 2048
    app = make_app(config)
    from tests.conftest import Auth

    resident = create_user()
    process = create_process("reframe")
    client = app.test_client()
    Auth(client).login(resident)

    response = _post_issue(client, process, [("big.jpg", images.phone_jpeg(800, 600))])

    assert response.status_code == 422
    assert _photos(in_db) == []


def test_a_disk_that_fails_half_way_leaves_no_file_and_no_row(
    app, client, auth, resident, create_process, in_db, monkeypatch
):
    import os

    from participation.photos import storage

    process = create_process("reframe")
    auth.login(resident)
    real_replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:  # the second photo's first file: the disk is full
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(storage.os, "replace", failing_replace)

    response = _post_issue(client, process, [("a.jpg", images.phone_jpeg()),
                                             ("b.jpg", images.phone_jpeg())])  # fmt: skip

    assert response.status_code == 422
    assert "storage" in response.get_data(as_text=True) or _photos(in_db) == []
    assert _photos(in_db) == []
    assert _stored_files(app) == []
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0


def test_more_than_four_photos_are_refused(client, auth, resident, create_process, in_db):
    process = create_process("reframe")
    auth.login(resident)

    response = _post_issue(client, process, [(f"{n}.jpg", images.phone_jpeg()) for n in range(5)])

    assert response.status_code == 422
    assert _photos(in_db) == []


def _issue_with_photo(client, auth, resident, process, in_db):
    auth.login(resident)
    response = _post_issue(client, process, [("a.jpg", images.phone_jpeg())])
    assert response.status_code == 302
    auth.logout()
    [photo] = _photos(in_db)
    return photo


def test_a_hidden_items_photo_answers_404_to_everyone_but_its_author_and_moderators(
    app, client, auth, resident, create_user, create_process, in_db
):
    process = create_process("reframe")
    photo = _issue_with_photo(client, auth, resident, process, in_db)
    url = f"/photos/{photo.token}/display.jpg"
    assert _get(client, url).status_code == 200
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide

    with app.app_context():
        facilitator = db.session.get(User, process.facilitator.id)
        hide(facilitator, db.session.get(Contribution, photo.contribution_id), "ข้อมูลส่วนตัว")
        db.session.commit()

    assert_seen_only_by_author_and_moderators(
        client, auth, url, resident, process.facilitator, create_user()
    )


def test_a_moderator_hides_one_photo_and_it_is_replaced_for_everyone_else(
    app, client, auth, resident, create_user, create_process, in_db
):
    process = create_process("reframe")
    photo = _issue_with_photo(client, auth, resident, process, in_db)
    other = create_user()
    auth.login(other)
    reported = client.post(f"/report/photo/{photo.id}", data={"reason": "personal_data"})
    assert reported.status_code == 302
    auth.logout()
    auth.login(process.facilitator)
    queue = client.get("/moderation").get_data(as_text=True)
    assert f"/photos/{photo.token}/thumb.jpg" in queue

    hidden = client.post(f"/moderation/photo/{photo.id}/hide", data={"reason": "เห็นบ้านเลขที่"})

    assert hidden.status_code == 302
    auth.logout()
    issue_page = f"/processes/{process.slug}/issues/{photo.contribution_id}"
    page = client.get(issue_page).get_data(as_text=True)  # anonymous: a fresh render
    assert photo.token not in page
    assert "เห็นบ้านเลขที่" in page
    assert _get(client, f"/photos/{photo.token}/thumb.jpg").status_code == 404
    auth.login(resident)
    assert photo.token in client.get(issue_page).get_data(as_text=True)
    from participation.audit.models import ActionLog

    with in_db() as session:
        assert session.scalar(
            sa.select(ActionLog.action).where(ActionLog.target_type == "photos")
        ) == "moderation.hide"  # fmt: skip
    transparency = client.get("/transparency")
    assert transparency.status_code == 200


def test_a_residents_photos_are_in_their_data_download_and_go_with_their_account(
    app, client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    photo = _issue_with_photo(client, auth, resident, process, in_db)
    auth.login(resident)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))

    name = f"photos/{photo.id}-{photo.token}.jpg"
    assert name in archive.namelist()
    assert Image.open(io.BytesIO(archive.read(name))).format == "JPEG"
    assert photo.token in archive.read("ruamkid-my-data.json").decode()

    from tests.conftest import PASSWORD

    deleted = client.post("/account/delete", data={"keep": "keep", "password": PASSWORD})

    assert deleted.status_code == 302
    assert _photos(in_db) == []
    assert _stored_files(app) == []


def test_a_half_sent_photo_is_refused_even_after_the_pdf_library_loaded(app, monkeypatch):
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process; a half-sent
    photo must still be refused, and the setting is left as it was."""
    from PIL import ImageFile

    from participation.core.rules import RuleError
    from participation.photos.images import clean_photo

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with app.test_request_context(), pytest.raises(RuleError) as refused:
        clean_photo(io.BytesIO(images.truncated_jpeg()), 12 * 2**20, 50_000_000)
    assert "damaged" in str(refused.value.message)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
