"""API: processes, issues and proposals, supports, comments, votes and reports.

Every write calls the same operation as the pages, so the permission, phase and rate-limit
rules are the same; the framework commits once after it succeeds.
"""

from flask import abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation.api import schemas as s
from participation.api.framework import WRITE, operation, page_of, paginated
from participation.api.views import bp
from participation.comments import operations as comments
from participation.comments.models import Comment
from participation.comments.views import load_comment
from participation.core.i18n import localized
from participation.extensions import db
from participation.moderation import operations as moderation
from participation.moderation.models import TargetType
from participation.processes.models import PHASE_ACTIONS, PHASES
from participation.processes.views import contribution_counts, load_process, visible_processes
from participation.proposals import operations
from participation.proposals.listing import Filters, list_contributions
from participation.proposals.models import Contribution, Kind, Proposal, Status
from participation.votes import operations as votes

KIND_PATHS = {Kind.ISSUE: "issues", Kind.PROPOSAL: "proposals"}


# --- serialising ---------------------------------------------------------------------------


def named(obj):
    return {"id": obj.id, "slug": obj.slug, "name": localized(obj, "name")} if obj else None


def person(user):
    return {"name": user.display_name} if user is not None else None


def _process_item(process):
    return {
        "slug": process.slug, "title": localized(process, "title"), "title_th": process.title_th,
        "title_en": process.title_en, "summary": localized(process, "summary"),
        "phase": process.phase, "is_published": process.is_published,
        "url": url_for("api.getProcess", slug=process.slug),
        "html_url": url_for("processes.show", slug=process.slug),
    }  # fmt: skip


def _phases(process):
    return [
        {
            "phase": phase.value, "title": str(phase.title), "subtitle": str(phase.subtitle),
            "start": process.phase_dates(phase)[0], "end": process.phase_dates(phase)[1],
            "is_current": phase == process.current_phase,
            "actions": sorted(action.value for action in PHASE_ACTIONS[phase]),
        }
        for phase in PHASES
    ]  # fmt: skip


def _hidden_from_reader(item):
    return item.is_hidden and not moderation.can_see_hidden(current_user, item)


def _hidden_reason(item):
    if not item.is_hidden:
        return None
    if item.hidden_by_id:
        return item.hidden_reason
    return _("Hidden after reports from residents, until a moderator reviews it.")


def card(item, process, supported):
    hidden = _hidden_from_reader(item)
    kind_path = KIND_PATHS[Kind(item.kind)]
    return {
        "id": item.id, "kind": item.kind, "title": None if hidden else item.title,
        "status": item.status, "status_title": str(item.current_status.title),
        "created": item.created_dt, "author": None if hidden else person(item.author),
        "category": None if hidden else named(item.category),
        "area": None if hidden else named(item.area),
        "support_count": item.support_count, "affected_count": item.affected_count,
        "comment_count": item.comment_count, "hidden": item.is_hidden,
        "hidden_reason": _hidden_reason(item),
        "supported": (item.id in supported) if item.kind == Kind.PROPOSAL else None,
        "url": url_for(f"api.get{kind_path[:-1].title()}", slug=process.slug, item_id=item.id),
    }  # fmt: skip


def comment_tree(item, sort="best"):
    tree, flat = comments.thread(item, sort)
    mine = comments.my_votes(current_user, flat)
    moderator = current_user.is_authenticated and moderation.can_moderate(current_user, item)
    return [_comment(comment, replies, mine, moderator) for comment, replies in tree]


def _comment(comment, replies, mine, moderator):
    """A comment and its replies as this reader may see them; ``mine``: the reader's votes."""
    shown_to_reader = (
        not comment.is_hidden
        or moderator
        or (current_user.is_authenticated and comment.author_id == current_user.id)
    )
    text = not comment.is_deleted and shown_to_reader
    return {
        "id": comment.id, "parent_id": comment.parent_id, "depth": comment.depth,
        "author": person(comment.author) if text else None,
        "body": comment.body if text else None,
        "body_html": comment.body_html if text else None,
        "alignment": comment.alignment, "upvotes": comment.upvotes,
        "downvotes": comment.downvotes, "created": comment.created_dt,
        "edited": comment.is_edited, "deleted": comment.is_deleted,
        "hidden": comment.is_hidden, "hidden_reason": _hidden_reason(comment),
        "my_vote": mine.get(comment.id),
        "replies": [_comment(reply, sub, mine, moderator) for reply, sub in replies],
    }  # fmt: skip


