"""Joining a town hall in a tap: join codes, QR codes, the poster, and guests by name only."""

import io
import re

import pytest
import sqlalchemy as sa

from participation.townhall.models import JOIN_CODE_ALPHABET, Guest, Message, Question, TownHall
from tests.conftest import Auth
from tests.townhall.test_live import NS, call, events, joined


def _code(in_db, townhall):
    with in_db() as session:
        return session.get(TownHall, townhall.id).join_code


def _join_as_guest(client, townhall, name="ป้าสมศรี"):
    response = client.post(f"/townhalls/{townhall.slug}/guest", data={"name": name})
    assert response.status_code == 302, response.status_code
    return response


def _guest_socket(app, client, townhall):
    from participation.extensions import socketio

    sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
    joined(sio, townhall)
    return sio


# --- join codes -----------------------------------------------------------------------------


def test_every_town_hall_gets_a_short_code_without_look_alike_letters(create_townhall, in_db):
    codes = [_code(in_db, create_townhall(state=state)) for state in ("live", "scheduled") * 5]

    assert len(set(codes)) == len(codes)  # unique among the town halls that have not ended
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert not set(code) & set("0O1IL2Z5S8B")


def test_the_code_is_read_in_any_case_with_spaces(client, create_townhall, in_db):
    townhall = create_townhall()
    code = _code(in_db, townhall)

    for typed in (code, code.lower(), f" {code[:3].lower()} {code[3:]} "):
        response = client.get("/j", query_string={"code": typed})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/townhalls/{townhall.slug}")
    assert client.get(f"/j/{code.lower()}").headers["Location"].endswith(townhall.slug)


def test_a_wrong_code_is_explained_in_thai(client, thai):
    page = client.get("/j", query_string={"code": "ZZZZZZ"})

    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "ZZZZZZ" in text
    assert 'aria-invalid="true"' in text
    assert thai("Join a town hall") in text


def test_the_code_stops_working_when_the_town_hall_ends(app, client, create_townhall, in_db):
    from participation.accounts.models import User
    from participation.townhall import operations as ops

    townhall = create_townhall()
    code = _code(in_db, townhall)
    with in_db() as session:
        hall = session.get(TownHall, townhall.id)
        ops.end_townhall(hall, session.get(User, townhall.facilitator.id))
        session.commit()

    assert client.get(f"/j/{code}").status_code == 404
    assert _code(in_db, townhall) is None
    # The code is free for a later town hall.
    later = create_townhall()
    with in_db() as session:
        session.get(TownHall, later.id).join_code = code
        session.commit()
    assert client.get(f"/j/{code}").headers["Location"].endswith(later.slug)


def test_two_open_town_halls_cannot_share_a_code(create_townhall, in_db):
    first, second = create_townhall(), create_townhall()
    with in_db() as session, pytest.raises(sa.exc.IntegrityError):  # noqa: PT012
        session.get(TownHall, second.id).join_code = _code(in_db, first)
        session.commit()


def test_the_qr_code_leads_to_the_town_hall(client, create_townhall, in_db):
    import zxingcpp
    from PIL import Image

    townhall = create_townhall()
    png = client.get(f"/townhalls/{townhall.slug}/qr.png")
    svg = client.get(f"/townhalls/{townhall.slug}/qr.svg")

    assert png.mimetype == "image/png"
    assert svg.mimetype == "image/svg+xml"
    assert b"<script" not in svg.data
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert found.text.endswith(f"/j/{_code(in_db, townhall)}")
    path = "/" + found.text.split("/", 3)[3]
    assert client.get(path).headers["Location"].endswith(f"/townhalls/{townhall.slug}")


def test_projector_shows_the_code_and_the_facilitator_can_hide_it(
    client, socket_for, create_townhall, in_db
):
    townhall = create_townhall()
    code = _code(in_db, townhall)
    page = client.get(f"/townhalls/{townhall.slug}/projector").get_data(as_text=True)
    assert f"{code[:3]} {code[3:]}" in page
    assert f"/townhalls/{townhall.slug}/qr.svg" in page

    facilitator, watcher = socket_for(townhall.facilitator), socket_for(None)
    joined(facilitator, townhall)
    joined(watcher, townhall)
    answer = call(facilitator, "settings", townhall=townhall.slug, show_join_code=False)

    assert answer["ok"], answer
    [event] = events(watcher)
    assert event["type"] == "settings"
    assert event["data"]["show_join_code"] is False
    page = client.get(f"/townhalls/{townhall.slug}/projector").get_data(as_text=True)
    assert re.search(r'<aside class="projector__join" data-join-box hidden', page)
    assert call(watcher, "settings", townhall=townhall.slug, show_join_code=True)["ok"] is False


