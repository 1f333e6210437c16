"""CSRF on every form, rate limits on sign-in and sign-up, and the one sanitiser."""

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.sanitize import ALLOWED_TAGS, plain_text, render_markdown


@pytest.fixture
def csrf_client(config, make_app):
    config.WTF_CSRF_ENABLED = True
    return make_app(config).test_client()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/register", {"display_name": "x", "email": "x@example.org", "password": "p" * 12}),
        ("/login", {"email": "x@example.org", "password": "p" * 12}),
        ("/logout", {}),
        ("/language", {"language": "en"}),
        ("/password/forgot", {"email": "x@example.org"}),
    ],
)
def test_forms_without_a_csrf_token_are_refused(csrf_client, path, data):
    response = csrf_client.post(path, data=data)
    assert response.status_code == 400


def test_form_with_its_csrf_token_is_accepted(csrf_client, app):
    page = csrf_client.get("/register").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]

    response = csrf_client.post(
        "/register",
        data={
            "csrf_token": token,
            "display_name": "มาลี",
            "email": "malee@example.org",
            "password": "ดอกไม้บานที่แม่เหียะ2569",
            "preferred_language": "th",
            "consent": "y",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        from participation.extensions import db

        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_too_many_sign_in_attempts_get_429_with_retry_after(config, resident, thai, make_app):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_LOGIN = "3 per minute"
    client = make_app(config).test_client()

    codes = [
        client.post("/login", data={"email": resident.email, "password": "wrong"}).status_code
        for _ in range(3)
    ]
    blocked = client.post("/login", data={"email": resident.email, "password": resident.password})
    as_json = client.post(
        "/login", data={"email": resident.email, "password": "x"},
        headers={"Accept": "application/json"},
    )  # fmt: skip

    assert codes == [422, 422, 422]
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert thai("Too many attempts") in blocked.get_data(as_text=True)
    assert as_json.status_code == 429
    assert as_json.json["status"] == 429


def test_registration_is_rate_limited(config, make_app):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_REGISTER = "2 per hour"
    client = make_app(config).test_client()

    codes = [client.post("/register", data={}).status_code for _ in range(3)]

    assert codes == [422, 422, 429]


def test_markdown_is_rendered_and_scripts_are_not():
    html = render_markdown("**สำคัญ** <script>alert(1)</script> [link](javascript:alert(1))")

    assert "<strong>สำคัญ</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


@pytest.mark.parametrize(
    "payload",
    [
        '<img src=x onerror="alert(1)">',
        "<svg/onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        "[x](javascript:alert(1))",
        '<a href="https://ok.example" onclick="alert(1)">ok</a>',
        "<<script>script>alert(1)<</script>/script>",
        '"><script>alert(1)</script>',
        "<style>body{display:none}</style>",
    ],
)
def test_sanitiser_leaves_nothing_executable(payload):
    elements = _elements(str(render_markdown(payload)))

    for tag, attributes in elements:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attributes:
            assert not name.startswith("on"), name
            if name == "href":
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto"), value


def _elements(html):
    """Return every (tag, attributes) a browser would build from ``html``."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_links_are_marked_as_user_content():
    html = str(render_markdown("ดูที่ https://www.example.org/"))
    assert 'rel="nofollow ugc noopener"' in html


def test_plain_fields_lose_control_characters_and_extra_spaces():
    assert plain_text("  สมชาย\x00\x07   ใจดี \n") == "สมชาย ใจดี"


def test_control_characters_never_reach_the_database(client, auth, resident, create_process, in_db):
    from participation.proposals.models import Contribution

    process = create_process("reimagine")
    auth.login(resident)

    text = {"title": "ถนน\x00พัง\x07", "body": "หลุม\x00ใหญ่\tมาก\nจริง"}
    posted = client.post(f"/processes/{process.slug}/proposals/new", data=text)
    searched = client.get(f"/processes/{process.slug}/proposals?q=ถนน%00")

    assert posted.status_code == 302
    assert searched.status_code == 200
    with in_db() as session:
        stored = session.scalar(sa.select(Contribution))
        assert (stored.title, stored.body) == ("ถนนพัง", "หลุมใหญ่\tมาก\nจริง")