def detail(item, process):
    supported = votes.supported_ids(current_user, [item.id]) if item.kind == Kind.PROPOSAL else ()
    result = card(item, process, supported)
    hidden = _hidden_from_reader(item)
    is_proposal = isinstance(item, Proposal)
    response = item.response if is_proposal else None
    result.update(
        body=None if hidden else item.body,
        body_html=None if hidden else item.body_html,
        version=item.version, edited=item.edited_dt, withdrawn=item.withdrawn_dt,
        can_edit=operations.can_edit(item, current_user, process),
        history=[] if hidden else [
            {"version": v.version, "title": v.title, "body": v.body, "created": v.created_dt}
            for v in item.versions
        ],
        linked_ids=sorted(i.id for i in (item.issues if is_proposal else item.proposals)),
        qualifies=item.qualifies(process) if is_proposal else None,
        public_supporters=list(votes.public_supporters(item)) if is_proposal else [],
        response=None if response is None else {
            "status": response.status, "status_title": str(Status(response.status).title),
            "body": response.body, "body_html": response.body_html,
            "created": response.created_dt, "modified": response.modified_dt,
        },
        updates=[
            {"date": u.update_date, "progress": u.progress, "body": u.body,
             "body_html": u.body_html}
            for u in (item.updates if is_proposal else ())
        ],
        progress=item.progress if is_proposal else None,
        comments=comment_tree(item),
    )  # fmt: skip
    return result


# --- processes -----------------------------------------------------------------------------


@operation(bp, "/processes", "GET", "listProcesses", _l("List processes"), tag="processes",
           description=_l("Published processes, newest first (and the drafts you manage)."),
           query=s.PageQuery, response=s.Paginated[s.ProcessItem], paginated=True)  # fmt: skip
def list_processes(query):
    page = page_of(visible_processes(), query)
    return paginated("api.listProcesses", {}, [_process_item(p) for p in page.items], page,
                     per_page=query.per_page)  # fmt: skip


@operation(bp, "/processes/<slug>", "GET", "getProcess", _l("Get a process with its phases"),
           tag="processes", response=s.ProcessDetail)  # fmt: skip
def get_process(slug):
    process = load_process(slug)
    counts = contribution_counts(process)
    return {
        **_process_item(process),
        "description": localized(process, "description"),
        "description_html": str(_markdown(localized(process, "description"))),
        "phases": _phases(process),
        "categories": [named(c) for c in process.categories],
        "areas": [named(a) for a in process.areas],
        "max_supports": process.max_supports, "support_threshold": process.support_threshold,
        "edit_window_minutes": process.edit_window_minutes,
        "supports_left": votes.supports_left(process, current_user),
        "counts": {"issues": counts.get(Kind.ISSUE, 0), "proposals": counts.get(Kind.PROPOSAL, 0)},
        "issues_url": url_for("api.listIssues", slug=process.slug),
        "proposals_url": url_for("api.listProposals", slug=process.slug),
    }  # fmt: skip


def _markdown(text):
    from participation.core.sanitize import render_markdown

    return render_markdown(text)


# --- issues and proposals ------------------------------------------------------------------


def load_item(process, kind, item_id):
    item = operations.get_contribution(item_id, kind)
    if item is None or item.process_id != process.id:
        abort(404)
    return item


def _require_author(item):
    if item.author_id != current_user.id:
        abort(403)


