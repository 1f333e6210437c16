"""Writes are rate-limited per person, with production settings on: 429, Retry-After, a
translated page for browsers and problem+json for scripts; another person is not affected."""

import pytest

from tests.conftest import Auth


@pytest.fixture
def limited(config, make_app):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_COMMENT = "2 per minute"
    config.RATELIMIT_REPORT = "1 per hour"
    config.RATELIMIT_SUPPORT = "2 per minute"
    return make_app(config)


def test_commenting_too_fast_is_limited_per_person(
    limited, resident, create_user, create_process, create_contribution, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, create_user(roles=["facilitator"]))
    fast, other = limited.test_client(), limited.test_client()
    Auth(fast).login(resident)
    Auth(other).login(create_user())
    url = f"/contributions/{item_id}/comments"

    codes = [fast.post(url, data={"body": f"ความเห็น {n}"}).status_code for n in range(2)]
    blocked = fast.post(url, data={"body": "อีกครั้ง"})
    as_json = fast.post(url, data={"body": "อีกครั้ง"}, headers={"Accept": "application/json"})
    someone_else = other.post(url, data={"body": "ความเห็นของเพื่อนบ้าน"})

    assert codes == [302, 302]
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert thai("Too many attempts") in blocked.get_data(as_text=True)
    assert as_json.status_code == 429
    assert as_json.mimetype == "application/problem+json"
    assert someone_else.status_code == 302  # the same address, another person


def test_reporting_and_supporting_are_limited(
    limited, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    items = [create_contribution(process, create_user()) for _ in range(3)]
    client = limited.test_client()
    Auth(client).login(resident)

    reports = [client.post(f"/report/contribution/{item}", data={"reason": "spam"}).status_code
               for item in items[:2]]  # fmt: skip
    supports = [
        client.post(f"/processes/{process.slug}/proposals/{item}/support").status_code
        for item in items
    ]

    assert reports == [302, 429]
    assert supports[-1] == 429
