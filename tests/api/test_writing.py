"""Taking part through the API: the same operations and rules as the pages; refused requests
answer problem+json in the reader's language and store nothing."""

import pytest

from tests.api.conftest import assert_problem
from tests.conftest import PASSWORD


def _writes(w):
    """Every write operation with a valid body: (method, path, body)."""
    p, r, t = w.reimagine.slug, w.reframe.slug, w.townhall.slug
    return [
        ("POST", f"/processes/{r}/issues", {"title": "ถนนมืด", "body": "ไม่มีไฟ"}),
        ("PATCH", f"/processes/{r}/issues/{w.issue}", {"title": "ถนนมืดมาก"}),
        ("PUT", f"/processes/{r}/issues/{w.issue}/affected", None),
        ("DELETE", f"/processes/{r}/issues/{w.issue}/affected", None),
        ("POST", f"/processes/{r}/issues/{w.issue}/comments", {"body": "จริง"}),
        ("POST", f"/processes/{p}/proposals", {"title": "ไฟถนน", "body": "ติดไฟ"}),
        ("PATCH", f"/processes/{p}/proposals/{w.proposal}", {"body": "ติดไฟ LED"}),
        ("PUT", f"/processes/{p}/proposals/{w.proposal}/support", None),
        ("DELETE", f"/processes/{p}/proposals/{w.proposal}/support", None),
        ("POST", f"/processes/{p}/proposals/{w.proposal}/comments", {"body": "ดี"}),
        ("PUT", f"/comments/{w.comment}/vote", {"value": 1}),
        ("DELETE", f"/comments/{w.comment}/vote", None),
        (
            "POST",
            "/reports",
            {"target_type": "comment", "target_id": w.comment, "reason": "spam"},
        ),  # fmt: skip
        ("POST", f"/townhalls/{t}/questions", {"body": "เริ่มเมื่อไร"}),
        ("PUT", f"/townhalls/{t}/questions/{w.question}/upvote", None),
        ("POST", f"/townhalls/{t}/polls/{w.poll}/answers", {"option_ids": [w.option]}),
        # Last: a withdrawn contribution takes nothing more.
        ("POST", f"/processes/{r}/issues/{w.issue}/withdrawal", None),
        ("POST", f"/processes/{p}/proposals/{w.proposal}/withdrawal", None),
    ]


# (what is wrong, body, expected status, field at fault)
BAD_BODIES = [
    ("a field is missing", {}, 422, None),
    ("a field is not known", {"colour": "red"}, 422, "colour"),
    ("a text is too long", {"title": "ก" * 151, "body": "ข" * 10_001}, 422, None),
    (
        "a number is text",
        {"value": "up", "target_id": "x", "option_ids": "x", "category_id": "x", "parent_id": "x"},
        422,
        None,
    ),  # fmt: skip
    ("the body is a list", [], 422, None),
]


@pytest.mark.parametrize(("label", "bad", "status", "field"), BAD_BODIES,
                         ids=[row[0] for row in BAD_BODIES])  # fmt: skip
def test_bad_input_on_every_write_is_refused_clearly_and_stores_nothing(
    world, api, create_user, count_rows, label, bad, status, field
):
    client, author = api(create_user()), api(world.author)
    before = count_rows()
    for method, path, body in _writes(world):
        if body is None or (label == "a field is missing" and method == "PATCH"):
            continue  # takes no body; every field of an edit is optional
        sent = {**body, **bad} if isinstance(bad, dict) and bad else bad
        response = (author if method == "PATCH" else client).send(method, path, sent)
        problem = assert_problem(response, status, field)
        assert problem["errors"], (method, path, problem)
    assert count_rows() == before


def test_broken_json_and_other_content_types_are_refused(world, api, create_user, count_rows):
    client = api(create_user())
    before = count_rows()
    for method, path, body in _writes(world):
        if body is None:
            continue
        broken = client.send(method, path, data="{not json",
                             headers={"Content-Type": "application/json"})  # fmt: skip
        as_form = client.send(method, path, data={"title": "x"})
        assert_problem(broken, 400)
        assert_problem(as_form, 415)
    assert count_rows() == before


def test_a_token_that_may_only_read_cannot_write(world, api, count_rows):
    reader = api(world.author, write=False)
    before = count_rows()
    for method, path, body in _writes(world):
        response = reader.send(method, path, body)
        problem = assert_problem(response, 403)
        assert problem["type"].endswith("#problem-insufficient-scope")
        assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    assert count_rows() == before
    assert reader.get(f"/processes/{world.reimagine.slug}/proposals").status_code == 200


