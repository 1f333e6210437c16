"""Reading through the API: the same lists as the pages, pages of results with links, ETags,
hidden content kept hidden, and errors as problem+json in the reader's language."""

from tests.api.conftest import assert_problem


def test_lists_filter_sort_search_and_page_like_the_pages(
    api, client, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    roads = process.category_ids[0]
    titles = ["ซ่อมถนนหน้าโรงเรียน", "ไฟส่องสว่างในซอย", "สวนสาธารณะสำหรับเด็กเล็ก"]
    for title in titles:
        create_contribution(process, resident, title=title,
                            category_id=roads if "ถนน" in title else None)  # fmt: skip
    reader = api()
    base = f"/processes/{process.slug}/proposals"

    first = reader.get(f"{base}?per_page=2&sort=newest")
    second = reader.get(first.get_json()["links"]["next"][len("/api/v1") :])
    by_category = reader.get(f"{base}?category={roads}").get_json()["items"]
    found = reader.get(f"{base}?q=ซอย").get_json()["items"]
    page_html = client.get(f"/processes/{process.slug}/proposals?q=ซอย").get_data(as_text=True)

    body = first.get_json()
    assert [i["title"] for i in body["items"]] == titles[::-1][:2]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3,
                                  "total_is_lower_bound": False, "pages": 2}  # fmt: skip
    assert body["links"]["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    assert "sort=newest" in body["links"]["next"]
    assert [i["title"] for i in second.get_json()["items"]] == [titles[0]]
    assert second.get_json()["links"]["next"] is None
    assert [i["title"] for i in by_category] == [titles[0]]
    assert [i["title"] for i in found] == ["ไฟส่องสว่างในซอย"]
    assert "ไฟส่องสว่างในซอย" in page_html  # the page finds the same


def test_bad_query_parameters_are_named(api, create_process):
    process = create_process("reimagine")
    response = api().get(f"/processes/{process.slug}/proposals?per_page=1000&sort=best&colour=1")
    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"per_page", "sort", "colour"}


