"""Budgets: opening and closing the ballot, casting and changing ballots, paper ballots keyed
twice, and counting a heading with the budget's rule.

Concurrency: one ballot per voter and heading is the unique constraint's (INSERT ... ON CONFLICT
DO NOTHING); the UPDATE of the voter's row that follows takes its lock, so simultaneous ballots
from one resident replace each other's choices one after the other and the last one counts.
"""

import json
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from participation.audit.operations import record_action
from participation.budgets import (
    action_log,  # noqa: F401  (registers the action log's words)
    rules,
)
from participation.budgets.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetProject,
    Channel,
    Heading,
    Override,
    PaperEntry,
    Review,
    Rule,
    Stage,
    Style,
)
from participation.core.i18n import localized
from participation.core.models import utcnow
from participation.core.rules import RuleError, require_participant
from participation.extensions import db
from participation.jobs import enqueue, job
from participation.notifications.operations import insert_if_absent
from participation.privacy.registry import register as register_personal_data

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_LENGTH = 10


# --- the ballot's stages ---------------------------------------------------------------


def open_ballot(budget, now=None, by=None):
    """Open voting. From now on the ballot's rules and its projects are frozen."""
    if budget.current_stage != Stage.REVIEW:
        raise RuleError(_l("Voting can only open after the review of projects."))
    empty = [h.title for h in budget.headings if not any(p.on_ballot for p in h.projects)]
    if not budget.headings or empty:
        raise RuleError(
            _l("Every heading needs at least one feasible, costed project before voting opens.")
        )
    now = now or utcnow()
    budget.stage = Stage.BALLOT
    budget.frozen_dt = now
    record_action(by, "budget.open", budget, public=True)
    budget.opens_dt = budget.opens_dt if budget.opens_dt and budget.opens_dt <= now else now


def close_ballot(budget, now=None, by=None):
    if budget.current_stage != Stage.BALLOT:
        raise RuleError(_l("Voting is not open."))
    record_action(by, "budget.close", budget, public=True)
    budget.stage = Stage.COUNTING
    budget.closes_dt = now or utcnow()
    request_count(budget)


def request_count(budget):
    """Count every heading in the background: equal shares over thousands of ballots takes
    minutes (bench/README.md), longer than a page may wait. Until it is done the heading has no
    results and publishing waits."""
    for heading in budget.headings:
        heading.results = None
    db.session.flush()
    enqueue("budgets.count", budget_id=budget.id)


@job("budgets.count")
def count_budget(budget_id):
    """Count each heading with the budget's rule and, for comparison, the other rule; store
    them. Run again safely: a later count replaces an earlier one."""
    budget = db.session.get(Budget, budget_id)
    if budget is None or budget.current_stage != Stage.COUNTING:
        return
    other = Rule.EQUAL_SHARES if budget.rule == Rule.GREEDY else Rule.GREEDY
    for heading in budget.headings:
        record = results_record(*count(heading))
        # What the other rule would have chosen, shown beside the result for comparison.
        record["comparison"] = results_record(*count(heading, other))
        heading.results = json.dumps(record, ensure_ascii=False)


def counted(budget):
    return all(heading.results for heading in budget.headings)


def publish_results(budget, now=None, by=None):
    if budget.current_stage != Stage.COUNTING:
        raise RuleError(_l("Results can be published once voting has closed."))
    if any(paper_differences(heading) for heading in budget.headings):
        raise RuleError(
            _l("Some paper ballots were keyed differently twice. Key them again before publishing.")
        )
    if not counted(budget):
        raise RuleError(_l("The votes are still being counted. Publish once the count is done."))
    budget.stage = Stage.PUBLISHED
    budget.published_dt = now or utcnow()
    record_action(by, "budget.publish", budget, public=True)


def results_record(outcome, by_channel):
    """A count as plain data: what the results page, the API and the audit files show."""
    return {
        "rule": outcome.rule,
        "money": outcome.budget,
        "spent": outcome.spent,
        "chosen": outcome.chosen,
        "ballots": by_channel,
        "voter_share": _money(outcome.voter_share),
        "steps": [
            {
                "project": step.key,
                "action": step.action,
                "votes": step.votes,
                "cost": step.cost,
                "left": _money(step.left),
                "share": _money(step.share),
                "full_payers": step.full_payers,
            }  # fmt: skip
            for step in outcome.steps
        ],
    }


