"""Each role's main journey in a real browser on a phone-sized screen, in Thai and in English.

A resident registers, signs in, reads a process, proposes, comments and supports; a council
member answers a proposal publicly, then reviews and publishes the outcome summary; a
facilitator hides reported content from the moderation queue and an administrator grants a
role. (The facilitator's live town hall is test_townhall_live.py; the whole cycle across roles,
in Thai, is test_cycle_journey.py.)
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left

pytestmark = pytest.mark.slow
LANGUAGES = pytest.mark.parametrize("language", ["th", "en"])
TEXT = {  # what people write, in the language of the test
    "th": {"title": "ตั้งจุดรับขยะรีไซเคิลหน้าตลาด", "body": "มีถังแยกสี่สีและป้ายบอกชัดเจน",
           "comment": "เห็นด้วย ตลาดคนเยอะทุกเช้า", "answer": "สภาเทศบาลรับไว้ดำเนินการในปีนี้",
           "reason": "ใช้คำไม่สุภาพ"},
    "en": {"title": "Recycling point at the market", "body": "Four coloured bins and clear signs",
           "comment": "Yes, the market is busy every morning", "answer": "The council will do it "
           "this year", "reason": "Rude words"},
}  # fmt: skip


def _process_title(process, language):
    number = process.slug.split("-")[1]
    return f"กระบวนการ {number}" if language == "th" else f"Process {number}"


def _lang(page):
    return page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def _submit(page, selector="main form button[type=submit]"):
    old_page = page.driver.find_element(By.TAG_NAME, "html")
    page.driver.find_element(By.CSS_SELECTOR, selector).click()
    page.wait.until(lambda _driver: left(old_page))


@LANGUAGES
def test_resident_registers_signs_in_proposes_comments_and_supports(
    language, browser, socket_server, create_process, create_contribution, create_user,
    move_to, say,
):  # fmt: skip
    t, words = say(language), TEXT[language]
    process = create_process("reframe")
    create_contribution(process, create_user(), kind="issue", title="ถังขยะล้น")
    move_to(process, "reimagine")
    server = socket_server()
    page = Page(browser, server.url)

    # Register from the home page, in the reader's language.
    page.open("/")
    page.use_language(language)
    page.click_text(t("Register"))
    name = "ฟ้าใส ใจงาม" if language == "th" else "Fa Sai"
    page.fill("display_name", name)
    page.fill("email", f"fasai-{language}@example.org")
    page.fill("password", "a long and private passphrase")
    browser.find_element(
        By.CSS_SELECTOR, f"input[name=preferred_language][value={language}]"
    ).click()
    browser.find_element(By.ID, "consent").click()
    page.click_text(t("Create account"))
    assert t("Welcome to Ruamkid, %(name)s!", name=name) in page.text()

    # Sign out and back in.
    page.click_text(t("Sign out"))
    assert t("You are signed out.") in page.text()
    page.click_text(t("Sign in"))
    page.fill("email", f"fasai-{language}@example.org")
    page.fill("password", "a long and private passphrase")
    _submit(page)
    assert t("You are signed in.") in page.text()
    assert _lang(page) == language

    # Read the process, then propose a solution to its issue.
    page.click_text(_process_title(process, language))
    assert t("Reimagine") in browser.find_element(By.CSS_SELECTOR, ".stepper__step--current").text
    page.click_text(t("Propose a solution"))
    page.fill("title", words["title"])
    page.fill("body", words["body"])
    page.click_text(t("Publish"))
    page.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), words["title"]))

    # Comment, then support: the count changes in place.
    page.fill("comment-body", words["comment"])
    browser.find_element(By.ID, "alignment-in_favour").click()
    page.click_text(t("Publish comment"))
    page.wait.until(ec.text_to_be_present_in_element((By.ID, "comments"), words["comment"]))
    page.click_text(t("Support"), navigates=False)
    page.wait.until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-support-count]"), "1")
    )
    assert t("Thank you for your support.") in page.text()
    assert _lang(page) == language
    assert server.errors() == []


@LANGUAGES
def test_council_member_answers_a_proposal_then_reviews_and_publishes_the_summary(
    language, browser, socket_server, create_process, create_contribution, create_user,
    move_to, say,
):  # fmt: skip
    t, words = say(language), TEXT[language]
    process = create_process("reimagine")
    author = create_user(language=language)
    proposal_id = create_contribution(process, author, title=words["title"], body=words["body"])
    move_to(process, "remake")
    council = create_user(roles=["council"], language=language)
    server = socket_server()
    page = Page(browser, server.url)

    # Answer the proposal publicly.
    page.sign_in(council)
    page.open(f"/processes/{process.slug}/proposals/{proposal_id}")
    browser.find_element(By.CSS_SELECTOR, "input[name=status][value=accepted]").click()
    page.fill("body", words["answer"])
    page.click_text(t("Publish the response"))
    response = browser.find_element(By.ID, "response-title").text
    assert t("Accepted") in response
    assert words["answer"] in page.text()

    # From the process page to its summary: review, then publish.
    page.click_text(_process_title(process, language))
    page.click_text(t("Read the summary: what residents said and what the council decided"))
    assert words["title"] in page.text()
    page.click_text(t("Mark as reviewed"))
    assert t("The summary is marked as reviewed.") in page.text()
    page.fill("statement_th", "ขอบคุณทุกคนที่ร่วมเสนอความคิด")
    page.fill("statement_en", "Thank you all for your ideas")
    page.click_text(t("Save the statement"))
    assert t("The council's statement is saved.") in page.text()
    page.click_text(t("Publish and tell the residents who took part"))
    assert t("The summary is published. Everyone who took part will be told.") in page.text()
    assert _lang(page) == language

    # Everyone can read it now; the author is told.
    page.sign_in(author)
    assert browser.find_element(By.CSS_SELECTOR, ".bell__count").text.startswith("2")
    browser.delete_all_cookies()
    page.open(f"/summaries/processes/{process.slug}")
    page.use_language(language)
    statement = "ขอบคุณทุกคนที่ร่วมเสนอความคิด" if language == "th" else "Thank you all"
    assert statement in page.text()
    assert words["title"] in page.text()
    assert t("This summary is not public yet: the council reviews and publishes it.") not in (
        page.text()
    )
    assert server.errors() == []


@LANGUAGES
def test_facilitator_hides_a_reported_comment_and_an_administrator_grants_a_role(
    language, app, browser, socket_server, create_process, create_contribution, create_user,
    say,
):  # fmt: skip
    from participation.accounts.models import User
    from participation.comments.models import Comment
    from participation.comments.operations import add_comment
    from participation.extensions import db
    from participation.moderation.operations import report
    from participation.proposals.models import Contribution

    t, words = say(language), TEXT[language]
    facilitator = create_user(roles=["facilitator"], language=language)
    process = create_process("reimagine", facilitator=facilitator)
    writer = create_user(name="ผู้เขียน ทดสอบ" if language == "th" else "Test Writer")
    proposal_id = create_contribution(process, create_user())
    reporter = create_user()
    with app.app_context():
        comment = add_comment(db.session.get(Contribution, proposal_id),
                              db.session.get(User, writer.id), "คำหยาบมาก rude words")  # fmt: skip
        db.session.flush()
        report(db.session.get(User, reporter.id), db.session.get(Comment, comment.id),
               "offensive")  # fmt: skip
        db.session.commit()
        db.session.remove()
    admin = create_user(roles=["admin"], language=language)
    server = socket_server()
    page = Page(browser, server.url)

    # The facilitator hides the comment from the queue, with a reason residents see.
    page.sign_in(facilitator)
    page.click_text(t("Moderation"))
    item = browser.find_element(By.CSS_SELECTOR, ".moderation-item")
    assert "คำหยาบมาก" in item.text
    item.find_element(By.CSS_SELECTOR, "input[name=reason]").send_keys(words["reason"])
    page.click_text(t("Hide"))
    assert t("Hidden. Residents see the reason you gave.") in page.text()

    browser.delete_all_cookies()
    page.open(f"/processes/{process.slug}/proposals/{proposal_id}")
    page.use_language(language)
    comments = browser.find_element(By.ID, "comments").text
    assert "คำหยาบมาก" not in comments
    assert t("Hidden by a moderator: %(reason)s", reason=words["reason"]) in comments

    # The administrator makes the writer a facilitator.
    page.sign_in(admin)
    page.click_text(t("Administration"))
    page.fill("q", writer.name)
    page.click_text(t("Search"))
    row = browser.find_element(By.XPATH, f"//tr[th[normalize-space()='{writer.name}']]")
    facilitator_title = t("Facilitator")
    # One control per person: tick the role, then save.
    row.find_element(By.XPATH, f".//label[normalize-space()='{facilitator_title}']/input").click()
    row.find_element(By.XPATH, f".//button[starts-with(normalize-space(), '{t('Save roles')}')]"
                     ).click()  # fmt: skip
    updated = t("Roles of %(name)s are updated.", name=writer.name)
    page.wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flashes"), updated))
    row = browser.find_element(By.XPATH, f"//tr[th[normalize-space()='{writer.name}']]")
    box = row.find_element(By.XPATH, f".//label[normalize-space()='{facilitator_title}']/input")
    assert box.is_selected()
    assert _lang(page) == language
    assert server.errors() == []
