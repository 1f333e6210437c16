"""The budget as residents see it: projects and reasons, the ballot, the receipt, the results
explained step by step, and the anonymised ballots to recount."""

import csv
import io
from types import SimpleNamespace

from tests.budgets.helpers import choices, do


def _url(b, rest=""):
    return f"/processes/{b.process.slug}/budget{rest}"


def test_residents_see_the_projects_their_costs_and_why_one_is_not_on_the_ballot(client, budget):
    b = budget()
    page = client.get(_url(b)).get_data(as_text=True)

    assert "งบประมาณชุมชน 2570" in page
    assert "350,000" in page  # the lights' estimated cost
    assert "ไม่ใช่อำนาจของเทศบาล" in page  # the public reason the bridge is not on the ballot
    assert "เลือกได้สูงสุด 2 โครงการ" in page  # how voting works, before anyone tries


def test_a_resident_votes_on_the_ballot_page_and_checks_the_receipt(client, auth, budget, resident):
    b = budget()
    auth.login(resident)
    ballot_url = _url(b, f"/headings/{b.heading_id}/ballot")
    form = client.get(ballot_url).get_data(as_text=True)
    assert 'name="projects"' in form

    answer = client.post(ballot_url, data={"projects": [b.projects["ลานกีฬา"]]})
    assert answer.status_code == 302
    receipt = answer.headers["Location"].split("code=")[1]

    check = client.get(_url(b, "/receipt"), query_string={"code": receipt.lower()})
    assert "นับคะแนนแล้ว" in check.get_data(as_text=True)
    wrong = client.get(_url(b, "/receipt"), query_string={"code": "ZZZZZZZZZZ"})
    assert "ไม่พบบัตรลงคะแนน" in wrong.get_data(as_text=True)

    again = client.get(ballot_url).get_data(as_text=True)
    assert f'value="{b.projects["ลานกีฬา"]}" data-cost="200000" checked' in again


def test_a_refused_ballot_comes_back_with_the_reason_and_the_ticks_kept(
    client, auth, budget, resident
):
    b = budget()
    auth.login(resident)
    picked = [b.projects["ไฟส่องสว่าง"], b.projects["ลานกีฬา"], b.projects["สวนหย่อม"]]

    answer = client.post(_url(b, f"/headings/{b.heading_id}/ballot"), data={"projects": picked})

    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "เลือกได้ไม่เกิน 2 โครงการ" in page
    assert page.count("checked") == 3  # what the resident ticked is still ticked


def test_results_stay_hidden_until_published_then_explain_each_step(
    app, client, auth, budget, create_user, resident
):
    from participation.budgets import operations

    b = budget()
    for names in (["ไฟส่องสว่าง"], ["ไฟส่องสว่าง"], ["ลานกีฬา", "สวนหย่อม"]):
        do(app, lambda h, u, ids=[b.projects[n] for n in names]: operations.cast_ballot(h, u, ids),
            b, create_user())  # fmt: skip
    assert client.get(_url(b, "/results")).status_code == 404
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    assert client.get(_url(b, "/results")).status_code == 404  # counting: organisers only
    auth.login(b.process.facilitator)
    assert "ยังไม่ได้ประกาศ" in client.get(_url(b, "/results")).get_data(as_text=True)
    auth.logout()
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))

    page = client.get(_url(b, "/results")).get_data(as_text=True)

    assert "ไฟส่องสว่าง: 2 เสียง ใช้ 350,000 บาท เหลือ 150,000 บาท" in page
    # The garden and the sports ground have one vote each: the cheaper garden goes first.
    assert "สวนหย่อม: 1 เสียง ใช้ 150,000 บาท เหลือ 0 บาท" in page
    assert "ลานกีฬา: 1 เสียง ต้องใช้ 200,000 บาท แต่เหลือเพียง 0 บาท จึงข้าม" in page
    assert "ลงคะแนนออนไลน์ 3 ใบ" in page
    # Beside it, what equal shares would have chosen: the lights' two voters together pay
    # 350,000 once each share is raised to 175,000 baht, and the garden's voter pays 150,000.
    comparison = page.split("กติกาอื่นจะเลือกโครงการใด")[1]
    assert "ไฟส่องสว่าง: 2 เสียง ใช้ 350,000 บาท เหลือ 150,000 บาท" in comparison
    assert "สวนหย่อม: 1 เสียง ใช้ 150,000 บาท เหลือ 0 บาท" in comparison
    # The budget's page marks the two winners.
    assert client.get(_url(b)).get_data(as_text=True).count("ประชาชนเลือกแล้ว") == 2