def _money(value):
    """Baht as a number: whole baht stay whole, a share keeps its satang (2 decimals)."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return round(float(value), 2)


def published_results(heading):
    return json.loads(heading.results) if heading.results else None


def override_result(heading, admin, project, action, reason):
    """Add a project to a heading's published result, or drop one, with a public reason."""
    if heading.budget.current_stage != Stage.PUBLISHED:
        raise RuleError(_l("Results can be changed only once they are published."))
    if project.heading_id != heading.id:
        raise RuleError(_l("Choose a project of this heading."), field="project_id")
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(
            _l("Give the reason for changing the result: it is published beside the results."),
            field="reason",
        )
    winning = set(winners(heading))
    if action == "add" and project.id in winning:
        raise RuleError(_l("This project is already among the winners."), field="project_id")
    if action == "drop" and project.id not in winning:
        raise RuleError(_l("This project is not among the winners."), field="project_id")
    if action not in ("add", "drop"):
        raise RuleError(_l("Choose whether to add or drop the project."), field="action")
    override = Override(heading_id=heading.id, project_id=project.id, action=action,
                        reason=reason, by_id=admin.id)  # fmt: skip
    db.session.add(override)
    record_action(admin, "budget.add_winner" if action == "add" else "budget.drop_winner",
                  project, reason=reason, public=True,
                  details={"heading_id": heading.id})  # fmt: skip
    db.session.flush()
    return override


def overrides_of(heading):
    return db.session.scalars(
        sa.select(Override).where(Override.heading_id == heading.id).order_by(Override.created_dt)
    ).all()


def winners(heading, overrides=None):
    """The winning project ids of a published heading: the rule's, then each override
    (``overrides``: the heading's, when the caller already read them)."""
    record = published_results(heading)
    if record is None:
        return []
    chosen = list(record["chosen"])
    for override in overrides_of(heading) if overrides is None else overrides:
        if override.action == "add" and override.project_id not in chosen:
            chosen.append(override.project_id)
        elif override.action == "drop" and override.project_id in chosen:
            chosen.remove(override.project_id)
    return chosen


def require_rules_open(budget):
    """Style, limits, rule and projects may change only until voting opens."""
    if budget.is_frozen:
        raise RuleError(_l("Voting has opened: the ballot's rules and projects cannot change."))


def voting_open(budget, now=None):
    now = now or utcnow()
    if budget.current_stage != Stage.BALLOT:
        return False
    return budget.closes_dt is None or now < budget.closes_dt


# --- ballots ---------------------------------------------------------------------------


def ballot_projects(heading):
    """The projects of a heading that residents can vote for, in the listed order."""
    return [project for project in heading.projects if project.on_ballot]


def check_choices(heading, project_ids):
    """The projects a ballot picks, or a RuleError saying what is wrong with the picking."""
    budget = heading.budget
    offered = {project.id: project for project in ballot_projects(heading)}
    try:
        wanted = {int(value) for value in project_ids}
    except (TypeError, ValueError):
        raise RuleError(_l("Choose projects from this ballot."), field="projects") from None
    if not wanted:
        raise RuleError(_l("Choose at least one project."), field="projects")
    if not wanted <= offered.keys():
        raise RuleError(_l("Choose projects from this ballot."), field="projects")
    chosen = [offered[key] for key in sorted(wanted)]
    if budget.style == Style.APPROVAL and budget.max_choices and len(chosen) > budget.max_choices:
        raise RuleError(
            _l("You can choose at most %(count)s projects.", count=budget.max_choices),
            field="projects",
        )
    if budget.style == Style.KNAPSACK:
        total = sum(project.cost for project in chosen)
        if total > heading.money:
            raise RuleError(
                _l(
                    "The projects you chose cost %(total)s baht, more than the %(money)s baht "
                    "of this heading.",
                    total=f"{total:,}", money=f"{heading.money:,}",
                ),
                field="projects",
            )  # fmt: skip
        least = heading.money * budget.min_spend_percent // 100
        if total < least:
            raise RuleError(
                _l(
                    "Choose projects worth at least %(least)s baht (%(percent)s%% of the "
                    "money); your choice comes to %(total)s baht.",
                    least=f"{least:,}", percent=budget.min_spend_percent, total=f"{total:,}",
                ),
                field="projects",
            )  # fmt: skip
    return chosen


