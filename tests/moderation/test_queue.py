"""Facilitators and administrators decide on reports from the moderation queue."""

import re

import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.moderation.models import Report
from participation.proposals.models import Contribution
from tests.conftest import Auth


def _reported(app, create_user, target_type, target_id, times=1):
    for _ in range(times):
        reporter = app.test_client()
        Auth(reporter).login(create_user())
        response = reporter.post(f"/report/{target_type}/{target_id}", data={"reason": "spam"})
        assert response.status_code == 302


def test_a_facilitator_sees_reports_on_their_process_and_hides_with_a_public_reason(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident, title="ขายของออนไลน์ราคาถูก")
    _reported(app, create_user, "contribution", item_id)
    auth.login(process.facilitator)

    queue = client.get("/moderation").get_data(as_text=True)
    assert "ขายของออนไลน์ราคาถูก" in queue
    response = client.post(f"/moderation/contribution/{item_id}/hide",
                           data={"reason": "โฆษณาขายของ ไม่เกี่ยวกับโครงการ"})  # fmt: skip

    assert response.status_code == 302
    page = app.test_client().get(f"/processes/{process.slug}/proposals/{item_id}")
    text = page.get_data(as_text=True)
    assert thai("Hidden by a moderator: %(reason)s",
                reason="โฆษณาขายของ ไม่เกี่ยวกับโครงการ") in text  # fmt: skip
    assert "ขายของออนไลน์ราคาถูก" not in text
    with in_db() as session:
        item = session.get(Contribution, item_id)
        assert item.is_hidden
        assert item.hidden_by_id is not None
        assert session.scalar(sa.select(Report.resolution)) == "hidden"
    transparency = app.test_client().get("/transparency").get_data(as_text=True)
    assert "โฆษณาขายของ ไม่เกี่ยวกับโครงการ" in transparency
    assert resident.name not in transparency  # no names on the public page
    assert process.facilitator.name not in transparency


