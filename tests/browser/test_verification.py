"""On a phone: a resident whose process lets only verified residents support reads why on the
proposal, follows the way to verify, types the code from the municipality's letter, and is
brought back to support the proposal (issue 20)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left

pytestmark = pytest.mark.slow


def _verified_only_supports_and_a_letter(app, process, admin):
    """The process needs verified residents to support; the municipality printed a letter."""
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.verification import operations

    with app.test_request_context():
        operations.set_requirements(db.session.get(Process, process.id), ["support"], False, None)
        area_id = db.session.get(Process, process.id).areas[0].id
        _batch, codes = operations.create_letter_batch(
            area_id, 1, 30, db.session.get(User, admin.id)
        )
        db.session.commit()
        db.session.remove()
    return codes[0]


def test_resident_on_a_phone_enters_a_letter_code_and_can_then_support(
    app,
    browser,
    socket_server,
    create_process,
    create_contribution,
    create_user,
    resident,
    admin,
    say,
):
    t = say("th")
    process = create_process("reimagine")
    proposal = create_contribution(process, create_user(), title="ติดไฟส่องสว่างซอยวัดใหม่")
    code = _verified_only_supports_and_a_letter(app, process, admin)
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}/proposals/{proposal}")

    # Before trying, the page says what is needed and how to get it.
    notice = page.wait.until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "[data-verification-needed]"))
    )
    assert "ยืนยันสิทธิ์ที่สำนักงานเทศบาล หรือกรอกรหัสจากจดหมาย" in notice.text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    page.click_text(t("How to verify"))

    # The code as printed, typed on the phone in lower case with spaces.
    page.fill("code", code.lower().replace("-", " "))
    old_page = browser.find_element(By.TAG_NAME, "html")
    page.click_text(t("Verify with this code"), navigates=False)
    page.wait.until(lambda _driver: left(old_page))
    assert f"/proposals/{proposal}" in browser.current_url  # brought back to the proposal
    assert t("You are verified as a resident of %(area)s.", area="ชุมชนเหนือ") in page.text()

    # Now the support counts.
    button = page.wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-support-box] button[type=submit]"))
    )
    button.click()
    page.wait.until(lambda _driver: t("Thank you for your support.") in page.text())
    count = browser.find_element(By.CSS_SELECTOR, "[data-support-count]")
    page.wait.until(lambda _driver: count.text == "1")