def require_voter(heading, user, now=None):
    """Who may cast a ballot in this heading, now."""
    require_participant(user)
    if heading.budget.current_stage == Stage.REVIEW:
        raise RuleError(_l("Voting on this budget has not opened yet."))
    if not voting_open(heading.budget, now):
        raise RuleError(_l("Voting on this budget is closed."))
    # When the process asks verification for ballots, a community's heading is for the
    # residents verified for that community (participation/verification).
    from participation.verification import operations as verification

    process = heading.budget.process
    verification.require(user, process, "ballot")
    if heading.area_id and verification.required(process, "ballot") is not None:
        verified = verification.current_verification(user)
        if verified.area_id != heading.area_id:
            raise RuleError(
                _l("Only residents verified for %(community)s vote in this heading.",
                   community=localized(heading.area, "name"))
            )  # fmt: skip


def ballot_of(heading, user):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Ballot).where(Ballot.heading_id == heading.id, Ballot.voter_id == user.id)
    )


def cast_ballot(heading, user, project_ids, now=None):
    """Cast or change ``user``'s online ballot; the last one counts. Returns the ballot."""
    require_voter(heading, user, now)
    chosen = check_choices(heading, project_ids)
    now = now or utcnow()
    insert_if_absent(
        Ballot, heading_id=heading.id, voter_id=user.id, channel=Channel.ONLINE,
        receipt=new_receipt(), cast_dt=now,
    )  # fmt: skip
    # Locks the voter's ballot (PostgreSQL) until commit: simultaneous ballots take turns.
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.heading_id == heading.id, Ballot.voter_id == user.id)
        .values(cast_dt=now)
    )
    ballot = ballot_of(heading, user)
    db.session.refresh(ballot)
    if ballot.channel == Channel.PAPER:
        raise RuleError(
            _l(
                "You already voted on paper at a forum or the municipal office. Your paper "
                "ballot is the one that counts."
            )
        )
    _replace_choices(ballot, chosen)
    return ballot


def _replace_choices(ballot, projects):
    db.session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id == ballot.id))
    db.session.execute(
        sa.insert(BallotChoice),
        [{"ballot_id": ballot.id, "project_id": project.id} for project in projects],
    )
    db.session.expire(ballot, ["choices"])


def new_receipt():
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def find_receipt(budget, receipt):
    """Whether a receipt belongs to a ballot counted in this budget (nothing about its content)."""
    receipt = "".join(str(receipt or "").split()).upper().replace("-", "")
    if len(receipt) != RECEIPT_LENGTH:
        return None
    return db.session.scalar(
        sa.select(Ballot)
        .join(Heading, Heading.id == Ballot.heading_id)
        .where(Heading.budget_id == budget.id, Ballot.receipt == receipt)
    )


# --- paper ballots ---------------------------------------------------------------------


class PaperResult:
    """What keying a paper ballot did: waiting for its second keying, recorded, or differs."""

    WAITING = "waiting"
    RECORDED = "recorded"
    DIFFERS = "differs"

    def __init__(self, state, ballot=None, replaced_online=False):
        self.state = state
        self.ballot = ballot
        self.replaced_online = replaced_online


