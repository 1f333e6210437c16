"""The map on a resident's page: groups, their statements, common ground, and where you are."""

from tests.opinions.conftest import CAMP_ONE, CAMP_TWO, COMMON

STATEMENTS = [f"ข้อความที่ {n} เรื่องทางเดินไปโรงเรียน" for n in range(1, 10)]


def test_the_page_shows_groups_their_statements_and_the_common_ground_in_thai(
    client, auth, electorate, recompute, thai
):
    recompute(electorate.conversation)
    person = electorate.camps[2][5]
    auth.login(person)
    page = client.get(f"/opinions/{electorate.conversation.id}").text
    assert thai("Opinion map") in page
    assert thai("Common ground: what all groups agree on") in page
    for body in (*COMMON, CAMP_ONE[1], CAMP_TWO[1]):
        assert body in page
    # The text alternative says it in words; the map never relies on colour alone.
    assert (
        thai("You are in group %(letter)s.", letter="A") in page
        or thai("You are in group %(letter)s.", letter="B") in page
    )
    assert '<svg class="opinion-map"' in page
    svg = page[page.index('<svg class="opinion-map"') :]
    markers = svg[svg.index('<g aria-hidden="true">') : svg.index("</svg>")]
    assert "<circle" in markers  # group A: circles
    assert "<rect" in markers  # group B: squares
    assert thai("your group") in page


def test_a_resident_appears_on_the_map_after_seven_votes(
    client, auth, resident, create_user, create_conversation, cast, thai
):
    conversation = create_conversation(STATEMENTS)
    other = create_user()
    cast(conversation, other, {body: "agree" for body in STATEMENTS})
    auth.login(resident)
    for number, body in enumerate(STATEMENTS[:7], start=1):
        client.post(
            f"/opinions/{conversation.id}/vote",
            data={"statement_id": conversation.statement_ids[body], "choice": "disagree"},
        )
        me = client.get(f"/opinions/{conversation.id}/map.json").json["me"]
        fragment = client.get(f"/opinions/{conversation.id}/map").text
        if number < 7:
            assert me is None
            assert (
                thai.plural(
                    "You appear on the map once you have voted on %(num)s statement.",
                    "You appear on the map once you have voted on %(num)s statements.",
                    7,
                )
                in fragment
            )
        else:
            assert me is not None
            assert thai("You") + "</text>" in fragment


def test_visitors_read_the_map_and_are_asked_to_sign_in(client, electorate, recompute, thai):
    recompute(electorate.conversation)
    page = client.get(f"/opinions/{electorate.conversation.id}").text
    assert thai("Sign in to vote and add statements.") in page
    assert COMMON[0] in page
    assert 'name="statement_id"' not in page
