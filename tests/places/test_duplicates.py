"""The same need reported twice: suggested while writing, merged by a facilitator."""

import sqlalchemy as sa

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.extensions import db
from participation.notifications.models import Follow, Notification
from participation.proposals.models import Contribution, DuplicateLink
from participation.votes.models import Affected

MARKET = ("18.7800", "98.9200")
NEXT_DOOR = ("18.7804", "98.9203")  # about 50 m away
FAR = ("18.7000", "98.9900")  # about 11 km away


def _similar(client, process, title, body="", at=None):
    args = {"title": title, "body": body}
    if at:
        args.update(latitude=at[0], longitude=at[1])
    return client.get(f"/processes/{process.slug}/issues/similar", query_string=args).get_json()


def test_a_resident_writing_a_similar_issue_nearby_is_asked_is_it_this_one(
    client, resident, create_process, create_contribution
):
    process = create_process("reframe")
    existing = create_contribution(
        process, resident, kind="issue", title="ไฟถนนดับหน้าตลาดสดแม่เหียะ",
        body="ไฟส่องสว่างดับทั้งซอย กลางคืนมืดมาก", latitude=MARKET[0], longitude=MARKET[1],
    )  # fmt: skip
    create_contribution(process, resident, kind="issue", title="ขยะล้นถังที่สวนสาธารณะ",
                        body="ไม่มีรถมาเก็บขยะหลายวัน")  # fmt: skip

    found = _similar(client, process, "ไฟดับหน้าตลาด", "มืดมาก", NEXT_DOOR)

    assert [item["id"] for item in found["items"]] == [existing]
    assert found["items"][0]["metres"] < 100
    assert found["items"][0]["affected_url"].endswith(f"/issues/{existing}/affected")


def test_similar_words_far_away_or_other_words_nearby_suggest_less(
    client, resident, create_process, create_contribution
):
    process = create_process("reframe")
    create_contribution(process, resident, kind="issue", title="ไฟถนนดับหน้าตลาดสดแม่เหียะ",
                        body="ไฟส่องสว่างดับทั้งซอย", latitude=MARKET[0],
                        longitude=MARKET[1])  # fmt: skip

    assert _similar(client, process, "ต้นไม้ล้มขวางถนน", "กิ่งไม้หักทับสายไฟ", NEXT_DOOR)[
        "items"] == []  # fmt: skip
    # The same words far away are still worth asking about; unrelated words far away are not.
    assert len(_similar(client, process, "ไฟถนนดับหน้าตลาดสดแม่เหียะ", "", FAR)["items"]) == 1
    assert _similar(client, process, "ต้นไม้ล้มขวางถนน", "", FAR)["items"] == []


def _counts(issue_id):
    issue = db.session.get(Contribution, issue_id)
    db.session.refresh(issue)
    rows = {
        "affected": db.session.scalar(sa.select(sa.func.count()).select_from(Affected)
                                      .where(Affected.issue_id == issue_id)),
        "comments": db.session.scalar(sa.select(sa.func.count()).select_from(Comment)
                                      .where(Comment.contribution_id == issue_id,
                                             Comment.is_deleted.is_(False))),
    }  # fmt: skip
    return issue.affected_count, issue.comment_count, rows


