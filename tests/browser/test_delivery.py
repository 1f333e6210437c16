"""In a real browser: a council member uploads the municipality's tracking sheet, checks the
preview row by row and applies it; then a resident who raised the need answers "was it really
fixed?" with "not yet" and a photo of how it is now."""

import io

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page, left
from tests.photos.images import phone_jpeg

pytestmark = pytest.mark.slow


def _accepted(app, process, proposal_id, council):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals import operations
    from participation.proposals.models import Proposal

    with app.app_context():
        operations.respond(db.session.get(Proposal, proposal_id), db.session.get(User, council.id),
                           "accepted", "รับไว้ดำเนินการ")  # fmt: skip
        db.session.commit()


def _done_with_an_after_photo(app, proposal_id, council):
    from werkzeug.datastructures import FileStorage

    from participation.accounts.models import User
    from participation.delivery import operations
    from participation.extensions import db
    from participation.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        member = db.session.get(User, council.id)
        last = operations.delivery_of(proposal).milestones[-1]
        upload = FileStorage(stream=io.BytesIO(phone_jpeg()), filename="after.jpg")
        operations.add_milestone_photos(last, member, [(upload, "ถนนหลังซ่อม")], "after")
        operations.mark_done(proposal, member)
        db.session.commit()


def _submit(browser, page, selector):
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, selector).click()
    page.wait.until(lambda _driver: left(old_page))


def test_council_member_applies_a_tracking_sheet_and_a_resident_answers_not_yet_with_a_photo(
    app, browser, socket_server, create_process, create_contribution, resident, council,
    move_to, tmp_path, say, in_db,
):  # fmt: skip
    from datetime import date

    from participation.delivery.models import FixedAnswer, Milestone

    t = say("th")
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident, title="ซ่อมถนนหน้าวัดป่าจี้")
    move_to(process, "remake")
    _accepted(app, process, proposal_id, council)
    sheet = tmp_path / "ติดตามงาน.csv"
    sheet.write_text("item,milestone,actual_date,progress,note\n"
                     f"{proposal_id},ออกแบบ,5/11/2569,100,แบบเสร็จแล้ว\n"
                     f"{proposal_id},ดำเนินการ,,40,เทคอนกรีตแล้วครึ่งทาง\n",
                     encoding="utf-8")  # fmt: skip
    server = socket_server()
    page = Page(browser, server.url)

    page.sign_in(council)
    page.open("/delivery/bulk")
    browser.find_element(By.ID, "file").send_keys(str(sheet))
    _submit(browser, page, "main form button[type=submit]")

    preview = page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".bulk-preview")))
    assert "แบบเสร็จแล้ว" in preview.text
    assert "5 พ.ย. 2569" in preview.text  # the Buddhist-Era year read as it was meant
    assert "ซ่อมถนนหน้าวัดป่าจี้" in preview.text
    page.click_text(t("Apply all these changes"))
    assert t("The updates are applied to %(count)s items.", count=1) in page.text()
    with in_db() as session:
        steps = session.query(Milestone).order_by(Milestone.position).all()
        assert (steps[0].progress, steps[0].actual_date) == (100, date(2026, 11, 5))
        assert steps[3].progress == 40

    _done_with_an_after_photo(app, proposal_id, council)
    photo = tmp_path / "IMG_5120.JPG"
    photo.write_bytes(phone_jpeg(1200, 900))
    page.sign_in(resident)
    page.open("/notifications/")
    page.click_text(t("Open"))  # the newest: "was it really fixed?"
    page.click_text(t("Give your answer"))
    browser.find_element(By.ID, "answer-not_yet").click()
    browser.find_element(By.ID, "photos").send_keys(str(photo))
    page.fill("photo_alt", "หลุมบนถนนยังอยู่")
    _submit(browser, page, "main form button[type=submit]")

    assert t("Thank you: your answer is counted.") in page.text()
    assert "ใช่ 0 คน ยังไม่เสร็จ 1 คน" in page.text()
    with in_db() as session:
        answer = session.query(FixedAnswer).one()
        assert answer.answer == "not_yet"
        assert [p.alt_text for p in answer.photos] == ["หลุมบนถนนยังอยู่"]
