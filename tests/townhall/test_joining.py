"""Joining a live town hall is cheap: residents joining the same town hall share one reading of
its questions, messages and polls, each asks only for their own marks, and what they get is
still their own (their upvotes, their hidden words)."""

from tests.townhall.test_live import call, joined


def _busy_townhall(create_townhall, socket_for, resident, questions):
    townhall = create_townhall()
    asker = socket_for(resident)
    joined(asker, townhall)
    for n in range(questions):
        call(asker, "ask", townhall=townhall.slug, body=f"คำถามที่ {n}", client_id=f"q{n}")
        call(asker, "post", townhall=townhall.slug, body=f"ข้อความที่ {n}", client_id=f"m{n}")
    return townhall


def test_a_join_asks_the_same_few_queries_however_busy_the_town_hall(
    socket_for, create_townhall, resident, create_user, statements
):
    counts = []
    for questions in (1, 15):
        townhall = _busy_townhall(create_townhall, socket_for, resident, questions)
        first, second = socket_for(create_user()), socket_for(create_user())
        statements.clear()
        snapshot = joined(first, townhall)["snapshot"]
        assert len(snapshot["questions"]) == questions
        statements.clear()
        joined(second, townhall)  # shares the first one's reading of the town hall
        assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # BEGIN, the town hall, the session, its facilitators, the reader's own marks (3)
    assert counts[1] <= 7


def test_each_resident_gets_their_own_marks_and_hidden_words(
    socket_for, create_townhall, resident, create_user
):
    townhall = create_townhall()
    asker, host, voter, other = (
        socket_for(resident), socket_for(townhall.facilitator),
        socket_for(create_user()), socket_for(create_user()),
    )  # fmt: skip
    for sio in (asker, host, voter):
        joined(sio, townhall)
    kept = call(asker, "ask", townhall=townhall.slug, body="ถนนซอย 3", client_id="a")["question"]
    hidden = call(asker, "ask", townhall=townhall.slug, body="คำหยาบ", client_id="b")["question"]
    call(host, "hide", townhall=townhall.slug, kind="question", id=hidden["id"])
    call(voter, "upvote", townhall=townhall.slug, question_id=kept["id"])

    voters = joined(socket_for(create_user()), townhall)  # warms the shared reading
    seen = {
        "other": joined(other, townhall)["snapshot"],
        "voter": call(voter, "join", townhall=townhall.slug)["snapshot"],
        "asker": call(asker, "join", townhall=townhall.slug)["snapshot"],
        "host": call(host, "join", townhall=townhall.slug)["snapshot"],
    }

    assert [q["id"] for q in voters["snapshot"]["questions"]] == [kept["id"]]
    assert [q["id"] for q in seen["other"]["questions"]] == [kept["id"]]
    assert seen["other"]["me"]["upvoted"] == []
    assert seen["voter"]["me"]["upvoted"] == [kept["id"]]
    # The author still sees their hidden question, marked; so does the facilitator.
    assert sorted(q["id"] for q in seen["asker"]["questions"]) == [kept["id"], hidden["id"]]
    assert sorted(q["id"] for q in seen["host"]["questions"]) == [kept["id"], hidden["id"]]
    assert seen["host"]["me"]["facilitator"] is True
    assert seen["other"]["me"]["facilitator"] is False
