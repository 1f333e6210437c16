"""Posting, editing and withdrawing issues and proposals; the council's responses and updates.

Every rule is checked here, whatever the caller (pages, API, sockets), before anything is
written; the caller commits.
"""

import itertools
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import (
    Checks,
    RuleError,
    limit_links_of_new_accounts,
    require_participant,
)
from participation.core.sanitize import body_text, plain_text, render_markdown
from participation.extensions import db
from participation.notifications.models import NotificationKind
from participation.notifications.operations import follow, notify
from participation.places.operations import apply_place, clean_place, community_for
from participation.processes.models import Action, Phase, Process
from participation.proposals import action_log  # noqa: F401  (registers the action log's words)
from participation.proposals.models import (
    BODY_MAX,
    RESPONSE_STATUSES,
    TITLE_MAX,
    Contribution,
    ContributionVersion,
    ImplementationUpdate,
    ImplementationUpdateVersion,
    Issue,
    OfficialResponse,
    Proposal,
    Status,
)
from participation.search.thai import index_terms
from participation.summaries.themes import phrase_tokens
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
    """Check and normalise a contribution's fields; raise one RuleError with every problem."""
    title = plain_text(data.get("title"))
    body = body_text(data.get("body"))
    checks = Checks()
    checks.run(limit_links_of_new_accounts, author, title, body)
    if not title:
        checks.add(_l("Please give it a title."), "title")
    elif len(title) > TITLE_MAX:
        checks.add(_l("Use at most %(count)s characters for the title.", count=TITLE_MAX),
                   "title")  # fmt: skip
    if not body:
        checks.add(_l("Please describe it in a few sentences."), "body")
    elif len(body) > BODY_MAX and not checks.failed("body"):
        checks.add(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    category_id = data.get("category_id") or None
    if category_id is not None:
        if category_id not in {category.id for category in process.categories}:
            checks.add(_l("Please choose one of the listed categories."), "category_id")
    area_id = data.get("area_id") or None
    if area_id is not None and area_id not in {area.id for area in process.areas}:
        checks.add(_l("Please choose one of the listed communities."), "area_id")
    place = None
    if any(key in data for key in ("latitude", "longitude", "landmark")):
        place = clean_place(process, data, checks)
        if area_id is None:  # the resident's own choice of community wins over the pin's
            area_id = community_for(process, place)
    checks.done()
    return {"title": title, "body": body, "category_id": category_id, "area_id": area_id,
            "place": place}  # fmt: skip


def _apply(contribution, fields):
    contribution.title = fields["title"]
    contribution.body = fields["body"]
    contribution.body_html = str(render_markdown(fields["body"]))
    contribution.category_id = fields["category_id"]
    contribution.area_id = fields["area_id"]
    apply_place(contribution, fields.get("place"))
    contribution.search_text = " ".join(index_terms(f"{fields['title']}\n{fields['body']}"))
    contribution.theme_tokens = phrase_tokens(f"{fields['title']}\n{fields['body']}")


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


def _check_update(update_date, progress, body):
    """Check a progress update's fields; every problem at once."""
    checks = Checks()
    if not isinstance(update_date, date):
        checks.add(_l("Please give the date of this update."), "update_date")
    if progress is None or not 0 <= progress <= 100:
        checks.add(_l("Progress is a percentage from 0 to 100."), "progress")
    body = body_text(body)
    if not body:
        checks.add(_l("Please say what was done."), "body")
    elif len(body) > BODY_MAX:
        checks.add(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    checks.done()
    return body


def _check_progress_order(updates):
    """Progress never goes down from an earlier date to a later one."""
    ordered = sorted(updates, key=lambda u: (u.update_date, u.id or 0))
    for earlier, later in itertools.pairwise(ordered):
        if later.progress < earlier.progress:
            raise RuleError(
                _l("Progress cannot go back below %(percent)s%%.", percent=earlier.progress),
                "progress",
            )


def add_implementation_update(proposal, council_member, update_date, progress, body):
    """Report progress on an accepted proposal."""
    if not can(council_member, Permission.RESPOND_AS_COUNCIL):
        raise RuleError(_l("Only council members can report progress."))
    if proposal.status != Status.ACCEPTED:
        raise RuleError(_l("Progress is reported only on accepted proposals."))
    body = _check_update(update_date, progress, body)
    if proposal.updates and progress < proposal.updates[0].progress:
        raise RuleError(
            _l(
                "Progress cannot go back below %(percent)s%%.", percent=proposal.updates[0].progress
            ),
            "progress",
        )
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


def correct_implementation_update(update, council_member, update_date, progress, body):
    """Correct a progress update: its author only; the text it replaces stays as history, and
    the proposal's audience is told of the correction."""
    if not update.can_change(council_member):
        raise RuleError(_l("Only the council member who wrote this update can change it."))
    body = _check_update(update_date, progress, body)
    if (update.update_date, update.progress, update.body) == (update_date, progress, body):
        return update  # nothing changed: no history entry, nobody told
    proposal = update.proposal
    others = [u for u in proposal.updates if u.id != update.id]
    proposed = SimpleNamespace(id=update.id, update_date=update_date, progress=progress)
    _check_progress_order([*others, proposed])
    number = max((v.version for v in update.versions), default=0) + 1
    db.session.add(ImplementationUpdateVersion(
        update_id=update.id, version=number, update_date=update.update_date,
        progress=update.progress, body=update.body, body_html=update.body_html,
        written_dt=update.corrected_dt or update.created_dt,
    ))  # fmt: skip
    update.update_date = update_date
    update.progress = progress
    update.body = body
    update.body_html = str(render_markdown(body))
    update.corrected_dt = utcnow()
    proposal.modified_dt = utcnow()
    db.session.flush()
    db.session.expire(proposal, ["updates"])
    db.session.expire(update, ["versions"])
    record_action(
        council_member, "proposal.update_correct", proposal,
        details={"update_id": update.id, "progress": progress, "version": number}, public=True,
    )  # fmt: skip
    notify(NotificationKind.CORRECTION, [("contribution", proposal.id)], proposal, council_member)
    return update


def delete_implementation_update(update, council_member):
    """Delete a progress update (its author only); the action log keeps what it said."""
    if not update.can_change(council_member):
        raise RuleError(_l("Only the council member who wrote this update can change it."))
    proposal = update.proposal
    details = {
        "update_id": update.id,
        "date": update.update_date.isoformat(),
        "progress": update.progress,
    }
    db.session.delete(update)
    proposal.modified_dt = utcnow()
    db.session.flush()
    db.session.expire(proposal, ["updates"])
    record_action(council_member, "proposal.update_delete", proposal, details=details, public=True)


def get_implementation_update(proposal, update_id):
    """The progress update ``update_id`` of ``proposal``, or None."""
    return db.session.scalar(
        sa.select(ImplementationUpdate).where(
            ImplementationUpdate.id == update_id, ImplementationUpdate.proposal_id == proposal.id
        )
    )


def get_contribution(contribution_id, kind=None):
    query = sa.select(Contribution).where(Contribution.id == contribution_id)
    if kind:
        query = query.where(Contribution.kind == kind)
    return db.session.scalar(query)


WAITING_LIST_SIZE = 20


def waiting_for_answer(limit=WAITING_LIST_SIZE):
    """The council's work queue: proposals that reached their process's support threshold
    (in Reimagine, where the answer is due at Remake, or in Remake) and have no official
    response yet, the longest waiting first. Returns ``(proposals, total)``."""
    waiting = (
        sa.select(Proposal)
        .join(Process, Process.id == Proposal.process_id)
        .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Proposal.id)
        .where(
            Process.is_published.is_(True),
            Process.phase.in_((Phase.REIMAGINE, Phase.REMAKE)),
            Proposal.is_hidden.is_(False),
            Proposal.status == Status.OPEN,
            Proposal.support_count >= Process.support_threshold,
            OfficialResponse.id.is_(None),
        )
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
    proposals = db.session.scalars(
        waiting.options(sa.orm.contains_eager(Proposal.process))
        .order_by(Proposal.created_dt, Proposal.id)
        .limit(limit)
    ).all()
    return proposals, total
