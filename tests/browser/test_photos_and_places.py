"""On a phone: a resident reports a broken street light with a photo and a pin, is asked
whether it is the one already reported next door, and finds it on the map (no tiles here: the
map shows its pins on a blank background and the list beside it); a council member reports
progress with a photo of the work."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left
from tests.photos.images import phone_jpeg
from tests.places.test_places import GOOD

pytestmark = pytest.mark.slow
SCREENSHOTS = None  # set to a folder to keep the screenshots (e.g. to look at them)


def _boundaries(app):
    import json

    from participation.extensions import db
    from participation.municipality.models import current_municipality
    from participation.places.operations import set_boundaries

    with app.app_context():
        set_boundaries(current_municipality(), json.dumps(GOOD), None)
        db.session.commit()


def _shot(browser, name):
    if SCREENSHOTS:
        browser.save_screenshot(f"{SCREENSHOTS}/{name}.png")


def test_resident_on_a_phone_adds_a_photo_and_a_pin_and_finds_the_issue_on_the_map(
    app, browser, socket_server, create_process, create_contribution, create_user, resident,
    tmp_path, say,
):  # fmt: skip
    t = say("th")
    process = create_process("reframe")
    _boundaries(app)
    create_contribution(process, create_user(), kind="issue", title="ไฟถนนดับหน้าตลาดสดแม่เหียะ",
                        body="ไฟส่องสว่างดับทั้งซอย", latitude="18.7800",
                        longitude="98.9200")  # fmt: skip
    photo = tmp_path / "IMG_2044.JPG"
    photo.write_bytes(phone_jpeg(1200, 900))
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}/issues/new")

    # The map picker replaces the bare coordinates: a tap puts the pin and fills them in.
    pin_map = page.wait.until(ec.visibility_of_element_located((By.ID, "pin-map")))
    assert pin_map.size["width"] <= browser.execute_script(
        "return document.documentElement.clientWidth")  # fmt: skip
    pin_map.click()
    latitude = browser.find_element(By.ID, "latitude")
    page.wait.until(lambda _driver: latitude.get_attribute("value"))
    # Then the exact place, typed as a map application shows it.
    browser.find_element(By.CSS_SELECTOR, ".place-picker__coordinates summary").click()
    page.fill("latitude", "18.7803")
    page.fill("longitude", "98.9202")
    page.fill("title", "ไฟดับหน้าตลาดสด")
    page.fill("body", "ไฟถนนดับ มืดมากตอนกลางคืน")
    page.fill("landmark", "หน้าตลาดสดแม่เหียะ")
    browser.find_element(By.ID, "photos").send_keys(str(photo))
    page.fill("photo_alt", "เสาไฟหน้าตลาดไม่มีแสง")

    # "Is it one of these?": the issue already reported next door.
    similar = page.wait.until(ec.visibility_of_element_located((By.ID, "similar")))
    page.wait.until(lambda _driver: "ไฟถนนดับหน้าตลาดสดแม่เหียะ" in similar.text)
    assert t("This affects me too") in similar.text
    _shot(browser, "issue-form")

    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form.wide-form > button[type=submit]").click()
    page.wait.until(lambda _driver: left(old_page))
    assert t("Thank you! It is published.") in page.text()
    image = page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".photos__item img")))
    assert image.get_attribute("alt") == "เสาไฟหน้าตลาดไม่มีแสง"
    page.wait.until(lambda driver: driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image))  # fmt: skip
    assert "หน้าตลาดสดแม่เหียะ" in page.text()
    assert "ชุมชนเหนือ" in page.text()  # the community the pin is in
    _shot(browser, "issue-page")

    page.click_text(t("See it on the map"))
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".leaflet-marker-icon")))
    assert "ไฟดับหน้าตลาดสด" in page.text()  # the list beside the map
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    _shot(browser, "map-page")


def test_council_member_on_a_phone_reports_progress_with_a_photo_of_the_work(
    app, browser, socket_server, create_process, create_contribution, resident, council,
    move_to, tmp_path, say,
):  # fmt: skip
    from datetime import date

    from selenium.webdriver.support.ui import Select

    from participation.extensions import db
    from participation.proposals import operations
    from participation.proposals.models import Proposal

    t = say("th")
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident, title="ซ่อมทางเท้าหน้าตลาดสดแม่เหียะ")
    move_to(process, "remake")
    with app.app_context():
        from participation.accounts.models import User

        operations.respond(db.session.get(Proposal, proposal_id), db.session.get(User, council.id),
                           "accepted", "สภาเห็นชอบ จะซ่อมภายในเดือนหน้า")  # fmt: skip
        db.session.commit()
    photo = tmp_path / "IMG_3001.JPG"
    photo.write_bytes(phone_jpeg(1600, 1200))
    page = Page(browser, socket_server().url)
    page.sign_in(council)
    page.open(f"/processes/{process.slug}/proposals/{proposal_id}")

    today = date.today()
    page.fill("update_date-day", str(today.day))
    Select(browser.find_element(By.ID, "update_date-month")).select_by_value(str(today.month))
    page.fill("update_date-year", str(today.year + 543))  # the Buddhist Era, as a clerk types it
    page.fill("progress", "50")
    # The council's response form above has its own "body".
    browser.find_element(By.CSS_SELECTOR, "form.update-form textarea[name=body]").send_keys(
        "เทคอนกรีตทางเท้าแล้วครึ่งหนึ่ง")  # fmt: skip
    browser.find_element(By.ID, "photos").send_keys(str(photo))
    page.fill("photo_alt", "ทางเท้าที่เทคอนกรีตใหม่")
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form.update-form button[type=submit]").click()
    page.wait.until(lambda _driver: left(old_page))

    assert t("The progress update is published.") in page.text()
    image = page.wait.until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, ".timeline .photos__item img")))  # fmt: skip
    assert image.get_attribute("alt") == "ทางเท้าที่เทคอนกรีตใหม่"
    assert "/medium.jpg" in image.get_attribute("src")
    page.wait.until(lambda driver: driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image))  # fmt: skip
    # The medium size, upright (the phone held it sideways, its orientation tag says so).
    assert browser.execute_script(
        "return [arguments[0].naturalWidth, arguments[0].naturalHeight]", image
    ) == [480, 640]
    assert image.size["width"] <= browser.execute_script(
        "return document.documentElement.clientWidth")  # fmt: skip
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
    _shot(browser, "progress-update-photo")


def test_a_pin_chooses_its_community_at_once_and_a_pin_outside_is_said_at_once(
    app, browser, socket_server, create_process, resident, say
):
    from selenium.webdriver.support.ui import Select

    t = say("th")
    process = create_process("reframe")
    _boundaries(app)
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}/issues/new")
    page.wait.until(ec.visibility_of_element_located((By.ID, "pin-map")))
    browser.find_element(By.CSS_SELECTOR, ".place-picker__coordinates summary").click()
    status = browser.find_element(By.CSS_SELECTOR, ".place-picker__community")
    community = Select(browser.find_element(By.ID, "area_id"))

    # Typed in Bangkok: the form says so before anything is sent.
    page.fill("latitude", "13.7563")
    page.fill("longitude", "100.5018")
    browser.find_element(By.ID, "title").click()  # leaving the field places the pin
    page.wait.until(lambda _driver: t("This place is outside the municipality. Please put the "
                                      "pin where the need is, inside the municipality's "
                                      "communities.") in status.text)  # fmt: skip

    # In the southern community: it is chosen in the list, and the resident may choose another.
    page.fill("latitude", "18.7400")
    page.fill("longitude", "98.9200")
    browser.find_element(By.ID, "title").click()
    page.wait.until(lambda _driver: community.first_selected_option.get_attribute("value")
                    == str(process.area_ids[1]))  # fmt: skip
    assert "ชุมชนใต้" in status.text
    community.select_by_value(str(process.area_ids[0]))
    page.fill("latitude", "13.7563")  # moved away and back: the answers come again
    browser.find_element(By.ID, "title").click()
    page.wait.until(lambda _driver: "ชุมชนใต้" not in status.text)
    page.fill("latitude", "18.7401")
    browser.find_element(By.ID, "title").click()
    page.wait.until(lambda _driver: "ชุมชนใต้" in status.text)
    assert community.first_selected_option.get_attribute("value") == str(process.area_ids[0])