def test_without_a_token_writes_ask_for_one(world, api, count_rows):
    anonymous = api()
    before = count_rows()
    for method, path, body in _writes(world):
        response = anonymous.send(method, path, body)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count_rows() == before


def test_every_write_works_with_a_read_write_token(world, api, create_user, count_rows):
    client = api(create_user())
    author = api(world.author)
    done = {}
    for method, path, body in _writes(world):
        own = "withdrawal" in path or method == "PATCH"
        response = (author if own else client).send(method, path, body)
        done[(method, path)] = response.status_code
    assert set(done.values()) <= {200, 201}, done


def test_resident_posts_a_proposal_and_finds_it_at_its_location(world, api, create_user):
    client = api(create_user())
    response = client.post(
        f"/processes/{world.reimagine.slug}/proposals",
        json={"title": "  ทางเท้าปลอดภัย ", "body": "**ทางเท้า**กว้างขึ้น",
              "category_id": world.reimagine.category_ids[0], "issue_ids": []},
    )  # fmt: skip

    assert response.status_code == 201
    created = response.get_json()
    assert created["title"] == "ทางเท้าปลอดภัย"
    assert "<strong>ทางเท้า</strong>" in created["body_html"]
    assert created["category"]["slug"] == "roads"
    assert client.get(response.headers["Location"][len("/api/v1") :]).get_json() == created


def test_the_phase_rules_are_the_pages_rules_in_the_readers_language(world, api, count_rows, thai):
    client = api(world.author, language="th")
    before = count_rows()

    proposal_in_reframe = client.post(f"/processes/{world.reframe.slug}/proposals",
                                      json={"title": "ข้อเสนอ", "body": "เร็วไป"})  # fmt: skip
    support_in_remake = client.put(
        f"/processes/{world.remake.slug}/proposals/{world.decided}/support"
    )

    problem = assert_problem(proposal_in_reframe, 409)
    assert problem["detail"] == thai("Proposals can be posted only during Reimagine.")
    assert problem["title"] == thai("That is not possible right now")
    assert assert_problem(support_in_remake, 409)["detail"] == thai(
        "Supports are open only during Reimagine."
    )
    assert count_rows() == before


def test_questions_wait_for_the_town_hall_to_go_live(api, create_user, create_townhall):
    townhall = create_townhall(state="scheduled")
    response = api(create_user()).post(f"/townhalls/{townhall.slug}/questions",
                                       json={"body": "เริ่มกี่โมง"})  # fmt: skip
    assert assert_problem(response, 409)["detail"] == "The town hall is not live."


def test_only_the_author_edits_or_withdraws(world, api, create_user, count_rows):
    other = api(create_user())
    before = count_rows()
    slug = world.reimagine.slug
    edit = other.patch(f"/processes/{slug}/proposals/{world.proposal}", json={"title": "ของฉัน"})
    withdraw = other.post(f"/processes/{slug}/proposals/{world.proposal}/withdrawal")
    assert_problem(edit, 403)
    assert_problem(withdraw, 403)
    assert count_rows() == before


def test_a_suspended_resident_reads_but_cannot_write(world, api, app, create_user, count_rows):
    from datetime import timedelta

    from participation.accounts.models import User
    from participation.core.models import utcnow
    from participation.extensions import db

    person = create_user()
    client = api(person)
    with app.app_context():
        user = db.session.get(User, person.id)
        user.suspended_dt, user.suspended_until = utcnow(), utcnow() + timedelta(days=1)
        user.suspension_reason = "สแปม"
        db.session.commit()
        db.session.remove()
    before = count_rows()

    response = client.post(f"/processes/{world.reimagine.slug}/proposals",
                           json={"title": "x", "body": "y"})  # fmt: skip

    assert assert_problem(response, 403)["type"].endswith("#problem-suspended")
    assert client.get(f"/processes/{world.reimagine.slug}").status_code == 200
    assert count_rows() == before


def test_supports_follow_the_process_allowance(world, api, app, create_user, create_contribution):
    more = [create_contribution(world.reimagine, world.author, title=f"ข้อเสนอ {n}")
            for n in range(2)]  # fmt: skip
    client = api(create_user())
    slug = world.reimagine.slug

    answers = [client.put(f"/processes/{slug}/proposals/{item}/support")
               for item in (world.proposal, *more)]  # fmt: skip
    again = client.put(f"/processes/{slug}/proposals/{world.proposal}/support")

    assert [a.status_code for a in answers] == [200, 200, 409]
    assert answers[1].get_json()["supports_left"] == 0
    assert (again.status_code, again.get_json()["support_count"]) == (200, 1)
    withdrawn = client.delete(f"/processes/{slug}/proposals/{world.proposal}/support")
    assert withdrawn.get_json() == {"supported": False, "support_count": 0,
                                    "supports_left": 1, "qualifies": False}  # fmt: skip