def key_paper_ballot(heading, voter, registrar, project_ids, now=None):
    """Enter a paper ballot once. The second keying that agrees with the first records it,
    replacing an online ballot cast earlier (the voter is told); one that does not agree is
    flagged and nothing is counted until the ballot is keyed again."""
    budget = heading.budget
    if budget.current_stage not in (Stage.BALLOT, Stage.COUNTING):
        raise RuleError(_l("Paper ballots are entered while voting is open or being counted."))
    chosen = check_choices(heading, project_ids)
    text = ",".join(str(project.id) for project in chosen)
    entries = _paper_entries(heading, voter)
    if len(entries) >= 2:
        raise RuleError(
            _l("This voter's paper ballot was already entered twice. Clear it to key it again.")
        )
    existing = ballot_of(heading, voter)
    if existing is not None and existing.channel == Channel.PAPER:
        raise RuleError(_l("This voter's paper ballot is already counted."))
    keying = len(entries) + 1
    if not insert_if_absent(
        PaperEntry, heading_id=heading.id, voter_id=voter.id, keying=keying, choices=text,
        registrar_id=registrar.id, entered_dt=now or utcnow(),
    ):  # fmt: skip
        raise RuleError(_l("Someone is entering this voter's paper ballot at the same moment."))
    if keying == 1:
        return PaperResult(PaperResult.WAITING)
    if entries[0].choices != text:
        return PaperResult(PaperResult.DIFFERS)
    replaced = existing is not None
    if existing is None:
        insert_if_absent(
            Ballot, heading_id=heading.id, voter_id=voter.id, channel=Channel.PAPER,
            receipt=new_receipt(), cast_dt=now or utcnow(), recorded_by_id=registrar.id,
        )  # fmt: skip
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.heading_id == heading.id, Ballot.voter_id == voter.id)
        .values(channel=Channel.PAPER, recorded_by_id=registrar.id, cast_dt=now or utcnow())
    )
    ballot = ballot_of(heading, voter)
    db.session.refresh(ballot)
    _replace_choices(ballot, chosen)
    if budget.current_stage == Stage.COUNTING:  # a paper ballot after closing: count again
        request_count(budget)
    return PaperResult(PaperResult.RECORDED, ballot, replaced_online=replaced)


def clear_paper_entries(heading, voter):
    """Drop the keyings of a voter's paper ballot that has not been counted, to key it again."""
    db.session.execute(
        sa.delete(PaperEntry).where(
            PaperEntry.heading_id == heading.id, PaperEntry.voter_id == voter.id
        )
    )


def _paper_entries(heading, voter):
    return db.session.scalars(
        sa.select(PaperEntry)
        .where(PaperEntry.heading_id == heading.id, PaperEntry.voter_id == voter.id)
        .order_by(PaperEntry.keying)
    ).all()


def paper_differences(heading):
    """Voter ids whose two keyings disagree."""
    first = aliased(PaperEntry)
    second = aliased(PaperEntry)
    return db.session.scalars(
        sa.select(first.voter_id)
        .join(
            second,
            sa.and_(
                second.heading_id == first.heading_id,
                second.voter_id == first.voter_id,
                second.keying == 2,
            ),
        )  # fmt: skip
        .where(
            first.heading_id == heading.id, first.keying == 1, first.choices != second.choices
        )  # fmt: skip
    ).all()


# --- counting --------------------------------------------------------------------------


def ballots_of(heading):
    """Every counted ballot of a heading as a set of project ids, with how many came by each
    channel. Read in one query."""
    rows = db.session.execute(
        sa.select(Ballot.id, Ballot.channel, BallotChoice.project_id)
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.heading_id == heading.id)
        .order_by(Ballot.id)
    )
    ballots, channels = {}, {}
    for ballot_id, channel, project_id in rows:
        ballots.setdefault(ballot_id, set()).add(project_id)
        channels[ballot_id] = channel
    by_channel = {channel.value: 0 for channel in Channel}
    for channel in channels.values():
        by_channel[channel] += 1
    return list(ballots.values()), by_channel


def count(heading, rule=None):
    """The heading's outcome under the budget's rule (or ``rule``), and ballots by channel."""
    rule = Rule(rule or heading.budget.rule)
    projects = [
        rules.Project(project.id, project.cost, position)
        for position, project in enumerate(ballot_projects(heading))
    ]
    ballots, by_channel = ballots_of(heading)
    if rule == Rule.GREEDY:
        outcome = rules.greedy_by_votes(projects, ballots, heading.money)
    else:
        outcome = rules.equal_shares(projects, ballots, heading.money)
    return outcome, by_channel


def withdraw_ballots_of_revoked(user):
    """A resident's verification was revoked: their ballots in budgets still open for voting
    that ask verification for ballots are withdrawn (they could not cast them now). Ballots of
    closed votes stay counted. Returns how many were withdrawn."""
    from participation.verification.operations import required

    withdrawn = 0
    for ballot in db.session.scalars(sa.select(Ballot).where(Ballot.voter_id == user.id)).all():
        heading = db.session.get(Heading, ballot.heading_id)
        budget = heading.budget
        if budget.current_stage == Stage.BALLOT and required(budget.process, "ballot"):
            db.session.delete(ballot)
            withdrawn += 1
    db.session.flush()
    return withdrawn


