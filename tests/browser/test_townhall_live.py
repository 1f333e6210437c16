"""A live town hall in three browsers: a facilitator opens it and two residents take part, in
Thai and in English, with no page reloads for the residents."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page

pytestmark = pytest.mark.slow


def _on_live_page(page, person, townhall):
    page.sign_in(person)
    page.open(f"/townhalls/{townhall.slug}")
    _connected(page)


def _connected(page):
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip
    page.driver.execute_script("window.__notReloaded = true;")


def _question(page, text):
    return f"//li[contains(@class,'question')][.//p[normalize-space()='{text}']]"


@pytest.mark.parametrize("language", ["th", "en"])
def test_facilitator_opens_and_question_upvote_answer_and_poll_update_every_screen_live(
    language, browsers, socket_server, create_townhall, create_user, say
):
    thai = say(language)  # the words of the page, in the language of this run
    host_person = create_user(roles=["facilitator"], name="กมลพร ใจกว้าง", language=language)
    townhall = create_townhall(state="scheduled", facilitator=host_person)
    server = socket_server()
    resident = create_user(name="สมชาย ใจดี", language=language)
    neighbour = create_user(name="มาลี ศรีสุข", language=language)
    host, asker, voter = (Page(browsers(), server.url) for _ in range(3))
    _on_live_page(host, townhall.facilitator, townhall)
    _on_live_page(asker, resident, townhall)
    _on_live_page(voter, neighbour, townhall)

    # Connected to a session that has not started: no "● Live" yet (glossary: only while open).
    connection = (By.CSS_SELECTOR, "[data-connection]")
    asker.wait.until(ec.text_to_be_present_in_element(connection, thai("Connected")))
    assert asker.driver.find_element(*connection).text != thai("Live")

    # The facilitator opens the session (their page reloads with the live controls); the
    # residents' screens show it is live without reloading.
    host.click_text(thai("Open the session"))
    _connected(host)
    assert host.driver.find_elements(
        By.XPATH, f"//button[normalize-space()='{thai('End the session')}']"
    )
    for page in (host, asker, voter):
        page.wait.until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "[data-state-badge]"), thai("Live now")))  # fmt: skip
    asker.wait.until(ec.text_to_be_present_in_element(connection, thai("Live")))

    # A resident asks; the question appears on all three screens.
    asker.fill("ask-body", "จะซ่อมไฟถนนซอย 3 เมื่อไร")
    asker.click_text(thai("Ask"), navigates=False)
    question = _question(asker, "จะซ่อมไฟถนนซอย 3 เมื่อไร")
    for page in (host, asker, voter):
        page.wait.until(ec.presence_of_element_located((By.XPATH, question)))

    # Others can report it to the moderators; its author cannot.
    report = question + f"//a[normalize-space()='{thai('Report')}']"
    assert (
        voter.driver.find_element(By.XPATH, report)
        .get_attribute("href")
        .endswith(f"?next=/townhalls/{townhall.slug}")
    )
    assert asker.driver.find_elements(By.XPATH, report) == []

    # The other resident wants to know too; the count changes everywhere.
    voter.driver.find_element(
        By.XPATH, question + "//button[contains(@class,'vote-button')]"
    ).click()
    for page in (host, asker, voter):
        page.wait.until(
            ec.text_to_be_present_in_element((By.XPATH, question + "//*[@data-upvotes]"), "1")
        )

    # The facilitator marks it answered: it moves to the answered list on every screen.
    host.driver.find_element(
        By.XPATH, question + f"//button[normalize-space()='{thai('Mark answered')}']"
    ).click()
    answered = "//ol[@data-list='answered']" + question
    for page in (host, asker, voter):
        page.wait.until(ec.presence_of_element_located((By.XPATH, answered)))

    # The facilitator opens a poll; both residents answer; results update on all screens.
    host.driver.find_element(By.CSS_SELECTOR, ".poll-details summary").click()
    host.fill("poll-question", "ควรเริ่มซ่อมที่ซอยไหนก่อน")
    host.fill("poll-options", "ซอย 3\nซอย 5")
    host.click_text(thai("Open the poll"), navigates=False)
    for page, choice in ((asker, "ซอย 3"), (voter, "ซอย 3")):
        label = (
            f"//form[contains(@class,'poll__form')]//label[contains(normalize-space(), '{choice}')]"
        )
        page.wait.until(ec.element_to_be_clickable((By.XPATH, label))).click()
        page.driver.find_element(By.CSS_SELECTOR, ".poll__form button[type=submit]").click()
        # The confirmation is beside the poll, with the choice made (not at the top of the page).
        thanks = thai("Thank you, your answer is counted.")
        page.wait.until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".poll .poll__mine"), thanks)
        )
        assert choice in page.driver.find_element(By.CSS_SELECTOR, ".poll .poll__mine").text
        assert thanks not in page.driver.find_element(By.CSS_SELECTOR, "[data-message]").text
    for page in (host, asker, voter):
        page.wait.until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".poll__results"), "2 (100%)"))  # fmt: skip
        assert page.driver.execute_script("return window.__notReloaded === true;")
        assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    assert server.errors() == []


def test_the_live_page_reconnects_by_itself_and_catches_up(
    browsers, socket_server, create_townhall, resident, create_user, token_for, thai
):
    import socketio as socketio_client

    townhall = create_townhall()
    server = socket_server()
    page = Page(browsers(), server.url)
    _on_live_page(page, resident, townhall)

    server.kill()
    page.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-connection]")
                    .get_attribute("data-state") in ("reconnecting", "offline"))  # fmt: skip
    server.start()
    # While the browser is still catching up, someone posts through the restarted server.
    other = socketio_client.Client(reconnection=False)
    other.connect(server.url, namespaces=["/townhall"], transports=["websocket"],
                  auth={"token": token_for(create_user(name="คนอื่น"))})  # fmt: skip
    other.call("join", {"townhall": townhall.slug}, namespace="/townhall")
    other.call("post", {"townhall": townhall.slug, "body": "โพสต์ระหว่างที่คุณหลุด",
                        "client_id": "x"}, namespace="/townhall")  # fmt: skip
    other.disconnect()

    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip
    page.wait.until(ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "[data-list=messages]"), "โพสต์ระหว่างที่คุณหลุด"))  # fmt: skip
    messages = page.driver.find_elements(By.CSS_SELECTOR, "[data-list=messages] li")
    assert len(messages) == 1
    assert page.driver.execute_script("return window.__notReloaded === true;")


def test_a_page_that_joins_while_redis_is_frozen_goes_live_and_follows_both_servers(
    browsers, socket_server, faulty_redis, create_townhall, resident, create_user, token_for
):
    """Two server processes share a Redis that freezes (SIGSTOP) before the page opens: the
    page still joins, shows it is live, and receives what residents post through the other
    server, during the outage and after Redis is back, without a reload."""
    import uuid

    import socketio as socketio_client

    townhall = create_townhall()
    first, second = (socket_server(redis_url=faulty_redis.url) for _ in range(2))
    other = socketio_client.Client(reconnection=False)
    other.connect(second.url, namespaces=["/townhall"], transports=["websocket"],
                  auth={"token": token_for(create_user(name="คนอื่น"))})  # fmt: skip
    other.call("join", {"townhall": townhall.slug}, namespace="/townhall")

    def post(body):
        payload = {"townhall": townhall.slug, "body": body, "client_id": str(uuid.uuid4())}
        answer = other.call("post", payload, namespace="/townhall")
        assert answer["ok"], answer

    def shows(text):
        page.wait.until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "[data-list=messages]"), text))  # fmt: skip

    page = Page(browsers(), first.url)
    page.sign_in(resident)
    try:
        faulty_redis.pause()
        page.open(f"/townhalls/{townhall.slug}")
        _connected(page)
        post("ระหว่างที่ Redis ค้าง")
        shows("ระหว่างที่ Redis ค้าง")

        faulty_redis.resume()
        post("หลัง Redis กลับมา")
        shows("หลัง Redis กลับมา")
    finally:
        faulty_redis.resume()
        other.disconnect()
    assert len(page.driver.find_elements(By.CSS_SELECTOR, "[data-list=messages] li")) == 2
    assert page.driver.execute_script("return window.__notReloaded === true;")
    assert first.errors() == second.errors() == []


# Before the page's scripts run: the page's first ``join`` goes out under a name the server
# does not answer, as a join lost in an outage.
LOSE_THE_FIRST_JOIN = """
(function () {
  var real;
  Object.defineProperty(window, "io", { configurable: true, get: function () { return real; },
    set: function (value) {
      real = value;
      var emit = value.Socket.prototype.emit;
      value.Socket.prototype.emit = function (name) {
        if (name === "join" && !window.__lostJoin) {
          window.__lostJoin = true;
          arguments[0] = "join-lost";
        }
        return emit.apply(this, arguments);
      };
    } });
})();
"""


def test_a_join_that_gets_no_answer_is_sent_again_and_the_page_comes_live(
    browsers, socket_server, create_townhall, resident, create_user, token_for
):
    import socketio as socketio_client

    townhall = create_townhall()
    server = socket_server()
    other = socketio_client.Client(reconnection=False)
    other.connect(server.url, namespaces=["/townhall"], transports=["websocket"],
                  auth={"token": token_for(create_user(name="คนอื่น"))})  # fmt: skip
    other.call("join", {"townhall": townhall.slug}, namespace="/townhall")
    page = Page(browsers(), server.url)
    page.sign_in(resident)
    page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                {"source": LOSE_THE_FIRST_JOIN})  # fmt: skip
    page.open(f"/townhalls/{townhall.slug}")
    try:
        page.wait.until(lambda d: d.execute_script("return window.__lostJoin === true;"))
        # Waiting for an answer, the page does not claim to be live.
        state = page.driver.find_element(By.CSS_SELECTOR, "[data-connection]")
        assert state.get_attribute("data-state") in ("connecting", "reconnecting")
        other.call("post", {"townhall": townhall.slug, "body": "ระหว่างที่รอคำตอบ",
                            "client_id": "while-waiting"}, namespace="/townhall")  # fmt: skip

        _connected(page)
        page.wait.until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "[data-list=messages]"), "ระหว่างที่รอคำตอบ"))  # fmt: skip
    finally:
        other.disconnect()
    assert server.errors() == []