def test_comments_replies_and_votes(world, api, create_user):
    client = api(create_user())
    path = f"/processes/{world.reimagine.slug}/proposals/{world.proposal}/comments"

    reply = client.post(path, json={"body": "ตอบ", "parent_id": world.comment,
                                    "alignment": "in_favour"})  # fmt: skip
    elsewhere = client.post(f"/processes/{world.reframe.slug}/issues/{world.issue}/comments",
                            json={"body": "ผิดที่", "parent_id": world.comment})  # fmt: skip
    up = client.put(f"/comments/{world.comment}/vote", json={"value": 1})
    up_again = client.put(f"/comments/{world.comment}/vote", json={"value": 1})
    down = client.put(f"/comments/{world.comment}/vote", json={"value": -1})
    tree = client.get(path).get_json()["items"]

    assert (reply.status_code, reply.get_json()["depth"]) == (201, 1)
    assert_problem(elsewhere, 422, "parent_id")
    assert up.get_json() == up_again.get_json() == {"vote": 1, "upvotes": 1, "downvotes": 0}
    assert down.get_json() == {"vote": -1, "upvotes": 0, "downvotes": 1}
    assert tree[0]["my_vote"] == -1
    assert tree[0]["replies"][0]["body"] == "ตอบ"


def test_reports_once_and_never_of_oneself(world, api, create_user):
    client = api(create_user())
    author = api(world.author)
    report = {"target_type": "contribution", "target_id": world.proposal, "reason": "spam"}

    first = client.post("/reports", json=report)
    second = client.post("/reports", json=report)
    own = author.post("/reports", json=report)
    missing = client.post("/reports", json={**report, "target_id": 999_999})
    other_without_details = client.post("/reports", json={**report, "reason": "other"})

    assert first.status_code == 201
    assert_problem(second, 409)
    assert_problem(own, 409)
    assert_problem(missing, 404)
    assert_problem(other_without_details, 422, "details")


def test_asking_and_upvoting_in_a_live_town_hall_reach_the_live_page(
    world, api, create_user, socket_for
):
    watcher = socket_for()
    watcher.emit("join", {"townhall": world.townhall.slug}, namespace="/townhall",
                 callback=True)  # fmt: skip
    client = api(create_user())
    slug = world.townhall.slug

    asked = client.post(f"/townhalls/{slug}/questions", json={"body": "ที่จอดรถพอไหม",
                                                              "client_id": "c-1"})  # fmt: skip
    retried = client.post(f"/townhalls/{slug}/questions", json={"body": "ที่จอดรถพอไหม",
                                                                "client_id": "c-1"})  # fmt: skip
    upvote = client.put(f"/townhalls/{slug}/questions/{world.question}/upvote")
    own = client.put(f"/townhalls/{slug}/questions/{asked.get_json()['id']}/upvote")
    answered = client.post(f"/townhalls/{slug}/polls/{world.poll}/answers",
                           json={"option_ids": [world.option]})  # fmt: skip

    assert asked.status_code == 201
    assert retried.get_json()["id"] == asked.get_json()["id"]
    assert upvote.get_json() == {"upvotes": 1, "already": False}
    assert_problem(own, 409)
    assert answered.status_code == 201
    assert answered.get_json()["voters"] == 1
    assert answered.get_json()["options"][0]["votes"] is None  # the facilitator hides results
    received = [event["args"][0] for event in watcher.get_received("/townhall")
                if event["name"] == "event"]  # fmt: skip
    assert {event["type"] for event in received} >= {"question", "question.upvotes"}


@pytest.fixture
def limited(config, make_app):
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_SUPPORT = "2 per minute"
    config.RATELIMIT_COMMENT = "1 per minute"
    config.RATELIMIT_POST = "2 per minute"
    return make_app(config)