def personal_ballots(user):
    """For the data download: each of the person's ballots with the projects it chose (the
    choices themselves are stored without the voter)."""
    rows = db.session.execute(
        sa.select(Ballot.heading_id, Heading.title, Ballot.channel, Ballot.receipt,
                  Ballot.cast_dt, BudgetProject.id, BudgetProject.title)
        .join(Heading, Heading.id == Ballot.heading_id)
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .join(BudgetProject, BudgetProject.id == BallotChoice.project_id)
        .where(Ballot.voter_id == user.id)
        .order_by(Ballot.heading_id, BudgetProject.id)
    )  # fmt: skip
    ballots = {}
    for heading_id, heading, channel, receipt, cast_dt, project_id, title in rows:
        entry = ballots.setdefault(heading_id, {
            "heading": heading, "channel": channel, "receipt": receipt,
            "cast": cast_dt.isoformat(), "projects": [],
        })  # fmt: skip
        entry["projects"].append({"id": project_id, "title": title})
    return list(ballots.values())


register_personal_data("budget_ballots", data=personal_ballots)


def budget_of(process):
    return db.session.scalar(sa.select(Budget).where(Budget.process_id == process.id))


# --- set-up ------------------------------------------------------------------------------


def create_budget(process, title, *, description="", style=Style.APPROVAL, max_choices=3,
                  min_spend_percent=0, rule=Rule.GREEDY, opens_dt: datetime | None = None,
                  closes_dt: datetime | None = None):  # fmt: skip
    budget = Budget(
        process_id=process.id, title=title, description=description, style=style,
        max_choices=max_choices, min_spend_percent=min_spend_percent, rule=rule,
        opens_dt=opens_dt, closes_dt=closes_dt,
    )  # fmt: skip
    db.session.add(budget)
    db.session.flush()
    return budget


def update_budget(budget, *, title, description="", style, max_choices, min_spend_percent,
                  rule):  # fmt: skip
    """Change a budget's text and, until voting opens, its ballot rules."""
    rules_change = (style, max_choices, min_spend_percent, rule) != (
        budget.style, budget.max_choices, budget.min_spend_percent, budget.rule
    )  # fmt: skip
    if rules_change:
        require_rules_open(budget)
    budget.title, budget.description = title, description
    budget.style, budget.max_choices = style, max_choices
    budget.min_spend_percent, budget.rule = min_spend_percent, rule


def add_heading(budget, title, money, area_id=None):
    require_rules_open(budget)
    heading = Heading(budget=budget, title=title, money=money, area_id=area_id,
                      position=len(budget.headings))  # fmt: skip
    db.session.add(heading)
    db.session.flush()
    return heading


def add_project(heading, title, *, proposal=None, summary=""):
    require_rules_open(heading.budget)
    project = BudgetProject(
        heading=heading, title=title, summary=summary, proposal_id=getattr(proposal, "id", None),
        position=len(heading.projects),
    )  # fmt: skip
    db.session.add(project)
    db.session.flush()
    return project


def promote_proposal(heading, proposal):
    """Put a proposal on the budget as a project: it keeps its link, author, supports and
    discussion, and is reviewed like any other project."""
    if proposal.process_id != heading.budget.process_id:
        raise RuleError(_l("Choose a proposal of this process."), field="proposal_id")
    taken = db.session.scalar(
        sa.select(BudgetProject.id)
        .join(Heading, Heading.id == BudgetProject.heading_id)
        .where(Heading.budget_id == heading.budget_id, BudgetProject.proposal_id == proposal.id)
    )
    if taken:
        raise RuleError(
            _l("This proposal is already a project of the budget."), field="proposal_id"
        )
    return add_project(heading, proposal.title, proposal=proposal)


def review_project(project, *, feasible, reason="", cost=None, responsible_unit=""):
    """The officials' review: feasible with a cost estimate, or not feasible with a public
    reason residents can read."""
    require_rules_open(project.heading.budget)
    if feasible and (cost is None or cost < 0):
        raise RuleError(_l("A feasible project needs its estimated cost in baht."), field="cost")
    if not feasible and not reason.strip():
        raise RuleError(
            _l("Say why the project is not feasible: residents will read it."), field="reason"
        )
    project.review = Review.FEASIBLE if feasible else Review.NOT_FEASIBLE
    project.review_reason = reason.strip()
    project.cost = cost if feasible else project.cost
    project.responsible_unit = responsible_unit.strip()
