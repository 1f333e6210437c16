"""Spam defences that ask nothing of people: a hidden field, a minimum time, few links at first."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.core.models import utcnow
from participation.proposals.models import Contribution

REGISTRATION = {"display_name": "มาลี", "email": "malee@example.org",
                "password": "ดอกไม้บานที่แม่เหียะ2569", "preferred_language": "th",
                "consent": "y"}  # fmt: skip


def _started(app, seconds_ago):
    """The token of a form shown ``seconds_ago``."""

    class Earlier(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - seconds_ago)

    return URLSafeTimedSerializer(app.secret_key, salt="form-started", signer=Earlier).dumps(
        "shown"
    )


def _count(in_db, model):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_program_that_fills_the_hidden_field_is_refused(client, in_db, thai):
    response = client.post("/register", data={**REGISTRATION, "website": "http://spam.example"})

    assert response.status_code == 422
    assert thai("Something went wrong. Please send the form again.") in response.get_data(
        as_text=True
    )
    assert _count(in_db, User) == 0


def test_the_hidden_field_is_out_of_sight_and_out_of_reach(client):
    page = client.get("/register").get_data(as_text=True)
    trap = page.split('<div class="hp" aria-hidden="true">', 1)[1].split("</div>", 1)[0]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap


@pytest.fixture
def slow_forms(app):
    app.config["FORM_MIN_SECONDS"] = 3


def test_a_proposal_sent_faster_than_a_person_types_is_refused_then_accepted(
    app, slow_forms, client, auth, resident, create_process, in_db, thai
):
    process = create_process("reimagine")
    auth.login(resident)
    proposal = {"title": "ติดไฟถนนซอย 5", "body": "ซอยมืดมาก"}
    url = f"/processes/{process.slug}/proposals/new"

    too_quick = client.post(url, data={**proposal, "form_started": _started(app, 1)})
    forged = client.post(url, data={**proposal, "form_started": "not-a-token"})
    after_a_while = client.post(url, data={**proposal, "form_started": _started(app, 20)})

    assert too_quick.status_code == forged.status_code == 422
    assert thai("That was very quick. Please check what you wrote and send it again.") in (
        too_quick.get_data(as_text=True)
    )
    assert after_a_while.status_code == 302
    assert _count(in_db, Contribution) == 1


def test_new_accounts_put_few_links_in_a_comment_until_they_have_been_here_a_while(
    app, client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine")
    item_id = create_contribution(process, create_user(roles=["facilitator"]))
    auth.login(resident)
    body = "ดูที่ https://a.example และ https://b.example"

    refused = client.post(f"/contributions/{item_id}/comments", data={"body": body},
                          headers={"Accept": "application/json"})  # fmt: skip
    assert refused.status_code == 422
    assert thai(
        "New accounts can put at most %(count)s link(s) in a post during their first "
        "%(days)s days. Please remove the others.", count=1, days=3,
    ) == refused.get_json()["message"]  # fmt: skip
    assert _count(in_db, Comment) == 0

    with in_db() as session:
        session.get(User, resident.id).created_dt = utcnow() - timedelta(days=4)
        session.commit()
    accepted = client.post(f"/contributions/{item_id}/comments", data={"body": body})
    assert accepted.status_code == 302
    assert _count(in_db, Comment) == 1


def test_facilitators_are_not_limited(client, auth, facilitator, create_process, in_db):
    process = create_process("reimagine")
    auth.login(facilitator)
    response = client.post(f"/processes/{process.slug}/proposals/new",
                           data={"title": "แหล่งข้อมูล",
                                 "body": "https://a.example https://b.example"})  # fmt: skip
    assert response.status_code == 302
