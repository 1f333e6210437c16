"""A voter's ballots are theirs to download; deleting the account keeps the ballot counted
without them."""

import io
import json
import zipfile
from types import SimpleNamespace

import sqlalchemy as sa

from tests.budgets.helpers import do


def test_a_voter_downloads_their_ballots_and_leaving_keeps_the_count(
    app, client, auth, budget, resident, in_db
):
    from participation.budgets import operations
    from participation.budgets.models import Ballot

    b = budget()
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    auth.login(resident)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    [ballot] = data["features"]["budget_ballots"]
    assert ballot["heading"] == "ชุมชนเหนือ"
    assert ballot["projects"] == [{"id": b.projects["ลานกีฬา"], "title": "ลานกีฬา"}]
    assert data["tables"]["budget_ballots"]["voter_id"][0]["receipt"] == ballot["receipt"]

    client.post("/account/delete", data={"keep": "erase", "password": resident.password})

    with in_db() as session:
        assert session.scalar(sa.select(Ballot.voter_id)) is None  # no one's ballot any more
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    outcome, channels = do(app, lambda h: operations.count(h), b)
    assert channels == {"online": 1, "paper": 0}
    assert outcome.chosen == [b.projects["ลานกีฬา"]]
