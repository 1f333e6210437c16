"""Who may do what through the API, as the seven kinds of people of the pages' table
(tests/security/test_authorization.py), each with a read-write token of their own.

Outcomes: "ok" (2xx) or the status code. Anonymous visitors send no token. A route missing from
the table fails the test, so new operations must say who may use them.
"""

import pytest

from tests.api.conftest import ApiClient
from tests.security.test_authorization import ORDER, PEOPLE


def everyone(outcome="ok"):
    return dict.fromkeys(PEOPLE, outcome)


def signed_in(outcome="ok"):
    return {**everyone(outcome), "A": 401}


def only(*people, denied=403):
    return {**everyone(denied), "A": 401, **dict.fromkeys(people, "ok")}


PREPARERS = {**everyone(404), "C": "ok", "M": "ok", "F": "ok"}
ITEM = "/processes/{s.slug}/proposals/{s.proposal}"
ISSUE = "/processes/{s.slug}/issues/{s.issue}"
HALL = "/townhalls/{s.townhall}"
API_TABLE = [
    ("GET", "/openapi.json", everyone(), None),
    ("GET", "/docs", everyone(), None),
    ("GET", "/processes", everyone(), None),
    ("GET", "/processes/{s.slug}", everyone(), None),
    ("GET", "/processes/{s.draft}", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("GET", "/processes/{s.draft}/proposals", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("GET", "/processes/{s.slug}/proposals", everyone(), None),
    ("GET", "/processes/{s.slug}/issues", everyone(), None),
    ("GET", "/processes/{s.slug}/map.geojson?bbox=98.9,18.7,99.0,18.8&zoom=14", everyone(), None),
    ("GET", "/processes/{s.draft}/map.geojson", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("GET", "/map.geojson?zoom=12", everyone(), None),
    ("GET", ITEM, everyone(), None),
    ("GET", ISSUE, everyone(), None),
    ("GET", f"{ITEM}/comments", everyone(), None),
    ("GET", f"{ISSUE}/comments", everyone(), None),
    ("POST", "/processes/{s.slug}/proposals", signed_in(), {"title": "ข้อเสนอ", "body": "ก"}),
    ("POST", "/processes/{s.slug}/issues", signed_in(), {"title": "ประเด็น", "body": "ก"}),
    ("PATCH", ITEM, only("R"), {"title": "แก้ชื่อ"}),
    ("PATCH", ISSUE, only("R"), {"title": "แก้ชื่อ"}),
    ("PUT", f"{ITEM}/support", signed_in(), None),
    ("DELETE", f"{ITEM}/support", signed_in(), None),
    ("PUT", f"{ISSUE}/affected", signed_in(), None),
    ("DELETE", f"{ISSUE}/affected", signed_in(), None),
    ("POST", f"{ITEM}/comments", signed_in(), {"body": "ความเห็น"}),
    ("POST", f"{ISSUE}/comments", signed_in(), {"body": "ความเห็น"}),
    ("PUT", "/comments/{s.comment}/vote", signed_in(), {"value": 1}),
    ("DELETE", "/comments/{s.comment}/vote", signed_in(), None),
    ("POST", "/reports", {**signed_in(), "R": 409},
     {"target_type": "contribution", "target_id": "{s.proposal}", "reason": "spam"}),
    ("GET", "/townhalls", everyone(), None),
    ("GET", HALL, everyone(), None),
    ("POST", f"{HALL}/questions", signed_in(), {"body": "คำถาม"}),
    ("PUT", HALL + "/questions/{s.live[question]}/upvote", {**signed_in(), "R": 409}, None),
    ("POST", HALL + "/polls/{s.live[poll]}/answers", signed_in(),
     {"option_ids": ["{s.live[option]}"]}),
    ("GET", "/budgets", everyone(), None),
    ("GET", "/budgets/{s.budget}", everyone(), None),
    ("GET", "/budgets/{s.budget}/headings/{s.heading}/ballot", signed_in(404), None),
    ("PUT", "/budgets/{s.budget}/headings/{s.heading}/ballot", signed_in(),
     {"project_ids": ["{s.project}"]}),
    ("GET", "/budgets/{s.budget}/results", everyone(404), None),  # not published yet
    ("GET", "/summaries", everyone(), None),
    ("GET", "/summaries/processes/{s.remake}", PREPARERS, None),
    ("GET", "/summaries/townhalls/{s.townhall}", PREPARERS, None),
    ("GET", "/action-log", everyone(), None),
    ("POST", "/tokens", everyone(422), {"email": "x@example.org", "password": "x", "name": "b"}),
    ("GET", "/tokens", signed_in(), None),
    ("DELETE", "/tokens/{s.token}", {**signed_in(404), "R": "ok"}, None),
    ("GET", "/me", signed_in(), None),
    # Bulk delivery updates: council members and administrators (tests/delivery).
    ("POST", "/delivery/updates", only("C", "M"),
     {"rows": [{"item": "{s.decided}", "milestone": "1", "progress": 5}]}),
    # Last: after them the proposal and the issue are withdrawn.
    ("POST", f"{ITEM}/withdrawal", only("R"), None),
    ("POST", f"{ISSUE}/withdrawal", only("R"), None),
]  # fmt: skip
ALLOWED = {"ok", 409, 422}


def _fill(value, scene):
    if isinstance(value, str):
        text = value.format(s=scene)
        return int(text) if value.startswith("{") and text.isdigit() else text
    if isinstance(value, dict):
        return {key: _fill(item, scene) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, scene) for item in value]
    return value


def test_every_api_route_is_in_the_table(app):
    rules = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }  # fmt: skip
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, _expected, _data in API_TABLE:
        sample = path.replace("{s.live[question]}", "1").replace("{s.live[poll]}", "1")
        for name in ("slug", "draft", "remake", "townhall"):
            sample = sample.replace(f"{{s.{name}}}", "x")
        for name in ("proposal", "issue", "comment", "token", "budget", "heading"):
            sample = sample.replace(f"{{s.{name}}}", "1")
        endpoint, _args = adapter.match("/api/v1" + sample.split("?")[0], method=method)
        covered.add((method, endpoint))
    assert rules - covered == set()


@pytest.fixture
def tokens(scene, token_for):
    return {who: token_for(scene.people[who]) for who in PEOPLE if who != "A"}


@pytest.mark.parametrize(("method", "path", "expected", "data"), API_TABLE,
                         ids=[f"{m} {p}" for m, p, _e, _d in API_TABLE])  # fmt: skip
def test_who_may_use_each_operation(app, scene, tokens, method, path, expected, data):
    outcomes = {}
    for who in ORDER:
        client = ApiClient(app.test_client(), tokens.get(who))
        response = client.send(method, path.format(s=scene), _fill(data, scene))
        outcomes[who] = "ok" if response.status_code < 300 else response.status_code
    mismatches = {
        who: (outcomes[who], expected[who])
        for who in PEOPLE
        if outcomes[who] != expected[who]
        and not (expected[who] == "ok" and outcomes[who] in ALLOWED)
    }
    assert mismatches == {}, mismatches
