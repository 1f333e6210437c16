"""Live questions and messages are cleaned exactly as forms and the API clean text."""

import pytest
import sqlalchemy as sa

from participation.townhall.models import Message, Question
from tests.townhall.test_live import call, events, joined


@pytest.mark.parametrize(("event", "model", "key"), [("ask", Question, "question"),
                                                     ("post", Message, "message")])  # fmt: skip
def test_a_lone_surrogate_in_live_text_is_dropped_and_the_text_is_acknowledged(
    socket_for, create_townhall, resident, create_user, in_db, event, model, key
):
    townhall = create_townhall()
    sender, watcher = socket_for(resident), socket_for(create_user())
    joined(sender, townhall)
    joined(watcher, townhall)

    answer = call(sender, event, townhall=townhall.slug, body="ไฟถนน\ud800ดับ\udc00", client_id="s")

    assert answer["ok"], answer
    assert answer[key]["body"] == "ไฟถนนดับ"
    assert [e["data"]["body"] for e in events(watcher)] == ["ไฟถนนดับ"]
    with in_db() as session:
        assert session.scalars(sa.select(model.body)).all() == ["ไฟถนนดับ"]


@pytest.mark.parametrize(("event", "model"), [("ask", Question), ("post", Message)])
def test_live_text_of_only_invisible_characters_is_refused_and_not_broadcast(
    socket_for, create_townhall, resident, create_user, in_db, event, model
):
    townhall = create_townhall()
    sender, watcher = socket_for(resident), socket_for(create_user())
    joined(sender, townhall)
    joined(watcher, townhall)

    answer = call(sender, event, townhall=townhall.slug, body="\u200b\u200c\u200d\u2060\ufeff",
                  client_id="z")  # fmt: skip

    assert not answer["ok"]
    assert events(watcher) == []
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_live_text_loses_direction_overrides_as_forms_do(socket_for, create_townhall, resident):
    townhall = create_townhall()
    sender = socket_for(resident)
    joined(sender, townhall)

    answer = call(sender, "ask", townhall=townhall.slug, body="ไฟ\u202eถนน", client_id="d")

    assert answer["question"]["body"] == "ไฟถนน"


def test_a_live_event_nested_absurdly_deep_is_not_understood(socket_for, create_townhall,
                                                            resident):  # fmt: skip
    townhall = create_townhall()
    sender = socket_for(resident)
    joined(sender, townhall)
    nested = []
    for _level in range(200):
        nested = [nested]

    answer = call(sender, "ask", townhall=townhall.slug, body="ไฟ", client_id=nested)

    assert answer["ok"] is False
    assert answer["error"] == "invalid"


@pytest.mark.parametrize("event", ["join", "leave", "ask"])
def test_a_town_hall_named_with_a_lone_surrogate_does_not_exist(socket_for, create_townhall,
                                                                resident, event):  # fmt: skip
    create_townhall()
    sender = socket_for(resident)

    answer = call(sender, event, townhall="town\ud800hall", body="ไฟ", client_id="j")

    assert answer["ok"] is False
    assert answer["error"] in ("not_found", "not_joined")
