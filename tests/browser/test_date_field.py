"""The Thai date field on a phone: day, month by name and a Buddhist-Era year, the year typed
by habit caught before it is published."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.pages import Page, left

pytestmark = pytest.mark.slow
BE_YEAR = date.today().year + 543


def _accept(app, proposal_id, council):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals import operations
    from participation.proposals.models import Proposal

    with app.app_context():
        operations.respond(db.session.get(Proposal, proposal_id), db.session.get(User, council.id),
                           "accepted", "รับไว้ดำเนินการ")  # fmt: skip
        db.session.commit()


def _send(page):
    old_page = page.driver.find_element(By.TAG_NAME, "html")
    page.driver.find_element(By.CSS_SELECTOR, "form.update-form button[type=submit]").click()
    page.wait.until(lambda _driver: left(old_page))


def test_council_member_reports_progress_with_the_thai_date_field_on_a_phone(
    app, browser, socket_server, create_process, create_contribution, create_user, move_to, say,
):  # fmt: skip
    t = say("th")
    process = create_process("reimagine")
    proposal_id = create_contribution(process, create_user(), title="ทางม้าลายหน้าโรงเรียน")
    move_to(process, "remake")
    council = create_user(roles=["council"])
    _accept(app, proposal_id, council)
    page = Page(browser, socket_server().url)
    page.sign_in(council)
    page.open(f"/processes/{process.slug}/proposals/{proposal_id}")

    # Day, month by its Thai name and the year in the Buddhist Era, all on a 390 px screen.
    width = browser.execute_script("return document.documentElement.clientWidth")
    parts = [
        browser.find_element(By.ID, f"update_date-{part}") for part in ("day", "month", "year")
    ]
    for element in parts:
        box = element.rect
        assert box["x"] >= 0, element.get_attribute("id")
        assert box["x"] + box["width"] <= width, element.get_attribute("id")
        assert box["height"] >= 40  # big enough for a thumb
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    assert (
        t("Year (BE)") in browser.find_element(By.CSS_SELECTOR, "label[for=update_date-year]").text
    )
    month = Select(parts[1])
    assert [o.text for o in month.options][1:4] == ["มกราคม", "กุมภาพันธ์", "มีนาคม"]

    # The habit the review saw: 2569 + 543 typed as the year. It is caught, not published.
    parts[0].send_keys("5")
    month.select_by_visible_text("ธันวาคม")
    parts[2].send_keys("3112")
    browser.find_element(By.CSS_SELECTOR, "form.update-form input[name=progress]").send_keys("20")
    browser.find_element(By.CSS_SELECTOR, "form.update-form textarea").send_keys("เริ่มตีเส้น")
    _send(page)
    assert t("This date is more than %(years)s years from today.", years=3) in page.text()
    confirm = browser.find_element(By.CSS_SELECTOR, "label[for=update_date-confirm]").text
    assert confirm == t("Yes, I mean %(date)s", date="5 ธ.ค. 3112")

    # Corrected to this year in the Buddhist Era: published with the date as typed.
    year = browser.find_element(By.ID, "update_date-year")
    year.clear()
    year.send_keys(str(BE_YEAR))
    _send(page)
    assert t("The progress update is published.") in page.text()
    timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert f"5 ธ.ค. {BE_YEAR}" in timeline
    assert "3112" not in timeline
