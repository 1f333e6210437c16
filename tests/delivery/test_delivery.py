"""Delivery of an accepted proposal: milestones with photo evidence and PDFs, the budget line,
closing only with an "after" photo, residents' "was it really fixed?" and reopening."""

import html
import io
from datetime import date

import sqlalchemy as sa

from participation.delivery.models import DeliveryRecord, FixedAnswer, Milestone
from participation.notifications.models import Notification
from participation.votes.models import Support
from tests.photos.images import phone_jpeg

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")  # fmt: skip


def _record(in_db, proposal_id):
    with in_db() as session:
        record = session.scalar(
            sa.select(DeliveryRecord).where(DeliveryRecord.proposal_id == proposal_id)
        )
        return record and (record.id, record.status, record.yes_count, record.not_yet_count,
                           [m.id for m in record.milestones])  # fmt: skip


def _supported_by(in_db, process, proposal_id, people):
    """Supports given during Reimagine (the process is now in Remake)."""
    with in_db() as session:
        for person in people:
            session.add(Support(proposal_id=proposal_id, process_id=process.id,
                                user_id=person.id))  # fmt: skip
        session.commit()


def _manage(client, proposal_id):
    return client.get(f"/delivery/items/{proposal_id}")


def _add_photo(client, proposal_id, milestone_id, stage):
    return client.post(
        f"/delivery/items/{proposal_id}/milestones/{milestone_id}/photos",
        data={"stage": stage, "photos": (io.BytesIO(phone_jpeg()), "p.jpg"), "photo_alt": ""},
        content_type="multipart/form-data",
    )


def test_council_member_sees_default_milestones_and_sets_the_budget_line(
    client, accepted, in_db, thai
):
    process, proposal_id = accepted

    assert _manage(client, proposal_id).status_code == 200
    response = client.post(f"/delivery/items/{proposal_id}/budget", data={
        "fiscal_year": "2569", "plan_code": "ผ.01/2569-12", "ordinance_item": "ค่าก่อสร้าง",
        "amount_baht": "1,250,000", "unit": "กองช่าง", "contact": "053-000000"})  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        record = session.scalar(sa.select(DeliveryRecord))
        assert (record.fiscal_year, record.amount_baht, record.unit) == (2569, 1250000, "กองช่าง")
        assert [m.name for m in record.milestones] == [
            "ออกแบบ", "จัดซื้อจัดจ้าง", "ทำสัญญา", "ดำเนินการ", "ส่งมอบ"]  # fmt: skip
    page = client.get(f"/processes/{process.slug}/proposals/{proposal_id}").get_data(as_text=True)
    assert "ผ.01/2569-12" in page
    assert "1,250,000" in page
    assert "กองช่าง" in page


def test_a_milestone_date_typed_in_the_buddhist_era_is_saved_in_this_century(
    client, accepted, in_db
):
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][0]

    client.post(f"/delivery/items/{proposal_id}/milestones/{milestone_id}",
                data={"name": "ออกแบบ", "planned_date": "5/12/2569", "progress": "40",
                      "note": "แบบร่างเสร็จ"})  # fmt: skip

    with in_db() as session:
        milestone = session.get(Milestone, milestone_id)
        assert (milestone.planned_date, milestone.progress) == (date(2026, 12, 5), 40)
    # The form shows it as typed, so saving it again keeps the day.
    assert 'value="5/12/2569"' in _manage(client, proposal_id).get_data(as_text=True)
    client.post(f"/delivery/items/{proposal_id}/milestones/{milestone_id}",
                data={"name": "ออกแบบ", "planned_date": "5/12/2569", "progress": "60"})  # fmt: skip
    with in_db() as session:
        milestone = session.get(Milestone, milestone_id)
        assert (milestone.planned_date, milestone.progress) == (date(2026, 12, 5), 60)


def test_council_member_adds_a_milestone_after_the_others(client, accepted, in_db):
    _process, proposal_id = accepted
    _manage(client, proposal_id)

    client.post(f"/delivery/items/{proposal_id}/milestones",
                data={"name": "ตรวจรับงาน", "planned_date": "20/1/2570"})  # fmt: skip

    with in_db() as session:
        record = session.scalar(sa.select(DeliveryRecord))
        last = record.milestones[-1]
        assert (last.position, last.name, last.planned_date) == (5, "ตรวจรับงาน", date(2027, 1, 20))


def test_a_document_larger_than_the_limit_is_refused(app, client, accepted, in_db, thai):
    app.config["DELIVERY_DOCUMENT_MAX_BYTES"] = 2048
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][2]
    big = PDF.replace(b"%%EOF", b"%" + b"x" * 4096 + b"\n%%EOF")

    response = client.post(
        f"/delivery/items/{proposal_id}/milestones/{milestone_id}/documents",
        data={"document": (io.BytesIO(big), "big.pdf")}, content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip

    assert thai("A document can be at most %(size)s.", size="2 KB") in response.get_data(
        as_text=True
    )
    with in_db() as session:
        assert session.get(Milestone, milestone_id).documents == []


def test_resident_cannot_edit_milestones(client, auth, accepted, resident, in_db):
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][0]
    auth.logout()
    auth.login(resident)

    assert _manage(client, proposal_id).status_code == 403
    response = client.post(f"/delivery/items/{proposal_id}/milestones/{milestone_id}",
                           data={"progress": "90"})  # fmt: skip
    assert response.status_code == 403