def test_writes_are_rate_limited_per_person_as_on_the_pages(limited, world, create_user, token_for):
    from tests.api.conftest import ApiClient

    fast = ApiClient(limited.test_client(), token_for(create_user()))
    other = ApiClient(limited.test_client(), token_for(create_user()))
    slug = world.reimagine.slug
    support = f"/processes/{slug}/proposals/{world.proposal}/support"
    comments = f"/processes/{slug}/proposals/{world.proposal}/comments"

    codes = [fast.put(support).status_code, fast.delete(support).status_code]
    blocked = fast.put(support)
    first_comment = fast.post(comments, json={"body": "หนึ่ง"})
    second_comment = fast.post(comments, json={"body": "สอง"})

    assert codes == [200, 200]
    assert_problem(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0
    assert first_comment.status_code == 201
    assert_problem(second_comment, 429)
    assert other.put(support).status_code == 200  # another person is not affected


def test_each_post_counts_once_against_the_limit(limited, world, create_user, token_for):
    from tests.api.conftest import ApiClient

    client = ApiClient(limited.test_client(), token_for(create_user()))
    path = f"/processes/{world.reimagine.slug}/proposals"
    codes = [client.post(path, json={"title": f"ข้อเสนอ {n}", "body": "ก"}).status_code
             for n in range(3)]  # fmt: skip
    issue = client.post(f"/processes/{world.reframe.slug}/issues", json={"title": "ก", "body": "ข"})
    assert codes == [201, 201, 429]
    # Issues and proposals share one allowance, as they do on the pages.
    assert_problem(issue, 429)


def test_the_pages_and_the_api_share_one_allowance(limited, world, create_user, token_for):
    """Writing through both does not double anyone's allowance."""
    from tests.api.conftest import ApiClient

    person = create_user()
    browser = limited.test_client()
    browser.post("/login", data={"email": person.email, "password": PASSWORD})
    api = ApiClient(limited.test_client(), token_for(person))
    slug = world.reimagine.slug
    on_page = f"/processes/{slug}/proposals/{world.proposal}/support"

    pages = [browser.post(on_page, data={"support": value}, headers={"Accept": "application/json"})
             for value in ("1", "0")]  # fmt: skip
    through_api = api.put(f"/processes/{slug}/proposals/{world.proposal}/support")

    assert [response.status_code for response in pages] == [200, 200]
    assert_problem(through_api, 429)


def test_a_busy_database_answers_503_with_retry_after(world, api, create_user, monkeypatch,
                                                      count_rows):  # fmt: skip
    import sqlalchemy as sa

    from participation.votes import operations

    def locked(*_args):
        raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(operations, "support_proposal", locked)
    client = api(create_user())
    before = count_rows()
    response = client.put(f"/processes/{world.reimagine.slug}/proposals/{world.proposal}/support")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"
    assert count_rows() == before


def _deep(levels):
    return "[" * levels + "]" * levels


def test_json_nested_deeper_than_any_body_is_refused_as_bad_json(world, api, create_user,
                                                                 count_rows):  # fmt: skip
    client = api(create_user())
    before = count_rows()
    writes = [(method, path) for method, path, body in _writes(world) if body is not None]
    for method, path in [*writes, ("POST", "/tokens")]:
        for levels in (100_000, 40):
            sent = api() if path == "/tokens" else client
            response = sent.send(method, path, data=_deep(levels),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
            assert_problem(response, 400)
    assert count_rows() == before


def test_a_json_body_larger_than_any_write_needs_is_refused(world, api, create_user, count_rows):
    client = api(create_user())
    before = count_rows()
    response = client.post(f"/processes/{world.reimagine.slug}/proposals",
                           json={"title": "ไฟถนน", "body": "ก" * 300_000})  # fmt: skip
    tokens = api().post("/tokens", json={"email": "a@example.org", "password": "x" * 300_000})
    assert_problem(response, 413)
    assert_problem(tokens, 413)
    assert count_rows() == before


def test_text_of_only_invisible_characters_is_empty_through_the_api(world, api, create_user,
                                                                   count_rows):  # fmt: skip
    client = api(create_user())
    before = count_rows()
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    response = client.post(f"/processes/{world.reimagine.slug}/proposals",
                           json={"title": invisible, "body": "ติดไฟ"})  # fmt: skip
    assert_problem(response, 422, "title")
    assert count_rows() == before


def test_direction_overrides_are_removed_from_api_text(world, api, create_user):
    client = api(create_user())
    sent = {"title": "ไฟถนน \u202egnp.exe", "body": "ติด\u200bไฟ\u2066"}
    response = client.post(f"/processes/{world.reimagine.slug}/proposals", json=sent)
    assert response.status_code == 201
    assert response.get_json()["title"] == "ไฟถนน gnp.exe"
    assert "ติดไฟ" in response.get_json()["body_html"]
