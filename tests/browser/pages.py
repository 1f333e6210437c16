"""Helpers for driving pages in a real browser."""

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


class Page:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base
        self.wait = WebDriverWait(driver, 15)

    def open(self, path):
        self.driver.get(self.base + path)

    def click_text(self, text, navigates=True):
        """Click the link or button with this text; wait for the next page when it navigates."""
        xpath = f"//*[self::a or self::button][normalize-space()={_literal(text)}]"
        element = self.wait.until(ec.element_to_be_clickable((By.XPATH, xpath)))
        old_page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        if navigates:
            self.wait.until(lambda _driver: left(old_page))

    def fill(self, element_id, value):
        field = self.wait.until(ec.presence_of_element_located((By.ID, element_id)))
        field.clear()
        field.send_keys(value)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def use_language(self, language):
        """Read in this language, through the language switch of the open page (a signed-in
        person's choice is saved with their account)."""
        switch = f".language-switch button[value='{language}']"
        button = self.wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, switch)))
        if button.get_attribute("aria-pressed") != "true":
            old_page = self.driver.find_element(By.TAG_NAME, "html")
            button.click()
            self.wait.until(lambda _driver: left(old_page))
        self.wait.until(
            ec.text_to_be_present_in_element_attribute((By.TAG_NAME, "html"), "lang", language)
        )

    def sign_in(self, person):
        self.driver.delete_all_cookies()
        self.open("/login")
        self.fill("email", person.email)
        self.fill("password", person.password)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        self.wait.until(ec.url_to_be(self.base + "/"))
        self.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "footer")))


def left(old_page):
    """True once the browser has left the page ``old_page`` belonged to. Chromium may also
    answer "node does not belong to the document" while the new page replaces the old one."""
    try:
        old_page.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        return "does not belong to the document" in str(error)
    return False


def _literal(text):
    if "'" not in text:
        return f"'{text}'"
    return "concat('" + text.replace("'", "', \"'\", '") + "')"
