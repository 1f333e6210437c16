"""API: participatory budgets, their headings and projects, the resident's own ballot, and the
published results with each step of the rule.

Casting a ballot here calls the operation the ballot page calls: one rule, one place.
"""

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

from participation.api import schemas as s
from participation.api.framework import READ, WRITE, operation, paginated
from participation.api.problems import ApiError
from participation.api.views import bp
from participation.budgets import operations
from participation.budgets.models import Budget, Stage
from participation.core.i18n import N_
from participation.core.rules import RuleError
from participation.extensions import db
from participation.processes.models import Process
from participation.processes.operations import process_is_visible
from participation.proposals.listing import Page

StageName = Literal["review", "ballot", "counting", "published"]


class BudgetItem(s.Model):
    id: int
    title: str
    process: str = Field(description=N_("The slug of the process the budget belongs to."))
    stage: StageName
    style: Literal["approval", "knapsack"]
    max_choices: int | None = Field(description=N_("Approval ballots: the most projects."))
    min_spend_percent: int = Field(description=N_("Knapsack ballots: the least share to spend."))
    rule: Literal["greedy", "equal_shares"]
    url: str


class BudgetProjectItem(s.Model):
    id: int
    title: str
    summary: str
    cost: int | None = Field(description=N_("The estimated cost in baht, once reviewed."))
    review: Literal["pending", "feasible", "not_feasible"]
    review_reason: str = Field(description=N_("Why it is not on the ballot, when it is not."))
    responsible_unit: str
    proposal_id: int | None


class HeadingItem(s.Model):
    id: int
    title: str
    money: int = Field(description=N_("Baht."))
    community: str | None = Field(description=N_("The community whose residents vote here."))
    projects: list[BudgetProjectItem]


class BudgetDetail(BudgetItem):
    description: str
    headings: list[HeadingItem]


class BallotInput(s.Model):
    project_ids: list[s.Id] = Field(max_length=200, description=N_("The projects chosen."))


class BallotState(s.Model):
    heading_id: int
    project_ids: list[int]
    channel: Literal["online", "paper"]
    receipt: str = Field(description=N_("What the voter keeps to check the ballot was counted."))
    cast: datetime


class ResultStep(s.Model):
    project_id: int
    action: Literal["chosen", "skipped", "completed"]
    votes: int
    cost: int
    left: float = Field(description=N_("Baht left in the heading after this step."))
    share: float | None = Field(description=N_("Equal shares: the most one supporter paid."))
    full_payers: int | None


class Override(s.Model):
    project_id: int
    action: Literal["add", "drop"]
    reason: str
    date: datetime


class HeadingResult(s.Model):
    heading_id: int
    title: str
    money: int
    ballots: dict[str, int] = Field(description=N_("Ballots by channel: online and paper."))
    chosen: list[int] = Field(description=N_("Winning projects in the order chosen, after any "
                                             "administrator's change."))  # fmt: skip
    steps: list[ResultStep]
    overrides: list[Override]


class BudgetResults(s.Model):
    budget_id: int
    rule: Literal["greedy", "equal_shares"]
    headings: list[HeadingResult]


def _visible_budget(budget_id):
    budget = db.session.get(Budget, budget_id)
    if budget is None or not process_is_visible(budget.process, current_user):
        raise ApiError(404)
    return budget


def _item(budget):
    return {
        "id": budget.id, "title": budget.title, "process": budget.process.slug,
        "stage": budget.stage, "style": budget.style, "max_choices": budget.max_choices,
        "min_spend_percent": budget.min_spend_percent, "rule": budget.rule,
        "url": url_for("api.getBudget", budget_id=budget.id),
    }  # fmt: skip


@operation(bp, "/budgets", "GET", "listBudgets", _l("List participatory budgets"),
           tag="budgets", query=s.PageQuery, response=s.Paginated[BudgetItem], paginated=True,
           description=_l("Budgets of published processes, the latest first."))  # fmt: skip