def test_anyone_can_download_the_anonymised_ballots_once_published(
    app, client, budget, create_user
):
    from participation.budgets import operations, pabulib

    b = budget()
    voters = [create_user() for _ in range(3)]
    for voter in voters:
        do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["สวนหย่อม"]]), b, voter)
    assert client.get(_url(b, "/ballots.csv")).status_code == 404
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))

    text = client.get(_url(b, "/ballots.csv")).get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["projects"] for row in rows] == [str(b.projects["สวนหย่อม"])] * 3
    assert not any(voter.email in text or voter.name in text for voter in voters)

    pb = client.get(_url(b, f"/headings/{b.heading_id}/ballots.pb")).get_data(as_text=True)
    meta, projects, votes = pabulib.read(pb)
    assert (meta["budget"], meta["num_votes"], meta["max_length"]) == ("500000", "3", "2")
    assert {row["name"]: row["selected"] for row in projects}["สวนหย่อม"] == "1"
    assert len(votes) == 3


def test_the_process_page_leads_to_its_budget(client, budget):
    b = budget()
    page = client.get(f"/processes/{b.process.slug}").get_data(as_text=True)
    assert f'href="/processes/{b.process.slug}/budget"' in page
    assert "งบประมาณแบบมีส่วนร่วม: เปิดลงคะแนน" in page


def test_a_registrar_keys_a_paper_ballot_twice_and_it_replaces_the_online_one(
    app, client, auth, budget, resident, create_user
):
    from participation.budgets import operations

    b = budget()
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    auth.login(create_user(roles=["registrar"]))
    found = client.get(_url(b, "/paper"), query_string={"q": resident.email}).get_data(as_text=True)
    assert resident.name in found
    key = f"{_url(b)}/paper/{b.heading_id}/{resident.id}"
    paper = {"projects": [b.projects["สวนหย่อม"]], "q": resident.email}

    first = client.post(key, data=paper, follow_redirects=True).get_data(as_text=True)
    assert "บันทึกครั้งแรกแล้ว" in first
    second = client.post(key, data=paper, follow_redirects=True).get_data(as_text=True)
    assert "บัตรกระดาษใบนี้นับคะแนนแล้ว" in second
    assert "แทนบัตรที่ผู้ลงคะแนนคนนี้ลงออนไลน์ไว้" in second
    assert choices(app, b, resident) == ({"paper"}, {b.projects["สวนหย่อม"]})


def test_the_budget_page_says_before_voting_that_verification_is_needed(
    app, client, auth, budget, resident, create_user
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.verification import operations as verification

    b = budget()
    admin = create_user(roles=["admin"])
    with app.app_context():
        verification.set_requirements(db.session.get(Process, b.process.id), ["ballot"], False,
                                      db.session.get(User, admin.id))  # fmt: skip
        db.session.commit()
        db.session.remove()
    auth.login(resident)

    page = client.get(_url(b)).get_data(as_text=True)

    assert "ยืนยันสิทธิ์ที่สำนักงานเทศบาล หรือกรอกรหัสจากจดหมาย" in page
    assert f"/headings/{b.heading_id}/ballot" not in page  # no "vote" button to be refused on
