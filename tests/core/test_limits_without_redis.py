"""Rate limits while Redis is stopped or frozen: residents still sign in, support, comment and
write through the API at once; the limits are counted in the process's memory meanwhile and in
Redis again once it is back (issue 16, item 1)."""

import logging
import threading
import time

import pytest
import redis

from participation import config as settings
from participation.extensions import limiter, rate_limits_on_fallback
from tests.api.conftest import ApiClient
from tests.conftest import Auth

pytestmark = pytest.mark.slow

ANSWER_WITHIN = 2  # seconds, for every request while Redis is away


def answered(request):
    """Run ``request`` (a function that sends one request) and return (response, seconds).

    It runs in a thread so that a request hanging on a frozen Redis fails the test instead of
    stopping the run; the thread ends when the fixture thaws Redis.
    """
    result = {}

    def run():
        started = time.monotonic()
        try:
            result["response"] = request()
        except Exception as error:  # noqa: BLE001 - raised again in the test's thread
            result["error"] = error
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(ANSWER_WITHIN * 3)
    assert not thread.is_alive(), f"no answer within {ANSWER_WITHIN * 3} s"
    if "error" in result:
        raise result["error"]
    return result["response"], result["seconds"]


@pytest.fixture
def limited(app, monkeypatch, database_url, tmp_path, make_app, faulty_redis):
    """The app with production limits on, counted in the private Redis that REDIS_URL names
    (made after the test's other app, as the limiter is shared by the apps of a process)."""
    monkeypatch.setenv("RUAMKID_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", faulty_redis.url)
    config = settings.TestConfig(database_url=database_url)
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_COMMENT = "3 per minute"
    return make_app(config)


def redis_keys(faulty_redis, scope):
    """The rate-limit counters of ``scope`` in the test's private Redis."""
    with redis.Redis.from_url(faulty_redis.url, socket_timeout=1) as conn:
        return [key for key in conn.keys("LIMITS*") if f"/{scope}/" in key.decode()]


def back_on_redis(client):
    """Make requests until the limiter has found Redis again (it checks 1, 2, 4 ... 32 s apart
    while on its fallback)."""
    deadline = time.monotonic() + 40
    while rate_limits_on_fallback() and time.monotonic() < deadline:
        client.get("/")
        time.sleep(0.2)


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_residents_take_part_while_redis_is_away_and_limits_return_to_redis(
    limited, faulty_redis, resident, create_user, create_process, create_contribution,
    token_for, caplog, fault,
):  # fmt: skip
    process = create_process("reimagine")
    item_id = create_contribution(process, create_user())
    token = token_for(resident)
    browser = limited.test_client()
    script = ApiClient(limited.test_client(), token)
    comments_url = f"/contributions/{item_id}/comments"
    support_url = f"/processes/{process.slug}/proposals/{item_id}/support"
    # Redis counts while it is up.
    assert limited.test_client().get("/").status_code == 200
    assert answered(lambda: Auth(limited.test_client()).login(create_user()))[0].status_code == 302
    assert redis_keys(faulty_redis, "sign-in")

    caplog.set_level(logging.INFO)
    faulty_redis.stop() if fault == "stopped" else faulty_redis.pause()
    login, login_time = answered(lambda: Auth(browser).login(resident))
    support, support_time = answered(lambda: browser.post(support_url, data={"support": "1"}))
    comment, comment_time = answered(
        lambda: browser.post(comments_url, data={"body": "เห็นด้วยค่ะ ช่วยซ่อมด่วน"})
    )
    api_comment, api_time = answered(
        lambda: script.post(f"/processes/{process.slug}/proposals/{item_id}/comments",
                            json={"body": "ส่งจากสคริปต์ของชุมชน"})
    )  # fmt: skip
    # The third comment of the minute is allowed, the fourth is over the limit.
    flood = [
        answered(lambda n=n: browser.post(comments_url, data={"body": f"อีกครั้ง {n}"}))[0]
        for n in range(2)
    ]
    on_fallback = rate_limits_on_fallback()

    assert (login.status_code, support.status_code, comment.status_code) == (302, 302, 302)
    assert api_comment.status_code == 201, api_comment.get_data(as_text=True)
    assert max(login_time, support_time, comment_time, api_time) < ANSWER_WITHIN
    assert [response.status_code for response in flood] == [302, 429]
    assert int(flood[-1].headers["Retry-After"]) > 0
    assert on_fallback
    outage_warnings = [
        record for record in caplog.records
        if record.levelno >= logging.WARNING and "rate limit" in record.getMessage().lower()
    ]  # fmt: skip
    assert len(outage_warnings) == 1  # once per outage, not once per request

    faulty_redis.start() if fault == "stopped" else faulty_redis.resume()
    back_on_redis(browser)
    withdrawn = browser.post(support_url, data={"support": "0"})

    assert not rate_limits_on_fallback()
    assert withdrawn.status_code == 302
    assert redis_keys(faulty_redis, "support")


def test_the_limiter_gives_redis_a_short_timeout_and_no_long_retries(limited):
    options = limited.config["RATELIMIT_STORAGE_OPTIONS"]
    connection = limiter.storage.get_connection().connection_pool.connection_kwargs

    assert limited.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert 0 < options["socket_timeout"] <= 0.5
    assert 0 < options["socket_connect_timeout"] <= 0.5
    assert connection["socket_timeout"] == options["socket_timeout"]
    assert connection["retry"].get_retries() <= 1


def test_an_account_guessed_while_redis_is_stopped_still_waits(
    app, monkeypatch, database_url, tmp_path, make_app, faulty_redis, resident
):
    monkeypatch.setenv("RUAMKID_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", faulty_redis.url)
    config = settings.TestConfig(database_url=database_url)
    config.RATELIMIT_ENABLED = True
    config.SIGN_IN_FREE_ATTEMPTS = 2
    guarded = make_app(config)
    faulty_redis.stop()

    codes = [
        guarded.test_client()
        .post("/login", data={"email": resident.email, "password": "wrong guess"},
              environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
        .status_code
        for n in range(3)
    ]  # fmt: skip

    on_fallback = rate_limits_on_fallback()
    faulty_redis.start()
    back_on_redis(guarded.test_client())  # the next tests find the limiter on Redis

    assert codes == [422, 422, 429]
    assert on_fallback
