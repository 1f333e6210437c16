"""Supports: one per resident, a limit per process, exact counters, even under concurrency."""

import threading

import pytest
import sqlalchemy as sa

from participation.proposals.models import Contribution
from participation.votes.models import Support, SupportAllowance

JSON = {"Accept": "application/json"}


def _support(client, process, item_id, wanted=True):
    return client.post(
        f"/processes/{process.slug}/proposals/{item_id}/support",
        data={"support": "1" if wanted else "0"},
        headers=JSON,
    )


def _rows_and_counters(in_db):
    with in_db() as session:
        rows = dict(
            session.execute(
                sa.select(Support.proposal_id, sa.func.count()).group_by(Support.proposal_id)
            ).all()
        )
        counters = dict(
            session.execute(
                sa.select(Contribution.id, Contribution.support_count).where(
                    Contribution.kind == "proposal"
                )
            ).all()
        )
        return rows, counters


def _counters_equal_rows(in_db):
    rows, counters = _rows_and_counters(in_db)
    return all(counters[pid] == rows.get(pid, 0) for pid in counters)


def test_resident_supports_once_and_withdraws(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(create_user())

    first = _support(client, process, item_id)
    second = _support(client, process, item_id)
    withdrawn = _support(client, process, item_id, wanted=False)

    assert (first.json["support_count"], second.json["support_count"]) == (1, 1)
    assert withdrawn.json["support_count"] == 0
    assert _counters_equal_rows(in_db)


def test_support_limit_is_shown_and_enforced(
    client, auth, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine", max_supports=2)
    ids = [create_contribution(process, resident, title=f"ข้อเสนอ {n}") for n in range(3)]
    auth.login(create_user())

    answers = [_support(client, process, item_id) for item_id in ids]

    assert [a.status_code for a in answers] == [200, 200, 409]
    assert answers[1].json["supports_left"] == 0
    assert answers[1].json["supports_left_text"] == thai(
        "%(left)s of %(total)s supports left", left=0, total=2
    )
    assert thai(
        "You have used all %(count)s supports in this process. Withdraw one to support another "
        "proposal.", count=2,
    ) == answers[2].json["message"]  # fmt: skip
    _support(client, process, ids[0], wanted=False)
    assert _support(client, process, ids[2]).status_code == 200
    assert _counters_equal_rows(in_db)
    page = client.get(f"/processes/{process.slug}/proposals").get_data(as_text=True)
    assert thai("%(left)s of %(total)s supports left", left=0, total=2) in page


def test_qualifying_proposals_are_flagged(
    client, auth, resident, create_user, create_process, create_contribution, thai
):
    process = create_process("reimagine", support_threshold=2)
    item_id = create_contribution(process, resident)
    for _ in range(2):
        auth.login(create_user())
        _support(client, process, item_id)
        auth.logout()

    page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)
    assert thai("Qualifies for council review") in page


def test_support_without_javascript_redirects_back(
    client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(create_user())

    response = client.post(f"/processes/{process.slug}/proposals/{item_id}/support")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{item_id}")


def test_supporting_a_withdrawn_proposal_is_refused(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    client.post(f"/processes/{process.slug}/proposals/{item_id}/withdraw")
    auth.logout()
    auth.login(create_user())

    assert _support(client, process, item_id).status_code == 409
    assert _rows_and_counters(in_db)[1][item_id] == 0


def test_affected_is_once_per_resident(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reframe")
    issue_id = create_contribution(process, resident, kind="issue")
    auth.login(create_user())
    url = f"/processes/{process.slug}/issues/{issue_id}/affected"

    first = client.post(url, headers=JSON).json
    second = client.post(url, headers=JSON).json
    undo = client.post(url, data={"affected": "0"}, headers=JSON).json

    assert (first["affected_count"], second["affected_count"], undo["affected_count"]) == (1, 1, 0)


def _parallel(count, action):
    """Run ``action(i)`` in ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        results[index] = action(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.slow
def test_fifty_simultaneous_supports_from_one_resident_make_one(
    live_server, resident, create_user, create_process, create_contribution, in_db
):
    from tests.live import Browser

    process = create_process("reimagine", max_supports=5)
    item_id = create_contribution(process, resident)
    supporter = create_user()
    server = live_server()
    browser = Browser(server.url)
    browser.login(supporter.email, supporter.password)
    token = browser.token(f"/processes/{process.slug}/proposals/{item_id}")
    path = f"/processes/{process.slug}/proposals/{item_id}/support"

    statuses = _parallel(
        50,
        lambda _i: browser.request(
            "POST", path, {"csrf_token": token, "support": "1"}, accept="application/json"
        )[0],  # fmt: skip
    )

    assert statuses == [200] * 50
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Support)) == 1
        assert session.get(Contribution, item_id).support_count == 1
        assert session.scalar(sa.select(SupportAllowance.used)) == 1
    assert server.errors() == []


@pytest.mark.slow
def test_simultaneous_supports_for_different_proposals_never_pass_the_limit(
    live_server, resident, create_user, create_process, create_contribution, in_db
):
    from tests.live import Browser

    process = create_process("reimagine", max_supports=5)
    ids = [create_contribution(process, resident, title=f"ข้อเสนอ {n}") for n in range(20)]
    supporter = create_user()
    server = live_server()
    browser = Browser(server.url)
    browser.login(supporter.email, supporter.password)
    token = browser.token(f"/processes/{process.slug}/proposals/{ids[0]}")

    statuses = _parallel(
        20,
        lambda i: browser.request(
            "POST", f"/processes/{process.slug}/proposals/{ids[i]}/support",
            {"csrf_token": token, "support": "1"}, accept="application/json",
        )[0],
    )  # fmt: skip

    assert sorted(statuses) == [200] * 5 + [409] * 15
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Support)) == 5
        assert session.scalar(sa.select(SupportAllowance.used)) == 5
    assert _counters_equal_rows(in_db)
    assert server.errors() == []
