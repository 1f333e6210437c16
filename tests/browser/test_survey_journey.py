"""A survey from start to end in real browsers: a facilitator builds it with a condition, a
resident answers on a phone and changes the answer, the results are published and count it."""

from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from participation.core.i18n import BANGKOK
from tests.browser.pages import Page, left
from tests.surveys.conftest import create_survey  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def _date(page, name, day, clock):
    page.fill(f"{name}-day", str(day.day))
    Select(page.driver.find_element(By.ID, f"{name}-month")).select_by_value(str(day.month))
    page.fill(f"{name}-year", str(day.year + 543))
    # A time input takes typing in the browser's own format: set the value as a form sends it.
    time_input = page.driver.find_element(By.ID, f"{name}-time")
    page.driver.execute_script("arguments[0].value = arguments[1]", time_input, clock)


def _submit(page, selector):
    old_page = page.driver.find_element(By.TAG_NAME, "html")
    page.driver.find_element(By.CSS_SELECTOR, selector).click()
    page.wait.until(lambda _driver: left(old_page))


def test_a_survey_is_built_answered_on_a_phone_changed_and_its_results_published(
    app, browsers, socket_server, create_process, resident, say
):
    t = say("th")
    process = create_process("reframe")
    server = socket_server().url
    staff = Page(browsers(width=1200), server)
    staff.sign_in(process.facilitator)

    # The facilitator creates the survey, open from yesterday for a month.
    staff.open(f"/surveys/new/processes/{process.slug}")
    staff.fill("title_th", "สำรวจการใช้ศูนย์พัฒนาเด็กเล็ก")
    today = datetime.now(BANGKOK).date()
    _date(staff, "opens_dt", today - timedelta(days=1), "08:00")
    _date(staff, "closes_dt", today + timedelta(days=30), "18:00")
    Select(staff.driver.find_element(By.ID, "audience")).select_by_value("signed_in")
    _submit(staff, "main form button[type=submit]")
    assert t("Survey created. Now add its questions.") in staff.text()
    build_url = staff.driver.current_url
    survey_id = int(build_url.split("/surveys/")[1].split("/")[0])

    # A required choice question, then a question shown only to those who answered "yes".
    Select(staff.driver.find_element(By.ID, "kind")).select_by_value("single")
    staff.fill("text_th", "บ้านของคุณใช้ศูนย์พัฒนาเด็กเล็กไหม")
    staff.fill("choices_th", "ใช้\nไม่ใช้")
    staff.driver.find_element(By.ID, "is_required").click()
    _submit(staff, "main form.wide-form button[type=submit]")
    assert t("Question added.") in staff.text()
    Select(staff.driver.find_element(By.ID, "kind")).select_by_value("short_text")
    staff.fill("text_th", "ควรปรับปรุงเรื่องใดก่อน")
    condition = Select(staff.driver.find_element(By.ID, "condition"))
    condition.select_by_visible_text("บ้านของคุณใช้ศูนย์พัฒนาเด็กเล็กไหม → ใช้")
    _submit(staff, "main form.wide-form button[type=submit]")
    assert t("Shown only when “%(question)s” is answered “%(answer)s”.",
             question="บ้านของคุณใช้ศูนย์พัฒนาเด็กเล็กไหม", answer="ใช้") in staff.text()  # fmt: skip

    # The resident answers on a phone: the second question appears once "yes" is chosen.
    phone = Page(browsers(width=390), server)
    phone.sign_in(resident)
    phone.open(f"/surveys/{survey_id}")
    width = phone.driver.execute_script("return document.documentElement.clientWidth")
    assert phone.driver.execute_script("return document.documentElement.scrollWidth") <= width
    follow_up = phone.driver.find_element(By.CSS_SELECTOR, "[data-condition-question]")
    assert not follow_up.is_displayed()
    phone.driver.find_element(By.XPATH, "//label[normalize-space()='ใช้']").click()
    phone.wait.until(ec.visibility_of(follow_up))
    text_box = follow_up.find_element(By.CSS_SELECTOR, "input[type=text]")
    text_box.send_keys("อยากให้มีที่ร่มให้ผู้ปกครองรอรับลูก")
    _submit(phone, "form[data-survey-form] button[type=submit]")
    assert t("Thank you! Your answers are saved.") in phone.text()

    # Changed before the survey closes: the form comes back filled in.
    follow_up = phone.driver.find_element(By.CSS_SELECTOR, "[data-condition-question]")
    text_box = follow_up.find_element(By.CSS_SELECTOR, "input[type=text]")
    assert text_box.get_attribute("value") == "อยากให้มีที่ร่มให้ผู้ปกครองรอรับลูก"
    text_box.clear()
    text_box.send_keys("อยากให้เปิดเช้าขึ้นครึ่งชั่วโมง")
    _submit(phone, "form[data-survey-form] button[type=submit]")
    assert t("Your answers are changed.") in phone.text()

    # Not published yet: the resident cannot see the results; once published, they count.
    phone.open(f"/surveys/{survey_id}/results")
    assert "อยากให้เปิดเช้าขึ้นครึ่งชั่วโมง" not in phone.text()
    staff.open(f"/surveys/{survey_id}/results")
    staff.click_text(t("Publish the results"))
    assert t("The results are public now.") in staff.text()
    phone.open(f"/surveys/{survey_id}/results")
    results = phone.text()
    assert t.__call__("Survey results") in results
    assert "อยากให้เปิดเช้าขึ้นครึ่งชั่วโมง" in results
    assert "อยากให้มีที่ร่มให้ผู้ปกครองรอรับลูก" not in results
    table = phone.driver.find_element(By.CSS_SELECTOR, "figure.chart table").text
    assert "ใช้ 1" in table


def test_a_place_is_answered_by_tapping_the_map_and_shown_on_the_results_map(
    app,
    browser,
    socket_server,
    create_survey,  # noqa: F811
    resident,
):
    survey = create_survey(audience="signed_in", published=True, questions=[
        ("spot", {"kind": "place", "text_th": "จุดที่อยากให้ติดไฟส่องสว่าง", "is_required": "y"}),
    ])  # fmt: skip
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/surveys/{survey.id}")
    pin_map = page.wait.until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".survey-place__map"))
    )
    assert pin_map.size["width"] <= browser.execute_script(
        "return document.documentElement.clientWidth")  # fmt: skip
    pin_map.click()
    latitude = browser.find_element(By.CSS_SELECTOR, "[data-place=lat]")
    page.wait.until(lambda _driver: latitude.get_attribute("value"))
    _submit(page, "form[data-survey-form] button[type=submit]")
    assert say_thai(app, "Thank you! Your answers are saved.") in page.text()

    page.open(f"/surveys/{survey.id}/results")
    page.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".survey-results__map")))
    assert browser.find_elements(By.CSS_SELECTOR, ".survey-results__map path.leaflet-interactive")


def say_thai(app, message):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("th"):
        return gettext(message)
