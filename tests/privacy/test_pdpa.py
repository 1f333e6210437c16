"""Residents' rights under the PDPA: consent to the notice, their data, deleting their account."""

import io
import json
import zipfile

import sqlalchemy as sa

from participation.accounts.models import User, UserSession
from participation.comments.models import Comment
from participation.proposals.models import Contribution
from participation.votes.models import Support
from tests.conftest import Auth


def _setting_the_scene(app, client, auth, resident, create_user, create_process,
                       create_contribution):  # fmt: skip
    process = create_process("reimagine")
    other = create_user(email="neighbour@example.org")
    theirs = create_contribution(process, other, title="ข้อเสนอของเพื่อนบ้าน")
    mine = create_contribution(process, resident, title="ข้อเสนอของฉันเรื่องทางเท้า")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/proposals/{theirs}/support")
    client.post(f"/contributions/{theirs}/comments", data={"body": "ความเห็นของฉันเอง"})
    return process, theirs, mine


def test_a_resident_downloads_everything_held_about_them_and_nothing_else(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    _process, theirs, mine = _setting_the_scene(app, client, auth, resident, create_user,
                                                create_process, create_contribution)  # fmt: skip

    response = client.get("/account/data.zip")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["account"]["email"] == resident.email
    assert "password_hash" not in text
    assert "token_hash" not in text
    assert [row["title"] for row in data["tables"]["contributions"]["author_id"]] == [
        "ข้อเสนอของฉันเรื่องทางเท้า"
    ]
    assert [row["proposal_id"] for row in data["tables"]["supports"]["user_id"]] == [theirs]
    assert data["tables"]["comments"]["author_id"][0]["body"] == "ความเห็นของฉันเอง"
    assert "neighbour@example.org" not in text
    assert "ข้อเสนอของเพื่อนบ้าน" not in text


def test_visitors_have_no_data_to_download(client):
    assert "/login" in client.get("/account/data.zip").headers["Location"]


def test_deleting_an_account_keeps_what_was_written_as_former_participant(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process, theirs, mine = _setting_the_scene(app, client, auth, resident, create_user,
                                               create_process, create_contribution)  # fmt: skip
    elsewhere = app.test_client()
    Auth(elsewhere).login(resident)

    response = client.post("/account/delete", data={"keep": "keep", "password": resident.password})

    assert response.status_code == 302
    with in_db() as session:
        assert session.scalar(sa.select(User).where(User.email == resident.email)) is None
        assert session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
        kept = session.get(Contribution, mine)
        assert (kept.title, kept.author_id) == ("ข้อเสนอของฉันเรื่องทางเท้า", None)
        assert session.get(Contribution, theirs).support_count == 0  # Reimagine is open
        assert session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0
    assert "/login" in elsewhere.get("/account/privacy").headers["Location"]  # signed out there
    listing = client.get(f"/processes/{process.slug}/proposals").get_data(as_text=True)
    assert thai("Former participant") in listing


def test_deleting_an_account_can_erase_what_was_written(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process, theirs, mine = _setting_the_scene(app, client, auth, resident, create_user,
                                               create_process, create_contribution)  # fmt: skip

    client.post("/account/delete", data={"keep": "erase", "password": resident.password})

    with in_db() as session:
        erased = session.get(Contribution, mine)
        assert (erased.title, erased.body, erased.status) == ("—", "", "withdrawn")
        comment = session.scalar(sa.select(Comment))
        assert (comment.is_deleted, comment.body) == (True, "")
        assert session.get(Contribution, theirs).comment_count == 0  # counted out, as a delete
    found = app.test_client().get(f"/processes/{process.slug}/proposals?q=ทางเท้า")
    assert "ข้อเสนอของฉันเรื่องทางเท้า" not in found.get_data(as_text=True)


def test_a_wrong_password_deletes_nothing(client, auth, resident, in_db, thai):
    auth.login(resident)
    response = client.post("/account/delete", data={"keep": "keep", "password": "ผิด"})
    assert response.status_code == 422
    assert thai("The password is not right.") in response.get_data(as_text=True)
    with in_db() as session:
        assert session.get(User, resident.id) is not None


def test_a_changed_notice_asks_for_consent_again(app, client, auth, resident, in_db, thai):
    auth.login(resident)
    app.config["PRIVACY_NOTICE_VERSION"] = 2

    asked = client.get("/processes/")
    refused = client.post("/account/consent", data={})
    accepted = client.post("/account/consent?next=/processes/", data={"consent": "y"})

    assert "/account/consent" in asked.headers["Location"]
    assert refused.status_code == 422
    assert accepted.headers["Location"].endswith("/processes/")
    with in_db() as session:
        assert session.get(User, resident.id).privacy_consent_version == 2
    assert client.get("/processes/").status_code == 200


def test_supporters_names_stay_private_unless_they_choose_to_show_them(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, create_user())
    url = f"/processes/{process.slug}/proposals/{item_id}"
    quiet = app.test_client()
    Auth(quiet).login(create_user(name="ผู้สนับสนุนเงียบ"))
    quiet.post(f"{url}/support")
    auth.login(resident)
    client.post(f"{url}/support")
    visitor = app.test_client()
    before = visitor.get(url).get_data(as_text=True)

    client.post("/profile", data={"display_name": resident.name, "preferred_language": "th",
                                  "show_supports": "y"})  # fmt: skip
    after = visitor.get(url).get_data(as_text=True)

    assert resident.name not in before
    assert resident.name in after  # the shared page changed at once
    assert "ผู้สนับสนุนเงียบ" not in after
