"""The action log's words for participatory budgets (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.extensions import db


def _budgets(ids):
    from participation.budgets.models import Budget
    from participation.processes.models import Process

    rows = db.session.execute(
        sa.select(Budget.id, Budget.title, Process.slug, Process.is_published)
        .join(Process, Process.id == Budget.process_id)
        .where(Budget.id.in_(ids))
    )
    found = {}
    for row in rows:
        text = _("the budget %(title)s", title=quoted(row.title))
        url = url_for("budgets.show", slug=row.slug)
        public = (text, url) if row.is_published else (_("a budget not yet published"), None)
        found[row.id] = Target(text, url, *public)
    return found


def _projects(ids):
    from participation.budgets.models import Budget, BudgetProject, Heading
    from participation.processes.models import Process

    rows = db.session.execute(
        sa.select(BudgetProject.id, BudgetProject.title, Heading.title.label("heading"),
                  Process.slug, Process.is_published)
        .join(Heading, Heading.id == BudgetProject.heading_id)
        .join(Budget, Budget.id == Heading.budget_id)
        .join(Process, Process.id == Budget.process_id)
        .where(BudgetProject.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        text = _("the project %(title)s (%(heading)s)", title=quoted(row.title),
                 heading=row.heading)  # fmt: skip
        url = url_for("budgets.results", slug=row.slug)
        public = (text, url) if row.is_published else (_("a budget project"), None)
        found[row.id] = Target(text, url, *public)
    return found


register_target("budgets", _budgets)
register_target("budget_projects", _projects)
register_action(
    "budget.open", _l("Budget voting opened"), _l("%(actor)s opened voting on %(target)s"),
    _l("Voting opened on %(target)s"),
)  # fmt: skip
register_action(
    "budget.close", _l("Budget voting closed"), _l("%(actor)s closed voting on %(target)s"),
    _l("Voting closed on %(target)s"),
)  # fmt: skip
register_action(
    "budget.publish", _l("Budget results published"),
    _l("%(actor)s published the results of %(target)s"),
    _l("The results of %(target)s were published"),
)  # fmt: skip
register_action(
    "budget.add_winner", _l("Projects added to budget results"),
    _l("%(actor)s added %(target)s to the winners"),
    _l("An administrator added %(target)s to the winners"),
)  # fmt: skip
register_action(
    "budget.drop_winner", _l("Projects dropped from budget results"),
    _l("%(actor)s dropped %(target)s from the winners"),
    _l("An administrator dropped %(target)s from the winners"),
)  # fmt: skip
