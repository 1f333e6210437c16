"""Bulk delivery updates through the API: write scope and the council's role, all or nothing,
and the OpenAPI document."""

import sqlalchemy as sa

from participation.delivery.models import DeliveryRecord
from participation.notifications.models import Notification
from tests.api.conftest import assert_problem


def _milestones(in_db, proposal_id):
    with in_db() as session:
        record = session.scalar(
            sa.select(DeliveryRecord).where(DeliveryRecord.proposal_id == proposal_id)
        )
        return [(m.progress, m.planned_date) for m in record.milestones] if record else None


def test_the_api_update_needs_write_scope_and_the_council_role(
    api, accepted, council, resident, in_db
):
    _process, proposal_id = accepted
    body = {"rows": [{"item": proposal_id, "milestone": "ออกแบบ", "progress": 100}]}

    assert_problem(api(council, write=False).post("/delivery/updates", body), 403)
    assert_problem(api(resident).post("/delivery/updates", body), 403)
    assert_problem(api().post("/delivery/updates", body), 401)
    response = api(council).post("/delivery/updates", body)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["items"] == [proposal_id]
    assert _milestones(in_db, proposal_id)[0][0] == 100


def test_one_bad_row_through_the_api_applies_nothing(api, accepted, council, in_db):
    _process, proposal_id = accepted
    body = {"rows": [
        {"item": proposal_id, "milestone": "1", "progress": 50, "planned_date": "1/10/2569"},
        {"item": proposal_id, "milestone": "ไม่มีขั้นตอนนี้", "progress": 10},
    ]}  # fmt: skip

    response = api(council).post("/delivery/updates", body)

    assert_problem(response, 422, field="rows.1")
    assert _milestones(in_db, proposal_id) in (None, [(0, None)] * 5)


def test_followers_are_told_once_per_item_and_buddhist_years_are_read(
    api, accepted, council, resident, in_db
):
    _process, proposal_id = accepted
    body = {"rows": [
        {"item": proposal_id, "milestone": "1", "progress": 100, "actual_date": "5/11/2569"},
        {"item": proposal_id, "milestone": "2", "progress": 40, "planned_date": "2569-12-20"},
    ]}  # fmt: skip

    response = api(council).post("/delivery/updates", body)

    assert response.status_code == 200, response.get_data(as_text=True)
    from datetime import date

    assert _milestones(in_db, proposal_id)[1] == (40, date(2026, 12, 20))
    with in_db() as session:
        told = session.scalars(
            sa.select(Notification.user_id).where(Notification.detail == "milestone")
        ).all()
    assert told == [resident.id]  # the proposal's author, once for two rows


def test_the_openapi_document_describes_the_delivery_update(api):
    document = api().get("/openapi.json").get_json()

    operation = document["paths"]["/delivery/updates"]["post"]
    assert operation["operationId"] == "updateDelivery"
    assert operation["security"] != []  # a token (that may write) is needed
    assert "403" in operation["responses"]