def test_the_poster_has_what_the_notice_board_needs(client, create_townhall, municipality, in_db):
    townhall = create_townhall(state="scheduled")
    page = client.get(f"/townhalls/{townhall.slug}/poster").get_data(as_text=True)
    code = _code(in_db, townhall)

    assert "เวทีประชาคม" in page
    assert "หอประชุมเทศบาล" in page
    assert f"{code[:3]} {code[3:]}" in page
    assert f"/townhalls/{townhall.slug}/qr.svg" in page
    assert re.search(r"25\d\d", page)  # the year in the Buddhist Era


# --- guests -----------------------------------------------------------------------------------


def test_a_guest_joins_with_a_name_and_takes_part(app, socket_for, create_townhall, in_db):
    townhall = create_townhall(allow_guests=True)
    facilitator = socket_for(townhall.facilitator)
    joined(facilitator, townhall)
    client = app.test_client()
    _join_as_guest(client, townhall, "ลุงสมชาย")
    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)
    assert "ลุงสมชาย" in page
    assert 'data-form="ask"' in page

    sio = _guest_socket(app, client, townhall)
    asked = call(sio, "ask", townhall=townhall.slug, body="ถนนหน้าบ้านจะซ่อมเมื่อไร", client_id="g1")
    posted = call(sio, "post", townhall=townhall.slug, body="สวัสดีครับ", client_id="g2")

    assert asked["ok"]
    assert posted["ok"]
    seen = [e for e in events(facilitator) if e["type"] == "question"]
    assert seen[0]["data"]["author"] == {"id": seen[0]["data"]["author"]["id"], "name": "ลุงสมชาย",
                                         "guest": True}  # fmt: skip
    # The facilitator's page marks the guest.
    Auth(client2 := app.test_client()).login(townhall.facilitator)
    assert "badge--guest" in client2.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)
    sio.disconnect(namespace=NS)


def test_a_guest_answers_a_poll_and_sees_their_own_choice(app, socket_for, create_townhall):
    townhall = create_townhall(allow_guests=True)
    facilitator = socket_for(townhall.facilitator)
    joined(facilitator, townhall)
    poll = call(facilitator, "open_poll", townhall=townhall.slug, question="ควรเปิดตลาดนัดวันไหน",
                options=["เสาร์", "อาทิตย์"])["poll"]  # fmt: skip
    client = app.test_client()
    _join_as_guest(client, townhall)
    sio = _guest_socket(app, client, townhall)

    answer = call(sio, "answer_poll", townhall=townhall.slug, poll_id=poll["id"],
                  option_ids=[poll["options"][1]["id"]])  # fmt: skip

    assert answer["ok"], answer
    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)
    assert re.search(r'class="poll__mine"[^>]*>.*อาทิตย์', page)
    sio.disconnect(namespace=NS)


def test_without_guests_the_page_says_how_to_take_part(client, create_townhall, thai):
    townhall = create_townhall()
    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)

    assert thai("How to take part") in page
    assert f"/townhalls/{townhall.slug}/guest" not in page
    response = client.post(f"/townhalls/{townhall.slug}/guest", data={"name": "แขก"})
    assert response.status_code == 302
    assert not any(c.key.startswith("ruamkid_guest_") for c in client._cookies.values())


def test_a_guest_cannot_sign_in_or_act_elsewhere(app, create_townhall, in_db, create_process):
    townhall = create_townhall(allow_guests=True)
    client = app.test_client()
    _join_as_guest(client, townhall)
    with in_db() as session:
        guest_user = session.scalars(sa.select(Guest)).one().user
        email = guest_user.email

    login = client.post("/login", data={"email": email, "password": "!guest"})
    assert login.status_code == 422  # the form again: no guest address signs in
    process = create_process("reimagine")
    response = client.post(f"/processes/{process.slug}/proposals/new",
                           data={"title": "ข้อเสนอของแขก", "body": "รายละเอียด"})  # fmt: skip
    assert "/login" in response.headers["Location"]


def test_guests_stop_when_the_town_hall_no_longer_allows_them(app, create_townhall, in_db):
    townhall = create_townhall(allow_guests=True)
    client = app.test_client()
    _join_as_guest(client, townhall)
    sio = _guest_socket(app, client, townhall)
    with in_db() as session:
        session.get(TownHall, townhall.id).allow_guests = False
        session.commit()

    answer = call(sio, "ask", townhall=townhall.slug, body="ยังถามได้ไหม", client_id="x")

    assert answer["error"] == "sign_in"
    sio.disconnect(namespace=NS)


