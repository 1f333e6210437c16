"""Delivery in the open-data export (no person in it) and residents' answers in their data
download; deleting an account takes its answers out of the counts."""

import csv
import io
import json
import zipfile

import sqlalchemy as sa

from participation.delivery.models import DeliveryRecord
from tests.delivery.test_delivery import _add_photo, _manage, _record, _supported_by


def _done_with_an_answer(client, auth, in_db, process, proposal_id, council, neighbour):
    _supported_by(in_db, process, proposal_id, [neighbour])
    _manage(client, proposal_id)
    client.post(f"/delivery/items/{proposal_id}/budget", data={
        "fiscal_year": "2569", "plan_code": "ผ.03", "amount_baht": "480000", "unit": "กองช่าง",
        "contact": "somchai@example.org"})  # fmt: skip
    last = _record(in_db, proposal_id)[4][4]
    _add_photo(client, proposal_id, last, "before")
    _add_photo(client, proposal_id, last, "after")
    client.post(f"/delivery/items/{proposal_id}/done")
    auth.logout()
    auth.login(neighbour)
    client.post(f"/delivery/items/{proposal_id}/answer", data={"answer": "not_yet"})


def test_the_open_data_export_has_every_milestone_and_no_person(
    client, auth, accepted, council, create_user, in_db
):
    process, proposal_id = accepted
    _done_with_an_answer(client, auth, in_db, process, proposal_id, council,
                         create_user(name="เพื่อนบ้าน"))  # fmt: skip
    auth.logout()
    auth.login(council)  # before the summary is published, its preparers download it

    text = client.get(f"/summaries/processes/{process.slug}/data/delivery.csv").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    items = client.get(f"/summaries/processes/{process.slug}/data/delivery.json").get_json()

    assert len(rows) == len(items) == 5
    last = rows[-1]
    assert (last["milestone"], last["photos_before"], last["photos_after"]) == ("ส่งมอบ", "1", "1")
    assert (last["plan_code"], last["amount_baht"], last["fixed_not_yet"]) == ("ผ.03", "480000",
                                                                               "1")  # fmt: skip
    assert "@" not in text
    assert "เพื่อนบ้าน" not in text


def test_a_residents_answer_is_in_their_data_download_and_goes_with_their_account(
    client, auth, accepted, council, create_user, in_db
):
    process, proposal_id = accepted
    neighbour = create_user(name="เพื่อนบ้าน")
    _done_with_an_answer(client, auth, in_db, process, proposal_id, council, neighbour)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    answers = data["tables"]["delivery_answers"]["user_id"]
    assert [(a["answer"], a["round"]) for a in answers] == [("not_yet", 1)]

    client.post("/account/delete", data={"password": neighbour.password, "keep": "keep"})

    with in_db() as session:
        record = session.scalar(sa.select(DeliveryRecord))
        assert record.not_yet_count == 0


def test_the_budget_line_is_in_the_process_summary(
    client, auth, accepted, council, create_user, in_db
):
    process, proposal_id = accepted
    _done_with_an_answer(client, auth, in_db, process, proposal_id, council,
                         create_user(name="เพื่อนบ้าน"))  # fmt: skip
    auth.logout()
    auth.login(council)

    page = client.get(f"/summaries/processes/{process.slug}").get_data(as_text=True)
    document = client.get(f"/summaries/processes/{process.slug}.json").get_json()

    assert "ปีงบประมาณ 2569 · 480,000 บาท · ผ.03" in page
    decision = next(d for d in document["decisions"] if d["proposal_id"] == proposal_id)
    assert decision["budget"] == {"fiscal_year": 2569, "plan_code": "ผ.03", "amount_baht": 480000,
                                  "delivery_status": "done"}  # fmt: skip
