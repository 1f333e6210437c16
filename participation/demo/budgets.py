"""The demo's participatory budget: three communities' headings in the school-routes process,
projects from residents' proposals and from staff, a closed ballot with online and paper
ballots, and published results (equal shares, with what greedy would have chosen beside it).

Everything goes through the budget operations, as facilitators, residents and registrars use
them."""

from datetime import timedelta

from participation.accounts import operations as accounts
from participation.budgets import operations as budgets
from participation.budgets.models import Rule, Style
from participation.core.models import utcnow

PROJECTS = [
    # heading index, title, cost, feasible, reason or unit
    (0, "ไฟส่องสว่างพลังงานแสงอาทิตย์ ซอย 5", 240_000, True, "กองช่าง"),
    (0, "ลานจอดรถรับส่งนักเรียนหน้าโรงเรียนบ้านป่าจี้", 150_000, True, "กองช่าง"),
    (0, "กระจกโค้งจราจรตามทางแยกในซอย", 45_000, True, "งานจราจร"),
    (1, "ทางม้าลายยกระดับหน้าโรงเรียนแม่เหียะ", 320_000, True, "กองช่าง"),
    (1, "ป้ายเขตโรงเรียนและไฟกะพริบ", 85_000, True, "งานจราจร"),
    (1, "ทางเท้าใหม่ถนนหน้าตลาด", 450_000, True, "กองช่าง"),
    (
        1,
        "สะพานลอยคนข้ามถนนทางหลวง",
        None,
        False,
        "ถนนเส้นนี้เป็นทางหลวงแผ่นดิน อยู่ในความดูแลของกรมทางหลวง เทศบาลจึงทำเองไม่ได้ "
        "เทศบาลส่งเรื่องให้แขวงทางหลวงเชียงใหม่แล้ว",
    ),  # fmt: skip
    (2, "ไฟส่องสว่างทางเดินริมคลองชลประทาน", 150_000, True, "กองช่าง"),
    (2, "จุดรอรถโรงเรียนมีหลังคา 3 จุด", 120_000, True, "กองช่าง"),
    (2, "อาสาสมัครข้ามถนนพร้อมเสื้อสะท้อนแสง", 30_000, True, "กองสวัสดิการสังคม"),
]
HEADING_MONEY = (450_000, 500_000, 250_000)
# Who votes for what: (heading index, project indexes within the heading, number of voters).
ONLINE = [
    (0, (0,), 5),
    (0, (1, 2), 3),
    (0, (0, 2), 2),
    (1, (0,), 6),
    (1, (0, 1), 3),
    (1, (2,), 4),
    (2, (0, 1), 4),
    (2, (2,), 2),
]
PAPER = [(0, (1,), 3), (1, (1,), 2), (2, (1, 2), 3)]


def _voter(number):
    from participation.demo.seed import DEMO_PASSWORD

    return accounts.register_user(
        email=f"budget-voter{number}@ruamkid.test", display_name=f"ผู้ลงคะแนน {number}",
        password=DEMO_PASSWORD, preferred_language="th", consent=True,
    )  # fmt: skip


def seed_budget(users, processes, municipality):
    """A published budget in the school-routes process (the caller commits)."""
    from participation.core.transactions import writing

    facilitator = users["facilitator@ruamkid.test"]
    process = processes["school"]
    areas = municipality.areas
    budget = budgets.create_budget(
        process, "งบประมาณแบบมีส่วนร่วม ปี 2570: ทางไปโรงเรียนปลอดภัย",
        description="เทศบาลกันงบลงทุน 1,200,000 บาทให้ผู้อยู่อาศัยสามชุมชนเลือกโครงการเอง "
        "ชุมชนละวงเงิน ลงคะแนนได้ทั้งออนไลน์และด้วยบัตรกระดาษที่สำนักงานเทศบาล",
        style=Style.APPROVAL, max_choices=2, rule=Rule.EQUAL_SHARES,
    )  # fmt: skip
    headings = [
        budgets.add_heading(budget, area.name_th, money, area.id)
        for area, money in zip(areas[:3], HEADING_MONEY, strict=True)
    ]
    by_heading = [[] for _ in headings]
    for index, title, cost, feasible, note in PROJECTS:
        project = budgets.add_project(headings[index], title)
        if feasible:
            budgets.review_project(project, feasible=True, cost=cost, responsible_unit=note)
        else:
            budgets.review_project(project, feasible=False, reason=note)
        by_heading[index].append(project)
    now = utcnow()
    budgets.open_ballot(budget, now=now - timedelta(days=30), by=facilitator)
    number = 0
    with writing():
        for index, picks, voters in ONLINE:
            for _ in range(voters):
                number += 1
                voter = _voter(number)
                projects = [by_heading[index][pick].id for pick in picks]
                budgets.cast_ballot(headings[index], voter, projects, now=now - timedelta(days=20))
        registrar = facilitator
        for index, picks, voters in PAPER:
            for _ in range(voters):
                number += 1
                voter = _voter(number)
                projects = [by_heading[index][pick].id for pick in picks]
                for _keying in (1, 2):  # entered twice, as the rules ask
                    budgets.key_paper_ballot(
                        headings[index], voter, registrar, projects, now=now - timedelta(days=12)
                    )
    budgets.close_ballot(budget, now=now - timedelta(days=9), by=facilitator)
    # The count runs as a job; the demo counts at once (the queued job then finds it published
    # and does nothing), so that the results are there without a worker.
    budgets.count_budget(budget_id=budget.id)
    budgets.publish_results(budget, now=now - timedelta(days=7), by=facilitator)
    return budget
