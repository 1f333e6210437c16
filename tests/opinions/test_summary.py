"""The council's summary shows the opinion map, each group's statements and the common ground."""

import pytest
import sqlalchemy as sa

from tests.opinions.conftest import CAMP_ONE, COMMON
from tests.summaries.test_exports import pdf_text, same_text


@pytest.fixture
def finished(electorate, recompute, move_to):
    recompute(electorate.conversation)
    move_to(electorate.conversation.place, "remake")
    return electorate


def test_the_process_summary_shows_groups_and_common_ground(client, auth, council, finished, thai):
    auth.login(council)
    page = client.get(f"/summaries/processes/{finished.conversation.place.slug}").text
    assert thai("Opinion map: groups of opinion and common ground") in page
    assert 'class="opinion-map"' in page
    for body in (*COMMON, CAMP_ONE[0]):
        assert body in page
    assert thai("Common ground: what all groups agree on") in page
    assert thai("What sets group %(letter)s apart", letter="A") in page


def test_the_pdf_carries_the_opinion_map_in_thai(client, auth, council, finished, thai, tmp_path):
    auth.login(council)
    response = client.get(f"/summaries/processes/{finished.conversation.place.slug}.pdf")
    assert response.status_code == 200
    text = same_text(pdf_text(response.data, tmp_path))
    for expected in (thai("Opinion map: groups of opinion and common ground"),
                     thai("Common ground: what all groups agree on"), *COMMON, CAMP_ONE[0],
                     "ทำอย่างไรให้เด็กเดินไปโรงเรียนได้ปลอดภัย"):  # fmt: skip
        assert same_text(expected) in text, expected


def test_the_summary_follows_a_new_map(client, auth, council, finished, app, recompute):
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.opinions.models import Statement

    auth.login(council)
    slug = finished.conversation.place.slug
    assert COMMON[0] in client.get(f"/summaries/processes/{slug}").text
    with app.app_context():
        statement = db.session.get(Statement, finished.ids[COMMON[0]])
        hide(statement.conversation.process.facilitators[0], statement, "ซ้ำ")
        db.session.commit()
    recompute(finished.conversation)
    assert COMMON[0] not in client.get(f"/summaries/processes/{slug}").text


def test_a_town_hall_summary_includes_its_conversation(
    client, auth, council, create_townhall, create_conversation, cast, create_user, app, recompute
):
    from participation.extensions import db
    from participation.townhall.models import TownHall

    townhall = create_townhall("live")
    conversation = create_conversation(COMMON, place=townhall)
    for _ in range(3):
        cast(conversation, create_user(), {body: "agree" for body in COMMON})
    recompute(conversation)
    with app.app_context():
        db.session.get(TownHall, townhall.id).state = "ended"
        db.session.commit()
    auth.login(council)
    page = client.get(f"/summaries/townhalls/{townhall.slug}").text
    assert "ทำอย่างไรให้เด็กเดินไปโรงเรียนได้ปลอดภัย" in page


def test_the_demo_has_an_opinion_map_with_groups_and_common_ground_in_thai(runner, in_db, client):
    from participation.opinions.models import Conversation, OpinionResult

    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with in_db() as session:
        conversation = session.scalar(
            sa.select(Conversation).where(Conversation.process_id.isnot(None))
        )
        data = session.get(OpinionResult, conversation.id).data
        conversation_id = conversation.id
    assert 2 <= data["k"] <= 4
    assert len(data["common_ground"]) >= 2
    assert all(group["representative"] for group in data["groups"])
    page = client.get(f"/opinions/{conversation_id}").text
    assert "จุดร่วม: สิ่งที่ทุกกลุ่มเห็นด้วย" in page
    assert "เทศบาลควรบอกให้ชัดว่ารถเก็บขยะแยกประเภทจริง" in page
