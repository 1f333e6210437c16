"""Threaded comments: replies, alignment, votes, edits and soft deletes, counts kept exact."""

import pytest
import sqlalchemy as sa

from participation.comments.models import Comment, CommentVote
from participation.proposals.models import Contribution


@pytest.fixture
def proposal(create_process, create_contribution, resident):
    process = create_process("reimagine")
    return process, create_contribution(process, resident)


def _comment(client, item_id, body="ความคิดเห็น", parent=None, alignment=None):
    data = {"body": body}
    if parent:
        data["parent_id"] = parent
    if alignment:
        data["alignment"] = alignment
    return client.post(f"/contributions/{item_id}/comments", data=data)


def _comments(in_db):
    with in_db() as session:
        return session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def test_resident_comments_with_an_alignment(client, auth, resident, proposal, in_db, thai):
    process, item_id = proposal
    auth.login(resident)

    response = _comment(client, item_id, "เห็นด้วย **มาก**", alignment="in_favour")

    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "<strong>มาก</strong>" in page
    assert thai("In favour") in page
    with in_db() as session:
        assert session.get(Contribution, item_id).comment_count == 1


def test_replies_nest_three_levels_and_deeper_replies_join_the_third(
    client, auth, resident, proposal, in_db
):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "ระดับ 1")
    first = _comments(in_db)[-1].id
    _comment(client, item_id, "ระดับ 2", parent=first)
    second = _comments(in_db)[-1].id
    _comment(client, item_id, "ระดับ 3", parent=second)
    third = _comments(in_db)[-1].id
    _comment(client, item_id, "ลึกกว่านั้น", parent=third)

    comments = _comments(in_db)
    assert [(c.body, c.depth) for c in comments] == [
        ("ระดับ 1", 0),
        ("ระดับ 2", 1),
        ("ระดับ 3", 2),
        ("ลึกกว่านั้น", 2),
    ]
    assert comments[3].parent_id == second


def test_reply_notifies_the_parent_comments_author(
    client, auth, resident, create_user, proposal, in_db
):
    from participation.notifications.models import Notification

    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "ของฉัน")
    parent = _comments(in_db)[-1].id
    auth.logout()
    replier = create_user(name="คนตอบ")
    auth.login(replier)
    _comment(client, item_id, "ตอบ", parent=parent)
    auth.logout()
    auth.login(resident)

    with in_db() as session:
        notes = session.scalars(sa.select(Notification)).all()
        assert [(n.user_id, n.kind, n.actor_id) for n in notes] == [
            (resident.id, "reply", replier.id)
        ]
    page = client.get("/notifications/").get_data(as_text=True)
    assert "คนตอบ" in page


def test_one_vote_per_resident_and_voting_again_takes_it_back(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id)
    comment_id = _comments(in_db)[-1].id
    auth.logout()
    auth.login(create_user())
    url = f"/comments/{comment_id}/vote"
    json = {"Accept": "application/json"}

    up = client.post(url, data={"value": 1}, headers=json).json
    again = client.post(url, data={"value": 1}, headers=json).json
    client.post(url, data={"value": 1}, headers=json)
    down = client.post(url, data={"value": -1}, headers=json).json

    assert (up["vote"], up["upvotes"], up["downvotes"]) == (1, 1, 0)
    assert (again["vote"], again["upvotes"]) == (None, 0)
    assert (down["vote"], down["upvotes"], down["downvotes"]) == (-1, 0, 1)
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CommentVote)) == 1


def test_bad_vote_value_is_refused(client, auth, resident, proposal, in_db):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id)
    comment_id = _comments(in_db)[-1].id

    response = client.post(f"/comments/{comment_id}/vote", data={"value": 7},
                           headers={"Accept": "application/json"})  # fmt: skip

    assert response.status_code == 409
    assert response.json["ok"] is False


def test_author_edits_a_comment_and_it_is_marked_edited(
    client, auth, resident, proposal, in_db, thai
):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "พิมพ์ผิด")
    comment_id = _comments(in_db)[-1].id

    client.post(f"/comments/{comment_id}/edit", data={"body": "แก้แล้ว"})

    page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)
    assert "แก้แล้ว" in page
    assert "พิมพ์ผิด" not in page
    assert thai("edited") in page


def test_deleting_keeps_the_replies_and_the_counts_exact(
    client, auth, resident, create_user, proposal, in_db, thai
):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "ข้อความที่จะลบ")
    parent = _comments(in_db)[-1].id
    auth.logout()
    auth.login(create_user())
    _comment(client, item_id, "คำตอบยังอยู่", parent=parent)
    auth.logout()
    auth.login(resident)

    client.post(f"/comments/{parent}/delete")

    page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)
    assert "ข้อความที่จะลบ" not in page
    assert thai("Comment deleted") in page
    assert "คำตอบยังอยู่" in page
    with in_db() as session:
        live = session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(Comment.is_deleted.is_(False))
        )
        assert session.get(Contribution, item_id).comment_count == live == 1


