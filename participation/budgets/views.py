"""A process's participatory budget as residents see it: the projects and why some are not on
the ballot, the ballot of each heading, the receipt check, the results step by step, and the
anonymised ballots anyone can download to recount."""

import random

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from participation.budgets import operations, pabulib
from participation.budgets.forms import (
    BudgetForm,
    HeadingForm,
    OverrideForm,
    ProjectForm,
    ReviewForm,
)
from participation.budgets.models import Ballot, Budget, Heading, Rule, Stage, Style
from participation.core.exports import csv_response
from participation.core.i18n import localized
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.extensions import db, write_limit
from participation.processes.views import load_process, require_manager
from participation.verification.operations import required as verification_required

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
    refusals = {}  # why this reader could not vote in a heading, said before they try
    if operations.voting_open(budget) and current_user.is_authenticated:
        for heading in budget.headings:
            try:
                operations.require_voter(heading, current_user)
            except RuleError as refused:
                refusals[heading.id] = refused.message
    return render_template(
        "budgets/show.html", process=process, budget=budget, ballots=ballots, refusals=refusals,
        asks_verification=verification_required(process, "ballot") is not None,
        voting_open=operations.voting_open(budget), Stage=Stage, Style=Style, Rule=Rule,
        prepares=_prepares(process),
        registrar=current_user.is_authenticated and can(current_user, Permission.VERIFY_RESIDENTS),
        winners={
            project_id for heading in budget.headings for project_id in operations.winners(heading)
        } if budget.current_stage == Stage.PUBLISHED else set(),
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
    preview = budget.current_stage != Stage.PUBLISHED
    sections = []
    for heading in budget.headings:
        record = operations.published_results(heading)
        if record is None:  # the count is still running in the background
            sections.append((heading, None, {}, [], []))
            continue
        titles = {project.id: project for project in heading.projects}
        changes = [] if preview else operations.overrides_of(heading)
        final = operations.winners(heading, changes) if changes else record["chosen"]
        sections.append((heading, record, titles, changes, final))
    return render_template(
        "budgets/results.html", process=process, budget=budget, sections=sections, Rule=Rule,
        preview=preview,
    )  # fmt: skip


def _anonymised_ballots(budget, headings=None):
    """The ballots of a published budget (or of some of its headings) without their voters,
    shuffled: (heading, project ids)."""
    if budget.current_stage != Stage.PUBLISHED:
        abort(404)
    rows = []
    for heading in budget.headings if headings is None else headings:
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
    ballots = [ids for _heading, ids in _anonymised_ballots(budget, [heading])]
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


# --- preparing the budget (the process's facilitators and administrators) -----------------


def _load_for_manager(slug):
    process = load_process(slug)
    require_manager(process)
    return process, operations.budget_of(process)


def _manage_page(process, budget, forms=None, status=200):
    from participation.municipality.models import Area
    from participation.proposals.models import Proposal, Status

    forms = forms or {}
    settings = forms.get("settings") or BudgetForm(obj=budget, formdata=None)
    heading_form = forms.get("heading") or HeadingForm(formdata=None)
    heading_form.area_id.choices = [SelectChoice("", _("Every resident of the municipality"))] + [
        SelectChoice(str(area.id), localized(area, "name")) for area in db.session.scalars(
            sa.select(Area).order_by(Area.position))
    ]  # fmt: skip
    project_form = forms.get("project") or ProjectForm(formdata=None)
    if budget:
        project_form.heading_id.choices = [
            SelectChoice(str(h.id), h.title) for h in budget.headings
        ]
    proposals = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.process_id == process.id, Proposal.status != Status.WITHDRAWN)
        .order_by(Proposal.support_count.desc(), Proposal.id)
        .limit(500)
    ).all()
    project_form.proposal_id.choices = [SelectChoice("", _("None: a project entered by staff"))] + [
        SelectChoice(str(p.id), f"{p.title} ({p.support_count})") for p in proposals
    ]
    override_form = forms.get("override") or OverrideForm(formdata=None)
    return render_template(
        "budgets/manage.html", process=process, budget=budget, settings=settings,
        heading_form=heading_form, project_form=project_form, override_form=override_form,
        review_forms=forms.get("reviews", {}), Stage=Stage,
        differences={h.id: operations.paper_differences(h) for h in budget.headings}
        if budget else {},
        winners={h.id: operations.winners(h) for h in budget.headings} if budget else {},
        is_admin=can(current_user, Permission.MANAGE_USERS),
    ), status  # fmt: skip


def _attempt(process, budget, form_name, form, operation):
    """Validate ``form``, run ``operation()``; on success commit and return to the page."""
    if form.validate_on_submit():
        try:
            operation()
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".manage", slug=process.slug))
    else:
        db.session.rollback()
    budget = operations.budget_of(process)
    return _manage_page(process, budget, {form_name: form}, status=422)


@bp.route("/manage")
@login_required
def manage(slug):
    process, budget = _load_for_manager(slug)
    return _manage_page(process, budget)


@bp.route("/manage/settings", methods=["POST"])
@login_required
@write_limit("post")
def save_settings(slug):
    process, budget = _load_for_manager(slug)
    form = BudgetForm()

    def save():
        data = {
            "title": form.title.data.strip(), "description": form.description.data or "",
            "style": form.style.data, "max_choices": form.max_choices.data,
            "min_spend_percent": form.min_spend_percent.data or 0, "rule": form.rule.data,
        }  # fmt: skip
        if budget is None:
            operations.create_budget(process, **data)
        else:
            operations.update_budget(budget, **data)

    return _attempt(process, budget, "settings", form, save)


def _require_budget(budget):
    if budget is None:
        abort(404)
    return budget


