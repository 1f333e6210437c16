"""In the live town hall, what people write keeps its line breaks (as text, never as markup),
and each chat message shows when it was written, in Bangkok time."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page

pytestmark = pytest.mark.slow

READ = """
const el = document.querySelector(arguments[0]);
if (!el) return null;
const range = document.createRange();
range.selectNodeContents(el);
const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
const time = el.parentElement.querySelector('.message__time');
return [el.innerText, tops.size, time ? [time.textContent, time.dateTime] : null];
"""


def test_line_breaks_are_kept_and_messages_show_their_time(
    browser, socket_server, create_townhall, create_user
):
    townhall = create_townhall()
    person = create_user(name="สมชาย ใจดี")
    server = socket_server()
    page = Page(browser, server.url)
    page.sign_in(person)
    page.open(f"/townhalls/{townhall.slug}")
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip

    page.fill("ask-body", "ถนนซอย 3\nจะซ่อมเมื่อไร")
    page.driver.find_element(By.CSS_SELECTOR, "[data-form=ask] button[type=submit]").click()
    page.fill("post-body", "ขอบคุณค่ะ\n<b>ไม่หนา</b>\nสามบรรทัด")
    page.driver.find_element(By.CSS_SELECTOR, "[data-form=post] button[type=submit]").click()

    def shown(selector):
        """Text, number of lines and time of the first element matching, once it is there."""
        return page.driver.execute_script(READ, selector)

    question = page.wait.until(lambda _d: shown("[data-list] .question__body"))
    message = page.wait.until(lambda _d: shown("[data-list=messages] .message__body"))
    assert question[:2] == ["ถนนซอย 3\nจะซ่อมเมื่อไร", 2]
    assert message[:2] == ["ขอบคุณค่ะ\n<b>ไม่หนา</b>\nสามบรรทัด", 3]  # the markup shows as text
    assert page.driver.find_elements(By.CSS_SELECTOR, "[data-list=messages] b") == []

    clock, moment = message[2]
    assert re.fullmatch(r"\d\d:\d\d น\.", clock)
    bangkok = datetime.now(UTC) + timedelta(hours=7)
    near = {(bangkok + timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0, 1)}
    assert clock.removesuffix(" น.") in near
    assert moment
