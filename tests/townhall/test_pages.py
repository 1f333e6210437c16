"""Town hall pages: scheduling, the live page, calendar, projector and the CSV record."""

import csv
import io

import pytest
import sqlalchemy as sa

from participation.townhall.models import TownHall


def test_facilitator_schedules_a_town_hall(client, auth, facilitator, in_db):
    auth.login(facilitator)

    response = client.post("/townhalls/new", data={
        "slug": "budget-2570", "title_th": "เวทีงบประมาณ 2570", "title_en": "Budget 2570",
        "venue_th": "หอประชุม", "starts": "2026-12-01T18:00", "ends": "2026-12-01T20:00",
        "allow_visitors": "y",
    })  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        townhall = session.scalar(sa.select(TownHall))
        assert townhall.state == "scheduled"
        assert townhall.starts_dt.isoformat() == "2026-12-01T11:00:00+00:00"
        assert [f.id for f in townhall.facilitators] == [facilitator.id]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts": "tomorrow"}, "Please enter a date and time."),
        ({"ends": "2026-12-01T17:00"}, "The town hall must end after it starts."),
        ({"slug": "NO SPACES"},
         "Use 3 to 80 lower-case letters, digits and dashes for the web address."),
        ({"title_th": "", "title_en": ""}, "Give the town hall a title in Thai or English."),
        ({"process_id": "999"}, "Please choose one of the listed processes."),
    ],
)  # fmt: skip
def test_bad_town_hall_input_is_explained_and_nothing_saved(
    client, auth, facilitator, in_db, thai, change, message
):
    auth.login(facilitator)
    data = {"slug": "ok-slug", "title_th": "ชื่อ", "starts": "2026-12-01T18:00",
            "ends": "2026-12-01T20:00", **change}  # fmt: skip

    response = client.post("/townhalls/new", data=data)

    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 0


def test_residents_cannot_schedule_or_edit(client, auth, resident, create_townhall):
    townhall = create_townhall()
    auth.login(resident)
    assert client.get("/townhalls/new").status_code == 403
    assert client.get(f"/townhalls/{townhall.slug}/edit").status_code == 403
    assert client.post(f"/townhalls/{townhall.slug}/end").status_code == 403


def test_live_page_shows_the_current_state_without_javascript(
    client, socket_for, create_townhall, resident
):
    townhall = create_townhall()
    sio = socket_for(resident)
    sio.emit("join", {"townhall": townhall.slug}, namespace="/townhall", callback=True)
    sio.emit("ask", {"townhall": townhall.slug, "body": "คำถามที่เห็นได้", "client_id": "1"},
             namespace="/townhall", callback=True)  # fmt: skip

    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)

    assert "คำถามที่เห็นได้" in page
    assert "socket.io.min.js" in page


