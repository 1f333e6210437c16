"""Personal access tokens: created on the profile page or with e-mail and password, shown
once, kept hashed, limited to reading or allowed to write, revoked for good."""

import re

import sqlalchemy as sa

from tests.api.conftest import ApiClient, assert_problem


def _token_rows(app):
    from participation.accounts.models import AccessToken
    from participation.extensions import db

    with app.app_context():
        rows = [(r.name, r.token_hash, r.scopes, r.revoked_dt, r.last_used_dt)
                for r in db.session.scalars(sa.select(AccessToken))]  # fmt: skip
        db.session.remove()
    return rows


def test_resident_creates_a_token_on_the_profile_page_sees_it_once_and_uses_it(
    app, client, auth, resident
):
    auth.login(resident)

    page = client.post("/profile/tokens", data={"name": "สคริปต์ของฉัน", "write": "y"})
    html = page.get_data(as_text=True)
    token = re.search(r"rk_[A-Za-z0-9_-]{20,}", html).group(0)
    later = client.get("/profile").get_data(as_text=True)
    me = ApiClient(app.test_client(), token).get("/me").get_json()

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert token not in later  # shown once
    assert "สคริปต์ของฉัน" in later
    assert me["display_name"] == resident.name
    assert me["token"]["scopes"] == ["read", "write"]
    [(name, token_hash, scopes, revoked, _used)] = _token_rows(app)
    assert (name, scopes, revoked) == ("สคริปต์ของฉัน", "read write", None)
    assert token_hash != token  # only the hash is kept
    assert len(token_hash) == 64


def test_revoking_on_the_profile_page_stops_the_token_at_once(app, client, auth, resident):
    auth.login(resident)
    html = client.post("/profile/tokens", data={"name": "ชั่วคราว"}).get_data(as_text=True)
    token = re.search(r"rk_[A-Za-z0-9_-]{20,}", html).group(0)
    script = ApiClient(app.test_client(), token)
    assert script.get("/me").status_code == 200
    token_id = script.get("/me").get_json()["token"]["id"]

    revoked = client.post(f"/profile/tokens/{token_id}/revoke")
    refused = script.get("/me")

    assert revoked.status_code == 302
    problem = assert_problem(refused, 401)
    assert problem["type"].endswith("#problem-invalid-token")
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert script.get("/processes").status_code == 401  # even public reads: the token is bad


def test_nobody_revokes_or_sees_another_persons_tokens(app, client, auth, resident, create_user,
                                                        token_for):  # fmt: skip
    other = create_user()
    ApiClient(app.test_client(), token_for(other)).get("/me")
    auth.login(resident)

    assert client.post("/profile/tokens/1/revoke").status_code == 404
    assert ApiClient(app.test_client(), token_for(resident)).delete("/tokens/1").status_code == 404
    assert [row[3] for row in _token_rows(app)] == [None, None]


def test_a_token_without_a_name_is_refused_on_the_profile_page(client, auth, resident, app):
    auth.login(resident)
    response = client.post("/profile/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert _token_rows(app) == []


def test_scripts_get_a_token_with_email_and_password(app, api, resident):
    credentials = {"email": resident.email.upper(), "password": resident.password, "name": "bot"}
    response = api().post("/tokens", json=credentials)
    body = response.get_json()

    assert response.status_code == 201
    assert body["scopes"] == ["read"]
    assert response.headers["Cache-Control"] == "no-store"
    assert ApiClient(app.test_client(), body["token"]).get("/me").get_json()["id"] == resident.id


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(api, resident, app):
    client = api()
    wrong = client.post("/tokens", json={"email": resident.email, "password": "nope",
                                         "name": "bot"})  # fmt: skip
    unknown = client.post("/tokens", json={"email": "nobody@example.org", "password": "nope",
                                           "name": "bot"})  # fmt: skip

    assert assert_problem(wrong, 422) == assert_problem(unknown, 422)
    assert _token_rows(app) == []


def test_token_requests_and_sign_ins_share_one_limit(config, make_app, resident):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_LOGIN = "3 per minute"
    limited = make_app(config)
    client = limited.test_client()
    api = ApiClient(limited.test_client())

    pages = [client.post("/login", data={"email": resident.email, "password": "x"}).status_code
             for _ in range(2)]  # fmt: skip
    first = api.post("/tokens", json={"email": resident.email, "password": "x", "name": "b"})
    blocked = api.post("/tokens", json={"email": resident.email,
                                        "password": resident.password, "name": "b"})  # fmt: skip

    assert pages == [422, 422]
    assert first.status_code == 422
    assert_problem(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0


def test_a_read_token_revokes_itself_but_not_the_others(app, resident, token_for):
    reader = ApiClient(app.test_client(), token_for(resident, write=False))
    writer = ApiClient(app.test_client(), token_for(resident, write=True))
    ids = [t["id"] for t in reader.get("/tokens").get_json()["items"]]
    reader_id = reader.get("/me").get_json()["token"]["id"]
    [writer_id] = [i for i in ids if i != reader_id]

    assert_problem(reader.delete(f"/tokens/{writer_id}"), 403)
    assert reader.delete(f"/tokens/{reader_id}").get_json()["revoked"] is not None
    assert_problem(reader.get("/me"), 401)
    assert writer.get("/me").status_code == 200


def test_other_authorization_schemes_and_garbage_are_refused(app):
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer rk_not-a-real-token", "rk_abc"):
        response = app.test_client().get("/api/v1/processes", headers={"Authorization": header})
        assert_problem(response, 401)


def test_last_use_is_recorded(app, resident, token_for):
    ApiClient(app.test_client(), token_for(resident)).get("/processes")
    assert _token_rows(app)[0][4] is not None


def test_a_signed_in_browser_writes_only_with_its_csrf_token(config, make_app, resident,
                                                             create_process):  # fmt: skip
    config.WTF_CSRF_ENABLED = True
    app = make_app(config)
    process = create_process("reimagine")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": resident.email, "password": resident.password,
                                "csrf_token": csrf})  # fmt: skip
    profile = client.get("/profile").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', profile).group(1)
    path = f"/api/v1/processes/{process.slug}/proposals"
    body = {"title": "จากหน้าเว็บ", "body": "ผ่าน API"}

    forged = client.post(path, json=body)
    with_token = client.post(path, json=body, headers={"X-CSRFToken": csrf})
    read = client.get("/api/v1/me")

    assert_problem(forged, 400)["type"].endswith("#problem-csrf")
    assert with_token.status_code == 201
    assert read.get_json()["token"] is None


def test_the_cli_token_command_still_prints_a_working_token(app, runner, resident):
    result = runner.invoke(args=["users", "token", "--email", resident.email, "--name", "cli"])
    token = result.output.strip()
    assert ApiClient(app.test_client(), token).get("/me").status_code == 200
