"""Inputs an attacker (or a mistyped link) sends: never a 500, always a plain answer."""

import re
from urllib.parse import unquote

import pytest

# A page number past any database integer, one below the first page, and no number at all.
BAD_PAGES = (str(10**20), "-1", "abc")

# (who reads it, the address); {slug} is a published process.
PAGED_PAGES = (
    (None, "/transparency"),
    (None, "/processes/{slug}/issues"),
    (None, "/processes/{slug}/proposals"),
    ("resident", "/notifications/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/log"),
    ("admin", "/admin/jobs"),
    ("facilitator", "/moderation"),
)
PAGED_API = (
    "/api/v1/processes",
    "/api/v1/processes/{slug}/issues",
    "/api/v1/processes/{slug}/proposals",
    "/api/v1/summaries",
    "/api/v1/townhalls",
)


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize(("reader", "address"), PAGED_PAGES)
def test_a_page_number_out_of_range_shows_the_first_page(
    client, auth, request, create_process, reader, address, page
):
    process = create_process("reframe")
    if reader:
        auth.login(request.getfixturevalue(reader))
        client.get("/")  # shows (and so ends) the "you are signed in" message

    first = client.get(address.format(slug=process.slug), query_string={"page": "1"})
    answer = client.get(address.format(slug=process.slug), query_string={"page": page})

    assert answer.status_code == 200
    assert _without_page_argument(answer) == _without_page_argument(first)


def _without_page_argument(response):
    """The page without the links back to itself (sign-in, language), which repeat ?page=,
    and without CSRF tokens (they carry the second they were made)."""
    text = re.sub(r"page(=|%3D)[^\"&]*", "", response.get_data(as_text=True))
    return re.sub(r'name="csrf_token" value="[^"]*"', "", text)


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize("address", PAGED_API)
def test_the_api_refuses_a_page_number_out_of_range_as_a_field_error(
    client, create_process, address, page
):
    process = create_process("reframe")

    answer = client.get(address.format(slug=process.slug), query_string={"page": page})

    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert [error["field"] for error in answer.get_json()["errors"]] == ["page"]


# Targets a request may name for "go back to": each must end on this site, unchanged or not at
# all (a line break would split the Location header; browsers drop tabs and line breaks).
UNSAFE_TARGETS = (
    "/processes\r\nSet-Cookie: session=stolen",
    "/\r\n/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "/ok\\..\\evil",
    "//evil.example",
    "https://evil.example/",
    "/\x7f",
    "/\u2028/evil.example",
)


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_switching_language_with_a_forged_next_goes_home(client, target):
    answer = client.post("/language", data={"language": "en", "next": target})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_signing_in_with_a_forged_next_signs_in_and_goes_home(client, resident, target):
    shown = client.get("/login", query_string={"next": target})
    answer = client.post("/login", query_string={"next": target},
                         data={"email": resident.email, "password": resident.password})  # fmt: skip

    assert shown.status_code == 200
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    assert client.get("/notifications/").status_code == 200  # signed in


@pytest.mark.parametrize("target", ["/processes/ซ่อมถนน?sort=newest#comments", "/transparency"])
def test_signing_in_with_a_next_on_this_site_goes_there(client, resident, target):
    answer = client.post("/login", query_string={"next": target},
                         data={"email": resident.email, "password": resident.password})  # fmt: skip

    assert answer.status_code == 302
    assert unquote(answer.headers["Location"]) == target