def _register_contributions(kind, singular, plural, input_model, edit_model):
    """The same operations for issues and proposals, under their own paths and ids."""
    base = f"/processes/<slug>/{plural}"
    name, names = singular.title(), plural.title()

    @operation(bp, base, "GET", f"list{names}", LIST_SUMMARIES[kind], tag=plural,
               description=_l("Filters, sorting, search and pages follow the same rules as the "
                              "list pages."),
               query=s.ListQuery, response=s.Paginated[s.Card], paginated=True)  # fmt: skip
    def list_items(slug, query):
        process = load_process(slug)
        filters = Filters(
            category_id=query.category, area_id=query.area, status=query.status,
            mine=query.mine, q=query.q.strip(), sort=query.sort, page=query.page,
            per_page=query.per_page, seed=query.seed,
        )  # fmt: skip
        page = list_contributions(process, kind, filters, current_user)
        supported = votes.supported_ids(current_user, [item.id for item in page.items])
        items = [card(item, process, supported) for item in page.items]
        params = query.model_dump(exclude={"page"}, exclude_defaults=True)
        return paginated(f"api.list{names}", {"slug": slug}, items, page, **params)

    @operation(bp, base, "POST", f"create{name}", CREATE_SUMMARIES[kind], tag=plural,
               auth=WRITE, body=input_model, response=s.Detail, status=201, errors=(409,),
               limit_scope="post")  # fmt: skip
    def create(slug, body):
        process = load_process(slug)
        create_operation = (
            operations.create_proposal if kind == Kind.PROPOSAL else operations.create_issue
        )
        item = create_operation(process, current_user, body.model_dump())
        location = url_for(f"api.get{name}", slug=slug, item_id=item.id)
        return detail(item, process), {"Location": location}

    @operation(bp, f"{base}/<int:item_id>", "GET", f"get{name}", GET_SUMMARIES[kind],
               tag=plural, response=s.Detail,
               description=_l("With its comment tree, supports, the council's official "
                              "response and implementation updates."))  # fmt: skip
    def get(slug, item_id):
        process = load_process(slug)
        return detail(load_item(process, kind, item_id), process)

    @operation(bp, f"{base}/<int:item_id>", "PATCH", f"edit{name}", EDIT_SUMMARIES[kind],
               tag=plural, auth=WRITE, body=edit_model, response=s.Detail, errors=(409,),
               limit_scope="edit",
               description=_l("Only the author, while its phase is open, within the edit "
                              "window and before anyone supports it."))  # fmt: skip
    def edit(slug, item_id, body):
        process = load_process(slug)
        item = load_item(process, kind, item_id)
        _require_author(item)
        data = {
            "title": item.title, "body": item.body, "category_id": item.category_id,
            "area_id": item.area_id, **body.model_dump(exclude_unset=True),
        }  # fmt: skip
        for required in ("title", "body"):
            if data[required] is None:
                data[required] = ""  # refused by the operation beside its field
        if data.get("issue_ids", ()) is None:
            data.pop("issue_ids")
        operations.edit_contribution(item, current_user, data)
        return detail(item, process)

    @operation(bp, f"{base}/<int:item_id>/withdrawal", "POST", f"withdraw{name}",
               WITHDRAW_SUMMARIES[kind], tag=plural, auth=WRITE, response=s.Detail,
               errors=(409,), limit_scope="withdraw",
               description=_l("Only the author, before the council responds; supports are "
                              "given back."))  # fmt: skip
    def withdraw(slug, item_id):
        process = load_process(slug)
        item = load_item(process, kind, item_id)
        _require_author(item)
        operations.withdraw(item, current_user)
        return detail(item, process)

    @operation(bp, f"{base}/<int:item_id>/comments", "GET", f"list{name}Comments",
               _l("Get the comment tree"), tag="comments", query=s.CommentsQuery,
               response=s.CommentList)  # fmt: skip
    def list_comments(slug, item_id, query):
        process = load_process(slug)
        return {"items": comment_tree(load_item(process, kind, item_id), query.sort)}

    @operation(bp, f"{base}/<int:item_id>/comments", "POST", f"comment{name}",
               _l("Comment, or reply to a comment"), tag="comments", auth=WRITE,
               body=s.CommentInput, response=s.Comment, status=201, errors=(409,),
               limit_scope="comment")  # fmt: skip
    def create_comment(slug, item_id, body):
        process = load_process(slug)
        item = load_item(process, kind, item_id)
        parent = None
        if body.parent_id is not None:
            parent = db.session.get(Comment, body.parent_id)
            if parent is None or parent.contribution_id != item.id:
                from participation.core.rules import RuleError

                raise RuleError(_l("You can only reply to a comment of this page."), "parent_id")
        comment = comments.add_comment(item, current_user, body.body, body.alignment, parent)
        return _comment(comment, [], {}, moderator=False)


LIST_SUMMARIES = {Kind.ISSUE: _l("List a process's issues"),
                  Kind.PROPOSAL: _l("List a process's proposals")}  # fmt: skip
CREATE_SUMMARIES = {Kind.ISSUE: _l("Raise an issue (during Reframe)"),
                    Kind.PROPOSAL: _l("Post a proposal (during Reimagine)")}  # fmt: skip
GET_SUMMARIES = {Kind.ISSUE: _l("Get an issue"), Kind.PROPOSAL: _l("Get a proposal")}
EDIT_SUMMARIES = {Kind.ISSUE: _l("Edit your issue"), Kind.PROPOSAL: _l("Edit your proposal")}
WITHDRAW_SUMMARIES = {Kind.ISSUE: _l("Withdraw your issue"),
                      Kind.PROPOSAL: _l("Withdraw your proposal")}  # fmt: skip

_register_contributions(Kind.ISSUE, "issue", "issues", s.IssueInput, s.IssueEdit)
_register_contributions(Kind.PROPOSAL, "proposal", "proposals", s.ProposalInput, s.ProposalEdit)


# --- supports and "affects me too" ------------------------------------------------------------


