"""The home page in Thai and English, the health check and the error pages."""

import sqlalchemy as sa


def test_home_page_speaks_thai_and_shows_the_municipality(client, runner, thai):
    runner.invoke(args=["demo", "seed"])

    page = client.get("/").get_data(as_text=True)

    assert '<html lang="th">' in page
    assert "เทศบาลเมืองแม่เหียะ" in page
    assert "ชุมชนบ้านป่าจี้" in page
    assert thai("Skip to main content") in page
    assert thai("Open processes") in page


def test_home_page_in_english_after_switching(client, runner):
    runner.invoke(args=["demo", "seed"])
    client.post("/language", data={"language": "en"})

    page = client.get("/").get_data(as_text=True)

    assert '<html lang="en">' in page
    assert "Mae Hia Town Municipality" in page
    assert "Skip to main content" in page


def test_home_page_without_a_municipality_still_works(client):
    assert client.get("/").status_code == 200


def test_home_page_has_landmarks_and_a_skip_link(client):
    page = client.get("/").get_data(as_text=True)
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'href="#main"'):
        assert landmark in page


def test_health_check_reports_the_database_and_redis_when_configured(client, config):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"]["ok"] is True
    if config.REDIS_URL:
        assert response.json["checks"]["redis"]["ok"] is True
    else:
        assert "redis" not in response.json["checks"]


def test_health_check_is_degraded_but_200_when_redis_is_down(config, make_app):
    config.REDIS_URL = "redis://127.0.0.1:1/0"
    response = make_app(config).test_client().get("/healthz")

    assert response.status_code == 200  # the site works without Redis
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["database"]["ok"] is True
    assert response.json["checks"]["redis"]["ok"] is False
    assert response.json["checks"]["redis"]["reason"] == "Redis cannot be reached"
    assert response.json["reasons"] == ["Redis cannot be reached"]


def test_health_check_writes_a_heartbeat_to_prove_the_database_can_write(client, app):
    from participation.extensions import db
    from participation.home.models import Heartbeat

    client.get("/healthz")
    with app.app_context():
        first = db.session.get(Heartbeat, 1).checked_dt
        db.session.remove()
    client.get("/healthz")
    with app.app_context():
        assert db.session.get(Heartbeat, 1).checked_dt > first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Heartbeat)) == 1


def test_health_check_is_503_when_the_database_is_unreachable(config, tmp_path, make_app):
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/missing-dir/x/db.sqlite3"
    response = make_app(config).test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "down"
    assert response.json["checks"]["database"]["ok"] is False
    assert response.json["checks"]["database"]["reason"] == "the database cannot be reached"


def test_missing_page_is_a_translated_404(client, thai):
    thai_page = client.get("/no-such-page")
    client.set_cookie("lang", "en")
    english_page = client.get("/no-such-page")

    assert thai_page.status_code == english_page.status_code == 404
    assert thai("We could not find that page") in thai_page.get_data(as_text=True)
    assert "We could not find that page" in english_page.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    assert response.json["title"]


def test_forbidden_page_is_translated_and_json_for_json_clients(client, auth, resident):
    auth.login(resident)

    page = client.get("/admin/users")
    data = client.get("/admin/users", headers={"Accept": "application/json"})

    assert page.status_code == data.status_code == 403
    assert "<html" in page.get_data(as_text=True)
    assert data.json["status"] == 403


def test_server_error_is_a_friendly_500(config, thai, make_app):
    app = make_app(config)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    page = client.get("/boom")
    data = client.get("/boom", headers={"Accept": "application/json"})

    assert page.status_code == 500
    assert thai("Something went wrong on our side") in page.get_data(as_text=True)
    assert data.json == {
        "status": 500,
        "title": thai("Something went wrong on our side"),
        "detail": thai("We have been told and will look into it. Please try again later."),
    }


def test_privacy_notice_mentions_the_pdpa_and_supports(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "2562" in page


def test_pages_send_security_headers(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_pages_have_no_inline_script(client):
    import re

    for path in ("/", "/login", "/register"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+=", page), path


def test_browsers_asking_for_favicon_ico_get_our_mark(client):
    import io

    from PIL import Image

    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an icon file
    icon = Image.open(io.BytesIO(response.get_data()))
    assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
    icon.size = (32, 32)
    pixels = icon.convert("RGBA")
    assert pixels.getpixel((0, 0))[3] == 0  # outside the disc: transparent
    assert pixels.getpixel((16, 4))[:3] == (0x1F, 0x6F, 0x43)  # the green disc
    assert pixels.getpixel((11, 16))[:3] == (255, 255, 255)  # the letter's stem
