"""A resident links LINE from the profile with LINE Login (state and nonce checked, the ID token
verified), may then sign in with it, and unlinks it; anything else is refused, nothing stored."""

import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.line.models import LineAccount
from tests.line.fake_line import new_line_user_id

REFUSED_STATE = "ไม่ได้มาจากการเข้าสู่ระบบด้วย LINE ที่เริ่มจากที่นี่"
REFUSED_TOKEN = "เราตรวจสอบคำตอบจาก LINE ไม่ได้"


def start_link(client):
    response = client.post("/line/link")
    assert response.status_code == 302
    return response.headers["Location"]


def accounts(in_db):
    with in_db() as session:
        return [
            (row.user_id, row.line_user_id, row.display_name, row.is_following)
            for row in session.scalars(sa.select(LineAccount))
        ]


def actions(in_db):
    with in_db() as session:
        return session.execute(
            sa.select(ActionLog.action, ActionLog.actor_id).where(ActionLog.action.like("line.%"))
            .order_by(ActionLog.id)
        ).all()  # fmt: skip


def test_a_resident_links_line_from_the_profile(client, auth, resident, line, in_db):
    line_id = new_line_user_id()
    line.friends[line_id] = "สมชาย LINE"  # already a friend of the Official Account
    auth.login(resident)
    profile = client.get("/profile").text
    assert "เชื่อมบัญชี LINE" in profile

    authorize = start_link(client)
    assert "redirect_uri=https%3A%2F%2Fruamkid.example.go.th%2Fline%2Fcallback" in authorize
    response = client.get(line.approve(authorize, line_id, name="สมชาย LINE"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile#line")
    assert accounts(in_db) == [(resident.id, line_id, "สมชาย LINE", True)]
    assert actions(in_db) == [("line.link", resident.id)]
    token_call = next(call for call in line.calls if call.path == "/oauth2/v2.1/token")
    assert token_call.body["client_secret"] == line.login_secret
    page = client.get("/profile").text
    assert "สมชาย LINE" in page
    assert "ยกเลิกการเชื่อม LINE" in page


def test_a_resident_who_is_not_yet_a_friend_is_linked_but_not_reachable(
    client, auth, resident, line, in_db
):
    line_id = new_line_user_id()  # not in line.friends
    auth.login(resident)
    client.get(line.approve(start_link(client), line_id))
    assert accounts(in_db) == [(resident.id, line_id, "สมชาย LINE", False)]
    assert "เพิ่มบัญชีทางการ LINE ของเทศบาลเป็นเพื่อน" in client.get("/profile").text


def test_a_wrong_state_is_refused_and_nothing_is_stored(client, auth, resident, line, in_db):
    auth.login(resident)
    callback = line.approve(start_link(client), new_line_user_id())
    forged = callback.split("state=")[0] + "state=someone-elses-state"

    response = client.get(forged)

    assert response.status_code == 400
    assert REFUSED_STATE in response.text
    assert accounts(in_db) == []
    assert actions(in_db) == []


def test_a_callback_without_any_attempt_is_refused(client, auth, resident, line, in_db):
    auth.login(resident)
    for query in ("code=abc&state=def", "", "state=%00%ff&code=" + "x" * 5000, "state[]=1"):
        response = client.get(f"/line/callback?{query}")
        assert response.status_code == 400, query
        assert REFUSED_STATE in response.text
    assert accounts(in_db) == []


def test_a_resident_who_says_no_on_lines_page_is_told_nothing_changed(
    client, auth, resident, line, in_db
):
    auth.login(resident)
    authorize = start_link(client)
    state = authorize.split("state=")[1].split("&")[0]

    response = client.get(f"/line/callback?error=access_denied&state={state}")

    assert response.status_code == 400
    assert "คุณไม่ได้อนุญาตให้ร่วมคิดใช้บัญชี LINE ของคุณ" in response.text
    assert accounts(in_db) == []


def test_a_wrong_nonce_is_refused_and_nothing_is_stored(client, auth, resident, line, in_db):
    auth.login(resident)
    callback = line.approve(start_link(client), new_line_user_id(), nonce="another-attempts-nonce")

    response = client.get(callback)

    assert response.status_code == 400
    assert REFUSED_STATE in response.text
    assert accounts(in_db) == []


def test_an_expired_id_token_is_refused(client, auth, resident, line, in_db):
    auth.login(resident)
    callback = line.approve(start_link(client), new_line_user_id(), expires_in=-3600)

    response = client.get(callback)

    assert response.status_code == 400
    assert REFUSED_TOKEN in response.text
    assert accounts(in_db) == []


def test_an_id_token_signed_with_another_secret_is_refused(client, auth, resident, line, in_db):
    from tests.line.fake_line import id_token

    auth.login(resident)
    authorize = start_link(client)
    claims = {"iss": line.url, "aud": line.channel_id, "sub": new_line_user_id(), "exp": 2**31}
    forged = id_token("not-the-channel-secret", claims)
    response = client.get(line.approve(authorize, "U0", token=forged))
    assert response.status_code == 400
    assert REFUSED_TOKEN in response.text
    assert accounts(in_db) == []


def test_a_replayed_answer_or_id_token_is_refused(client, auth, resident, create_user, line, in_db):
    auth.login(resident)
    line_id = new_line_user_id()
    callback = line.approve(start_link(client), line_id)
    assert client.get(callback).status_code == 302
    first_token = line.issued[0]

    # The same answer again: its state was used up.
    assert client.get(callback).status_code == 400
    # Someone else gets hold of the ID token LINE issued for that attempt and plays it back in
    # an attempt of their own: its nonce is not theirs.
    other = create_user()
    auth.logout()
    auth.login(other)
    response = client.get(line.approve(start_link(client), line_id, token=first_token))
    assert response.status_code == 400
    assert REFUSED_STATE in response.text
    assert accounts(in_db) == [(resident.id, line_id, "สมชาย LINE", False)]


def test_a_linked_resident_signs_in_with_line(client, auth, resident, line, in_db):
    line_id = new_line_user_id()
    auth.login(resident)
    client.get(line.approve(start_link(client), line_id))
    auth.logout()
    login_page = client.get("/login").text
    assert "เข้าสู่ระบบด้วย LINE" in login_page

    start = client.post("/line/login", data={"next": "/notifications/"})
    response = client.get(line.approve(start.headers["Location"], line_id))

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    assert client.get("/profile").status_code == 200  # signed in as the resident
    assert resident.email in client.get("/profile").text


def test_an_unknown_line_account_is_not_linked_by_its_e_mail_address(client, resident, line, in_db):
    """LINE may know the same e-mail address as an account here: that links nothing and signs
    nobody in."""
    from tests.line.fake_line import id_token

    start = client.post("/line/login")
    authorize = start.headers["Location"]
    nonce = authorize.split("nonce=")[1].split("&")[0]
    line_id = new_line_user_id()
    token = id_token(line.login_secret, {
        "iss": line.url, "sub": line_id, "aud": line.channel_id, "exp": 2**31, "iat": 0,
        "nonce": nonce, "name": "ใครสักคน", "email": resident.email,
    })  # fmt: skip

    response = client.get(line.approve(authorize, line_id, token=token))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert "บัญชี LINE นี้ยังไม่ได้เชื่อมกับบัญชีร่วมคิด" in client.get("/login").text
    assert client.get("/profile").status_code == 302  # still signed out
    assert accounts(in_db) == []


def test_a_line_account_linked_to_someone_else_cannot_be_linked_again(
    client, auth, resident, create_user, line, in_db
):
    line_id = new_line_user_id()
    auth.login(resident)
    client.get(line.approve(start_link(client), line_id))
    auth.logout()
    other = create_user()
    auth.login(other)

    client.get(line.approve(start_link(client), line_id))

    assert "เชื่อมกับบัญชีร่วมคิดอื่นอยู่แล้ว" in client.get("/profile").text
    assert [row[0] for row in accounts(in_db)] == [resident.id]


def test_a_resident_unlinks_line(client, auth, resident, line, in_db):
    auth.login(resident)
    client.get(line.approve(start_link(client), new_line_user_id()))

    response = client.post("/line/unlink")

    assert response.status_code == 302
    assert accounts(in_db) == []
    assert actions(in_db) == [("line.link", resident.id), ("line.unlink", resident.id)]
    assert "เชื่อมบัญชี LINE" in client.get("/profile").text


def test_without_line_settings_no_line_option_appears(app, client, auth, resident, line):
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = None
    assert "LINE" not in client.get("/login").text
    auth.login(resident)
    assert "LINE" not in client.get("/profile").text
    assert "LINE" not in client.get("/account/notifications").text
    assert client.post("/line/link").status_code == 404
    assert client.post("/line/webhook", data=b"{}").status_code == 404


def test_the_data_download_holds_the_line_link_and_deleting_the_account_removes_it(
    client, auth, resident, line, in_db
):
    import io
    import json
    import zipfile

    line_id = new_line_user_id()
    auth.login(resident)
    client.get(line.approve(start_link(client), line_id))

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    assert data["tables"]["line_accounts"]["user_id"][0]["line_user_id"] == line_id

    client.post("/account/delete", data={"keep": "keep", "password": resident.password})
    assert accounts(in_db) == []
