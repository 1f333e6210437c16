"""A resident keeps their profile and password."""

import sqlalchemy as sa

from participation.accounts.models import User


def test_resident_changes_name_and_language(client, auth, resident, in_db):
    auth.login(resident)

    response = client.post(
        "/profile", data={"display_name": "สมชาย ใจเย็น", "preferred_language": "en"}
    )

    assert response.status_code == 302
    with in_db() as session:
        user = session.get(User, resident.id)
        assert user.display_name == "สมชาย ใจเย็น"
        assert user.preferred_language == "en"
    assert 'lang="en"' in client.get("/profile").get_data(as_text=True)


def test_bad_profile_input_changes_nothing(client, auth, resident, in_db):
    auth.login(resident)

    response = client.post("/profile", data={"display_name": "", "preferred_language": "xx"})

    assert response.status_code == 422
    with in_db() as session:
        assert session.get(User, resident.id).display_name == resident.name


def test_changing_password_signs_out_other_devices_only(app, client, auth, resident, in_db):
    auth.login(resident)
    other_device = app.test_client()
    type(auth)(other_device).login(resident)

    response = client.post(
        "/password",
        data={"current_password": resident.password, "password": "ใหม่และยาวพอแน่นอน-2569"},
    )

    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


def test_changing_password_needs_the_current_one(client, auth, resident, in_db, thai):
    auth.login(resident)
    with in_db() as session:
        before = session.scalar(sa.select(User.password_hash))

    response = client.post(
        "/password", data={"current_password": "wrong-one", "password": "ใหม่และยาวพอแน่นอน-2569"}
    )

    assert response.status_code == 422
    assert thai("Your current password is not correct.") in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(User.password_hash)) == before


def test_profile_needs_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_api_tokens_wait_under_a_closed_advanced_section(client, auth, resident, thai):
    auth.login(resident)

    page = client.get("/profile").get_data(as_text=True)

    advanced = page.split('<details class="advanced" id="tokens"', 1)
    assert len(advanced) == 2
    assert advanced[1].startswith(">")  # closed until opened
    assert thai("Advanced") in advanced[1]
    assert 'action="/profile/tokens' not in advanced[0]  # the token form is inside it
    assert 'action="/profile/tokens' in advanced[1].split("</details>", 1)[0]

    created = client.post("/profile/tokens", data={"name": "สคริปต์"}).get_data(as_text=True)
    assert '<details class="advanced" id="tokens" open>' in created  # the new token is shown