def test_muting_and_hiding_work_on_guests(app, socket_for, create_townhall, in_db):
    townhall = create_townhall(allow_guests=True)
    facilitator = socket_for(townhall.facilitator)
    joined(facilitator, townhall)
    client = app.test_client()
    _join_as_guest(client, townhall, "แขกเสียงดัง")
    sio = _guest_socket(app, client, townhall)
    question = call(sio, "ask", townhall=townhall.slug, body="โฆษณาขายของ", client_id="m1")[
        "question"
    ]

    hidden = call(facilitator, "hide", townhall=townhall.slug, kind="question", id=question["id"],
                  reason="โฆษณา")  # fmt: skip
    muted = call(facilitator, "mute", townhall=townhall.slug, user_id=question["author"]["id"])
    after = call(sio, "post", townhall=townhall.slug, body="อีกครั้ง", client_id="m2")

    assert hidden["ok"]
    assert muted["ok"]
    assert after["error"] == "muted"
    visitor = socket_for(None)
    snapshot = joined(visitor, townhall)["snapshot"]
    assert snapshot["questions"] == []
    sio.disconnect(namespace=NS)


def test_a_guest_who_registers_keeps_what_they_wrote(app, create_townhall, in_db):
    townhall = create_townhall(allow_guests=True)
    client = app.test_client()
    _join_as_guest(client, townhall, "ผู้มาใหม่")
    sio = _guest_socket(app, client, townhall)
    call(sio, "ask", townhall=townhall.slug, body="คำถามก่อนสมัคร", client_id="r1")
    call(sio, "post", townhall=townhall.slug, body="ข้อความก่อนสมัคร", client_id="r2")
    sio.disconnect(namespace=NS)

    response = client.post("/register", data={
        "email": "newcomer@example.org", "display_name": "สมใจ ใจดี",
        "password": "รหัสผ่านยาวพอสำหรับทดสอบ-2569", "preferred_language": "th", "consent": "y",
    })  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        from participation.accounts.models import User

        account = session.scalars(sa.select(User).where(User.email == "newcomer@example.org")).one()
        question = session.scalars(sa.select(Question)).one()
        message = session.scalars(sa.select(Message)).one()
        assert question.author_id == account.id
        assert message.author_id == account.id
        assert session.scalars(sa.select(Guest)).all() == []
        assert session.scalars(sa.select(User).where(User.is_guest.is_(True))).all() == []


def test_a_guest_flood_from_one_address_hits_the_limit(config, make_app, create_townhall):
    config.RATELIMIT_ENABLED = True
    config.TOWNHALL_GUEST_JOIN_LIMIT = "3/hour"
    app = make_app(config)
    townhall = create_townhall(allow_guests=True)

    statuses = [
        app.test_client()
        .post(f"/townhalls/{townhall.slug}/guest", data={"name": f"บอท {n}"})
        .status_code  # fmt: skip
        for n in range(5)
    ]

    assert statuses == [302, 302, 302, 429, 429]


def test_many_guests_writing_from_one_address_hit_its_limit(config, make_app, create_townhall):
    from participation.extensions import socketio

    config.RATELIMIT_ENABLED = True
    config.TOWNHALL_GUEST_ADDRESS_LIMIT = "4/minute"
    app = make_app(config)
    townhall = create_townhall(allow_guests=True)
    answers, sockets = [], []
    for n in range(3):  # three guests, each well within their own limit
        client = app.test_client()
        _join_as_guest(client, townhall, f"แขก {n}")
        sio = socketio.test_client(app, namespace=NS, flask_test_client=client)
        sockets.append(sio)
        joined(sio, townhall)
        for k in range(2):
            answers.append(call(sio, "post", townhall=townhall.slug, body=f"ข้อความ {n}-{k}",
                                client_id=f"{n}-{k}"))  # fmt: skip
    for sio in sockets:
        sio.disconnect(namespace=NS)

    assert [a.get("error") for a in answers] == [None] * 4 + ["rate_limited"] * 2


def test_guests_are_not_listed_as_accounts(app, client, auth, admin, create_townhall):
    townhall = create_townhall(allow_guests=True)
    _join_as_guest(app.test_client(), townhall, "แขกที่ไม่ใช่บัญชี")
    auth.login(admin)

    assert "แขกที่ไม่ใช่บัญชี" not in client.get("/admin/users").get_data(as_text=True)
