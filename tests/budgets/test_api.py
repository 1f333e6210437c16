"""The budget API: a resident votes with a token, reads their ballot back, and anyone reads
the published results with each step of the rule."""

from types import SimpleNamespace

from tests.api.conftest import ApiClient, assert_problem
from tests.budgets.helpers import do


def test_a_resident_votes_through_the_api_and_reads_the_published_results(
    app, budget, create_user, token_for
):
    from participation.budgets import operations

    b = budget()
    api = ApiClient(app.test_client(), token_for(create_user()), language="th")
    anyone = ApiClient(app.test_client())
    ballot_url = f"/budgets/{b.id}/headings/{b.heading_id}/ballot"

    assert api.get(ballot_url).status_code == 404  # not voted yet
    too_many = api.put(ballot_url, json={"project_ids": list(b.projects.values())})
    assert "เลือกได้ไม่เกิน 2 โครงการ" in assert_problem(too_many, 422, "project_ids")["detail"]
    cast = api.put(ballot_url, json={"project_ids": [b.projects["สวนหย่อม"]]})
    assert cast.status_code == 200
    assert cast.json["project_ids"] == [b.projects["สวนหย่อม"]]
    assert api.get(ballot_url).json["receipt"] == cast.json["receipt"]

    listed = anyone.get("/budgets").json["items"]
    assert [item["id"] for item in listed] == [b.id]
    detail = anyone.get(f"/budgets/{b.id}").json
    reasons = {p["title"]: p["review_reason"] for p in detail["headings"][0]["projects"]}
    assert reasons["สะพานลอย"] == "ไม่ใช่อำนาจของเทศบาล"

    assert anyone.get(f"/budgets/{b.id}/results").status_code == 404
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))
    results = anyone.get(f"/budgets/{b.id}/results").json
    heading = results["headings"][0]
    assert heading["chosen"] == [b.projects["สวนหย่อม"]]
    assert heading["ballots"] == {"online": 1, "paper": 0}
    assert heading["steps"][0] == {
        "project_id": b.projects["สวนหย่อม"], "action": "chosen", "votes": 1, "cost": 150_000,
        "left": 350_000, "share": None, "full_payers": None,
    }  # fmt: skip
