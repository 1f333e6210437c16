"""The opinion map as a resident uses it: a vote answers with the next statement (no reload),
the thanks for a new statement appear by its form, a refused statement keeps the typed text,
and nobody is asked to vote on their own statement."""

import re

from tests.opinions.test_voting import JSON, STATEMENTS, shown_statement


def _add(client, conversation, body, **kwargs):
    return client.post(f"/opinions/{conversation.id}/statements", data={"body": body}, **kwargs)


def test_a_resident_is_never_asked_about_their_own_statement(
    client, auth, resident, create_conversation, thai
):
    conversation = create_conversation(STATEMENTS[:1])
    auth.login(resident)
    _add(client, conversation, "ควรมีอาสาสมัครช่วยเด็กข้ามถนน")
    client.post(f"/opinions/{conversation.id}/vote",
                data={"statement_id": shown_statement(client.get(f"/opinions/{conversation.id}")
                                                      .text), "choice": "agree"})  # fmt: skip

    page = client.get(f"/opinions/{conversation.id}").text

    assert 'name="statement_id"' not in page  # only their own is left: nothing to ask
    assert thai("You have voted on %(voted)s of %(total)s statements.", voted=1, total=1) in page


def test_the_thanks_for_a_statement_appear_by_its_form(
    client, auth, resident, create_conversation, thai
):
    conversation = create_conversation(STATEMENTS[:1])
    auth.login(resident)

    response = _add(client, conversation, "ควรมีอาสาสมัครช่วยเด็กข้ามถนน")

    location = response.headers["Location"]
    assert re.fullmatch(rf"/opinions/{conversation.id}\?added=\d+#add-statement", location)
    page = client.get(location).text
    section = page[page.index('id="add-statement"') : page.index("</details>")]
    assert " open>" in section.split("\n")[0]
    assert thai("Thank you. Your statement is now shown to others.") in section
    # ... and not at the top of the page, where the resident is not looking.
    top = page[: page.index("<main")] + page[page.index("<main") :].split("<h1", 1)[0]
    assert thai("Thank you. Your statement is now shown to others.") not in top


def test_a_refused_statement_keeps_the_typed_text(
    client, auth, resident, create_conversation, thai
):
    conversation = create_conversation(STATEMENTS)
    auth.login(resident)
    too_long = "ควรมีทางม้าลายหน้าโรงเรียน" + "ก" * 200

    response = _add(client, conversation, too_long)

    page = response.text
    assert response.status_code == 422
    section = page[page.index('id="add-statement"') : page.index("</details>")]
    assert f">{too_long}</textarea>" in section
    assert 'aria-invalid="true"' in section
    message = thai(
        "A statement can have at most %(count)s characters; yours has %(length)s.",
        count=200, length=len(too_long),
    )  # fmt: skip
    assert message in section


def test_a_vote_answers_with_the_next_statement_card(
    client, auth, resident, create_conversation, thai
):
    conversation = create_conversation(STATEMENTS)
    auth.login(resident)
    first = shown_statement(client.get(f"/opinions/{conversation.id}").text)

    answer = client.post(
        f"/opinions/{conversation.id}/vote",
        data={"statement_id": first, "choice": "agree"}, headers=JSON,
    ).json  # fmt: skip

    assert answer["ok"] is True
    following = shown_statement(answer["html"])
    assert following != first
    assert thai("Statement %(number)s of %(total)s", number=2, total=3) in answer["html"]
    assert f"next=/opinions/{conversation.id}" in answer["html"]  # not the vote URL