def test_town_hall_without_visitors_asks_to_sign_in(client, create_townhall):
    townhall = create_townhall(allow_visitors=False)
    response = client.get(f"/townhalls/{townhall.slug}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get(f"/townhalls/{townhall.slug}/projector").status_code == 403


def test_calendar_file_describes_the_town_hall(client, create_townhall):
    townhall = create_townhall(state="scheduled")

    response = client.get(f"/townhalls/{townhall.slug}/calendar.ics")

    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in body
    assert "SUMMARY:เวทีประชาคม" in body
    assert "LOCATION:หอประชุมเทศบาล" in body
    assert body.count("\r\n") >= 10


def test_record_exports_questions_polls_and_discussion_as_csv(
    client, socket_for, create_townhall, resident
):
    townhall = create_townhall()
    host, talker = socket_for(townhall.facilitator), socket_for(resident)
    for sio in (host, talker):
        sio.emit("join", {"townhall": townhall.slug}, namespace="/townhall", callback=True)

    def emit(sio, name, **data):
        return sio.emit(
            name, {"townhall": townhall.slug, **data}, namespace="/townhall", callback=True
        )

    emit(talker, "ask", body="ถามเรื่องขยะ", client_id="1")
    emit(talker, "post", body="ข้อความลับ", client_id="2")
    hidden = emit(talker, "post", body="ข้อความที่ถูกซ่อน", client_id="3")["message"]
    emit(host, "hide", kind="message", id=hidden["id"], reason="สแปม")
    poll = emit(host, "open_poll", question="ชอบไหม", options=["ชอบ", "ไม่ชอบ"])["poll"]
    emit(talker, "answer_poll", poll_id=poll["id"], option_ids=[poll["options"][0]["id"]])
    emit(host, "end")

    response = client.get(f"/townhalls/{townhall.slug}/record.csv")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    kinds = [(r["type"], r["text"]) for r in rows]
    assert ("question", "ถามเรื่องขยะ") in kinds
    assert ("message", "ข้อความลับ") in kinds
    assert ("message", "") in kinds  # the hidden one, without its text
    assert ("poll_option", "ชอบไหม — ชอบ") in kinds
    option = next(r for r in rows if r["text"] == "ชอบไหม — ชอบ")
    assert option["upvotes"] == "1"
    assert "ข้อความที่ถูกซ่อน" not in response.get_data(as_text=True)


def test_projector_view_shows_the_question_being_answered(
    client, socket_for, create_townhall, resident
):
    townhall = create_townhall()
    host, talker = socket_for(townhall.facilitator), socket_for(resident)
    for sio in (host, talker):
        sio.emit("join", {"townhall": townhall.slug}, namespace="/townhall", callback=True)
    question = talker.emit("ask", {"townhall": townhall.slug, "body": "ตอบข้อนี้บนจอ",
                                   "client_id": "1"}, namespace="/townhall",
                           callback=True)["question"]  # fmt: skip
    change = {"townhall": townhall.slug, "question_id": question["id"], "state": "answering"}
    host.emit("question_state", change, namespace="/townhall", callback=True)

    page = client.get(f"/townhalls/{townhall.slug}/projector").get_data(as_text=True)

    assert "ตอบข้อนี้บนจอ" in page
    assert "projector" in page


def test_facilitator_opens_and_ends_with_plain_forms(client, auth, create_townhall, in_db):
    townhall = create_townhall(state="scheduled")
    auth.login(townhall.facilitator)

    client.post(f"/townhalls/{townhall.slug}/open")
    with in_db() as session:
        assert session.get(TownHall, townhall.id).state == "live"
    client.post(f"/townhalls/{townhall.slug}/end")
    with in_db() as session:
        assert session.get(TownHall, townhall.id).state == "ended"


def test_home_and_process_pages_list_upcoming_town_halls(client, create_townhall):
    townhall = create_townhall(state="scheduled")
    page = client.get("/").get_data(as_text=True)
    assert f"/townhalls/{townhall.slug}" in page
    assert client.get("/townhalls/").status_code == 200


def test_facilitator_names_co_facilitators(client, auth, facilitator, create_user, in_db):
    colleague = create_user(roles=["facilitator"], name="ผู้ช่วยดำเนินเวที")
    resident = create_user()
    auth.login(facilitator)
    data = {"slug": "joint", "title_th": "เวทีร่วม", "starts": "2026-12-01T18:00",
            "ends": "2026-12-01T20:00"}  # fmt: skip

    refused = client.post("/townhalls/new", data={**data, "facilitators": [str(resident.id)]})
    response = client.post("/townhalls/new", data={**data, "facilitators": [str(colleague.id)]})

    assert refused.status_code == 422
    assert response.status_code == 302
    with in_db() as session:
        townhall = session.scalar(sa.select(TownHall))
        assert sorted(f.id for f in townhall.facilitators) == sorted([facilitator.id, colleague.id])


def test_a_signed_in_residents_live_page_loads_the_socket_client_once(
    client, auth, resident, create_townhall
):
    townhall = create_townhall(state="live")
    auth.login(resident)

    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)

    assert page.count("socket.io.min.js") == 1  # the bell and the live page share it
    assert page.index("socket.io.min.js") < page.index("js/bell.js") < page.index("townhall.js")
