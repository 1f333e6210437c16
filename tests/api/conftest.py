"""Helpers for API tests: a client that sends a token, and JSON in and out."""

import pytest

from tests.security.test_authorization import scene  # noqa: F401 - the pages' table's scene


class ApiClient:
    """The test client with a bearer token (or none) and a language."""

    def __init__(self, client, token=None, language="en"):
        self.client = client
        self.token = token
        self.language = language

    def _headers(self, headers):
        sent = {"Accept-Language": self.language}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        return {**sent, **(headers or {})}

    def get(self, path, headers=None, **kwargs):
        return self.client.get("/api/v1" + path, headers=self._headers(headers), **kwargs)

    def send(self, method, path, json=None, headers=None, **kwargs):
        if json is not None:
            kwargs["json"] = json
        return self.client.open("/api/v1" + path, method=method, headers=self._headers(headers),
                                **kwargs)  # fmt: skip

    def post(self, path, json=None, **kwargs):
        return self.send("POST", path, json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.send("PUT", path, json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.send("PATCH", path, json, **kwargs)

    def delete(self, path, **kwargs):
        return self.send("DELETE", path, **kwargs)


@pytest.fixture
def api(app, token_for):
    """``api(person, write=True)``: a client acting with a fresh token of ``person``;
    ``api()``: an anonymous one."""

    def make(person=None, write=True, language="en"):
        token = token_for(person, write) if person is not None else None
        return ApiClient(app.test_client(), token, language)

    return make


def assert_problem(response, status, field=None):
    """The response is a problem document with this status (and an error beside ``field``)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert all(body[key] for key in ("type", "title", "detail")), body
    if field is not None:
        assert field in [error["field"] for error in body.get("errors", [])], body
    return body


@pytest.fixture
def world(app, create_user, create_process, create_contribution, create_townhall, move_to):
    """A process in each phase with content, a comment, a live town hall with a question and
    a poll; returns their ids and slugs."""
    from types import SimpleNamespace

    from participation.accounts.models import User
    from participation.comments.operations import add_comment
    from participation.extensions import db
    from participation.proposals.models import Contribution
    from participation.proposals.operations import respond
    from participation.townhall import operations as live
    from participation.townhall.models import TownHall

    author, council = create_user(name="ผู้เสนอ"), create_user(roles=["council"])
    reframe = create_process("reframe")
    issue = create_contribution(reframe, author, kind="issue", title="ไฟดับในซอย")
    reimagine = create_process("reimagine", max_supports=2)
    proposal = create_contribution(reimagine, author, title="ติดไฟส่องสว่างในซอย")
    remake = create_process("reimagine")
    decided = create_contribution(remake, author, title="สร้างสนามเด็กเล่น")
    move_to(remake, "remake")
    townhall = create_townhall()
    with app.app_context():
        item = db.session.get(Contribution, proposal)
        comment = add_comment(item, db.session.get(User, author.id), "เห็นด้วยมาก")
        respond(db.session.get(Contribution, decided), db.session.get(User, council.id),
                "accepted", "สภาเทศบาลรับไว้ดำเนินการ")  # fmt: skip
        hall = db.session.get(TownHall, townhall.id)
        question, _e = live.ask_question(hall, db.session.get(User, author.id), "งบเท่าไร", "q1")
        poll, _e = live.open_poll(hall, db.session.get(User, townhall.facilitator.id),
                                  "ชอบแบบไหน", ["ก", "ข"], hide_results=True)  # fmt: skip
        db.session.commit()
        ids = SimpleNamespace(comment=comment.id, question=question.id, poll=poll.id,
                              option=poll.options[0].id)  # fmt: skip
        db.session.remove()
    return SimpleNamespace(
        author=author, council=council, reframe=reframe, reimagine=reimagine, remake=remake,
        issue=issue, proposal=proposal, decided=decided, townhall=townhall, **vars(ids),
    )  # fmt: skip


@pytest.fixture
def count_rows(app):
    """``count_rows()``: how many rows each table that API writes touch holds."""

    def count():
        import sqlalchemy as sa

        from participation.extensions import db

        names = (
            "contributions", "contribution_versions", "comments", "comment_votes", "supports",
            "affected", "reports", "townhall_questions", "townhall_question_upvotes",
            "townhall_poll_responses", "access_tokens",
        )  # fmt: skip
        with app.app_context():
            counts = {
                name: db.session.scalar(sa.text(f"SELECT count(*) FROM {name}"))  # noqa: S608
                for name in names
            }
            db.session.remove()
        return counts

    return count
