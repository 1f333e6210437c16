"""A municipality's staff and residents on a phone: the header leaves room for the page, and
supporting from a list updates the card in place."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page
from tests.summaries.conftest import finished_process  # noqa: F401 - a fixture used below

pytestmark = pytest.mark.slow

HEADER_ROWS = """
const header = document.querySelector('.site-header');
const inner = header.querySelector('.site-header__inner');
const boxes = [...inner.querySelectorAll('.brand, .language-switch, .site-nav li')]
  .map((item) => item.getBoundingClientRect())
  .filter((box) => box.width > 0 && box.height > 0)
  .sort((a, b) => a.top - b.top);
let rows = 0, bottom = -Infinity;
for (const box of boxes) {  // a box starting below the current row's bottom opens a new row
  if (box.top >= bottom - 1) { rows += 1; bottom = box.bottom; }
  else bottom = Math.max(bottom, box.bottom);
}
return {height: header.getBoundingClientRect().height, rows: rows,
        width: document.documentElement.scrollWidth};
"""


@pytest.mark.parametrize("role", ["resident", "admin"])
def test_phone_header_takes_at_most_two_rows_when_signed_in(
    role, request, browser, socket_server, create_process, in_db
):
    from participation.notifications.models import Notification

    person = request.getfixturevalue(role)
    process = create_process("reimagine")
    with in_db() as session:  # an unread notification: the bell shows its count (and "unread")
        session.add(Notification(user_id=person.id, kind="phase", process_id=process.id))
        session.commit()
    page = Page(browser, socket_server().url)
    page.sign_in(person)

    header = browser.execute_script(HEADER_ROWS)
    print(role, header)

    assert header["rows"] <= 2, header
    assert header["height"] <= 130, header  # was 221 CSS px, a quarter of the first screen
    assert header["width"] <= 390, header  # and the page does not scroll sideways
    # Every link of the menu is still reachable (scrolled into view on demand).
    links = browser.find_elements(By.CSS_SELECTOR, ".site-nav a, .site-nav button")
    assert len(links) >= (9 if role == "admin" else 6)
    for link in links:
        browser.execute_script("arguments[0].scrollIntoView({inline: 'nearest'})", link)
        assert link.is_displayed()


def test_support_from_a_list_card_updates_count_and_badge_without_a_reload(
    browser, socket_server, resident, create_user, create_process, create_contribution, in_db,
    say,
):  # fmt: skip
    from participation.proposals.models import Contribution

    t = say("th")
    process = create_process("reimagine", support_threshold=3, max_supports=1)
    author = create_user()
    nearly = create_contribution(process, author, title="ทางม้าลายหน้าตลาด")
    other = create_contribution(process, author, title="ไฟส่องสว่างซอยวัด")
    with in_db() as session:
        session.get(Contribution, nearly).support_count = 2
        session.commit()
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}/proposals?sort=newest")
    browser.execute_script("window.notReloaded = true")
    card = "//article[.//a[normalize-space()='ทางม้าลายหน้าตลาด']]"
    other_card = "//article[.//a[normalize-space()='ไฟส่องสว่างซอยวัด']]"
    badge = browser.find_element(By.XPATH, card + "//*[@data-qualifies-badge]")
    assert not badge.is_displayed()

    browser.find_element(By.XPATH, card + "//button[@data-label-support]").click()

    page.wait.until(
        ec.text_to_be_present_in_element((By.XPATH, card + "//*[@data-support-count]"), "3")
    )
    page.wait.until(lambda _driver: badge.is_displayed())
    assert badge.text == t("Qualifies for council review")
    assert browser.execute_script("return window.notReloaded") is True
    # The last support is used: the other card's button is disabled and says why.
    other_button = browser.find_element(By.XPATH, other_card + "//button[@data-label-support]")
    page.wait.until(lambda _driver: not other_button.is_enabled())
    reason = browser.find_element(By.ID, f"none-left-{other}")
    assert reason.is_displayed()
    assert other_button.get_attribute("aria-describedby") == f"none-left-{other}"
    assert "1" in reason.text


def _live(page, person, townhall):
    page.sign_in(person)
    page.open(f"/townhalls/{townhall.slug}")
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip
    # Any use of the browser's own prompt/confirm boxes is recorded (they must not be used).
    page.driver.execute_script(
        "window.__boxes = []; window.prompt = (m) => { window.__boxes.push(m); return 'x'; };"
        "window.confirm = (m) => { window.__boxes.push(m); return true; };"
    )


def _button(scope, label):
    return f"{scope}//button[normalize-space()='{label}']"


def test_facilitator_hides_with_a_reason_form_shows_again_reopens_and_confirms_closing_a_poll(
    browser, socket_server, create_townhall, say
):
    t = say("th")
    townhall = create_townhall()
    page = Page(browser, socket_server().url)
    _live(page, townhall.facilitator, townhall)
    page.fill("post-body", "ข้อความที่จะซ่อน")
    page.click_text(t("Send"), navigates=False)
    message = "//li[contains(@class,'message')][contains(., 'ข้อความที่จะซ่อน')]"
    page.wait.until(ec.presence_of_element_located((By.XPATH, message)))

    # Hiding asks for a reason in a form on the page; an empty reason is not sent.
    browser.find_element(By.XPATH, _button(message, t("Hide"))).click()
    dialog = browser.find_element(By.CSS_SELECTOR, "[data-dialog=hide]")
    page.wait.until(lambda _driver: dialog.is_displayed())
    assert "ข้อความที่จะซ่อน" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert dialog.is_displayed()
    dialog.find_element(By.ID, "hide-reason").send_keys("พิมพ์ผิดห้อง")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait.until(lambda _driver: not dialog.is_displayed())
    page.wait.until(ec.text_to_be_present_in_element((By.XPATH, message), "พิมพ์ผิดห้อง"))

    # ... and can be undone: shown again to everyone.
    browser.find_element(By.XPATH, _button(message, t("Show again"))).click()
    page.wait.until(ec.presence_of_element_located((By.XPATH, _button(message, t("Hide")))))
    assert "พิมพ์ผิดห้อง" not in browser.find_element(By.XPATH, message).text

    # An answered question can be re-opened.
    page.fill("ask-body", "คำถามที่ตอบไม่ครบ")
    page.click_text(t("Ask"), navigates=False)
    waiting = "//ol[@data-list='questions']/li[contains(., 'คำถามที่ตอบไม่ครบ')]"
    answered = "//ol[@data-list='answered']/li[contains(., 'คำถามที่ตอบไม่ครบ')]"
    page.wait.until(ec.presence_of_element_located((By.XPATH, waiting)))
    browser.find_element(By.XPATH, _button(waiting, t("Mark answered"))).click()
    page.wait.until(ec.presence_of_element_located((By.XPATH, answered)))
    browser.find_element(By.XPATH, _button(answered, t("Re-open"))).click()
    page.wait.until(ec.presence_of_element_located((By.XPATH, waiting)))

    # Closing a poll asks first; "Cancel" leaves it open.
    browser.find_element(By.CSS_SELECTOR, ".poll-details summary").click()
    page.fill("poll-question", "เลือกวันประชุมครั้งหน้า")
    page.fill("poll-options", "เสาร์\nอาทิตย์")
    page.click_text(t("Open the poll"), navigates=False)
    poll = "//article[contains(@class,'poll')][contains(., 'เลือกวันประชุมครั้งหน้า')]"
    close = _button(poll, t("Close the poll"))
    page.wait.until(ec.element_to_be_clickable((By.XPATH, close))).click()
    confirm = browser.find_element(By.CSS_SELECTOR, "[data-dialog=close-poll]")
    page.wait.until(lambda _driver: confirm.is_displayed())
    confirm.find_element(By.CSS_SELECTOR, "[data-dialog-cancel]").click()
    assert browser.find_elements(By.XPATH, close)
    browser.find_element(By.XPATH, close).click()
    page.wait.until(lambda _driver: confirm.is_displayed())
    confirm.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait.until(ec.text_to_be_present_in_element((By.XPATH, poll), t("Closed")))
    assert browser.execute_script("return window.__boxes") == []


def test_opinion_votes_update_in_place_and_a_refused_statement_keeps_its_text(
    app, browser, socket_server, resident, create_process, say
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.processes.models import Process

    t = say("th")
    process = create_process("reimagine")
    with app.app_context():
        conversation = ops.open_conversation(
            db.session.get(Process, process.id), db.session.get(User, process.facilitator.id),
            "ทำอย่างไรให้เด็กเดินไปโรงเรียนได้ปลอดภัย",
            ["ควรปิดถนนหน้าโรงเรียนช่วงเช้า", "ควรติดไฟส่องสว่างในซอยเล็กก่อน"],
        )  # fmt: skip
        db.session.commit()
        conversation_id = conversation.id
        db.session.remove()
    page = Page(browser, socket_server().url)
    page.sign_in(resident)
    page.open(f"/opinions/{conversation_id}")
    browser.execute_script("window.notReloaded = true")

    for number in (1, 2):
        progress = t("Statement %(number)s of %(total)s", number=number, total=2)
        page.wait.until(ec.text_to_be_present_in_element((By.ID, "vote"), progress))
        button = page.wait.until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, "#vote button[value=agree]")))  # fmt: skip
        button.click()
    done = t("You have voted on every statement. Thank you! New statements will appear here.")
    page.wait.until(ec.text_to_be_present_in_element((By.ID, "vote"), done))
    assert browser.execute_script("return window.notReloaded") is True

    # A statement that is refused (already in the conversation) stays in the field, with the
    # reason next to it; an accepted one is thanked there too.
    browser.find_element(By.CSS_SELECTOR, "#add-statement summary").click()
    field = browser.find_element(By.ID, "body")
    field.send_keys("ควรปิดถนนหน้าโรงเรียนช่วงเช้า")
    browser.find_element(By.CSS_SELECTOR, "#add-statement button[type=submit]").click()
    error = browser.find_element(By.ID, "body-error")
    page.wait.until(lambda _driver: error.is_displayed())
    assert error.text == t("This statement is already in the conversation.")
    assert field.get_attribute("value") == "ควรปิดถนนหน้าโรงเรียนช่วงเช้า"
    field.clear()
    field.send_keys("ควรมีอาสาสมัครช่วยเด็กข้ามถนน")
    browser.find_element(By.CSS_SELECTOR, "#add-statement button[type=submit]").click()
    thanks = browser.find_element(By.CSS_SELECTOR, "[data-statement-message]")
    page.wait.until(lambda _driver: thanks.is_displayed())
    assert thanks.text == t("Thank you. Your statement is now shown to others.")
    assert browser.execute_script("return window.notReloaded") is True


STICKY = """
const box = [...document.querySelectorAll('.chart .table-scroll')]
  .find((b) => b.scrollWidth > b.clientWidth + 20);
if (!box) return null;
const first = box.querySelector('tbody th');
const before = first.getBoundingClientRect().left;
box.scrollLeft = box.scrollWidth;
return {scrolled: box.scrollLeft, before: before, after: first.getBoundingClientRect().left,
        boxLeft: box.getBoundingClientRect().left};
"""


def test_summary_on_a_phone_keeps_the_first_column_and_the_state_pill_whole(
    browser,
    socket_server,
    finished_process,  # noqa: F811 - the fixture imported above
):
    page = Page(browser, socket_server().url)
    page.sign_in(finished_process.council)
    page.open(f"/summaries/processes/{finished_process.slug}")

    pill = browser.find_element(By.CSS_SELECTOR, ".summary__council .badge")
    lines = browser.execute_script("return arguments[0].getClientRects().length", pill)
    sticky = browser.execute_script(STICKY)
    folded = browser.find_element(By.CSS_SELECTOR, "details.chart__fold")

    assert lines == 1  # the state pill is not broken across lines
    assert sticky is not None, "no table wider than a phone on the page"
    assert sticky["scrolled"] > 0
    assert abs(sticky["after"] - sticky["boxLeft"]) <= 1  # the row names stay in view
    assert folded.get_attribute("open") is None
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