def test_a_pdf_is_checked_by_content_and_served_as_a_download(client, accepted, in_db):
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][2]
    url = f"/delivery/items/{proposal_id}/milestones/{milestone_id}/documents"

    client.post(url, data={"document": (io.BytesIO(b"<html>not a pdf</html>"), "contract.pdf")},
                content_type="multipart/form-data")  # fmt: skip
    client.post(url, data={"document": (io.BytesIO(PDF), "สัญญา.pdf")},
                content_type="multipart/form-data")  # fmt: skip

    with in_db() as session:
        milestone = session.get(Milestone, milestone_id)
        assert [d.size for d in milestone.documents] == [len(PDF)]
        token = milestone.documents[0].token
    response = client.get(f"/delivery/documents/{token}.pdf")
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_closing_without_an_after_photo_is_refused(client, accepted, in_db, thai):
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][4]
    _add_photo(client, proposal_id, milestone_id, "before")

    response = client.post(f"/delivery/items/{proposal_id}/done", follow_redirects=True)

    assert thai("Add a photo taken after the works before marking this done: residents check "
                "the result against it.") in response.get_data(as_text=True)  # fmt: skip
    assert _record(in_db, proposal_id)[1] == "in_progress"

    _add_photo(client, proposal_id, milestone_id, "after")
    client.post(f"/delivery/items/{proposal_id}/done")
    assert _record(in_db, proposal_id)[1] == "done"


def test_enough_not_yet_answers_reopen_the_item_and_tell_the_council(
    app, client, auth, create_user, accepted, council, in_db, thai
):
    app.config["DELIVERY_REOPEN_THRESHOLD"] = 2
    process, proposal_id = accepted
    supporters = [create_user(name=f"ผู้สนับสนุน {n}") for n in range(3)]
    _supported_by(in_db, process, proposal_id, supporters)
    auth.logout()
    auth.login(council)
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][4]
    _add_photo(client, proposal_id, milestone_id, "after")
    client.post(f"/delivery/items/{proposal_id}/done")
    with in_db() as session:
        asked = session.scalars(
            sa.select(Notification.user_id).where(Notification.detail == "fixed_check")
        ).all()
    assert {p.id for p in supporters} <= set(asked)

    auth.logout()
    auth.login(supporters[0])
    notes = html.unescape(client.get("/notifications/").get_data(as_text=True))
    assert thai('"%(what)s" is marked done: was it really fixed? Tell the council',
                what="ซ่อมถนนชำรุดหน้าโรงเรียน") in notes  # fmt: skip
    client.post(f"/delivery/items/{proposal_id}/answer", data={
        "answer": "not_yet", "photos": (io.BytesIO(phone_jpeg()), "now.jpg")},
        content_type="multipart/form-data")  # fmt: skip
    auth.logout()
    auth.login(supporters[1])
    client.post(f"/delivery/items/{proposal_id}/answer", data={"answer": "yes"})
    assert _record(in_db, proposal_id)[1:4] == ("done", 1, 1)

    auth.logout()
    auth.login(supporters[2])
    client.post(f"/delivery/items/{proposal_id}/answer", data={"answer": "not_yet"})

    assert _record(in_db, proposal_id)[1:4] == ("reopened", 1, 2)
    with in_db() as session:
        told = session.scalars(
            sa.select(Notification.user_id).where(Notification.detail == "reopened")
        ).all()
        assert council.id in told
        answer = session.scalar(sa.select(FixedAnswer).where(
            FixedAnswer.user_id == supporters[0].id))  # fmt: skip
        assert len(answer.photos) == 1
    # Closing again needs a new "after" photo: the old one is what residents disputed.
    auth.logout()
    auth.login(council)
    client.post(f"/delivery/items/{proposal_id}/done")
    assert _record(in_db, proposal_id)[1] == "reopened"
    _add_photo(client, proposal_id, milestone_id, "after")
    client.post(f"/delivery/items/{proposal_id}/done")
    assert _record(in_db, proposal_id)[1:4] == ("done", 0, 0)  # residents are asked again
    client.post(f"/delivery/items/{proposal_id}/budget", data={"fiscal_year": "2569"})

    auth.logout()  # the counts are public
    page = client.get(f"/processes/{process.slug}/proposals/{proposal_id}").get_data(as_text=True)
    assert "ประชาชนตอบว่า ใช่ 0 คน ยังไม่เสร็จ 0 คน" in page


def test_someone_not_involved_cannot_answer(client, auth, create_user, accepted, in_db):
    _process, proposal_id = accepted
    _manage(client, proposal_id)
    milestone_id = _record(in_db, proposal_id)[4][4]
    _add_photo(client, proposal_id, milestone_id, "after")
    client.post(f"/delivery/items/{proposal_id}/done")
    auth.logout()
    auth.login(create_user(name="คนนอก"))

    response = client.post(f"/delivery/items/{proposal_id}/answer", data={"answer": "not_yet"})

    assert response.status_code == 403
