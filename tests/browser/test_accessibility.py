"""axe-core finds no serious or critical accessibility problem on the main pages, in Thai and
in English, on a phone-sized screen, for visitors and for the people who use each page.

The pages are the demo municipality's (tests/browser/demo_site.py): full of real content, a
live town hall with questions and a poll, a published summary, reports in the queue. This
checks markup, not storage, so it runs once, in the SQLite half of `make test` (the ``markup``
marker; the PostgreSQL half deselects it).
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser import axe, demo_site
from tests.browser.pages import Page

pytestmark = [pytest.mark.slow, pytest.mark.markup]


def _visit(page, path, language):
    page.open(path)
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "footer, .projector")))
    if page.driver.find_elements(By.CSS_SELECTOR, "[data-connection]"):
        # The live pages fill themselves from the socket: check what people then see.
        page.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-connection]")
                        .get_attribute("data-state") == "live")  # fmt: skip
    assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language


FILLED = {  # what shows that a page has the content worth checking
    "moderation": ".moderation-item",
    "proposal-signed-in": "button[data-vote]",
    "townhall-facilitator": "[data-list] li",
    "summary": "figure.chart",
}


def test_main_pages_have_no_serious_accessibility_problems_in_thai_and_english(
    app, browser, socket_server
):
    pages = demo_site.seed(app)
    server = socket_server()
    page = Page(browser, server.url)
    by_person = {}
    for name, (path, person) in pages.items():
        by_person.setdefault(person, []).append((name, path))

    checked, problems = 0, []
    for language in ("th", "en"):
        for person, visits in by_person.items():
            if person is None:
                browser.delete_all_cookies()
                page.open("/login")
            else:
                page.sign_in(person)
            page.use_language(language)
            for name, path in visits:
                _visit(page, path, language)
                if name in FILLED:
                    assert browser.find_elements(By.CSS_SELECTOR, FILLED[name]), name
                found = axe.violations(browser)
                checked += 1
                if found:  # shown with -rP; only serious and critical ones fail the test
                    print(f"{name} ({language}) {path}:\n{axe.describe(found)}")
                if blocking := axe.blocking(found):
                    problems.append(f"{name} ({language}) {path}:\n{axe.describe(blocking)}")
    assert checked == 2 * len(pages)
    assert not problems, "serious or critical accessibility problems:\n" + "\n".join(problems)
    assert server.errors() == []
