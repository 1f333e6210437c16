"""Anonymous readers share rendered lists and threads, and never see them stale."""

from participation.core.cache import fragments
from tests.html import without_csrf_tokens


def test_anonymous_list_changes_as_soon_as_a_proposal_is_supported(
    app, client, auth, resident, create_user, create_process, create_contribution, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident, title="ข้อเสนอที่ติดแคช")
    visitor = app.test_client()
    url = f"/processes/{process.slug}/proposals"

    before = visitor.get(url).get_data(as_text=True)
    hits = fragments.hits
    again = visitor.get(url).get_data(as_text=True)
    assert without_csrf_tokens(again) == without_csrf_tokens(before)
    assert fragments.hits == hits + 1  # the second view came from the cache

    auth.login(create_user())
    client.post(f"/processes/{process.slug}/proposals/{item_id}/support")

    after = visitor.get(url).get_data(as_text=True)
    none = thai.plural("%(num)d support", "%(num)d supports", 0)
    one = thai.plural("%(num)d support", "%(num)d supports", 1)
    assert none in before.split("ข้อเสนอที่ติดแคช", 1)[1]
    assert one in after.split("ข้อเสนอที่ติดแคช", 1)[1]


def test_anonymous_thread_shows_new_comments_and_votes_at_once(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    visitor = app.test_client()
    url = f"/processes/{process.slug}/proposals/{item_id}"
    auth.login(resident)
    client.post(f"/contributions/{item_id}/comments", data={"body": "ความเห็นแรก"})

    first = visitor.get(url).get_data(as_text=True)
    assert "ความเห็นแรก" in first

    client.post(f"/contributions/{item_id}/comments", data={"body": "ความเห็นที่สอง"})
    second = visitor.get(url).get_data(as_text=True)
    assert "ความเห็นที่สอง" in second

    auth.logout()
    auth.login(create_user())
    from participation.comments.models import Comment
    from participation.extensions import db

    with app.app_context():
        comment_id = db.session.scalar(db.select(Comment.id).order_by(Comment.id))
    client.post(f"/comments/{comment_id}/vote", data={"value": 1})
    third = visitor.get(url).get_data(as_text=True)
    assert third != second
    assert "เห็นด้วยกับความคิดเห็นนี้:</span> 1</span>" in third


def test_anonymous_list_shows_a_renamed_category_at_once(
    app, create_process, resident, create_contribution
):
    process = create_process("reimagine")
    create_contribution(process, resident)
    visitor = app.test_client()
    url = f"/processes/{process.slug}/proposals"
    assert "ไฟส่องสว่าง" in visitor.get(url).get_data(as_text=True)

    with app.app_context():
        from participation.extensions import db
        from participation.processes.models import Process
        from participation.processes.operations import set_categories

        set_categories(db.session.get(Process, process.id),
                       [("ถนน", "Roads"), ("ไฟถนนและแสงสว่าง", "Street lights")])  # fmt: skip
        db.session.commit()

    page = visitor.get(url).get_data(as_text=True)
    assert "ไฟถนนและแสงสว่าง" in page
    assert "ไฟส่องสว่าง" not in page


def test_anonymous_proposal_page_shows_each_council_answer_at_once(
    app, client, auth, resident, council, create_process, create_contribution, move_to
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    move_to(process, "remake")
    visitor = app.test_client()
    url = f"/processes/{process.slug}/proposals/{item_id}"
    assert visitor.get(url).status_code == 200
    auth.login(council)

    def council_writes(path, data):
        assert client.post(f"{url}/{path}", data=data).status_code == 302
        return visitor.get(url).get_data(as_text=True)

    first = council_writes("response", {"status": "accepted", "body": "รับไว้พิจารณางบปี 2570"})
    assert "รับไว้พิจารณางบปี 2570" in first
    # Same status, new words: only the response row changes.
    again = council_writes("response", {"status": "accepted", "body": "อนุมัติงบแล้ว"})
    assert "อนุมัติงบแล้ว" in again
    update = {"update_date": "2026-11-01", "progress": 40, "body": "เริ่มปูทางเท้าแล้ว"}
    assert "เริ่มปูทางเท้าแล้ว" in council_writes("updates", update)
