"""Joining a town hall in a tap: the projector shows the code, a neighbour types it on a phone
and takes part as a guest with a Thai name, another scans the QR code."""

import io
import os
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page
from tests.browser.screenshots import _capture

pytestmark = pytest.mark.slow


def _connected(page):
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip


def _shot(page, name):
    """Keep a screenshot when RUAMKID_SCREENSHOTS names a folder (to look at the pages)."""
    folder = os.environ.get("RUAMKID_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        _capture(page.driver, Path(folder) / f"{name}.png")


def test_a_guest_types_the_code_from_the_projector_and_takes_part_live(
    browsers, socket_server, create_townhall, create_user, say
):
    import zxingcpp
    from PIL import Image

    thai = say("th")
    host_person = create_user(roles=["facilitator"], name="กมลพร ใจกว้าง")
    townhall = create_townhall(state="scheduled", facilitator=host_person, allow_guests=True)
    server = socket_server()
    host = Page(browsers(width=1366, height=768), server.url)
    guest = Page(browsers(width=390, height=844), server.url)

    # The facilitator opens the session with guests allowed.
    host.sign_in(host_person)
    host.open(f"/townhalls/{townhall.slug}")
    host.click_text(thai("Open the session"))
    _connected(host)

    # The projector shows the QR code and the code, large, on its first screen.
    host.open(f"/townhalls/{townhall.slug}/projector")
    code_box = host.wait.until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "[data-join-code]"))
    )
    code = code_box.text.replace(" ", "")
    assert len(code) == 6
    qr = host.driver.find_element(By.CSS_SELECTOR, "[data-join-qr]")
    assert qr.rect["y"] + qr.rect["height"] <= 768
    assert code_box.rect["y"] + code_box.rect["height"] <= 768
    assert float(code_box.value_of_css_property("font-size").removesuffix("px")) >= 40
    _shot(host, "projector-join")
    host.open(f"/townhalls/{townhall.slug}")
    _connected(host)

    # A neighbour types the code (in small letters) on a phone and joins as a guest.
    guest.open("/j")
    guest.fill("join-code", code.lower())
    guest.click_text(thai("Join"))
    guest.wait.until(ec.url_to_be(server.url + f"/townhalls/{townhall.slug}"))
    guest.fill("guest-name", "ป้าบุญมี ศรีสุข")
    guest.click_text(thai("Join as a guest"))
    _connected(guest)
    assert "ป้าบุญมี ศรีสุข" in guest.text()

    # The guest asks; the question appears live for the facilitator, marked as a guest's.
    guest.fill("ask-body", "ตลาดนัดจะย้ายไปที่ไหน")
    guest.driver.find_element(By.CSS_SELECTOR, "[data-form=ask] button[type=submit]").click()
    asked = "//li[contains(@class,'question')][.//p[normalize-space()='ตลาดนัดจะย้ายไปที่ไหน']]"
    host.wait.until(ec.presence_of_element_located((By.XPATH, asked)))
    assert host.driver.find_elements(By.XPATH, asked + "//span[contains(@class,'badge--guest')]")

    # The facilitator opens a poll; the guest answers it and sees their choice beside it.
    host.driver.find_element(By.CSS_SELECTOR, ".poll-details summary").click()
    host.fill("poll-question", "ควรจัดตลาดนัดวันไหน")
    host.fill("poll-options", "วันเสาร์\nวันอาทิตย์")
    host.click_text(thai("Open the poll"), navigates=False)
    choice = "//form[contains(@class,'poll__form')]//label[contains(normalize-space(),'วันอาทิตย์')]"
    guest.wait.until(ec.element_to_be_clickable((By.XPATH, choice))).click()
    guest.click_text(thai("Answer"), navigates=False)
    mine = guest.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".poll__mine")))
    assert "วันอาทิตย์" in mine.text
    host.wait.until(ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "[data-list=polls]"), "1 " + thai("people answered")))  # fmt: skip
    guest.driver.find_element(By.CSS_SELECTOR, ".townhall__tabs a[href='#polls']").click()
    _shot(guest, "townhall-guest-phone")

    # A third person scans the QR code and reaches the same town hall.
    with urllib.request.urlopen(f"{server.url}/townhalls/{townhall.slug}/qr.png") as answer:  # noqa: S310 - the test server
        png = answer.read()
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    scanner = Page(browsers(width=390, height=844), server.url)
    scanner.driver.get(found.text)
    scanner.wait.until(ec.url_to_be(server.url + f"/townhalls/{townhall.slug}"))
    assert scanner.driver.find_element(By.TAG_NAME, "h1").text == "เวทีประชาคม 1"
