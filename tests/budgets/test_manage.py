"""Preparing a budget: a facilitator sets it up from the process's proposals, officials review
the projects, voting opens and closes, results are published; an administrator may change a
result only with a public reason."""

import re
from types import SimpleNamespace

import sqlalchemy as sa

from tests.budgets.helpers import do


def _ids(page, pattern):
    return re.findall(pattern, page)


def test_a_facilitator_prepares_a_budget_from_a_proposal_and_runs_the_vote(
    app, client, auth, create_process, create_contribution, resident, municipality, in_db
):
    process = create_process("reimagine")
    proposal = create_contribution(process, resident, title="ไฟส่องทางซอย 5")
    base = f"/processes/{process.slug}/budget"
    auth.login(process.facilitator)

    assert client.get(f"{base}/manage").status_code == 200
    created = client.post(f"{base}/manage/settings", data={
        "title": "งบชุมชน 2570", "style": "approval", "max_choices": "1",
        "min_spend_percent": "0", "rule": "equal_shares"})  # fmt: skip
    assert created.status_code == 302
    client.post(f"{base}/manage/headings", data={
        "title": "ชุมชนเหนือ", "money": "300000", "area_id": str(municipality[0].id)})  # fmt: skip
    from participation.budgets.models import Budget, BudgetProject, Heading

    with in_db() as session:
        heading_id = session.scalar(sa.select(Heading.id))
    promoted = client.post(f"{base}/manage/projects", data={
        "heading_id": str(heading_id), "proposal_id": str(proposal)})  # fmt: skip
    assert promoted.status_code == 302
    again = client.post(f"{base}/manage/projects", data={
        "heading_id": str(heading_id), "proposal_id": str(proposal)})  # fmt: skip
    assert again.status_code == 422
    assert "ข้อเสนอนี้เป็นโครงการของงบประมาณนี้อยู่แล้ว" in again.get_data(as_text=True)

    with in_db() as session:
        project = session.scalar(sa.select(BudgetProject))
        assert (project.title, project.proposal_id) == ("ไฟส่องทางซอย 5", proposal)
    refused = client.post(f"{base}/manage/projects/{project.id}/review",
                          data={"feasible": "1", "cost": ""})  # fmt: skip
    assert refused.status_code == 422
    assert "ราคาประมาณการ" in refused.get_data(as_text=True)
    client.post(f"{base}/manage/projects/{project.id}/review",
                data={"feasible": "1", "cost": "250000", "responsible_unit": "กองช่าง"})  # fmt: skip

    client.post(f"{base}/manage/stage", data={"action": "open"})
    with in_db() as session:
        assert session.scalar(sa.select(Budget.stage)) == "ballot"
    # Once voting is open the rules are frozen: a change of rule is refused, the text is not.
    frozen = client.post(f"{base}/manage/settings", data={
        "title": "งบชุมชน 2570 (แก้ชื่อ)", "style": "knapsack", "max_choices": "1",
        "min_spend_percent": "0", "rule": "greedy"})  # fmt: skip
    assert frozen.status_code == 422
    with in_db() as session:
        assert session.scalar(sa.select(Budget.style)) == "approval"

    auth.logout()
    auth.login(resident)
    client.post(f"{base}/headings/{heading_id}/ballot", data={"projects": str(project.id)})
    auth.logout()
    auth.login(process.facilitator)
    client.post(f"{base}/manage/stage", data={"action": "close"})
    client.post(f"{base}/manage/stage", data={"action": "publish"})

    page = client.get(f"{base}/results").get_data(as_text=True)
    assert "ไฟส่องทางซอย 5: 1 เสียง ใช้ 250,000 บาท เหลือ 50,000 บาท" in page
    log = client.get("/transparency").get_data(as_text=True)
    assert "งบชุมชน 2570" in log


def test_only_an_administrator_changes_a_result_and_only_with_a_public_reason(
    app, client, auth, budget, create_user
):
    from participation.budgets import operations

    b = budget()
    voter = create_user()
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ไฟส่องสว่าง"]]), b, voter)
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))
    url = f"/processes/{b.process.slug}/budget/manage/headings/{b.heading_id}/override"
    change = {"project_id": str(b.projects["สวนหย่อม"]), "action": "add"}

    auth.login(b.process.facilitator)
    assert client.post(url, data={**change, "reason": "x"}).status_code == 403
    auth.logout()
    auth.login(create_user(roles=["admin"]))
    without = client.post(url, data={**change, "reason": ""})
    assert without.status_code == 422
    done = client.post(url, data={**change, "reason": "ได้งบสมทบจากจังหวัด"})
    assert done.status_code == 302

    results = client.get(f"/processes/{b.process.slug}/budget/results").get_data(as_text=True)
    assert "สวนหย่อม เพิ่มเข้าในโครงการที่ได้รับเลือก เหตุผล: ได้งบสมทบจากจังหวัด" in results
    auth.logout()
    assert "ได้งบสมทบจากจังหวัด" in client.get("/transparency").get_data(as_text=True)
