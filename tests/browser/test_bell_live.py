"""The bell on an open page counts a new reply as it happens, with no reload and no polling."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page
from tests.live import Browser

pytestmark = pytest.mark.slow


def test_the_bell_on_an_open_page_counts_a_reply_as_it_arrives(
    app, browser, socket_server, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).login(resident)
    client.post(f"/contributions/{item_id}/comments", data={"body": "ความเห็นของฉันเอง"})
    with app.app_context():
        import sqlalchemy as sa

        from participation.comments.models import Comment
        from participation.extensions import db

        parent_id = db.session.scalar(sa.select(Comment.id))
        db.session.remove()
    neighbour = create_user(name="มาลี ศรีสุข")
    server = socket_server()

    page = Page(browser, server.url)
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}")
    page.wait.until(ec.text_to_be_present_in_element_attribute(
        (By.CSS_SELECTOR, "[data-bell]"), "data-live", "on"))  # fmt: skip
    badge = browser.find_element(By.CSS_SELECTOR, "[data-bell-count]")
    assert not badge.is_displayed()
    browser.execute_script("window.__notReloaded = true;")

    other = Browser(server.url)
    other.login(neighbour.email, neighbour.password)
    token = other.token(f"/processes/{process.slug}/proposals/{item_id}")
    reply = {"csrf_token": token, "body": "ตอบกลับครับ", "parent_id": parent_id}
    status, _ = other.request("POST", f"/contributions/{item_id}/comments", reply)
    assert status in (200, 302)

    page.wait.until(ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "[data-bell-number]"), "1"))  # fmt: skip
    assert badge.is_displayed()
    assert browser.execute_script("return window.__notReloaded === true;")
