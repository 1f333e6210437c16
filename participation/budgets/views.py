"""A process's participatory budget as residents see it: the projects and why some are not on
the ballot, the ballot of each heading, the receipt check, the results step by step, and the
anonymised ballots anyone can download to recount."""

import random

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.budgets import operations, pabulib
from participation.budgets.models import Ballot, Budget, Heading, Rule, Stage, Style
from participation.core.exports import csv_response
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.extensions import db, write_limit
from participation.processes.views import load_process

bp = Blueprint("budgets", __name__, url_prefix="/processes/<slug>/budget")


def load_budget(slug):
    process = load_process(slug)
    budget = db.session.scalar(sa.select(Budget).where(Budget.process_id == process.id))
    if budget is None:
        abort(404)
    return process, budget


def load_heading(budget, heading_id):
    heading = db.session.get(Heading, heading_id)
    if heading is None or heading.budget_id != budget.id:
        abort(404)
    return heading


def _prepares(process):
    return current_user.is_authenticated and can(current_user, Permission.MANAGE_PROCESSES, process)


@bp.route("")
def show(slug):
    process, budget = load_budget(slug)
    ballots = {}
    if current_user.is_authenticated:
        ballots = {
            ballot.heading_id: ballot
            for ballot in db.session.scalars(
                sa.select(Ballot).where(
                    Ballot.voter_id == current_user.id,
                    Ballot.heading_id.in_([h.id for h in budget.headings]),
                )
            )
        }
    return render_template(
        "budgets/show.html", process=process, budget=budget, ballots=ballots,
        voting_open=operations.voting_open(budget), Stage=Stage, Style=Style, Rule=Rule,
    )  # fmt: skip


@bp.route("/headings/<int:heading_id>/ballot", methods=["GET", "POST"])
@login_required
@write_limit("ballot", exempt_when=lambda: request.method == "GET")
def ballot(slug, heading_id):
    process, budget = load_budget(slug)
    heading = load_heading(budget, heading_id)
    mine = operations.ballot_of(heading, current_user)
    chosen = {choice.project_id for choice in mine.choices} if mine else set()
    error = None
    if request.method == "POST":
        picked = request.form.getlist("projects")
        try:
            cast = operations.cast_ballot(heading, current_user, picked)
        except RuleError as refused:
            db.session.rollback()
            error = refused.message
            chosen = {int(value) for value in picked if value.isdigit()}
        else:
            receipt = cast.receipt
            db.session.commit()
            flash(_("Your ballot is counted. Keep your receipt: %(receipt)s", receipt=receipt),
                  "success")  # fmt: skip
            return redirect(url_for(".receipt", slug=slug, code=receipt))
    else:
        try:
            operations.require_voter(heading, current_user)
        except RuleError as refused:
            error = refused.message
    status = 409 if error and request.method == "POST" else 200
    return render_template(
        "budgets/ballot.html", process=process, budget=budget, heading=heading, mine=mine,
        chosen=chosen, error=error, projects=operations.ballot_projects(heading),
        voting_open=operations.voting_open(budget), Style=Style,
    ), status  # fmt: skip


@bp.route("/receipt")
def receipt(slug):
    process, budget = load_budget(slug)
    code = request.args.get("code", "").strip()
    found = operations.find_receipt(budget, code) if code else None
    return render_template(
        "budgets/receipt.html", process=process, budget=budget, code=code, found=found
    )


def _results_visible(process, budget):
    return budget.current_stage == Stage.PUBLISHED or (
        budget.current_stage == Stage.COUNTING and _prepares(process)
    )


@bp.route("/results")
def results(slug):
    process, budget = load_budget(slug)
    if not _results_visible(process, budget):
        abort(404)
    sections = []
    for heading in budget.headings:
        record = operations.published_results(heading)
        if record is None:  # counting: the preparers' preview, counted now
            record = operations.results_record(*operations.count(heading))
        titles = {project.id: project for project in heading.projects}
        sections.append((heading, record, titles))
    return render_template(
        "budgets/results.html", process=process, budget=budget, sections=sections, Rule=Rule,
        preview=budget.current_stage != Stage.PUBLISHED,
    )  # fmt: skip


def _anonymised_ballots(budget):
    """Every ballot of a published budget without its voter, shuffled: (heading, project ids)."""
    if budget.current_stage != Stage.PUBLISHED:
        abort(404)
    rows = []
    for heading in budget.headings:
        ballots, _channels = operations.ballots_of(heading)
        rows.extend((heading, sorted(ballot)) for ballot in ballots)
    random.SystemRandom().shuffle(rows)
    return rows


@bp.route("/ballots.csv")
def ballots_csv(slug):
    _process, budget = load_budget(slug)
    rows = _anonymised_ballots(budget)
    return csv_response(
        f"budget-{budget.id}-ballots.csv",
        ["heading_id", "heading", "projects"],
        [[heading.id, heading.title, " ".join(map(str, ids))] for heading, ids in rows],
    )


@bp.route("/headings/<int:heading_id>/ballots.pb")
def ballots_pb(slug, heading_id):
    process, budget = load_budget(slug)
    heading = load_heading(budget, heading_id)
    ballots = [ids for owner, ids in _anonymised_ballots(budget) if owner.id == heading.id]
    record = operations.published_results(heading) or {}
    chosen = set(record.get("chosen", []))
    votes = {}
    for ballot in ballots:
        for project_id in ballot:
            votes[project_id] = votes.get(project_id, 0) + 1
    projects = [
        {
            "project_id": p.id,
            "cost": p.cost,
            "votes": votes.get(p.id, 0),
            "name": p.title,
            "selected": p.id in chosen,
        }  # fmt: skip
        for p in operations.ballot_projects(heading)
    ]
    meta = [
        ("description", f"{process.title_th}: {heading.title}"),
        ("country", "Thailand"),
        ("unit", heading.title),
        ("instance", budget.published_dt.date().isoformat()),
        ("budget", heading.money),
        ("vote_type", "approval"),
        ("rule", "greedy" if budget.rule == Rule.GREEDY else "equalshares"),
    ]
    if budget.style == Style.APPROVAL and budget.max_choices:
        meta.append(("max_length", budget.max_choices))
    if budget.style == Style.KNAPSACK:
        meta.append(("max_sum_cost", heading.money))
    text = pabulib.write(meta, projects, ballots)
    return Response(
        text, mimetype="text/plain",
        headers={"Content-Disposition":
                 f'attachment; filename="budget-{budget.id}-heading-{heading.id}.pb"'},
    )  # fmt: skip