def test_hiding_needs_a_reason_and_changes_nothing_without_one(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _reported(app, create_user, "contribution", item_id)
    auth.login(process.facilitator)

    response = client.post(f"/moderation/contribution/{item_id}/hide", data={"reason": " "},
                           follow_redirects=True)  # fmt: skip

    assert thai("Please give the reason residents will see.") in response.get_data(as_text=True)
    with in_db() as session:
        assert not session.get(Contribution, item_id).is_hidden
        assert session.scalar(sa.select(Report.resolved_dt)) is None


def test_a_facilitator_of_another_process_can_neither_see_nor_act(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process, other = create_process("reimagine"), create_process("reimagine")
    item_id = create_contribution(process, resident, title="รายงานในกระบวนการอื่น")
    _reported(app, create_user, "contribution", item_id)
    auth.login(other.facilitator)

    assert "รายงานในกระบวนการอื่น" not in client.get("/moderation").get_data(as_text=True)
    hide = client.post(f"/moderation/contribution/{item_id}/hide", data={"reason": "x"})

    assert hide.status_code == 403
    with in_db() as session:
        assert not session.get(Contribution, item_id).is_hidden


def test_residents_have_no_moderation_queue(client, auth, resident):
    auth.login(resident)
    assert client.get("/moderation").status_code == 403


def test_dismissing_reports_brings_back_what_the_reports_hid(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident, title="ข้อเสนอที่ถูกรายงานผิด")
    _reported(app, create_user, "contribution", item_id, times=3)
    auth.login(process.facilitator)

    client.post(f"/moderation/contribution/{item_id}/dismiss")

    listing = app.test_client().get(f"/processes/{process.slug}/proposals")
    assert "ข้อเสนอที่ถูกรายงานผิด" in listing.get_data(as_text=True)
    with in_db() as session:
        assert not session.get(Contribution, item_id).is_hidden
        assert set(session.scalars(sa.select(Report.resolution))) == {"dismissed"}
        assert "moderation.restore" in set(session.scalars(sa.select(ActionLog.action)))


def test_an_administrator_restores_what_a_facilitator_hid(
    app, client, auth, admin, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _reported(app, create_user, "contribution", item_id)
    facilitator = app.test_client()
    Auth(facilitator).login(process.facilitator)
    facilitator.post(f"/moderation/contribution/{item_id}/hide", data={"reason": "ไม่สุภาพ"})
    auth.login(admin)

    client.post(f"/moderation/contribution/{item_id}/restore", data={"reason": "ตรวจแล้วสุภาพ"})

    with in_db() as session:
        item = session.get(Contribution, item_id)
        assert (item.is_hidden, item.hidden_reason) == (False, "")
        actions = session.scalars(sa.select(ActionLog.action).order_by(ActionLog.id)).all()
        assert actions[-2:] == ["moderation.hide", "moderation.restore"]


def test_administrators_read_and_export_the_full_log_others_cannot(
    app, client, auth, admin, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    _reported(app, create_user, "contribution", item_id)
    facilitator = app.test_client()
    Auth(facilitator).login(process.facilitator)
    facilitator.post(f"/moderation/contribution/{item_id}/hide", data={"reason": "ข้อมูลส่วนตัว"})
    assert facilitator.get("/admin/log").status_code == 403
    assert facilitator.get("/admin/log.csv").status_code == 403
    auth.login(admin)

    page = client.get("/admin/log?action=moderation.").get_data(as_text=True)
    exported = client.get("/admin/log.csv").get_data(as_text=True)

    assert "moderation.hide" in page
    assert process.facilitator.name in page  # the full log names who acted
    assert exported.startswith("\ufeffid,created,actor_id,actor,action")
    assert f",{process.facilitator.name},moderation.hide,contributions,{item_id},ข้อมูลส่วนตัว," in (
        exported
    )


def test_a_queue_of_251_open_reports_pages_through_all_of_them_newest_or_oldest_first(
    app, client, auth, admin, create_user, create_process, in_db
):
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.proposals.models import Proposal

    process = create_process("reimagine")
    reporter = create_user()
    author = create_user()
    start = utcnow() - timedelta(days=30)
    with app.app_context():
        items = [
            Proposal(process_id=process.id, author_id=author.id, title=f"รายการที่ {n}",
                     body="ข้อความ", body_html="<p>ข้อความ</p>")
            for n in range(251)
        ]  # fmt: skip
        db.session.add_all(items)
        db.session.flush()
        for n, item in enumerate(items):  # item n was reported n hours after the first
            db.session.add(Report(target_type="contribution", target_id=item.id,
                                  process_id=process.id, reporter_id=reporter.id, reason="spam",
                                  created_dt=start + timedelta(hours=n)))  # fmt: skip
        db.session.commit()
        ids = [item.id for item in items]
    auth.login(admin)

    def shown(query):
        page = client.get(f"/moderation?{query}").get_data(as_text=True)
        return [int(found) for found in re.findall(r'id="contribution-(\d+)"', page)], page

    first, page_one = shown("")
    pages = [first] + [shown(f"page={n}")[0] for n in range(2, 7)]
    oldest, _page = shown("order=oldest")
    last_oldest, last_page = shown("order=oldest&page=6")

    assert [len(items) for items in pages] == [50, 50, 50, 50, 50, 1]
    assert sorted(sum(pages, [])) == sorted(ids)  # every report is reachable, none twice
    assert first[:3] == ids[::-1][:3]  # the most recently reported first
    assert oldest[:3] == ids[:3]  # or those waiting longest
    assert last_oldest == [ids[-1]]
    assert "/moderation?page=2" in page_one
    previous = re.search(r'href="(/moderation\?[^"]*)">', last_page).group(1)
    assert set(previous.split("?")[1].split("&amp;")) == {"page=5", "order=oldest"}