def test_others_cannot_edit_or_delete_your_comment(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "ของฉัน")
    comment_id = _comments(in_db)[-1].id
    auth.logout()
    auth.login(create_user())

    assert client.post(f"/comments/{comment_id}/edit", data={"body": "x"}).status_code == 403
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403
    assert _comments(in_db)[0].body == "ของฉัน"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Please write your comment."),
        ({"body": "ก" * 5001}, "Use at most %(count)s characters."),
        ({"body": "ok", "alignment": "sideways"}, "Please choose in favour, against or neutral."),
    ],
)
def test_bad_comments_are_explained_and_nothing_is_saved(
    client, auth, resident, proposal, in_db, thai, data, message
):
    process, item_id = proposal
    auth.login(resident)

    response = client.post(f"/contributions/{item_id}/comments", data=data,
                           follow_redirects=True)  # fmt: skip

    variables = {"count": 5000} if "%(count)s" in message else {}
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert thai(message, **variables) in page
    assert _comments(in_db) == []
    if data["body"]:  # what the resident wrote comes back, to correct and send again
        assert f">{data['body']}</textarea>" in page


def test_replying_to_a_comment_of_another_page_is_refused(
    client, auth, resident, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    first = create_contribution(process, resident, title="หนึ่ง")
    second = create_contribution(process, resident, title="สอง")
    auth.login(resident)
    _comment(client, first, "บนหน้าแรก")
    foreign = _comments(in_db)[-1].id

    _comment(client, second, "ตอบข้ามหน้า", parent=foreign)

    assert len(_comments(in_db)) == 1


def test_comments_close_in_remake_for_issues(
    client, auth, resident, create_process, create_contribution, move_to, in_db
):
    process = create_process("reframe")
    issue_id = create_contribution(process, resident, kind="issue")
    move_to(process, "remake")
    auth.login(resident)

    _comment(client, issue_id, "สายไปแล้ว")

    assert _comments(in_db) == []


def test_comments_sort_by_best_newest_and_oldest(
    client, auth, resident, create_user, proposal, in_db
):
    process, item_id = proposal
    auth.login(resident)
    for body in ("อัลฟา", "เบตา", "แกมมา"):
        _comment(client, item_id, body)
    middle = _comments(in_db)[1].id
    auth.logout()
    auth.login(create_user())
    client.post(f"/comments/{middle}/vote", data={"value": 1})
    url = f"/processes/{process.slug}/proposals/{item_id}"

    def order(sort):
        page = client.get(f"{url}?sort={sort}").get_data(as_text=True)
        return sorted(("อัลฟา", "เบตา", "แกมมา"), key=page.index)

    assert order("best") == ["เบตา", "อัลฟา", "แกมมา"]
    assert order("newest") == ["แกมมา", "เบตา", "อัลฟา"]
    assert order("oldest") == ["อัลฟา", "เบตา", "แกมมา"]


def test_deleting_twice_counts_once(client, auth, resident, proposal, in_db):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "ลบสองครั้ง")
    _comment(client, item_id, "ยังอยู่")
    comment_id = _comments(in_db)[0].id

    client.post(f"/comments/{comment_id}/delete")
    client.post(f"/comments/{comment_id}/delete")

    with in_db() as session:
        assert session.get(Contribution, item_id).comment_count == 1


def test_huge_or_bad_ids_are_404_not_500(client, auth, resident, proposal):
    process, item_id = proposal
    auth.login(resident)
    assert client.get(f"/processes/{process.slug}/proposals/{2**70}").status_code == 404
    reply = client.post(f"/contributions/{item_id}/comments",
                        data={"body": "x", "parent_id": str(2**70)})  # fmt: skip
    assert reply.status_code == 404
    new = client.get(f"/processes/{process.slug}/proposals/new?issue=²")
    assert new.status_code == 200


def test_a_resident_without_javascript_replies_from_the_reply_page(
    client, auth, resident, create_user, proposal, in_db, thai
):
    process, item_id = proposal
    neighbour = create_user(name="ป้าสมศรี")
    auth.login(neighbour)
    _comment(client, item_id, "ทางเท้าแตกหน้าบ้านป้า")
    parent = _comments(in_db)[-1].id
    auth.login(resident)

    page = client.get(f"/comments/{parent}/reply")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ทางเท้าแตกหน้าบ้านป้า" in text
    assert f'name="parent_id" value="{parent}"' in text
    assert thai("Publish reply") in text
    reply = client.post(f"/contributions/{item_id}/comments",
                        data={"body": "ผมเห็นเหมือนกันครับ", "parent_id": parent})  # fmt: skip
    assert reply.status_code == 302
    assert [(c.body, c.parent_id) for c in _comments(in_db)][-1] == ("ผมเห็นเหมือนกันครับ", parent)


def test_the_proposal_page_carries_one_reply_form_however_many_comments(
    client, auth, resident, proposal, thai
):
    process, item_id = proposal
    auth.login(resident)
    for number in range(5):
        _comment(client, item_id, f"ความเห็นที่ {number}")

    page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)

    assert page.count('id="reply-form"') == 1
    assert page.count('name="parent_id"') == 1  # in the page's one reply form
    assert page.count("data-reply=") == 5  # a "Reply" link under each comment
    assert page.count('/reply"') == 5


def test_replies_to_a_deleted_comment_are_closed(client, auth, resident, proposal, in_db, thai):
    process, item_id = proposal
    auth.login(resident)
    _comment(client, item_id, "จะลบทีหลัง")
    parent = _comments(in_db)[-1].id
    client.post(f"/comments/{parent}/delete")

    page = client.get(f"/comments/{parent}/reply", follow_redirects=True)

    assert thai("Replies to this comment are closed.") in page.get_data(as_text=True)
    assert f'name="parent_id" value="{parent}"' not in page.get_data(as_text=True)
