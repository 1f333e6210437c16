"""Keyboard only: a resident signs in, posts and supports a proposal, then asks a question and
answers a poll in a live town hall, with Tab, Shift+Tab, Enter, Space, arrow keys and typing;
never a click. Every control the keyboard lands on must show that it has focus.

Focus and keyboard reach are properties of the markup and styles, not of the database: the
``markup`` marker keeps these in the SQLite half of `make test`.
"""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left

pytestmark = [pytest.mark.slow, pytest.mark.markup]

FOCUSED = """
const el = document.activeElement;
const style = getComputedStyle(el);
const box = el.getBoundingClientRect();
return {
  tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
  text: (el.innerText || el.value || '').trim().slice(0, 80),
  outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
  shadowed: style.boxShadow !== 'none',
  onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.left < window.innerWidth,
};
"""


class Keyboard:
    """Drives a page with key presses sent to whatever has focus."""

    def __init__(self, page):
        self.page = page
        self.driver = page.driver
        self.visited = []

    def press(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def type(self, text):
        ActionChains(self.driver).send_keys(text).perform()

    def focused(self):
        return self.driver.execute_script(FOCUSED)

    def tab_to(self, wanted, backwards=False, limit=80):
        """Press Tab (or Shift+Tab) until the focused element matches ``wanted`` (a dict of
        FOCUSED fields, text compared by containment); check each stop shows its focus."""
        for _ in range(limit):
            if backwards:
                ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                    Keys.SHIFT
                ).perform()
            else:
                self.press(Keys.TAB)
            now = self.focused()
            if now["tag"] == "body":
                continue  # between the page and the browser's own controls
            self.visited.append(now)
            assert now["outlined"] or now["shadowed"], f"focus is not visible on {now}"
            assert now["onScreen"], f"the focused element is off screen: {now}"
            if all(
                (value in now[key]) if key == "text" else now[key] == value
                for key, value in wanted.items()
            ):
                return now
        raise AssertionError(f"Tab never reached {wanted}; it went through {self.visited[-20:]}")

    def enter(self, navigates=True):
        old_page = self.driver.find_element(By.TAG_NAME, "html")
        self.press(Keys.ENTER)
        if navigates:
            self.page.wait.until(lambda _driver: left(old_page))
            self.page.wait.until(ec.presence_of_element_located((By.TAG_NAME, "footer")))


def _sign_in(keys, person, thai):
    keys.page.open("/")
    first = keys.tab_to({})  # whatever comes first: it must be the skip link
    assert first["text"] == thai("Skip to main content")
    keys.tab_to({"tag": "a", "text": thai("Sign in")})
    keys.enter()
    keys.tab_to({"id": "email"})
    keys.type(person.email)
    keys.tab_to({"id": "password"})
    keys.type(person.password)
    keys.tab_to({"tag": "button", "text": thai("Sign in")})
    keys.enter()
    assert thai("You are signed in.") in keys.page.text()


def test_resident_posts_a_proposal_with_the_keyboard_only(
    browser, socket_server, resident, create_process, create_contribution, create_user, move_to,
    thai,
):  # fmt: skip
    process = create_process("reframe")
    create_contribution(process, create_user(), kind="issue", title="ถังขยะหน้าตลาดล้น")
    move_to(process, "reimagine")
    server = socket_server()
    keys = Keyboard(Page(browser, server.url))

    _sign_in(keys, resident, thai)
    keys.tab_to({"tag": "a", "text": f"กระบวนการ {process.slug.split('-')[1]}"})
    keys.enter()
    keys.tab_to({"tag": "a", "text": thai("Propose a solution")})
    keys.enter()
    keys.tab_to({"id": "title"})
    keys.type("ตั้งจุดแยกขยะหน้าตลาด")
    keys.tab_to({"id": "body"})
    keys.type("ถังสี่สีพร้อมป้ายบอก")
    keys.tab_to({"id": "issue_ids"})
    keys.press(Keys.ARROW_DOWN)  # a list box: the arrow selects the first issue
    # Shift+Tab goes back through the form, then forward again to the button.
    keys.tab_to({"id": "body"}, backwards=True)
    keys.tab_to({"tag": "button", "text": thai("Publish")})
    keys.enter()

    page = keys.page
    page.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "ตั้งจุดแยกขยะหน้าตลาด"))
    assert "ถังขยะหน้าตลาดล้น" in page.text()  # linked to the issue chosen with the arrow key
    # Support it with the space bar: the count changes in place.
    keys.tab_to({"tag": "button", "text": thai("Support")})
    keys.press(Keys.SPACE)
    page.wait.until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-support-count]"), "1")
    )
    assert server.errors() == []


def test_resident_asks_a_town_hall_question_and_answers_a_poll_with_the_keyboard_only(
    app, browser, socket_server, resident, create_townhall, thai
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.townhall import operations
    from participation.townhall.models import TownHall

    townhall = create_townhall()
    with app.app_context():
        operations.open_poll(db.session.get(TownHall, townhall.id),
                             db.session.get(User, townhall.facilitator.id),
                             "ควรตั้งจุดแยกขยะที่ไหน", ["หน้าตลาด", "หน้าโรงเรียน"])  # fmt: skip
        db.session.commit()
        db.session.remove()
    server = socket_server()
    keys = Keyboard(Page(browser, server.url))

    _sign_in(keys, resident, thai)
    keys.tab_to({"tag": "a", "text": thai("Town halls")})
    keys.enter()
    keys.tab_to({"tag": "a", "text": "เวทีประชาคม 1"})
    keys.enter()
    page = keys.page
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-connection]"), "data-state", "live"))  # fmt: skip
    keys.tab_to({"id": "ask-body"})
    keys.type("จะเริ่มเก็บขยะแยกประเภทเมื่อไร")
    keys.tab_to({"tag": "button", "text": thai("Ask")})
    keys.enter(navigates=False)
    question = (
        "//li[contains(@class,'question')][.//p[normalize-space()='จะเริ่มเก็บขยะแยกประเภทเมื่อไร']]"
    )
    page.wait.until(ec.presence_of_element_located((By.XPATH, question)))

    # The poll: Tab into its choices, the arrow key picks the second, Enter sends it.
    keys.tab_to({"tag": "input"}, limit=40)
    keys.press(Keys.ARROW_DOWN)
    chosen = page.driver.find_element(By.CSS_SELECTOR, ".poll__form input:checked")
    assert chosen.find_element(By.XPATH, "..").text.strip() == "หน้าโรงเรียน"
    keys.tab_to({"tag": "button", "text": thai("Answer")})
    keys.enter(navigates=False)
    counted = thai("Thank you, your answer is counted.")
    # The confirmation comes beside the poll, with the choice made.
    mine = (By.CSS_SELECTOR, ".poll .poll__mine")
    page.wait.until(ec.text_to_be_present_in_element(mine, counted))
    assert "หน้าโรงเรียน" in page.driver.find_element(*mine).text

    # No trap in the live lists: Tab carries on to the end of the page.
    keys.tab_to({"tag": "a", "text": thai("Privacy notice")})
    assert server.errors() == []
