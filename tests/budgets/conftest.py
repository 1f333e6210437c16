"""A budget ready for ballots, shared by the budget tests."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def budget(app, create_process, municipality):
    """A budget in review: the north community's heading (500,000 baht) with four projects,
    one of them found not feasible."""
    from participation.budgets import operations
    from participation.extensions import db
    from participation.processes.models import Process

    def make(style="approval", max_choices=2, min_spend_percent=0, rule="greedy", open_=True):
        process = create_process("reimagine")
        with app.app_context():
            budget = operations.create_budget(
                db.session.get(Process, process.id), "งบประมาณชุมชน 2570", style=style,
                max_choices=max_choices, min_spend_percent=min_spend_percent, rule=rule,
            )  # fmt: skip
            heading = operations.add_heading(budget, "ชุมชนเหนือ", 500_000, municipality[0].id)
            costs = {"ไฟส่องสว่าง": 350_000, "ลานกีฬา": 200_000, "สวนหย่อม": 150_000}
            projects = {}
            for title, cost in costs.items():
                project = operations.add_project(heading, title)
                operations.review_project(project, feasible=True, cost=cost)
                projects[title] = project.id
            rejected = operations.add_project(heading, "สะพานลอย")
            operations.review_project(rejected, feasible=False, reason="ไม่ใช่อำนาจของเทศบาล")
            if open_:
                operations.open_ballot(budget)
            db.session.commit()
            made = SimpleNamespace(id=budget.id, heading_id=heading.id, projects=projects,
                                   rejected=rejected.id, process=process)  # fmt: skip
            db.session.remove()
        return made

    return make
