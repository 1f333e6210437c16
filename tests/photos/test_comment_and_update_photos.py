"""A resident adds a photo to a comment, a council member photos of the work to a progress
update; authors and moderators delete single photos; nginx can send the files."""

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.comments.models import Comment
from participation.photos.models import Photo
from participation.proposals.models import Contribution, ImplementationUpdate
from tests.photos import images
from tests.photos.serving import assert_seen_only_by_author_and_moderators
from tests.photos.serving import fetch as _get
from tests.photos.serving import stored_files as _stored_files

TITLE = "ซ่อมถนนชำรุดหน้าโรงเรียน"  # create_contribution's title


def _photos(in_db):
    with in_db() as session:
        return session.execute(
            sa.select(Photo.id, Photo.token, Photo.contribution_id, Photo.comment_id,
                      Photo.update_id, Photo.alt_text).order_by(Photo.id)
        ).all()  # fmt: skip


def _comment(client, item_id, files=(), body="ถ่ายไว้ให้ดูครับ หลุมลึกมาก", **fields):
    data = {"body": body, **fields}
    data["photo"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/contributions/{item_id}/comments", data=data,
                       content_type="multipart/form-data")  # fmt: skip


@pytest.fixture
def proposal(create_process, create_contribution, resident):
    process = create_process("reimagine")
    return process, create_contribution(process, resident)


def _page(client, process, item_id, kind_path="proposals"):
    return client.get(f"/processes/{process.slug}/{kind_path}/{item_id}").get_data(as_text=True)


# Comments: one photo


def test_a_resident_adds_a_photo_to_a_comment_and_everyone_sees_it_in_the_thread(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    neighbour = create_user(name="เพื่อนบ้าน")
    auth.login(neighbour)

    response = _comment(client, item_id, [("IMG_0042.JPG", images.phone_jpeg(900, 600))])

    assert response.status_code == 302
    [photo] = _photos(in_db)
    with in_db() as session:
        comment = session.scalars(sa.select(Comment)).one()
        assert (photo.contribution_id, photo.comment_id) == (item_id, comment.id)
    auth.logout()
    page = _page(client, process, item_id)
    assert f"/photos/{photo.token}/medium.jpg" in page
    assert f'alt="{TITLE}"' in page  # no description: the item's title
    served = _get(client, f"/photos/{photo.token}/medium.jpg")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert "max-age=86400" in served.headers["Cache-Control"]
    from PIL import Image

    assert max(Image.open(io.BytesIO(served.data)).size) == 640
    # The item's own gallery does not take the comment's photo.
    with in_db() as session:
        assert session.get(Contribution, item_id).photos == []


def test_a_comment_photo_described_by_its_author_is_read_out_with_that_description(
    client, auth, resident, proposal, in_db
):
    process, item_id = proposal
    auth.login(resident)

    _comment(client, item_id, [("a.jpg", images.phone_jpeg())], photo_alt="หลุมลึกประมาณหนึ่งศอก")

    assert 'alt="หลุมลึกประมาณหนึ่งศอก"' in _page(client, process, item_id)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                          b"</svg>")],
         "This file is not a photo. Please send a JPEG, PNG, WebP or HEIC photo."),
        ([("half.jpg", images.truncated_jpeg())],
         "This photo is damaged or incomplete. Please send it again."),
        ([("a.jpg", images.phone_jpeg()), ("b.jpg", images.phone_jpeg())],
         "A comment can have one photo."),
    ],
)  # fmt: skip
def test_a_comment_with_a_refused_photo_is_not_published_and_nothing_is_stored(
    app, client, auth, resident, proposal, in_db, thai, files, message
):
    process, item_id = proposal
    auth.login(resident)

    response = _comment(client, item_id, files)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert thai(message) in page
    assert thai("What you wrote is kept below. A photo has to be chosen again.") in page
    assert ">ถ่ายไว้ให้ดูครับ หลุมลึกมาก</textarea>" in page
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
        assert session.get(Contribution, item_id).comment_count == 0
    assert _photos(in_db) == []
    assert _stored_files(app) == []


def _comment_with_photo(client, auth, author, item_id, in_db):
    auth.login(author)
    assert _comment(client, item_id, [("a.jpg", images.phone_jpeg())]).status_code == 302
    auth.logout()
    [photo] = _photos(in_db)
    return photo


