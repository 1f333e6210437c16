"""A list page shared by anonymous readers still gives each reader their own CSRF token."""

import pytest

from participation.core.cache import fragments


@pytest.fixture
def config(config):
    config.WTF_CSRF_ENABLED = True
    return config


def _token(page):
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_each_anonymous_reader_of_a_shared_page_gets_a_working_token_of_their_own(
    app, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    create_contribution(process, resident, title="ทางเท้าริมคลอง")
    url = f"/processes/{process.slug}/proposals"
    first, second = app.test_client(), app.test_client()

    first_page = first.get(url).get_data(as_text=True)
    hits = fragments.hits
    second_page = second.get(url).get_data(as_text=True)

    assert fragments.hits == hits + 1  # the second reader was served the shared page
    assert "ทางเท้าริมคลอง" in second_page
    assert _token(first_page) != _token(second_page)
    switch = {"language": "en", "next": url}
    assert (
        second.post("/language", data={**switch, "csrf_token": _token(first_page)}).status_code
        == 400
    )
    assert (
        second.post("/language", data={**switch, "csrf_token": _token(second_page)}).status_code
        == 302
    )