def _support_state(process, proposal, supported):
    return {
        "supported": supported, "support_count": proposal.support_count,
        "supports_left": votes.supports_left(process, current_user),
        "qualifies": proposal.qualifies(process),
    }  # fmt: skip


@operation(bp, "/processes/<slug>/proposals/<int:item_id>/support", "PUT", "supportProposal",
           _l("Support a proposal (during Reimagine)"), tag="proposals", auth=WRITE,
           response=s.SupportState, errors=(409,), limit_scope="support",
           description=_l("Supporting twice changes nothing. Each resident has the process's "
                          "number of supports."))  # fmt: skip
def support(slug, item_id):
    process = load_process(slug)
    proposal = load_item(process, Kind.PROPOSAL, item_id)
    votes.support_proposal(proposal, current_user)
    return _support_state(process, proposal, True)


@operation(bp, "/processes/<slug>/proposals/<int:item_id>/support", "DELETE",
           "withdrawSupport", _l("Withdraw your support (during Reimagine)"), tag="proposals",
           auth=WRITE, response=s.SupportState, errors=(409,), limit_scope="support")  # fmt: skip
def withdraw_support(slug, item_id):
    process = load_process(slug)
    proposal = load_item(process, Kind.PROPOSAL, item_id)
    votes.withdraw_support(proposal, current_user)
    return _support_state(process, proposal, False)


@operation(bp, "/processes/<slug>/issues/<int:item_id>/affected", "PUT", "markAffected",
           _l("Say an issue affects you too"), tag="issues", auth=WRITE,
           response=s.AffectedState, errors=(409,), limit_scope="affected")  # fmt: skip
def mark_affected(slug, item_id):
    process = load_process(slug)
    issue = load_item(process, Kind.ISSUE, item_id)
    votes.mark_affected(issue, current_user)
    return {"affected": True, "affected_count": issue.affected_count}


@operation(bp, "/processes/<slug>/issues/<int:item_id>/affected", "DELETE", "unmarkAffected",
           _l("Take back “this affects me too”"), tag="issues", auth=WRITE,
           response=s.AffectedState, errors=(409,), limit_scope="affected")  # fmt: skip
def unmark_affected(slug, item_id):
    process = load_process(slug)
    issue = load_item(process, Kind.ISSUE, item_id)
    votes.unmark_affected(issue, current_user)
    return {"affected": False, "affected_count": issue.affected_count}


# --- votes on comments -----------------------------------------------------------------------


def _vote_state(comment):
    mine = comments.my_votes(current_user, [comment]).get(comment.id)
    return {"vote": mine, "upvotes": comment.upvotes, "downvotes": comment.downvotes}


@operation(bp, "/comments/<int:comment_id>/vote", "PUT", "voteComment",
           _l("Vote a comment up or down"), tag="comments", auth=WRITE, body=s.VoteInput,
           response=s.VoteState, errors=(409,), limit_scope="comment-vote",
           description=_l("Sending the same vote again changes nothing; the other vote "
                          "replaces it."))  # fmt: skip
def vote_comment(comment_id, body):
    comment = load_comment(comment_id)
    if comments.my_votes(current_user, [comment]).get(comment.id) != body.value:
        comments.vote_comment(comment, current_user, body.value)
    return _vote_state(comment)


@operation(bp, "/comments/<int:comment_id>/vote", "DELETE", "unvoteComment",
           _l("Take back your vote on a comment"), tag="comments", auth=WRITE,
           response=s.VoteState, errors=(409,), limit_scope="comment-vote")  # fmt: skip
def unvote_comment(comment_id):
    comment = load_comment(comment_id)
    current = comments.my_votes(current_user, [comment]).get(comment.id)
    if current is not None:
        comments.vote_comment(comment, current_user, current)
    return _vote_state(comment)


# --- reports ---------------------------------------------------------------------------------


@operation(bp, "/reports", "POST", "reportContent", _l("Report content or a person"),
           tag="moderation", auth=WRITE, body=s.ReportInput, response=s.ReportReceipt,
           status=201, errors=(404, 409), limit_scope="report",
           description=_l("Once per item; moderators review reports. Reaching the threshold "
                          "of reports from different residents hides the item until then."),
           )  # fmt: skip
def report(body):
    target = moderation.reportable_target(body.target_type, body.target_id, current_user)
    if target is None:
        abort(404)
    _entry, events = moderation.report(current_user, target, body.reason, body.details)
    db.session.commit()
    if events and not isinstance(target, Contribution | Comment):
        from participation.townhall.events import broadcast

        broadcast(target.townhall_id, events)
    return {
        "target_type": TargetType(body.target_type).value, "target_id": target.id,
        "reason": body.reason, "message": _("Thank you. A moderator will look at your report."),
    }  # fmt: skip
