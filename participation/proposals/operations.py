"""Posting, editing and withdrawing issues and proposals; the council's responses and updates.

Every rule is checked here, whatever the caller (pages, API, sockets), before anything is
written; the caller commits.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError, limit_links_of_new_accounts, require_participant
from participation.core.sanitize import body_text, plain_text, render_markdown
from participation.extensions import db
from participation.notifications.models import NotificationKind
from participation.notifications.operations import follow, notify
from participation.processes.models import Action
from participation.proposals.models import (
    BODY_MAX,
    RESPONSE_STATUSES,
    TITLE_MAX,
    Contribution,
    ContributionVersion,
    ImplementationUpdate,
    Issue,
    OfficialResponse,
    Proposal,
    Status,
)
from participation.search.thai import index_terms
from participation.votes.operations import refund_supports

PHASE_CLOSED = {
    Action.POST_ISSUE: _l("Issues can be raised only during Reframe."),
    Action.POST_PROPOSAL: _l("Proposals can be posted only during Reimagine."),
    Action.RESPOND: _l("The council responds during Remake."),
}


def require_phase(process, action, message=None):
    """Refuse an action the process's current phase does not allow."""
    if not process.allows_action(action):
        raise RuleError(
            message
            or PHASE_CLOSED.get(action)
            or _l("This is not possible in the current phase of the process.")
        )


def _clean(process, data, author):
    """Check and normalise a contribution's fields; raise RuleError on the first problem."""
    title = plain_text(data.get("title"))
    body = body_text(data.get("body"))
    limit_links_of_new_accounts(author, title, body)
    if not title:
        raise RuleError(_l("Please give it a title."), "title")
    if len(title) > TITLE_MAX:
        raise RuleError(_l("Use at most %(count)s characters for the title.", count=TITLE_MAX),
                        "title")  # fmt: skip
    if not body:
        raise RuleError(_l("Please describe it in a few sentences."), "body")
    if len(body) > BODY_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    category_id = data.get("category_id") or None
    if category_id is not None:
        if category_id not in {category.id for category in process.categories}:
            raise RuleError(_l("Please choose one of the listed categories."), "category_id")
    area_id = data.get("area_id") or None
    if area_id is not None and area_id not in {area.id for area in process.areas}:
        raise RuleError(_l("Please choose one of the listed communities."), "area_id")
    return {"title": title, "body": body, "category_id": category_id, "area_id": area_id}


def _apply(contribution, fields):
    contribution.title = fields["title"]
    contribution.body = fields["body"]
    contribution.body_html = str(render_markdown(fields["body"]))
    contribution.category_id = fields["category_id"]
    contribution.area_id = fields["area_id"]
    contribution.search_text = " ".join(index_terms(f"{fields['title']}\n{fields['body']}"))


def _linked_issues(process, issue_ids):
    if not issue_ids:
        return []
    issues = db.session.scalars(
        sa.select(Issue).where(Issue.id.in_(issue_ids), Issue.process_id == process.id)
    ).all()
    if len(issues) != len(set(issue_ids)):
        raise RuleError(_l("Link only issues of this process."), "issue_ids")
    return issues


def create_issue(process, author, data):
    require_participant(author)
    require_phase(process, Action.POST_ISSUE)
    issue = Issue(process_id=process.id, author_id=author.id)
    _apply(issue, _clean(process, data, author))
    db.session.add(issue)
    db.session.flush()
    follow(author, contribution=issue)
    return issue


def create_proposal(process, author, data):
    require_participant(author)
    require_phase(process, Action.POST_PROPOSAL)
    fields = _clean(process, data, author)
    proposal = Proposal(process_id=process.id, author_id=author.id)
    _apply(proposal, fields)
    proposal.issues = _linked_issues(process, data.get("issue_ids"))
    db.session.add(proposal)
    db.session.flush()
    follow(author, contribution=proposal)
    return proposal


def edit_window_open(contribution, process, now=None):
    now = now or utcnow()
    return now - contribution.created_dt <= timedelta(minutes=process.edit_window_minutes)


def can_edit(contribution, user, process):
    """The author edits while the phase is open, within the window, and before any support."""
    return (
        user.is_authenticated
        and contribution.author_id == user.id
        and not contribution.is_withdrawn
        and contribution.support_count == 0
        and edit_window_open(contribution, process)
        and process.allows_action(
            Action.POST_ISSUE if contribution.kind == "issue" else Action.POST_PROPOSAL
        )
    )