def list_budgets(query):
    base = (
        sa.select(Budget)
        .join(Process, Process.id == Budget.process_id)
        .where(Process.is_published.is_(True))
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    rows = db.session.scalars(
        base.options(sa.orm.joinedload(Budget.process))
        .order_by(Budget.id.desc())
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    page = Page(rows, total, query.page, query.per_page, "")
    return paginated("api.listBudgets", {}, [_item(b) for b in rows], page,
                     per_page=query.per_page)  # fmt: skip


@operation(bp, "/budgets/<int:budget_id>", "GET", "getBudget",
           _l("Get a budget with its headings and projects"), tag="budgets",
           response=BudgetDetail)  # fmt: skip
def get_budget(budget_id):
    from participation.core.i18n import localized

    budget = _visible_budget(budget_id)
    return {
        **_item(budget), "description": budget.description,
        "headings": [{
            "id": h.id, "title": h.title, "money": h.money,
            "community": localized(h.area, "name") if h.area else None,
            "projects": [{
                "id": p.id, "title": p.title, "summary": p.summary, "cost": p.cost,
                "review": p.review, "review_reason": p.review_reason,
                "responsible_unit": p.responsible_unit, "proposal_id": p.proposal_id,
            } for p in h.projects],
        } for h in budget.headings],
    }  # fmt: skip


def _heading(budget, heading_id):
    heading = next((h for h in budget.headings if h.id == heading_id), None)
    if heading is None:
        raise ApiError(404)
    return heading


def _ballot_state(ballot):
    return {
        "heading_id": ballot.heading_id, "channel": ballot.channel, "receipt": ballot.receipt,
        "project_ids": sorted(choice.project_id for choice in ballot.choices),
        "cast": ballot.cast_dt,
    }  # fmt: skip


@operation(bp, "/budgets/<int:budget_id>/headings/<int:heading_id>/ballot", "GET", "getMyBallot",
           _l("Get your own ballot in a heading"), tag="budgets", auth=READ,
           response=BallotState)  # fmt: skip
def get_my_ballot(budget_id, heading_id):
    heading = _heading(_visible_budget(budget_id), heading_id)
    ballot = operations.ballot_of(heading, current_user)
    if ballot is None:
        raise ApiError(404, _("You have not voted in this heading."))
    return _ballot_state(ballot)


@operation(bp, "/budgets/<int:budget_id>/headings/<int:heading_id>/ballot", "PUT", "castBallot",
           _l("Cast or change your ballot in a heading"), tag="budgets", auth=WRITE,
           body=BallotInput, response=BallotState, errors=(409,), limit_scope="ballot",
           description=_l("The last ballot counts until voting closes. A paper ballot "
                          "entered by a registrar cannot be replaced online."))  # fmt: skip
def cast_ballot(budget_id, heading_id, body):
    heading = _heading(_visible_budget(budget_id), heading_id)
    try:
        ballot = operations.cast_ballot(heading, current_user, body.project_ids)
    except RuleError as error:  # the page's field is "projects"; here it is "project_ids"
        raise RuleError(error.message, "project_ids" if error.field else None) from None
    db.session.flush()
    db.session.refresh(ballot)
    return _ballot_state(ballot)


@operation(bp, "/budgets/<int:budget_id>/results", "GET", "getBudgetResults",
           _l("Get the published results, heading by heading, with the rule's steps"),
           tag="budgets", response=BudgetResults)  # fmt: skip
def get_results(budget_id):
    budget = _visible_budget(budget_id)
    if budget.current_stage != Stage.PUBLISHED:
        raise ApiError(404, _("The results of this budget are not published yet."))
    headings = []
    for heading in budget.headings:
        record = operations.published_results(heading)
        overrides = operations.overrides_of(heading)
        headings.append({
            "heading_id": heading.id, "title": heading.title, "money": heading.money,
            "ballots": record["ballots"], "chosen": operations.winners(heading, overrides),
            "steps": [{
                "project_id": step["project"], "action": step["action"], "votes": step["votes"],
                "cost": step["cost"], "left": step["left"], "share": step["share"],
                "full_payers": step["full_payers"],
            } for step in record["steps"]],
            "overrides": [{
                "project_id": o.project_id, "action": o.action, "reason": o.reason,
                "date": o.created_dt,
            } for o in overrides],
        })  # fmt: skip
    return {"budget_id": budget.id, "rule": budget.rule, "headings": headings}