def test_a_hidden_comments_photo_answers_404_to_others_at_once(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    url = f"/photos/{photo.token}/medium.jpg"
    assert _get(client, url).status_code == 200
    assert photo.token in _page(client, process, item_id)  # the thread is cached now
    auth.login(process.facilitator)

    hidden = client.post(f"/moderation/comment/{photo.comment_id}/hide",
                         data={"reason": "ข้อมูลส่วนตัว"})  # fmt: skip

    assert hidden.status_code == 302
    auth.logout()
    assert photo.token not in _page(client, process, item_id)
    assert_seen_only_by_author_and_moderators(
        client, auth, url, resident, process.facilitator, create_user()
    )


def test_a_reported_comments_photo_is_shown_to_the_moderator_in_the_queue(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    auth.login(create_user())
    reported = client.post(f"/report/comment/{photo.comment_id}", data={"reason": "spam"})
    assert reported.status_code == 302
    auth.logout()
    auth.login(process.facilitator)

    queue = client.get("/moderation").get_data(as_text=True)

    assert f"/photos/{photo.token}/thumb.jpg" in queue
    assert _get(client, f"/photos/{photo.token}/thumb.jpg").status_code == 200


def test_a_moderator_hides_only_the_photo_of_a_comment_and_the_text_stays(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    auth.login(process.facilitator)

    client.post(f"/moderation/photo/{photo.id}/hide", data={"reason": "เห็นหน้าเด็ก"})

    auth.logout()
    page = _page(client, process, item_id)
    assert "ถ่ายไว้ให้ดูครับ" in page
    assert photo.token not in page
    assert _get(client, f"/photos/{photo.token}/thumb.jpg").status_code == 404


def test_a_deleted_comment_takes_its_photo_and_files_with_it(
    app, client, auth, resident, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    auth.login(resident)

    client.post(f"/comments/{photo.comment_id}/delete")

    assert _photos(in_db) == []
    assert _stored_files(app) == []
    assert _get(client, f"/photos/{photo.token}/medium.jpg").status_code == 404


# Progress updates: up to four photos of the work


def _url(process, *parts):
    return "/".join([f"/processes/{process.slug}", *[str(p) for p in parts]])


def _post_update(client, process, proposal_id, files, **fields):
    from datetime import date

    today = date.today()
    data = {"update_date-day": today.day, "update_date-month": today.month,
            "update_date-year": today.year + 543, "progress": 40,
            "body": "เทพื้นคอนกรีตแล้วครึ่งสาย", **fields}  # fmt: skip
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(_url(process, "proposals", proposal_id, "updates"), data=data,
                       content_type="multipart/form-data")  # fmt: skip


def test_a_council_member_reports_progress_with_photos_of_the_work(client, auth, accepted, in_db):
    process, proposal_id = accepted

    response = _post_update(client, process, proposal_id,
                            [("before.jpg", images.phone_jpeg()), ("after.png",
                              images.png_with_transparency())],
                            photo_alt="ถนนหลังเทคอนกรีต")  # fmt: skip

    assert response.status_code == 302
    photos = _photos(in_db)
    with in_db() as session:
        update = session.scalars(sa.select(ImplementationUpdate)).one()
        assert session.get(Contribution, proposal_id).photos == []  # not the proposal's own
    assert [(p.contribution_id, p.update_id) for p in photos] == [(proposal_id, update.id)] * 2
    auth.logout()
    page = _page(client, process, proposal_id)
    timeline = page[page.index(f'id="update-{update.id}"') :]
    for photo in photos:
        assert f"/photos/{photo.token}/medium.jpg" in timeline
        assert _get(client, f"/photos/{photo.token}/medium.jpg").status_code == 200
    assert 'alt="ถนนหลังเทคอนกรีต"' in timeline


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("shell.jpg", b"<?php system($_GET['c']); ?>")],
         "This file is not a photo. Please send a JPEG, PNG, WebP or HEIC photo."),
        ([("bomb.png", images.huge_png())],
         "This photo is too large in pixels. Please send a smaller one."),
        ([(f"{n}.jpg", images.phone_jpeg()) for n in range(5)],
         "At most %(count)s photos can be added."),
    ],
)  # fmt: skip
def test_a_progress_update_with_a_refused_photo_is_not_published_and_nothing_is_stored(
    app, client, accepted, in_db, thai, files, message
):
    process, proposal_id = accepted

    response = _post_update(client, process, proposal_id, files)

    assert response.status_code == 422
    text = thai(message, count=4) if "%(count)s" in message else thai(message)
    assert text in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ImplementationUpdate)) == 0
    assert _photos(in_db) == []
    assert _stored_files(app) == []