def edit_contribution(contribution, editor, data):
    """Change the text; the earlier version stays visible as history."""
    process = contribution.process
    if contribution.author_id != editor.id:
        raise RuleError(_l("Only the author can edit this."))
    if contribution.is_withdrawn:
        raise RuleError(_l("A withdrawn contribution cannot be edited."))
    if contribution.support_count > 0:
        raise RuleError(_l("It cannot be edited once someone has supported it."))
    if not edit_window_open(contribution, process):
        raise RuleError(_l("The time for editing has passed."))
    require_phase(
        process, Action.POST_ISSUE if contribution.kind == "issue" else Action.POST_PROPOSAL,
        _l("It can be edited only while its phase is open."),
    )  # fmt: skip
    fields = _clean(process, data, editor)
    db.session.add(
        ContributionVersion(
            contribution_id=contribution.id,
            version=contribution.version,
            title=contribution.title,
            body=contribution.body,
            body_html=contribution.body_html,
            created_dt=contribution.edited_dt or contribution.created_dt,
        )
    )
    _apply(contribution, fields)
    if isinstance(contribution, Proposal) and "issue_ids" in data:
        contribution.issues = _linked_issues(process, data.get("issue_ids"))
    contribution.version += 1
    contribution.edited_dt = utcnow()
    db.session.flush()
    return contribution


def withdraw(contribution, user):
    """The author withdraws; supports given in an open Reimagine are returned to residents."""
    if contribution.author_id != user.id:
        raise RuleError(_l("Only the author can withdraw this."))
    if contribution.is_withdrawn:
        raise RuleError(_l("It is already withdrawn."))
    if contribution.status != Status.OPEN:
        raise RuleError(_l("The council has already responded; it can no longer be withdrawn."))
    contribution.status = Status.WITHDRAWN
    contribution.withdrawn_dt = utcnow()
    # Written (and the row locked) before the supports are refunded, so a support arriving
    # meanwhile sees the withdrawal and is refused.
    db.session.flush()
    if isinstance(contribution, Proposal) and contribution.process.allows_action(Action.SUPPORT):
        refund_supports(contribution)
    db.session.flush()


def respond(proposal, council_member, status, body):
    """Publish (or change) the council's official response to a proposal."""
    process = proposal.process
    if not can(council_member, Permission.RESPOND_AS_COUNCIL):
        raise RuleError(_l("Only council members can respond for the council."))
    require_phase(process, Action.RESPOND)
    if proposal.is_withdrawn:
        raise RuleError(_l("The proposal was withdrawn by its author."))
    try:
        status = Status(status)
    except ValueError:
        status = None
    if status not in RESPONSE_STATUSES:
        raise RuleError(_l("Please choose a status."), "status")
    body = body_text(body)
    if not body:
        message = (
            _l("Please give the reasons for not accepting the proposal.")
            if status == Status.REJECTED
            else _l("Please write the council's response.")
        )
        raise RuleError(message, "body")
    if len(body) > BODY_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    response = proposal.response
    previous = proposal.status
    if response is None:
        response = OfficialResponse(proposal=proposal)
        db.session.add(response)
    response.author_id = council_member.id
    response.status = status
    response.body = body
    response.body_html = str(render_markdown(body))
    proposal.status = status
    proposal.modified_dt = utcnow()  # the watermark of pages that show the response
    db.session.flush()
    record_action(
        council_member, "proposal.respond", proposal,
        details={"status": status.value, "previous": previous}, public=True,
    )  # fmt: skip
    notify(
        NotificationKind.RESPONSE if previous == Status.OPEN else NotificationKind.STATUS,
        [("contribution", proposal.id)],
        proposal,
        council_member,
    )
    return response


def add_implementation_update(proposal, council_member, update_date, progress, body):
    """Report progress on an accepted proposal."""
    if not can(council_member, Permission.RESPOND_AS_COUNCIL):
        raise RuleError(_l("Only council members can report progress."))
    if proposal.status != Status.ACCEPTED:
        raise RuleError(_l("Progress is reported only on accepted proposals."))
    if not isinstance(update_date, date):
        raise RuleError(_l("Please give the date of this update."), "update_date")
    if progress is None or not 0 <= progress <= 100:
        raise RuleError(_l("Progress is a percentage from 0 to 100."), "progress")
    if proposal.updates and progress < proposal.updates[0].progress:
        raise RuleError(
            _l(
                "Progress cannot go back below %(percent)s%%.", percent=proposal.updates[0].progress
            ),
            "progress",
        )
    body = body_text(body)
    if not body:
        raise RuleError(_l("Please say what was done."), "body")
    if len(body) > BODY_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    update = ImplementationUpdate(
        proposal_id=proposal.id,
        author_id=council_member.id,
        update_date=update_date,
        progress=progress,
        body=body,
        body_html=str(render_markdown(body)),
    )
    db.session.add(update)
    proposal.modified_dt = utcnow()
    db.session.flush()
    db.session.expire(proposal, ["updates"])
    record_action(
        council_member, "proposal.update", proposal, details={"progress": progress}, public=True
    )
    notify(NotificationKind.UPDATE, [("contribution", proposal.id)], proposal, council_member)
    return update


def get_contribution(contribution_id, kind=None):
    query = sa.select(Contribution).where(Contribution.id == contribution_id)
    if kind:
        query = query.where(Contribution.kind == kind)
    return db.session.scalar(query)