@bp.route("/manage/headings", methods=["POST"])
@login_required
@write_limit("post")
def add_heading(slug):
    process, budget = _load_for_manager(slug)
    _require_budget(budget)
    form = HeadingForm()
    area_id = int(form.area_id.data) if (form.area_id.data or "").isdigit() else None
    return _attempt(process, budget, "heading", form, lambda: operations.add_heading(
        budget, form.title.data.strip(), form.money.data, area_id))  # fmt: skip


@bp.route("/manage/projects", methods=["POST"])
@login_required
@write_limit("post")
def add_project(slug):
    from participation.proposals.models import Proposal

    process, budget = _load_for_manager(slug)
    _require_budget(budget)
    form = ProjectForm()

    def add():
        heading_id = form.heading_id.data or ""
        heading = db.session.get(Heading, int(heading_id)) if heading_id.isdigit() else None
        if heading is None or heading.budget_id != budget.id:
            raise RuleError(_("Choose a heading of this budget."), field="heading_id")
        proposal_id = form.proposal_id.data or ""
        if proposal_id.isdigit():
            proposal = db.session.get(Proposal, int(proposal_id))
            if proposal is None:
                raise RuleError(_("Choose a proposal of this process."), field="proposal_id")
            project = operations.promote_proposal(heading, proposal)
        else:
            if not (form.title.data or "").strip():
                raise RuleError(_("Give the project a title."), field="title")
            project = operations.add_project(heading, form.title.data.strip())
        project.summary = (form.summary.data or "").strip()

    return _attempt(process, budget, "project", form, add)


@bp.route("/manage/projects/<int:project_id>/review", methods=["POST"])
@login_required
@write_limit("post")
def review(slug, project_id):
    from participation.budgets.models import BudgetProject

    process, budget = _load_for_manager(slug)
    _require_budget(budget)
    project = db.session.get(BudgetProject, project_id)
    if project is None or project.heading.budget_id != budget.id:
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _manage_page(process, budget, {"reviews": {project.id: form}}, status=422)
    try:
        operations.review_project(
            project, feasible=form.feasible.data == "1", reason=form.reason.data or "",
            cost=form.cost.data, responsible_unit=form.responsible_unit.data or "",
        )  # fmt: skip
    except RuleError as error:
        db.session.rollback()
        form.add_rule_error(error)
        budget = operations.budget_of(process)
        return _manage_page(process, budget, {"reviews": {project.id: form}}, status=422)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".manage", slug=slug))


STAGE_ACTIONS = {"open": operations.open_ballot, "close": operations.close_ballot,
                 "publish": operations.publish_results}  # fmt: skip


@bp.route("/manage/stage", methods=["POST"])
@login_required
@write_limit("post")
def change_stage(slug):
    process, budget = _load_for_manager(slug)
    _require_budget(budget)
    action = STAGE_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    try:
        action(budget, by=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".manage", slug=slug)), 303
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".manage", slug=slug))


@bp.route("/manage/headings/<int:heading_id>/override", methods=["POST"])
@login_required
@write_limit("post")
def override(slug, heading_id):
    from participation.budgets.models import BudgetProject

    process, budget = _load_for_manager(slug)
    _require_budget(budget)
    if not can(current_user, Permission.MANAGE_USERS):  # administrators only
        abort(403)
    heading = load_heading(budget, heading_id)
    form = OverrideForm()

    def change():
        project_id = form.project_id.data or ""
        project = db.session.get(BudgetProject, int(project_id)) if project_id.isdigit() else None
        if project is None:
            raise RuleError(_("Choose a project of this heading."), field="project_id")
        operations.override_result(heading, current_user, project, form.action.data,
                                   form.reason.data)  # fmt: skip

    return _attempt(process, budget, "override", form, change)


# --- paper ballots (registrars and administrators) ---------------------------------------


def _load_for_registrar(slug):
    process, budget = load_budget(slug)
    if not can(current_user, Permission.VERIFY_RESIDENTS):
        abort(403)
    return process, budget


@bp.route("/paper")
@login_required
def paper(slug):
    """Find the voter (their desk code, e-mail or name), then key their paper ballot."""
    from participation.verification.operations import find_residents

    process, budget = _load_for_registrar(slug)
    query = request.args.get("q", "").strip()
    found = find_residents(query) if query else []
    return render_template(
        "budgets/paper.html", process=process, budget=budget, query=query, found=found,
        projects={h.id: operations.ballot_projects(h) for h in budget.headings},
        differences={h.id: set(operations.paper_differences(h)) for h in budget.headings},
    )  # fmt: skip


@bp.route("/paper/<int:heading_id>/<int:voter_id>", methods=["POST"])
@login_required
@write_limit("post")
def key_paper(slug, heading_id, voter_id):
    from participation.accounts.models import User

    process, budget = _load_for_registrar(slug)
    heading = load_heading(budget, heading_id)
    voter = db.session.get(User, voter_id) or abort(404)
    back = redirect(url_for(".paper", slug=slug, q=request.form.get("q", "")))
    if request.form.get("clear"):
        operations.clear_paper_entries(heading, voter)
        db.session.commit()
        flash(_("The keyings of this paper ballot were cleared. Key it again twice."), "success")
        return back
    try:
        result = operations.key_paper_ballot(
            heading, voter, current_user, request.form.getlist("projects")
        )
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return back
    db.session.commit()
    messages = {
        result.WAITING: (_("First keying saved. Key the same paper ballot once more."), "success"),
        result.RECORDED: (_("Both keyings agree: the paper ballot is counted."), "success"),
        result.DIFFERS: (
            _("The two keyings differ. Check the paper, clear them and key it again."),
            "error",
        ),  # fmt: skip
    }
    message, category = messages[result.state]
    if result.replaced_online:
        message += " " + _("It replaces the ballot this voter cast online.")
    flash(message, category)
    return back