def test_reads_carry_an_etag_and_answer_304_until_something_changes(
    api, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    item = create_contribution(process, resident)
    reader, voter = api(), api(resident)
    path = f"/processes/{process.slug}/proposals/{item}"

    first = reader.get(path)
    etag = first.headers["ETag"]
    unchanged = reader.get(path, headers={"If-None-Match": etag})
    voter.put(f"{path}/support")
    changed = reader.get(path, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""
    assert changed.status_code == 200
    assert changed.get_json()["support_count"] == 1
    assert changed.headers["ETag"] != etag
    assert "Accept-Language" in first.headers["Vary"]


def test_a_proposal_comes_with_its_comments_response_and_updates(world, api, app):
    from datetime import date

    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals.models import Proposal
    from participation.proposals.operations import add_implementation_update

    with app.app_context():
        add_implementation_update(db.session.get(Proposal, world.decided),
                                  db.session.get(User, world.council.id), date(2026, 11, 1), 40,
                                  "เริ่มก่อสร้างแล้ว")  # fmt: skip
        db.session.commit()
    reader = api(language="th")

    decided = reader.get(f"/processes/{world.remake.slug}/proposals/{world.decided}").get_json()
    discussed = reader.get(f"/processes/{world.reimagine.slug}/proposals/{world.proposal}")

    assert decided["status"] == "accepted"
    assert decided["status_title"] == "รับไว้ดำเนินการ"
    assert decided["response"]["body"] == "สภาเทศบาลรับไว้ดำเนินการ"
    assert decided["updates"] == [{"date": "2026-11-01", "progress": 40,
                                   "body": "เริ่มก่อสร้างแล้ว",
                                   "body_html": "<p>เริ่มก่อสร้างแล้ว</p>"}]  # fmt: skip
    assert decided["progress"] == 40
    assert discussed.get_json()["comments"][0]["body"] == "เห็นด้วยมาก"
    assert discussed.get_json()["comments"][0]["author"] == {"name": "ผู้เสนอ"}


def test_hidden_content_stays_hidden_except_for_its_author(world, api, app, create_user):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.proposals.models import Contribution

    with app.app_context():
        facilitator = db.session.get(User, world.reimagine.facilitator.id)
        hide(facilitator, db.session.get(Contribution, world.proposal), "ข้อมูลส่วนบุคคล")
        db.session.commit()
    path = f"/processes/{world.reimagine.slug}/proposals/{world.proposal}"

    seen_by_others = api(create_user()).get(path).get_json()
    seen_by_author = api(world.author).get(path).get_json()
    in_the_list = api().get(f"/processes/{world.reimagine.slug}/proposals").get_json()["items"]

    assert seen_by_others["title"] is seen_by_others["body"] is seen_by_others["author"] is None
    assert seen_by_others["hidden_reason"] == "ข้อมูลส่วนบุคคล"
    assert seen_by_author["title"] == "ติดไฟส่องสว่างในซอย"
    assert in_the_list[0]["title"] is None


def test_drafts_and_unknown_things_are_404_in_the_readers_language(api, create_process, thai):
    draft = create_process("reframe", published=False)
    reader = api(language="th")

    for path in (f"/processes/{draft.slug}", "/processes/nothing-here", "/no-such-path",
                 "/processes/x/proposals/99999999999"):  # fmt: skip
        problem = assert_problem(reader.get(path), 404)
        assert problem["title"] == thai("We could not find that page")


def test_a_method_an_address_does_not_take_is_405_with_allow(api, create_process):
    process = create_process("reimagine")
    response = api().send("DELETE", f"/processes/{process.slug}")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_town_halls_with_questions_and_poll_results(world, api, app):
    reader = api()
    listed = reader.get("/townhalls").get_json()["items"]
    hall = reader.get(f"/townhalls/{world.townhall.slug}").get_json()

    assert [t["slug"] for t in listed] == [world.townhall.slug]
    assert hall["state"] == "live"
    assert [q["body"] for q in hall["questions"]] == ["งบเท่าไร"]
    assert hall["polls"][0]["options"][0]["votes"] is None  # results hidden while open


def test_members_only_town_halls_ask_visitors_to_sign_in(api, create_townhall, create_user):
    townhall = create_townhall(allow_visitors=False)
    assert_problem(api().get(f"/townhalls/{townhall.slug}"), 401)
    assert api(create_user()).get(f"/townhalls/{townhall.slug}").status_code == 200


def test_published_summaries_and_the_public_action_log(world, api, app, create_user):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.summaries import operations

    with app.app_context():
        council = db.session.get(User, world.council.id)
        summary = operations.summary_of(db.session.get(Process, world.remake.id))
        operations.figures(summary)
        operations.save_statement(summary, council, "สภาเทศบาลขอบคุณ", "Thank you")
        operations.mark_reviewed(summary, council)
        operations.publish(summary, council)
        db.session.commit()
    reader = api()

    listed = reader.get("/summaries").get_json()["items"]
    document = reader.get(f"/summaries/processes/{world.remake.slug}").get_json()
    unpublished = reader.get(f"/summaries/processes/{world.reimagine.slug}")
    first = reader.get("/action-log?limit=1").get_json()
    older = reader.get(first["links"]["next"][len("/api/v1") :]).get_json()
    newer = reader.get(older["links"]["prev"][len("/api/v1") :]).get_json()

    assert [s["slug"] for s in listed] == [world.remake.slug]
    assert document["state"] == "published"
    assert document["decisions"][0]["status"] == "accepted"
    assert_problem(unpublished, 404)
    assert first["items"][0]["id"] > older["items"][0]["id"]
    assert newer["items"] == first["items"]
    assert {e["action"] for e in first["items"] + older["items"]} <= {
        "proposal.respond", "summary.publish", "summary.review"}  # fmt: skip
    assert_problem(reader.get("/action-log?cursor=zzz"), 422)


def test_the_documentation_page_reads_in_thai_and_english(client):
    thai_page = client.get("/api/v1/docs", headers={"Accept-Language": "th"})
    english_page = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert thai_page.status_code == english_page.status_code == 200
    assert "createProposal" in thai_page.get_data(as_text=True)
    assert "API for developers" in english_page.get_data(as_text=True)
    assert 'id="problem-validation"' in thai_page.get_data(as_text=True)
    client.post("/language", data={"language": "th", "next": "/api/v1/docs"})
    switched = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert "API สำหรับนักพัฒนา" in switched.get_data(as_text=True)  # the switch wins on pages
