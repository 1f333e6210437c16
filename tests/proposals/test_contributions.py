"""Posting, editing and withdrawing issues and proposals; who may do what; bad input."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.proposals.models import Contribution, ContributionVersion, OfficialResponse


def _url(process, *parts):
    return "/".join([f"/processes/{process.slug}", *[str(p) for p in parts]])


def _count(in_db, model=Contribution):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_resident_posts_a_proposal_linked_to_an_issue(
    client, auth, resident, create_process, create_contribution, move_to, in_db
):
    process = create_process("reframe")
    issue_id = create_contribution(process, resident, kind="issue", title="ซอยมืด")
    move_to(process, "reimagine")
    auth.login(resident)

    response = client.post(
        _url(process, "proposals", "new"),
        data={"title": "ติดตั้งไฟส่องสว่าง", "body": "**ด่วน** ทุก 30 เมตร",
              "category_id": process.category_ids[1], "area_id": process.area_ids[1],
              "issue_ids": [issue_id]},
    )  # fmt: skip

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>ด่วน</strong>" in page
    assert "ซอยมืด" in page
    issue_page = client.get(_url(process, "issues", issue_id)).get_data(as_text=True)
    assert "ติดตั้งไฟส่องสว่าง" in issue_page


@pytest.mark.parametrize(
    ("data", "message", "variables"),
    [
        ({"title": "", "body": "เนื้อหา"}, "Please give it a title.", {}),
        ({"title": "   ", "body": "เนื้อหา"}, "Please give it a title.", {}),
        ({"title": "ก" * 151, "body": "เนื้อหา"},
         "Use at most %(count)s characters for the title.", {"count": 150}),
        ({"title": "ชื่อ", "body": ""}, "Please describe it in a few sentences.", {}),
        ({"title": "ชื่อ", "body": "ข" * 10_001}, "Use at most %(count)s characters.",
         {"count": 10_000}),
        ({"title": "ชื่อ", "body": "เนื้อหา", "category_id": 99999},
         "Please choose one of the listed categories.", {}),
        ({"title": "ชื่อ", "body": "เนื้อหา", "category_id": "abc"},
         "Please choose one of the listed categories.", {}),
        ({"title": "ชื่อ", "body": "เนื้อหา", "area_id": 99999},
         "Please choose one of the listed communities.", {}),
        ({"title": "ชื่อ", "body": "เนื้อหา", "issue_ids": [99999]},
         "Link only issues of this process.", {}),
    ],
)  # fmt: skip
def test_bad_proposal_input_is_explained_and_nothing_is_saved(
    client, auth, resident, create_process, in_db, thai, data, message, variables
):
    process = create_process("reimagine")
    auth.login(resident)

    response = client.post(_url(process, "proposals", "new"), data=data)

    assert response.status_code == 422
    assert thai(message, **variables) in response.get_data(as_text=True)
    assert _count(in_db) == 0


def test_script_tags_are_shown_as_text_never_run(client, auth, resident, create_process, in_db):
    process = create_process("reimagine")
    auth.login(resident)

    response = client.post(
        _url(process, "proposals", "new"),
        data={"title": "<script>alert(1)</script>ไฟ", "body": "<img src=x onerror=alert(1)>ไฟ"},
    )

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;ไฟ" in page
    with in_db() as session:
        item = session.scalar(sa.select(Contribution))
        assert "<img" not in item.body_html


def test_anonymous_visitor_reads_but_is_asked_to_sign_in_to_write(
    client, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)

    page = client.get(_url(process, "proposals", proposal_id))
    write = client.get(_url(process, "proposals", "new"))
    support = client.post(_url(process, "proposals", proposal_id, "support"))

    assert page.status_code == 200
    assert f"/login?next=/processes/{process.slug}/proposals/{proposal_id}" in page.get_data(
        as_text=True
    )
    assert write.status_code == 302
    assert write.headers["Location"] == (f"/login?next=/processes/{process.slug}/proposals/new")
    assert support.status_code == 302


def test_author_edits_and_the_earlier_version_stays_in_the_history(
    client, auth, resident, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident, title="ฉบับแรก", body="เนื้อหาเดิม")
    auth.login(resident)

    response = client.post(
        _url(process, "proposals", proposal_id, "edit"),
        data={"title": "ฉบับแก้ไข", "body": "เนื้อหาใหม่"},
    )

    assert response.status_code == 302
    history = client.get(_url(process, "proposals", proposal_id, "history")).get_data(as_text=True)
    assert "ฉบับแรก" in history
    assert "เนื้อหาเดิม" in history
    assert "ฉบับแก้ไข" in history
    with in_db() as session:
        assert session.get(Contribution, proposal_id).version == 2
        assert session.scalar(sa.select(ContributionVersion.title)) == "ฉบับแรก"


def test_another_resident_cannot_edit_or_withdraw_your_proposal(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident, title="ของฉัน")
    auth.login(create_user())

    assert client.get(_url(process, "proposals", proposal_id, "edit")).status_code == 403
    edit = client.post(_url(process, "proposals", proposal_id, "edit"),
                       data={"title": "ยึด", "body": "x"})  # fmt: skip
    withdraw = client.post(_url(process, "proposals", proposal_id, "withdraw"))

    assert edit.status_code == withdraw.status_code == 403
    with in_db() as session:
        item = session.get(Contribution, proposal_id)
        assert (item.title, item.status) == ("ของฉัน", "open")


def test_editing_stops_at_the_first_support(
    client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    supporter = create_user()
    auth.login(supporter)
    client.post(_url(process, "proposals", proposal_id, "support"))
    auth.logout()
    auth.login(resident)

    response = client.post(_url(process, "proposals", proposal_id, "edit"),
                           data={"title": "ใหม่", "body": "ใหม่"})  # fmt: skip

    assert response.status_code == 422
    assert thai("It cannot be edited once someone has supported it.") in response.get_data(
        as_text=True
    )


def test_editing_stops_when_the_window_closes(
    client, auth, resident, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine", edit_window_minutes=30)
    proposal_id = create_contribution(process, resident)
    with in_db() as session:
        item = session.get(Contribution, proposal_id)
        item.created_dt = item.created_dt - timedelta(minutes=31)
        session.commit()
    auth.login(resident)

    response = client.post(_url(process, "proposals", proposal_id, "edit"),
                           data={"title": "ใหม่", "body": "ใหม่"})  # fmt: skip

    assert response.status_code == 422
    assert thai("The time for editing has passed.") in response.get_data(as_text=True)


def test_author_withdraws_and_supports_are_given_back(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    from participation.votes.models import Support, SupportAllowance

    process = create_process("reimagine", max_supports=2)
    proposal_id = create_contribution(process, resident)
    supporter = create_user()
    auth.login(supporter)
    client.post(_url(process, "proposals", proposal_id, "support"))
    auth.logout()
    auth.login(resident)

    response = client.post(_url(process, "proposals", proposal_id, "withdraw"))

    assert response.status_code == 302
    with in_db() as session:
        item = session.get(Contribution, proposal_id)
        assert (item.status, item.support_count) == ("withdrawn", 0)
        assert session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0
        assert session.scalar(sa.select(SupportAllowance.used)) == 0


def test_council_member_responds_and_reports_progress(
    client, auth, resident, council, create_process, create_contribution, move_to, in_db
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, "remake")
    auth.login(council)

    answer = {"status": "accepted", "body": "รับไว้ดำเนินการในปีงบประมาณ 2570"}
    update = {"update_date": "2026-11-01", "progress": 40, "body": "เริ่มงานแล้ว"}
    client.post(_url(process, "proposals", proposal_id, "response"), data=answer)
    client.post(_url(process, "proposals", proposal_id, "updates"), data=update)

    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert "รับไว้ดำเนินการในปีงบประมาณ 2570" in page
    assert "เริ่มงานแล้ว" in page
    assert 'value="40"' in page
    with in_db() as session:
        assert session.get(Contribution, proposal_id).status == "accepted"


@pytest.mark.parametrize("who", ["resident", "facilitator"])
def test_only_council_members_respond(
    client, auth, request, who, council, create_process, create_contribution, move_to, in_db
):
    author = request.getfixturevalue("resident")
    process = create_process("reimagine")
    proposal_id = create_contribution(process, author)
    move_to(process, "remake")
    auth.login(request.getfixturevalue(who))

    response = client.post(_url(process, "proposals", proposal_id, "response"),
                           data={"status": "accepted", "body": "ได้"})  # fmt: skip

    assert response.status_code == 403
    assert _count(in_db, OfficialResponse) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "rejected", "body": ""},
         "Please give the reasons for not accepting the proposal."),
        ({"status": "maybe", "body": "x"}, "Please choose a status."),
        ({"status": "accepted", "body": ""}, "Please write the council's response."),
    ],
)  # fmt: skip
def test_bad_council_response_is_explained_and_nothing_is_saved(
    client, auth, resident, council, create_process, create_contribution, move_to, in_db, thai,
    data, message,
):  # fmt: skip
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, "remake")
    auth.login(council)

    response = client.post(_url(process, "proposals", proposal_id, "response"), data=data,
                           follow_redirects=True)  # fmt: skip

    assert thai(message) in response.get_data(as_text=True)
    assert _count(in_db, OfficialResponse) == 0


def test_council_cannot_respond_before_remake(
    client, auth, resident, council, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    auth.login(council)

    response = client.post(_url(process, "proposals", proposal_id, "response"),
                           data={"status": "accepted", "body": "ได้"},
                           headers={"Accept": "application/json"})  # fmt: skip

    assert response.status_code == 422
    assert _count(in_db, OfficialResponse) == 0


def test_progress_cannot_exceed_100_or_go_backwards(
    client, auth, resident, council, create_process, create_contribution, move_to, in_db
):
    from participation.proposals.models import ImplementationUpdate

    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, "remake")
    auth.login(council)
    client.post(_url(process, "proposals", proposal_id, "response"),
                data={"status": "accepted", "body": "ได้"})  # fmt: skip
    url = _url(process, "proposals", proposal_id, "updates")
    ok = client.post(url, data={"update_date": "2026-11-01", "progress": 50, "body": "ครึ่งทาง"})
    over = client.post(url, data={"update_date": "2026-11-02", "progress": 150, "body": "x"})
    back = client.post(url, data={"update_date": "2026-11-03", "progress": 20, "body": "x"})
    bad_date = client.post(url, data={"update_date": "not a date", "progress": 60, "body": "x"})

    assert ok.status_code == 302
    # Refused on a page that shows the form again with the reason beside the field.
    assert over.status_code == back.status_code == bad_date.status_code == 422
    assert _count(in_db, ImplementationUpdate) == 1


def test_unknown_or_foreign_contributions_are_404(
    client, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    other = create_process("reimagine")
    proposal_id = create_contribution(process, resident)

    assert client.get(_url(process, "proposals", 99999)).status_code == 404
    assert client.get(_url(other, "proposals", proposal_id)).status_code == 404
    assert client.get(_url(process, "issues", proposal_id)).status_code == 404
    assert client.get("/processes/no-such-process").status_code == 404
