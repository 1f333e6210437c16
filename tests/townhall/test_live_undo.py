"""A facilitator's hide and "answered" in a live town hall can be undone: a hidden message or
question is shown again, an answered question is re-opened; nobody else may do either."""

from participation.audit.models import ActionLog
from tests.townhall.test_live import call, events, joined


def test_facilitator_shows_a_hidden_message_again_and_everyone_gets_it_back(
    socket_for, create_townhall, resident, create_user, in_db
):
    townhall = create_townhall()
    talker, host, watcher = (
        socket_for(resident), socket_for(townhall.facilitator), socket_for(create_user()),
    )  # fmt: skip
    for sio in (talker, host, watcher):
        joined(sio, townhall)
    message = call(talker, "post", townhall=townhall.slug, body="ถนนซอย 5 น้ำท่วม",
                   client_id="m")["message"]  # fmt: skip
    call(host, "hide", townhall=townhall.slug, kind="message", id=message["id"], reason="ผิดที่")
    events(watcher)

    answer = call(host, "restore", townhall=townhall.slug, kind="message", id=message["id"])

    assert answer == {"ok": True}
    back = [e for e in events(watcher) if e["type"] == "message"]
    assert [(e["data"]["id"], e["data"].get("hidden", False), e["data"]["body"]) for e in back] == [
        (message["id"], False, "ถนนซอย 5 น้ำท่วม")
    ]
    # A late joiner sees it in the snapshot, and the action log says who showed it again.
    late = joined(socket_for(create_user()), townhall)["snapshot"]
    assert [m["id"] for m in late["messages"]] == [message["id"]]
    with in_db() as session:
        assert session.query(ActionLog).filter_by(action="moderation.restore").count() == 1


def test_facilitator_shows_a_hidden_question_again(socket_for, create_townhall, resident):
    townhall = create_townhall()
    asker, host = socket_for(resident), socket_for(townhall.facilitator)
    joined(asker, townhall)
    joined(host, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="งบปีนี้เท่าไร",
                    client_id="q")["question"]  # fmt: skip
    call(host, "hide", townhall=townhall.slug, kind="question", id=question["id"], reason="ซ้ำ")

    answer = call(host, "restore", townhall=townhall.slug, kind="question", id=question["id"])

    assert answer["ok"]
    assert call(asker, "upvote", townhall=townhall.slug, question_id=question["id"])["error"] \
        != "hidden"  # fmt: skip


def test_only_the_facilitators_show_hidden_items_again(socket_for, create_townhall, resident):
    townhall, other = create_townhall(), create_townhall()
    talker, host = socket_for(resident), socket_for(townhall.facilitator)
    stranger_host = socket_for(other.facilitator)  # facilitates another town hall
    for sio in (talker, host, stranger_host):
        joined(sio, townhall)
    message = call(talker, "post", townhall=townhall.slug, body="ข้อความ", client_id="m")
    message_id = message["message"]["id"]

    not_hidden = call(host, "restore", townhall=townhall.slug, kind="message", id=message_id)
    call(host, "hide", townhall=townhall.slug, kind="message", id=message_id, reason="ทดสอบ")
    by_author = call(talker, "restore", townhall=townhall.slug, kind="message", id=message_id)
    by_other = call(stranger_host, "restore", townhall=townhall.slug, kind="message",
                    id=message_id)  # fmt: skip
    unknown = call(host, "restore", townhall=townhall.slug, kind="poll", id=message_id)
    missing = call(host, "restore", townhall=townhall.slug, kind="message", id=999_999)

    assert not_hidden["error"] == "not_hidden"
    assert by_author["error"] == by_other["error"] == "forbidden"
    assert unknown["error"] == "invalid"
    assert missing["error"] == "not_found"


def test_facilitator_reopens_an_answered_question(
    socket_for, create_townhall, resident, create_user
):
    townhall = create_townhall()
    asker, host, watcher = (
        socket_for(resident), socket_for(townhall.facilitator), socket_for(create_user()),
    )  # fmt: skip
    for sio in (asker, host, watcher):
        joined(sio, townhall)
    question = call(asker, "ask", townhall=townhall.slug, body="ตอบยังไม่ครบ",
                    client_id="q")["question"]  # fmt: skip
    call(host, "question_state", townhall=townhall.slug, question_id=question["id"],
         state="answered")  # fmt: skip
    events(watcher)

    by_resident = call(asker, "question_state", townhall=townhall.slug,
                       question_id=question["id"], state="open")  # fmt: skip
    answer = call(host, "question_state", townhall=townhall.slug, question_id=question["id"],
                  state="open")  # fmt: skip

    assert by_resident["error"] == "forbidden"
    assert answer["ok"]
    states = [e["data"]["state"] for e in events(watcher) if e["type"] == "question.state"]
    assert states == ["open"]
    snapshot = joined(socket_for(create_user()), townhall)["snapshot"]
    assert [q["state"] for q in snapshot["questions"]] == ["open"]
