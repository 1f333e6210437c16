"""What the map shows about whom, and a resident's rights over their votes and statements."""

import io
import json
import zipfile

import sqlalchemy as sa

from tests.opinions.conftest import CAMP_ONE, CAMP_TWO, COMMON


def test_the_map_names_nobody_and_shows_each_resident_only_their_own_place(
    client, auth, electorate, recompute
):
    found = recompute(electorate.conversation)
    person = electorate.camps[1][2]
    public = json.dumps(found.data)
    for people in electorate.camps.values():
        for someone in people:
            assert someone.name not in public
    # The public map carries points, not people: no ids, no positions keyed by anyone.
    assert set(found.data) >= {"points", "groups", "common_ground"}
    assert all(len(point) == 3 for point in found.data["points"])
    xs = [point[0] for point in found.data["points"]]
    assert xs == sorted(xs)  # drawn by place, never in the order of accounts
    visitor = client.get(f"/opinions/{electorate.conversation.id}/map.json").json
    assert visitor["me"] is None
    auth.login(person)
    mine = client.get(f"/opinions/{electorate.conversation.id}/map.json").json
    assert mine["me"]["x"] == found.positions[str(person.id)][0]
    assert mine["map"] == json.loads(json.dumps(found.data))


def test_a_resident_downloads_their_votes_and_statements(
    client, auth, resident, create_conversation, cast
):
    conversation = create_conversation(COMMON)
    cast(conversation, resident, {COMMON[0]: "agree"})
    auth.login(resident)
    client.post(f"/opinions/{conversation.id}/statements", data={"body": "ข้อความของฉันเอง"})
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    assert [row["value"] for row in data["tables"]["opinion_votes"]["user_id"]] == [1]
    assert data["tables"]["statements"]["author_id"][0]["body"] == "ข้อความของฉันเอง"


def test_deleting_an_account_takes_its_votes_out_of_the_map(
    client, auth, electorate, recompute, in_db
):
    from participation.opinions.models import Conversation, OpinionVote, Statement

    person = electorate.camps[1][0]
    before = recompute(electorate.conversation)
    with in_db() as session:
        agreed = session.get(Statement, electorate.ids[COMMON[0]]).agree_count
        disagreed = session.get(Statement, electorate.ids[CAMP_TWO[0]]).disagree_count
        passed = session.get(Statement, electorate.ids[CAMP_ONE[0]]).pass_count  # theirs: pass
        changes = session.get(Conversation, electorate.conversation.id).change_count
    auth.login(person)
    client.post("/account/delete", data={"keep": "erase", "password": person.password})
    with in_db() as session:
        votes = session.scalar(sa.select(sa.func.count()).where(OpinionVote.user_id == person.id))
        assert votes == 0
        assert session.get(Statement, electorate.ids[COMMON[0]]).agree_count == agreed - 1
        assert session.get(Statement, electorate.ids[CAMP_TWO[0]]).disagree_count == disagreed - 1
        assert session.get(Statement, electorate.ids[CAMP_ONE[0]]).pass_count == passed - 1
        assert session.get(Conversation, electorate.conversation.id).change_count > changes
    after = recompute(electorate.conversation)
    assert after.data["participants"] == before.data["participants"] - 1
    assert str(person.id) not in after.positions


def test_erasing_ones_writing_hides_ones_statements(
    client, auth, resident, create_conversation, in_db
):
    from participation.opinions.models import Statement

    conversation = create_conversation(COMMON)
    auth.login(resident)
    client.post(f"/opinions/{conversation.id}/statements", data={"body": CAMP_ONE[0]})
    client.post("/account/delete", data={"keep": "erase", "password": resident.password})
    with in_db() as session:
        mine = session.scalar(sa.select(Statement).where(Statement.is_seed.is_(False)))
        assert (mine.body, mine.is_hidden, mine.author_id) == ("—", True, None)