def test_a_facilitator_merges_a_duplicate_and_every_count_equals_its_rows(
    app, client, auth, create_user, create_process, create_contribution, thai
):
    process = create_process("reframe")
    first, second, both, other = (create_user() for _ in range(4))
    kept = create_contribution(process, first, kind="issue", title="ไฟถนนดับหน้าตลาด")
    duplicate = create_contribution(process, second, kind="issue", title="ไฟดับหน้าตลาดสด")
    from participation.comments.operations import add_comment
    from participation.votes.operations import mark_affected

    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (first, second, both, other)}
        kept_row, dup_row = (
            db.session.get(Contribution, kept),
            db.session.get(Contribution, duplicate),
        )
        mark_affected(kept_row, people[both.id])
        mark_affected(dup_row, people[both.id])  # affected by both: counted once after merging
        mark_affected(dup_row, people[other.id])
        add_comment(dup_row, people[other.id], "ที่บ้านก็มืดเหมือนกัน")
        add_comment(kept_row, people[both.id], "แจ้งไปแล้วหลายครั้ง")
        db.session.commit()
    auth.login(process.facilitator)

    response = client.post(f"/processes/{process.slug}/issues/{duplicate}/merge",
                           data={"kept_id": kept})  # fmt: skip

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/issues/{kept}")
    with app.app_context():
        affected, comments, rows = _counts(kept)
        assert (affected, comments) == (rows["affected"], rows["comments"]) == (2, 2)
        affected, comments, rows = _counts(duplicate)
        assert (affected, comments) == (rows["affected"], rows["comments"]) == (0, 0)
        followers = set(db.session.scalars(
            sa.select(Follow.user_id).where(Follow.contribution_id == kept)))  # fmt: skip
        assert {first.id, second.id} <= followers
        told = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == second.id,
                                          Notification.detail == "merged")
        ).all()  # fmt: skip
        assert [note.contribution_id for note in told] == [kept]
        # Everyone it affected is told where their "affects me too" now counts; the author
        # hears it once, in their own words, and the facilitator who merged hears nothing.
        affected_told = db.session.execute(
            sa.select(Notification.user_id, Notification.contribution_id)
            .where(Notification.detail == "merged_affected")
        ).all()  # fmt: skip
        assert sorted(affected_told) == sorted([(both.id, kept), (other.id, kept)])
        assert not db.session.scalars(sa.select(Notification).where(
            Notification.user_id.in_([first.id, process.facilitator.id]),
            Notification.detail.in_(["merged", "merged_affected"]))).all()  # fmt: skip
        assert db.session.get(DuplicateLink, duplicate).kept_id == kept
        assert db.session.get(Contribution, duplicate).author_id == second.id
    kept_page = client.get(f"/processes/{process.slug}/issues/{kept}").get_data(as_text=True)
    assert "ไฟดับหน้าตลาดสด" in kept_page  # listed as a merged report, with its author
    listing = client.get(f"/processes/{process.slug}/issues").get_data(as_text=True)
    assert "ไฟถนนดับหน้าตลาด" in listing
    assert f'/issues/{duplicate}"' not in listing
    log = client.get("/transparency").get_data(as_text=True)
    assert "ไฟดับหน้าตลาดสด" in log
    auth.logout()
    auth.login(other)
    notes = client.get("/notifications/").get_data(as_text=True)
    assert "ไฟถนนดับหน้าตลาด" in notes
    assert (
        thai(
            'An issue that affects you was merged into "%(what)s", which reports the same '
            'need; your "affects me too" now counts there',
            what="ไฟถนนดับหน้าตลาด",
        )
        in notes
    )


def test_residents_cannot_merge_and_an_issue_is_not_merged_twice(
    app, client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reframe")
    a = create_contribution(process, resident, kind="issue", title="ถนนเป็นหลุม")
    b = create_contribution(process, resident, kind="issue", title="ถนนเป็นหลุมใหญ่")
    c = create_contribution(process, resident, kind="issue", title="หลุมบนถนน")
    auth.login(resident)
    assert client.post(f"/processes/{process.slug}/issues/{b}/merge",
                       data={"kept_id": a}).status_code == 403  # fmt: skip
    auth.logout()
    auth.login(process.facilitator)
    client.post(f"/processes/{process.slug}/issues/{b}/merge", data={"kept_id": a})

    again = client.post(f"/processes/{process.slug}/issues/{c}/merge", data={"kept_id": b},
                        follow_redirects=True)  # fmt: skip

    assert "ถูกรวมเข้ากับประเด็นอื่นไปแล้ว" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(DuplicateLink, c) is None


def test_the_author_of_a_new_issue_sees_similar_open_issues_on_its_page_without_javascript(
    client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reframe")
    create_contribution(process, create_user(), kind="issue", title="น้ำท่วมขังหน้าโรงเรียน",
                        latitude=MARKET[0], longitude=MARKET[1])  # fmt: skip
    mine = create_contribution(process, resident, kind="issue", title="น้ำท่วมหน้าโรงเรียน",
                               latitude=NEXT_DOOR[0], longitude=NEXT_DOOR[1])  # fmt: skip
    auth.login(resident)

    page = client.get(f"/processes/{process.slug}/issues/{mine}").get_data(as_text=True)

    assert "น้ำท่วมขังหน้าโรงเรียน" in page
    assert "ประมาณ" in page  # "about 50 m away"
