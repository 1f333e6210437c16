"""Wrong passwords for one account make it wait, from whatever address they come, on the page
and the API alike; the wait is short, grows, and says nothing about which accounts exist
(issue 16, item 14)."""

import time

import pytest
from flask_babel import force_locale

from participation.accounts import throttle
from tests.api.conftest import ApiClient, assert_problem

WRONG = "not-my-password-at-all"


@pytest.fixture
def guarded(app, config, make_app):
    """Rate limits on; three wrong passwords free, then 1 s, doubling up to 2 s.

    Made after the test's ``app``: the rate limiter is shared by the apps of a process.
    """
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_LOGIN = "100 per minute"  # the address limit has its own tests
    config.SIGN_IN_FREE_ATTEMPTS = 3
    config.SIGN_IN_FIRST_WAIT_SECONDS = 1
    config.SIGN_IN_MAX_WAIT_SECONDS = 2
    return make_app(config)


def sign_in(app, email, password, address="192.0.2.1", **headers):
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)  # fmt: skip


def token_request(app, email, password, address="192.0.2.1"):
    api = ApiClient(app.test_client())
    return api.post("/tokens", json={"email": email, "password": password, "name": "script"},
                    environ_base={"REMOTE_ADDR": address})  # fmt: skip


def wait_text(app, seconds, language="th"):
    with app.test_request_context(), force_locale(language):
        return throttle.wait_message(seconds)


def test_guessing_one_account_from_many_addresses_makes_it_wait(guarded, resident):
    guesses = [
        sign_in(guarded, resident.email, WRONG, address=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    # A fourth address, and even the right password: the account waits first.
    waiting = sign_in(guarded, resident.email, resident.password, address="203.0.113.9")
    page = waiting.get_data(as_text=True)

    assert guesses == [422, 422, 422]
    assert waiting.status_code == 429
    assert int(waiting.headers["Retry-After"]) >= 1
    assert wait_text(guarded, 1) in page
    assert wait_text(guarded, 1) != wait_text(guarded, 1, "en")  # said in Thai


def test_addresses_forwarded_by_the_proxy_do_not_escape_the_account_count(
    app, config, make_app, resident
):
    config.RATELIMIT_ENABLED = True
    config.PROXY_COUNT = 1
    config.SIGN_IN_FREE_ATTEMPTS = 2
    guarded = make_app(config)

    codes = [
        sign_in(guarded, resident.email, WRONG, **{"X-Forwarded-For": f"198.51.100.{n}"})
        .status_code
        for n in range(3)
    ]  # fmt: skip

    assert codes == [422, 422, 429]


def test_the_sign_in_page_and_token_requests_share_one_count(guarded, resident):
    pages = [sign_in(guarded, resident.email, WRONG).status_code for _ in range(2)]
    script = token_request(guarded, resident.email, WRONG, address="198.51.100.7")
    blocked = token_request(guarded, resident.email, resident.password, address="198.51.100.8")
    page_too = sign_in(guarded, resident.email, resident.password, address="198.51.100.9")

    assert pages == [422, 422]
    assert script.status_code == 422
    body = assert_problem(blocked, 429)
    assert body["detail"] == wait_text(guarded, 1, "en")
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "token" not in blocked.get_json()
    assert page_too.status_code == 429


def test_the_wait_grows_is_capped_and_the_right_password_then_works(guarded, resident):
    def wait_said():
        """The wait the page gives (Retry-After may be longer: the address limit's window)."""
        response = sign_in(guarded, resident.email, WRONG)
        assert response.status_code == 429
        page = response.get_data(as_text=True)
        said = [n for n in (1, 2, 3, 4) if wait_text(guarded, n) in page]
        assert int(response.headers["Retry-After"]) >= said[0]
        return said[0]

    for _ in range(3):
        sign_in(guarded, resident.email, WRONG)
    first_wait = wait_said()
    time.sleep(1.1)
    sign_in(guarded, resident.email, WRONG)  # a fourth wrong password: the wait doubles
    second_wait = wait_said()
    time.sleep(2.1)
    sign_in(guarded, resident.email, WRONG)  # a fifth: it would be 4 s, capped at 2 s
    capped = wait_said()
    time.sleep(2.1)
    signed_in = sign_in(guarded, resident.email, resident.password)
    after = sign_in(guarded, resident.email, WRONG)  # a success starts the count afresh

    assert (first_wait, second_wait, capped) == (1, 2, 2)
    assert signed_in.status_code == 302
    assert after.status_code == 422


def test_an_address_without_an_account_is_answered_the_same_way(guarded, resident):
    def attempts(email, network):
        answers = [sign_in(guarded, email, WRONG, address=f"{network}.{n}") for n in range(4)]
        return [answer.status_code for answer in answers], answers[-1]

    known, known_page = attempts(resident.email, "198.51.100")
    unknown, unknown_page = attempts("nobody-here@example.org", "203.0.113")

    assert known == unknown == [422, 422, 422, 429]
    assert wait_text(guarded, 1) in unknown_page.get_data(as_text=True)
    assert wait_text(guarded, 1) in known_page.get_data(as_text=True)


def test_a_resident_whose_account_is_guessed_chooses_a_new_password_and_signs_in(guarded, resident):
    from participation.accounts import operations

    for n in range(4):
        sign_in(guarded, resident.email, WRONG, address=f"198.51.100.{n}")
    links = [operations.new_reset_token()]
    with guarded.test_request_context():
        operations.send_password_reset(resident.email, links[0], "http://127.0.0.1:5000/")
    client = guarded.test_client()
    new_password = "ต้นไม้ริมคลองแม่ข่า-2569"
    reset = client.post(f"/password/reset/{links[0]}", data={"password": new_password})
    signed_in = sign_in(guarded, resident.email, new_password)

    assert reset.status_code == 302
    assert signed_in.status_code == 302


def test_the_wait_message_speaks_in_minutes_for_long_waits(app):
    with app.test_request_context(), force_locale("en"):
        assert "wait 5 minutes" in throttle.wait_message(300)
        assert "wait 2 minutes" in throttle.wait_message(61)
        assert "wait 45 seconds" in throttle.wait_message(45)
