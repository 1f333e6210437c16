"""Bulk updates from a tracking sheet: a preview of every row, all or nothing, Buddhist-Era
years, and followers told once per item."""

import io
import json
from datetime import date, datetime

import sqlalchemy as sa
from openpyxl import Workbook

from participation.delivery.models import DeliveryRecord
from participation.notifications.models import Notification


def _milestones(in_db, proposal_id):
    with in_db() as session:
        record = session.scalar(
            sa.select(DeliveryRecord).where(DeliveryRecord.proposal_id == proposal_id)
        )
        return [(m.progress, m.actual_date, m.note) for m in record.milestones] if record else None


def _upload(client, name, data):
    return client.post("/delivery/bulk", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def _apply(client, page):
    """Send the preview's form on, as the "apply" button does."""
    marker = 'name="rows" value="'
    start = page.index(marker) + len(marker)
    import html

    rows = html.unescape(page[start : page.index('"', start)])
    return client.post("/delivery/bulk/apply", data={"rows": rows})


def test_a_file_with_one_bad_row_applies_nothing_and_shows_that_rows_error(
    client, accepted, in_db, thai
):
    _process, proposal_id = accepted
    sheet = (f"item,milestone,actual_date,progress,note\n"
             f"{proposal_id},ออกแบบ,5/11/2569,100,แบบเสร็จ\n"
             f"{proposal_id},ดำเนินการ,,150,\n").encode()  # fmt: skip

    page = _upload(client, "sheet.csv", sheet).get_data(as_text=True)

    assert thai("Progress is a percentage from 0 to 100.") in page
    assert 'id="row-3"' in page
    assert "bulk-row--error" in page
    assert thai("Apply all these changes") not in page
    # Even sent on by hand, nothing is applied.
    rows = [{"item": str(proposal_id), "milestone": "ออกแบบ", "progress": "100"},
            {"item": str(proposal_id), "milestone": "ดำเนินการ", "progress": "150"}]  # fmt: skip
    response = client.post("/delivery/bulk/apply", data={"rows": json.dumps(rows)})
    assert response.status_code == 422
    assert thai("Row %(row)s: %(error)s", row=3,
                error=thai("Progress is a percentage from 0 to 100.")) in response.get_data(
        as_text=True)  # fmt: skip
    assert _milestones(in_db, proposal_id) is None  # not even the default milestones stayed


def test_an_xlsx_with_buddhist_era_years_is_read_correctly_and_applied_once_per_item(
    client, accepted, in_db, resident
):
    _process, proposal_id = accepted
    book = Workbook()
    sheet = book.active
    sheet.append(["Item", "Milestone", "Date", "Progress", "Note"])
    sheet.append([proposal_id, 1, "5/11/2569", 100, "แบบเสร็จ"])
    sheet.append([proposal_id, "จัดซื้อจัดจ้าง", datetime(2569, 12, 1), 100, "ได้ผู้รับจ้างแล้ว"])
    data = io.BytesIO()
    book.save(data)

    page = _upload(client, "ติดตามงาน.xlsx", data.getvalue()).get_data(as_text=True)
    assert _milestones(in_db, proposal_id) is None or _milestones(in_db, proposal_id)[0][0] == 0
    response = _apply(client, page)

    assert response.status_code == 302
    steps = _milestones(in_db, proposal_id)
    assert steps[0] == (100, date(2026, 11, 5), "แบบเสร็จ")
    assert steps[1] == (100, date(2026, 12, 1), "ได้ผู้รับจ้างแล้ว")
    with in_db() as session:
        told = session.scalars(
            sa.select(Notification.user_id).where(Notification.detail == "milestone")
        ).all()
    assert told == [resident.id]


def test_rows_can_name_items_by_plan_code(client, accepted, in_db):
    _process, proposal_id = accepted
    client.post(f"/delivery/items/{proposal_id}/budget", data={"plan_code": "ผ.02-7"})

    page = _upload(client, "s.csv", "plan_code,milestone,progress\nผ.02-7,4,60\n".encode())
    _apply(client, page.get_data(as_text=True))

    assert _milestones(in_db, proposal_id)[3][0] == 60


def test_a_resident_cannot_upload_a_bulk_file(client, auth, accepted, resident):
    auth.logout()
    auth.login(resident)

    response = _upload(client, "s.csv", b"item,milestone,progress\n1,1,50\n")

    assert response.status_code == 403


def test_bulk_uploads_share_the_write_rate_limit(config, make_app, create_user):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_POST = "2 per minute"
    app = make_app(config)
    member = create_user(roles=["council"])
    client = app.test_client()
    assert client.post("/login", data={"email": member.email, "password": member.password}
                       ).status_code == 302  # fmt: skip

    statuses = [client.post("/delivery/bulk", data={}).status_code for _n in range(3)]

    assert statuses == [302, 302, 429]