def test_deleting_a_progress_update_deletes_its_photos_and_their_files(
    app, client, accepted, in_db
):
    process, proposal_id = accepted
    _post_update(client, process, proposal_id, [("a.jpg", images.phone_jpeg())])
    [photo] = _photos(in_db)
    assert len(_stored_files(app)) == 3

    client.post(_url(process, "proposals", proposal_id, "updates", photo.update_id, "delete"))

    assert _photos(in_db) == []
    assert _stored_files(app) == []


def test_correcting_a_progress_update_can_add_a_photo(client, accepted, in_db):
    process, proposal_id = accepted
    _post_update(client, process, proposal_id, [])
    with in_db() as session:
        update_id = session.scalar(sa.select(ImplementationUpdate.id))
    from datetime import date

    today = date.today()
    corrected = client.post(
        _url(process, "proposals", proposal_id, "updates", update_id, "edit"),
        data={"update_date-day": today.day, "update_date-month": today.month,
              "update_date-year": today.year + 543, "progress": 40,
              "body": "เทพื้นคอนกรีตแล้วครึ่งสาย", "photos": [(io.BytesIO(images.phone_jpeg()),
                                                              "late.jpg")]},
        content_type="multipart/form-data",
    )  # fmt: skip

    assert corrected.status_code == 302
    [photo] = _photos(in_db)
    assert photo.update_id == update_id


# Deleting one photo


