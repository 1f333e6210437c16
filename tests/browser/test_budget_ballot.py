"""On a phone: a resident votes in a participatory budget (pick up to two projects, then a
ballot that must fit the money), changes the ballot, and checks the receipt."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left
from tests.budgets.conftest import budget  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
SCREENSHOTS = None  # set to a folder to keep the screenshots (e.g. to look at them)


def _box(browser, project_id):
    return browser.find_element(By.CSS_SELECTOR, f"input[name=projects][value='{project_id}']")


def _submit(page, browser):
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form.ballot button[type=submit]").click()
    page.wait.until(lambda _driver: left(old_page))


def test_a_resident_votes_on_a_phone_changes_the_ballot_and_checks_the_receipt(
    browser,
    socket_server,
    budget,  # noqa: F811 - the fixture
    resident,
):
    b = budget(max_choices=2)
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{b.process.slug}/budget")
    page.click_text("ลงคะแนน")

    lights, field, garden = (b.projects[n] for n in ("ไฟส่องสว่าง", "ลานกีฬา", "สวนหย่อม"))
    _box(browser, lights).click()  # the whole card is the tap target; the box inside it works too
    _box(browser, garden).click()
    assert not _box(browser, field).is_enabled()  # two chosen: the third waits
    if SCREENSHOTS:
        browser.save_screenshot(f"{SCREENSHOTS}/ballot-approval.png")
    _submit(page, browser)
    assert "บันทึกบัตรลงคะแนนของคุณแล้ว" in page.text()
    assert "บัตรลงคะแนนนี้นับคะแนนแล้ว" in page.text()  # the receipt page checks it at once
    receipt = browser.find_element(By.ID, "code").get_attribute("value")

    # Changing the ballot: the page shows the earlier choice, the last one counts.
    page.open(f"/processes/{b.process.slug}/budget/headings/{b.heading_id}/ballot")
    assert _box(browser, lights).is_selected()
    _box(browser, lights).click()
    _box(browser, field).click()
    _submit(page, browser)
    assert browser.find_element(By.ID, "code").get_attribute("value") == receipt
    page.open(f"/processes/{b.process.slug}/budget/headings/{b.heading_id}/ballot")
    chosen = {p for p in (lights, field, garden) if _box(browser, p).is_selected()}
    assert chosen == {field, garden}


def test_a_ballot_within_the_money_shows_what_is_left_as_projects_are_ticked(
    browser,
    socket_server,
    budget,  # noqa: F811 - the fixture
    resident,
):
    b = budget(style="knapsack", max_choices=None, min_spend_percent=50)
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{b.process.slug}/budget/headings/{b.heading_id}/ballot")
    left_text = page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[data-left]")))
    assert left_text.text == "500,000"

    _box(browser, b.projects["ไฟส่องสว่าง"]).click()  # 350,000
    assert left_text.text == "150,000"
    assert not _box(browser, b.projects["ลานกีฬา"]).is_enabled()  # 200,000 no longer fits
    _box(browser, b.projects["สวนหย่อม"]).click()  # 150,000: exactly the money
    assert left_text.text == "0"
    if SCREENSHOTS:
        browser.save_screenshot(f"{SCREENSHOTS}/ballot-knapsack.png")
    _submit(page, browser)
    assert "บันทึกบัตรลงคะแนนของคุณแล้ว" in page.text()
