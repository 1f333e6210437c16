"""The whole co-creation cycle in a real browser, in Thai, on a phone-sized window.

A resident raises an issue, the facilitator opens Reimagine, the resident proposes a solution
linked to the issue, comments, replies and supports it (the count updates without a reload),
the facilitator opens Remake, a council member answers and reports progress, and the resident
sees the answer, the progress and a notification.
"""

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from tests.browser.pages import Page, left

pytestmark = pytest.mark.slow


def test_resident_goes_through_the_whole_cycle_in_thai(
    browser, live_server, resident, council, create_process, thai
):
    process = create_process("reframe")
    server = live_server()
    page = Page(browser, server.url)

    # Reframe: the resident finds the process from the home page and raises an issue.
    page.sign_in(resident)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "th"
    page.click_text(f"กระบวนการ {process.slug.split('-')[1]}")
    page.click_text(thai("Raise an issue"))
    page.fill("title", "ซอยสามมืดมากตอนเช้า")
    page.fill("body", "ไฟส่องสว่างดับมาสามเดือน เด็กเดินไปโรงเรียนลำบาก")
    Select(browser.find_element(By.ID, "category_id")).select_by_visible_text("ไฟส่องสว่าง")
    page.click_text(thai("Publish"))
    page.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "ซอยสามมืดมากตอนเช้า"))

    # The facilitator opens Reimagine.
    page.sign_in(process.facilitator)
    page.open(f"/processes/{process.slug}")
    page.click_text(thai("Move to %(phase)s", phase=thai("Reimagine")))
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".stepper__step--current")))
    current = browser.find_element(By.CSS_SELECTOR, ".stepper__step--current").text
    assert thai("Reimagine") in current

    # Reimagine: the resident proposes a solution linked to the issue.
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}")
    page.click_text(thai("Propose a solution"))
    page.fill("title", "ติดตั้งไฟโซลาร์เซลล์ในซอยสาม")
    page.fill("body", "เสาไฟพลังงานแสงอาทิตย์ทุก 30 เมตร")
    Select(browser.find_element(By.ID, "issue_ids")).select_by_visible_text("ซอยสามมืดมากตอนเช้า")
    page.click_text(thai("Publish"))
    page.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "ติดตั้งไฟโซลาร์เซลล์"))
    proposal_url = browser.current_url
    assert "ซอยสามมืดมากตอนเช้า" in page.text()

    # Comment, then reply to the comment.
    page.fill("comment-body", "เห็นด้วย ซอยนี้อันตรายจริง")
    browser.find_element(By.ID, "alignment-in_favour").click()
    page.click_text(thai("Publish comment"))
    page.wait.until(ec.text_to_be_present_in_element((By.ID, "comments"), "ซอยนี้อันตรายจริง"))
    browser.find_element(By.CSS_SELECTOR, "a[data-reply]").click()  # opens the form in place
    reply_box = browser.find_element(By.CSS_SELECTOR, ".comment form.reply textarea")
    assert browser.switch_to.active_element == reply_box
    reply_box.send_keys("เพิ่มเติม: ควรมีกล้องด้วย")
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, ".comment form.reply button[type=submit]").click()
    page.wait.until(lambda _driver: left(old_page))
    page.wait.until(ec.text_to_be_present_in_element((By.ID, "comments"), "ควรมีกล้องด้วย"))
    assert browser.find_elements(By.CSS_SELECTOR, ".comment--depth-1")

    # Agree with a comment: its count changes in place, without reloading the page.
    browser.execute_script("window.__notReloaded = true;")
    agree = browser.find_element(By.CSS_SELECTOR, "button[data-vote][value='1']")
    agree.click()
    page.wait.until(lambda _driver: agree.get_attribute("aria-pressed") == "true")
    assert agree.find_element(By.CSS_SELECTOR, "[data-count]").text == "1"
    assert browser.execute_script("return window.__notReloaded === true;")

    # Support: the count changes in place, without reloading the page.
    browser.execute_script("window.__notReloaded = true;")
    page.click_text(thai("Support"), navigates=False)
    page.wait.until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-support-count]"), "1")
    )
    assert browser.execute_script("return window.__notReloaded === true;")
    assert thai("Thank you for your support.") in page.text()

    # The facilitator opens Remake; a council member answers and reports progress.
    page.sign_in(process.facilitator)
    page.open(f"/processes/{process.slug}")
    page.click_text(thai("Move to %(phase)s", phase=thai("Remake")))
    page.sign_in(council)
    browser.get(proposal_url)
    browser.find_element(By.CSS_SELECTOR, "input[name=status][value=accepted]").click()
    page.fill("body", "สภาเทศบาลอนุมัติงบประมาณติดตั้ง 12 ต้น")
    page.click_text(thai("Publish the response"))
    # The date as a Thai clerk types it: day, month by name, Buddhist-Era year.
    page.wait.until(ec.presence_of_element_located((By.ID, "update_date-day")))
    page.fill("update_date-day", "20")
    Select(browser.find_element(By.ID, "update_date-month")).select_by_visible_text("พฤศจิกายน")
    page.fill("update_date-year", str(date.today().year + 543))
    page.fill("progress", "40")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/updates'] textarea").send_keys(
        "ติดตั้งแล้ว 5 ต้น"
    )
    page.click_text(thai("Publish the update"))
    page.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "ติดตั้งแล้ว 5 ต้น"))

    # The resident sees the decision, the progress and a notification.
    page.sign_in(resident)
    bell = browser.find_element(By.CSS_SELECTOR, ".bell__count").text
    assert bell.startswith("2")
    browser.get(proposal_url)
    text = page.text()
    assert thai("Accepted") in text
    assert "สภาเทศบาลอนุมัติงบประมาณติดตั้ง 12 ต้น" in text
    assert "ติดตั้งแล้ว 5 ต้น" in text
    assert thai("%(percent)s%% done", percent=40) in text
    assert server.errors() == []