def _issue_with_photos(client, auth, author, process, count=2):
    auth.login(author)
    data = {
        "title": "ทางเท้าแตกหน้าตลาด",
        "body": "ทางเท้าแตกเป็นหลุม คนเดินสะดุดล้ม",
        "photos": [(io.BytesIO(images.phone_jpeg()), f"{n}.jpg") for n in range(count)],
    }
    response = client.post(f"/processes/{process.slug}/issues/new", data=data,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    auth.logout()
    # A phone photo knows where it was taken: the author may first be asked about its place.
    return int(response.headers["Location"].removesuffix("/photo-place").split("/")[-1])


def test_the_author_deletes_one_photo_of_their_issue_and_its_files_go(
    app, client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    issue_id = _issue_with_photos(client, auth, resident, process)
    first, second = _photos(in_db)
    auth.login(resident)
    assert f"/photos/{first.id}/delete" in _page(client, process, issue_id, "issues")

    response = client.post(f"/photos/{first.id}/delete")

    assert response.status_code == 302
    assert [photo.id for photo in _photos(in_db)] == [second.id]
    assert not any(first.token in path.name for path in _stored_files(app))
    assert sum(second.token in path.name for path in _stored_files(app)) == 3
    assert _get(client, f"/photos/{first.token}/display.jpg").status_code == 404
    page = _page(client, process, issue_id, "issues")
    assert first.token not in page
    assert second.token in page
    with in_db() as session:
        entry = session.scalars(
            sa.select(ActionLog).where(ActionLog.action == "photo.delete")
        ).one()
        assert (entry.target_type, entry.target_id) == ("contributions", issue_id)
        assert entry.details["photo_id"] == first.id
        assert entry.details["by_author"] is True


def test_another_resident_and_a_council_member_cannot_delete_someone_elses_photo(
    client, auth, resident, create_user, council, create_process, in_db
):
    process = create_process("reframe")
    _issue_with_photos(client, auth, resident, process, count=1)
    [photo] = _photos(in_db)
    for person in (create_user(), council):
        auth.login(person)
        assert client.post(f"/photos/{photo.id}/delete").status_code == 403
        auth.logout()
    assert client.post(f"/photos/{photo.id}/delete").status_code == 302  # to sign in
    assert len(_photos(in_db)) == 1


def test_a_moderator_deletes_the_photo_of_a_comment_and_the_log_says_who(
    app, client, auth, resident, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    auth.login(process.facilitator)
    assert f"/photos/{photo.id}/delete" in _page(client, process, item_id)

    assert client.post(f"/photos/{photo.id}/delete").status_code == 302

    assert _photos(in_db) == []
    assert _stored_files(app) == []
    with in_db() as session:
        entry = session.scalars(
            sa.select(ActionLog).where(ActionLog.action == "photo.delete")
        ).one()
        assert entry.actor_id == process.facilitator.id
        assert entry.details == {"photo_id": photo.id, "on": "comment", "by_author": False}
        assert session.scalar(sa.select(Comment.body)) == "ถ่ายไว้ให้ดูครับ หลุมลึกมาก"


# Sizes and serving


def test_a_photo_stored_before_the_medium_size_existed_is_served_its_full_size(
    app, client, auth, resident, create_process, in_db
):
    process = create_process("reframe")
    _issue_with_photos(client, auth, resident, process, count=1)
    [photo] = _photos(in_db)
    root = Path(app.config["PHOTO_STORAGE_DIR"])
    (root / photo.token[:2] / f"{photo.token}-medium.jpg").unlink()

    served = _get(client, f"/photos/{photo.token}/medium.jpg")

    assert served.status_code == 200
    assert served.data == (root / photo.token[:2] / f"{photo.token}-display.jpg").read_bytes()


def test_behind_nginx_the_app_checks_and_nginx_sends_the_file(
    config, make_app, create_user, create_process, in_db
):
    config.PHOTO_ACCEL_REDIRECT_PREFIX = "/_photos/"
    app = make_app(config)
    from tests.conftest import Auth

    client = app.test_client()
    auth = Auth(client)
    resident = create_user()
    process = create_process("reframe")
    _issue_with_photos(client, auth, resident, process, count=1)
    [photo] = _photos(in_db)

    served = client.get(f"/photos/{photo.token}/thumb.jpg")

    assert served.status_code == 200
    assert served.data == b""
    assert served.headers["X-Accel-Redirect"] == (
        f"/_photos/{photo.token[:2]}/{photo.token}-thumb.jpg"
    )
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert "private" in served.headers["Cache-Control"]
    assert "max-age=86400" in served.headers["Cache-Control"]
    # A photo nobody may see is refused by the app: nginx is never told where its file is.
    with app.app_context():
        from participation.extensions import db

        db.session.get(Photo, photo.id).is_hidden = True
        db.session.commit()
    refused = client.get(f"/photos/{photo.token}/thumb.jpg")
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused.headers


def test_a_residents_comment_photos_are_in_their_data_download_and_go_with_their_account(
    app, client, auth, resident, proposal, in_db
):
    process, item_id = proposal
    photo = _comment_with_photo(client, auth, resident, item_id, in_db)
    auth.login(resident)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))

    assert f"photos/{photo.id}-{photo.token}.jpg" in archive.namelist()
    from tests.conftest import PASSWORD

    client.post("/account/delete", data={"keep": "keep", "password": PASSWORD})
    assert _photos(in_db) == []
    assert _stored_files(app) == []


def test_a_comment_photo_moves_with_its_comment_when_issues_are_merged(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reframe")
    kept = create_contribution(process, resident, kind="issue", title="ไฟถนนดับหน้าตลาด")
    duplicate = create_contribution(process, create_user(), kind="issue", title="ไฟดับหน้าตลาด")
    photo = _comment_with_photo(client, auth, create_user(), duplicate, in_db)
    auth.login(process.facilitator)

    client.post(f"/processes/{process.slug}/issues/{duplicate}/merge", data={"kept_id": kept})

    [moved] = _photos(in_db)
    assert (moved.contribution_id, moved.comment_id) == (kept, photo.comment_id)
    auth.logout()
    assert photo.token in _page(client, process, kept, "issues")


def test_a_reply_can_carry_its_one_photo(client, auth, resident, create_user, proposal, in_db):
    process, item_id = proposal
    auth.login(create_user())
    _comment(client, item_id, body="ถนนหน้าบ้านเป็นหลุม")
    auth.login(resident)
    [parent] = [row.id for row in _comment_rows(in_db)]

    reply = _comment(client, item_id, [("reply.jpg", images.phone_jpeg())],
                     body="ตรงนี้ครับ", parent_id=str(parent))  # fmt: skip

    assert reply.status_code == 302
    [photo] = _photos(in_db)
    replied = [row for row in _comment_rows(in_db) if row.parent_id == parent]
    assert [row.id for row in replied] == [photo.comment_id]


def _comment_rows(in_db):
    with in_db() as session:
        return session.execute(sa.select(Comment.id, Comment.parent_id).order_by(Comment.id)).all()
