"""The proposal list: filters, sorting, pagination, and a bounded number of queries."""

import re

import pytest
import sqlalchemy as sa


@pytest.fixture
def listed(app, resident, create_user, create_process, create_contribution, client, auth):
    process = create_process("reimagine")
    other = create_user()
    ids = {
        "road": create_contribution(process, resident, title="ซ่อมถนนซอยสาม",
                                    category_id=process.category_ids[0],
                                    area_id=process.area_ids[0]),
        "light": create_contribution(process, other, title="ไฟส่องสว่างหน้าวัด",
                                     category_id=process.category_ids[1],
                                     area_id=process.area_ids[1]),
        "lamp": create_contribution(process, other, title="หลอดไฟถนนเสีย",
                                    category_id=process.category_ids[1],
                                    area_id=process.area_ids[0]),
    }  # fmt: skip
    for _ in range(2):
        auth.login(create_user())
        client.post(f"/processes/{process.slug}/proposals/{ids['light']}/support")
        auth.logout()
    auth.login(create_user())
    client.post(f"/processes/{process.slug}/proposals/{ids['lamp']}/support")
    auth.logout()
    return process, ids


def _titles(client, process, **args):
    page = client.get(f"/processes/{process.slug}/proposals", query_string=args)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html), html


def test_most_supported_first_by_default(client, listed):
    process, _ = listed
    titles, _html = _titles(client, process)
    assert titles == ["ไฟส่องสว่างหน้าวัด", "หลอดไฟถนนเสีย", "ซ่อมถนนซอยสาม"]


def test_filters_by_category_area_and_mine(client, auth, resident, listed):
    process, _ = listed
    assert _titles(client, process, category=process.category_ids[1])[0] == [
        "ไฟส่องสว่างหน้าวัด",
        "หลอดไฟถนนเสีย",
    ]
    assert _titles(client, process, area=process.area_ids[0])[0] == ["หลอดไฟถนนเสีย", "ซ่อมถนนซอยสาม"]
    auth.login(resident)
    assert _titles(client, process, mine=1)[0] == ["ซ่อมถนนซอยสาม"]


def test_result_count_is_shown(client, listed, thai):
    process, _ = listed
    titles, html = _titles(client, process, q="ไฟ")
    assert thai.plural("%(num)d result", "%(num)d results", 2) in html
    assert len(titles) == 2


def test_sorting_by_newest_and_comments(client, listed):
    process, _ = listed
    assert _titles(client, process, sort="newest")[0] == [
        "หลอดไฟถนนเสีย",
        "ไฟส่องสว่างหน้าวัด",
        "ซ่อมถนนซอยสาม",
    ]
    assert len(_titles(client, process, sort="commented")[0]) == 3


def test_random_order_is_stable_for_one_visitor(client, listed):
    process, _ = listed
    first = _titles(client, process, sort="random")[0]
    assert first == _titles(client, process, sort="random")[0]
    assert sorted(first) == sorted(_titles(client, process)[0])


def test_pagination_splits_pages_and_links_them(client, listed):
    process, _ = listed
    page_one, html = _titles(client, process, per_page=2)
    page_two, _html = _titles(client, process, per_page=2, page=2)
    assert len(page_one) == 2
    assert len(page_two) == 1
    assert 'rel="next"' in html


def test_malformed_list_arguments_are_ignored(client, listed):
    process, _ = listed
    titles, _html = _titles(client, process, page="x", per_page="-5", category="abc", sort="evil",
                            status="hacked")  # fmt: skip
    assert len(titles) == 3


def _count_queries(app, client, url):
    from participation.extensions import db

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statements


def test_list_page_issues_a_bounded_number_of_queries_whatever_the_page_size(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine", max_supports=10)
    for number in range(40):
        author = resident if number % 2 else create_user()
        create_contribution(process, author, title=f"ข้อเสนอที่ {number}",
                            category_id=process.category_ids[number % 2],
                            area_id=process.area_ids[number % 2])  # fmt: skip
    auth.login(create_user())
    url = f"/processes/{process.slug}/proposals"
    client.get(url)  # the server process reads the names kept whole in titles once, not per page

    small = _count_queries(app, client, f"{url}?per_page=5")
    large = _count_queries(app, client, f"{url}?per_page=40")
    searched_small = _count_queries(app, client, f"{url}?per_page=5&q=ข้อเสนอ")
    searched = _count_queries(app, client, f"{url}?per_page=40&q=ข้อเสนอ")

    assert len(small) == len(large)
    assert len(searched_small) == len(searched) <= len(large) + 1
    assert len(large) <= 12, "\n".join(s[:90].replace("\n", " ") for s in large)
