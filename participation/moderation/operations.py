"""Reporting, hiding, restoring, dismissing, suspending: every rule of moderation.

Who moderates what: administrators everything; a facilitator the contributions and comments of
the processes they facilitate and the questions and messages of the town halls they
facilitate. Reports of people go to administrators only. Every action goes to the action log,
with its public reason.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.accounts.models import User
from participation.accounts.operations import end_all_sessions
from participation.audit.operations import record_action
from participation.comments.models import Comment
from participation.core.models import HIDDEN_REASON_MAX, utcnow
from participation.core.permissions import Permission, Role, can
from participation.core.rules import RuleError, require_participant
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.moderation import action_log  # noqa: F401  (registers the action log's words)
from participation.moderation.models import (
    DETAILS_MAX,
    Report,
    ReportReason,
    Resolution,
    TargetType,
)
from participation.notifications.models import NotificationKind
from participation.notifications.operations import notify
from participation.opinions import operations as opinions_ops
from participation.opinions.models import Conversation, Statement
from participation.proposals.models import Contribution
from participation.townhall import operations as townhall_ops
from participation.townhall.models import Message, Question

MODELS = {
    TargetType.CONTRIBUTION: Contribution,
    TargetType.COMMENT: Comment,
    TargetType.QUESTION: Question,
    TargetType.MESSAGE: Message,
    TargetType.STATEMENT: Statement,
    TargetType.USER: User,
}
SUSPENSION_REASON_MAX = 300
# Kinds of content other features register (see register_content): kind -> (scope, changed).
REGISTERED = {}


def register_content(kind, model, scope, changed=None):
    """A feature's content that can be reported and hidden: ``scope(item)`` gives its
    (process, town hall); ``changed(item)``, if given, is called when it is hidden or shown
    again (to refresh the pages that show it)."""
    MODELS[TargetType(kind)] = model
    REGISTERED[TargetType(kind)] = (scope, changed)


def _registered(target):
    for kind, (scope, changed) in REGISTERED.items():
        if isinstance(target, MODELS[kind]):
            return scope, changed
    return None, None


def find_target(target_type, target_id):
    """The reported object, or None when the type is unknown or the object is gone."""
    try:
        model = MODELS[TargetType(target_type)]
    except ValueError:
        return None
    target = db.session.get(model, target_id)
    if target is None or getattr(target, "is_deleted", False):
        return None
    return target


def reportable_target(target_type, target_id, reader):
    """The target, if it exists and ``reader`` may see where it lives (a draft process or an
    unpublished town hall is not reported by those who cannot see it): the report page and
    the API ask the same."""
    from participation.processes.operations import process_is_visible

    target = find_target(target_type, target_id)
    if target is None:
        return None
    process, townhall = scope_of(target)
    if process is not None and not process_is_visible(process, reader):
        return None
    if townhall is not None and not townhall.is_published:
        return None
    return target


def type_of(target):
    return next(kind for kind, model in MODELS.items() if isinstance(target, model))


def scope_of(target):
    """(process, town hall) the target belongs to; people belong to neither."""
    scope, _changed = _registered(target)
    if scope is not None:
        return scope(target)
    if isinstance(target, Contribution):
        return target.process, None
    if isinstance(target, Comment):
        return target.contribution.process, None
    if isinstance(target, Question | Message):
        return None, target.townhall
    if isinstance(target, Statement):
        conversation = target.conversation
        return conversation.process, conversation.townhall
    return None, None


def author_of(target):
    return target if isinstance(target, User) else target.author


def can_moderate(user, target):
    if not can(user, Permission.MODERATE):
        return False
    if Role.ADMIN in user.roles:
        return True
    process, townhall = scope_of(target)
    if process is not None:
        return can(user, Permission.FACILITATE, process)
    if townhall is not None:
        return townhall.is_facilitator(user)
    return False  # people: administrators only


def can_see_hidden(user, item):
    """Moderators of the place and the author see hidden content; everyone else the reason."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(item, "author_id", None) == user.id:
        return True
    return can_moderate(user, item)


def _require_moderator(user, target):
    if not can_moderate(user, target):
        raise RuleError(_l("Only the moderators of this place can do that."))


def _open_reports(target):
    return sa.select(Report).where(
        Report.target_type == type_of(target),
        Report.target_id == target.id,
        Report.resolved_dt.is_(None),
    )


def report(reporter, target, reason, details=""):
    """Report an item once; returns (report, events): when this report was the one that
    reached the threshold of distinct residents, the item is hidden for review, and a live
    town hall's ``hidden`` event is among ``events`` (to broadcast after the commit)."""
    require_participant(reporter)
    if target is None:
        raise RuleError(_l("That no longer exists."))
    if author_of(target) is not None and author_of(target).id == reporter.id:
        raise RuleError(_l("You cannot report yourself or what you wrote."))
    if getattr(target, "is_hidden", False):
        raise RuleError(_l("A moderator has already hidden this."))
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise RuleError(_l("Please choose a reason."), "reason") from None
    details = plain_text(details or "")
    if len(details) > DETAILS_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=DETAILS_MAX), "details")
    if reason == ReportReason.OTHER and not details:
        raise RuleError(_l("Please say what is wrong."), "details")
    kind = type_of(target)
    already = db.session.scalar(
        sa.select(Report.id).where(
            Report.reporter_id == reporter.id,
            Report.target_type == kind,
            Report.target_id == target.id,
        )
    )
    if already:
        raise RuleError(_l("You have already reported this. Thank you."))
    process, townhall = scope_of(target)
    entry = Report(
        target_type=kind, target_id=target.id, reporter_id=reporter.id, reason=reason,
        details=details, process_id=process.id if process else None,
        townhall_id=townhall.id if townhall else None,
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    events = []
    if kind != TargetType.USER:
        reporters = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Report.reporter_id))).where(
                Report.target_type == kind,
                Report.target_id == target.id,
                Report.resolved_dt.is_(None),
            )
        )
        if reporters >= current_app.config["MODERATION_HIDE_AFTER_REPORTS"]:
            events = _set_hidden(target, None, "")
            record_action(None, "moderation.auto_hide", target,
                          details={"reports": reporters}, public=True)  # fmt: skip
    return entry, events


def _set_hidden(target, moderator, reason):
    """Hide; returns the live events that remove the item from every screen."""
    target.is_hidden = True
    target.hidden_reason = reason
    target.hidden_dt = utcnow()
    target.hidden_by_id = moderator.id if moderator else None
    _scope, changed = _registered(target)
    if changed is not None:
        changed(target)
    if isinstance(target, Statement):
        opinions_ops.visibility_changed(target)
    if isinstance(target, Question | Message):
        kind = "question" if isinstance(target, Question) else "message"
        return townhall_ops.unlink_hidden(target.townhall, kind, target)
    return []


def _resolve(target, moderator, resolution):
    now = utcnow()
    for entry in db.session.scalars(_open_reports(target)):
        entry.resolved_dt = now
        entry.resolution = resolution
        entry.resolved_by_id = moderator.id


def _clean_reason(reason, required=True):
    reason = plain_text(reason or "")
    if required and not reason:
        raise RuleError(_l("Please give the reason residents will see."), "reason")
    if len(reason) > HIDDEN_REASON_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=HIDDEN_REASON_MAX), "reason")
    return reason


def _tell_author(target, moderator, decision):
    """Tell the author of a proposal, an issue or a comment what a moderator decided."""
    if not isinstance(target, Contribution | Comment) or target.author_id is None:
        return
    notify(
        NotificationKind.MODERATION,
        [("people", [target.author_id])],
        target,
        moderator,
        detail=decision,
    )


def hide(moderator, target, reason):
    """Hide content with a public reason; its open reports are resolved. Returns live events."""
    _require_moderator(moderator, target)
    if isinstance(target, User):
        raise RuleError(_l("People are suspended, not hidden."))
    if target.is_hidden and target.hidden_by_id is not None:
        raise RuleError(_l("A moderator has already hidden this."))
    reason = _clean_reason(reason)
    events = _set_hidden(target, moderator, reason)
    _resolve(target, moderator, Resolution.HIDDEN)
    record_action(moderator, "moderation.hide", target, reason=reason, public=True)
    _tell_author(target, moderator, "hidden")
    return events


def restore(moderator, target, reason=""):
    """Show hidden content again; its open reports are dismissed. Returns live events."""
    _require_moderator(moderator, target)
    if not getattr(target, "is_hidden", False):
        raise RuleError(_l("This is not hidden."))
    reason = _clean_reason(reason, required=False)
    target.is_hidden = False
    target.hidden_reason = ""
    target.hidden_dt = None
    target.hidden_by_id = None
    _scope, changed = _registered(target)
    if changed is not None:
        changed(target)
    _resolve(target, moderator, Resolution.DISMISSED)
    record_action(moderator, "moderation.restore", target, reason=reason, public=True)
    _tell_author(target, moderator, "restored")
    if isinstance(target, Statement):
        opinions_ops.visibility_changed(target)
    if isinstance(target, Question | Message):
        return [townhall_ops.announce_restored(target)]
    return []


def dismiss(moderator, target):
    """Nothing wrong: close the reports; content hidden only by the reports comes back."""
    _require_moderator(moderator, target)
    if not db.session.scalar(_open_reports(target).limit(1)):
        raise RuleError(_l("There are no open reports on this."))
    if getattr(target, "is_hidden", False) and target.hidden_by_id is None:
        return restore(moderator, target)
    _resolve(target, moderator, Resolution.DISMISSED)
    record_action(moderator, "moderation.dismiss", target, public=True)
    return []


def can_suspend(moderator, user):
    """Administrators suspend anyone but themselves. A facilitator suspends only residents
    who wrote something in a process or town hall that facilitator moderates."""
    from participation.processes.models import process_facilitators
    from participation.townhall.models import townhall_facilitators

    if moderator is None or not moderator.is_authenticated or user.id == moderator.id:
        return False
    if not can(moderator, Permission.MODERATE):
        return False
    if Role.ADMIN in moderator.roles:
        return True
    if user.roles != frozenset({Role.RESIDENT}):
        return False
    processes = sa.select(process_facilitators.c.process_id).where(
        process_facilitators.c.user_id == moderator.id
    )
    townhalls = sa.select(townhall_facilitators.c.townhall_id).where(
        townhall_facilitators.c.user_id == moderator.id
    )
    wrote = sa.union_all(
        sa.select(Contribution.id).where(
            Contribution.author_id == user.id, Contribution.process_id.in_(processes)
        ),
        sa.select(Comment.id)
        .join(Contribution, Comment.contribution_id == Contribution.id)
        .where(Comment.author_id == user.id, Contribution.process_id.in_(processes)),
        sa.select(Question.id).where(
            Question.author_id == user.id, Question.townhall_id.in_(townhalls)
        ),
        sa.select(Message.id).where(
            Message.author_id == user.id, Message.townhall_id.in_(townhalls)
        ),
        sa.select(Statement.id)
        .join(Conversation, Conversation.id == Statement.conversation_id)
        .where(
            Statement.author_id == user.id,
            sa.or_(Conversation.process_id.in_(processes), Conversation.townhall_id.in_(townhalls)),
        ),
    )
    return db.session.scalar(sa.select(sa.exists(wrote.subquery()))) or False


def suspend(moderator, user, until, reason, public_reason=""):
    """Suspend ``user`` until a moment (None: until lifted) for a reason they will be shown.

    ``reason`` is for the person (and the staff) only; ``public_reason`` (optional, naming no
    one) is what the transparency page and the public action log say.
    Their sessions end at once; live connections are cut by the caller after the commit
    (participation.townhall.events.disconnect_user)."""
    if not can_suspend(moderator, user):
        raise RuleError(_l("You cannot suspend this person."))
    reason = plain_text(reason or "")
    public_reason = plain_text(public_reason or "")
    if not reason:
        raise RuleError(_l("Please give the reason the person will see."), "reason")
    for field, text in (("reason", reason), ("public_reason", public_reason)):
        if len(text) > SUSPENSION_REASON_MAX:
            raise RuleError(
                _l("Use at most %(count)s characters.", count=SUSPENSION_REASON_MAX), field
            )
    if until is not None and (not isinstance(until, datetime) or until <= utcnow()):
        raise RuleError(_l("The end of a suspension must be in the future."), "until")
    user.suspended_dt = utcnow()
    user.suspended_until = until
    user.suspension_reason = reason
    end_all_sessions(user)
    for entry in db.session.scalars(
        sa.select(Report).where(
            Report.target_type == TargetType.USER,
            Report.target_id == user.id,
            Report.resolved_dt.is_(None),
        )
    ):
        entry.resolved_dt = utcnow()
        entry.resolution = Resolution.SUSPENDED
        entry.resolved_by_id = moderator.id
    record_action(moderator, "user.suspend", user, reason=public_reason, private_reason=reason,
                  public=True, details={"until": until.isoformat() if until else None})  # fmt: skip


def unsuspend(moderator, user):
    if not can_suspend(moderator, user):
        raise RuleError(_l("You cannot lift this suspension."))
    if not user.is_suspended:
        raise RuleError(_l("This person is not suspended."))
    user.suspended_dt = None
    user.suspended_until = None
    user.suspension_reason = ""
    record_action(moderator, "user.unsuspend", user, public=True)


# --- the queue -------------------------------------------------------------------------------

QUEUE_STATES = ("open", "resolved")
# What the queue page shows of each kind of item, loaded with it (one query per kind).
_QUEUE_LOADS = {
    Contribution: (sa.orm.joinedload(Contribution.process), sa.orm.joinedload(Contribution.author)),
    Comment: (
        sa.orm.joinedload(Comment.contribution).joinedload(Contribution.process),
        sa.orm.joinedload(Comment.author),
    ),
    Question: (sa.orm.joinedload(Question.townhall), sa.orm.joinedload(Question.author)),
    Message: (sa.orm.joinedload(Message.townhall), sa.orm.joinedload(Message.author)),
    Statement: (sa.orm.joinedload(Statement.conversation), sa.orm.joinedload(Statement.author)),
}


QUEUE_ORDERS = ("newest", "oldest")
QUEUE_PAGE = 50


class QueuePage:
    """One page of the queue, shaped like Flask-SQLAlchemy's pagination (for the pager)."""

    def __init__(self, items, page, per_page, total):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(1, -(-total // per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)


def queue(moderator, state="open", target_type=None, page=1, order="newest",
          per_page=QUEUE_PAGE):  # fmt: skip
    """Reported items the moderator may act on, a page at a time: the most recently reported
    first, or (``order="oldest"``) those waiting longest first. Answers a :class:`QueuePage`
    of ``{"type", "target", "reports", "latest", "first"}`` (target None when the item is gone).
    """
    from participation.processes.models import process_facilitators
    from participation.townhall.models import townhall_facilitators

    open_ = state != "resolved"
    latest = sa.func.max(Report.created_dt).label("latest")
    first = sa.func.min(Report.created_dt).label("first")
    rows = (
        sa.select(Report.target_type, Report.target_id, latest, first)
        .where(Report.resolved_dt.is_(None) if open_ else Report.resolved_dt.is_not(None))
        .group_by(Report.target_type, Report.target_id)
    )
    if target_type in {kind.value for kind in TargetType}:
        rows = rows.where(Report.target_type == target_type)
    if Role.ADMIN not in moderator.roles:
        rows = rows.where(
            sa.or_(
                Report.process_id.in_(
                    sa.select(process_facilitators.c.process_id).where(
                        process_facilitators.c.user_id == moderator.id
                    )
                ),
                Report.townhall_id.in_(
                    sa.select(townhall_facilitators.c.townhall_id).where(
                        townhall_facilitators.c.user_id == moderator.id
                    )
                ),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(rows.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ordering = (
        (sa.asc("first"), Report.target_type, Report.target_id)
        if order == "oldest"
        else (sa.desc("latest"), Report.target_type, Report.target_id)
    )
    rows = rows.order_by(*ordering).limit(per_page).offset((page - 1) * per_page)
    found = db.session.execute(rows).all()
    if not found:
        return QueuePage([], page, per_page, total)
    keys = [(row.target_type, row.target_id) for row in found]
    reports = db.session.scalars(
        sa.select(Report)
        .options(sa.orm.selectinload(Report.reporter))
        .where(sa.tuple_(Report.target_type, Report.target_id).in_(keys))
        .where(Report.resolved_dt.is_(None) if open_ else Report.resolved_dt.is_not(None))
        .order_by(Report.created_dt.desc())
    ).all()
    by_target = {}
    for entry in reports:
        by_target.setdefault((entry.target_type, entry.target_id), []).append(entry)
    targets = {}
    for kind in {kind for kind, _id in keys}:
        model = MODELS[TargetType(kind)]
        ids = [target_id for k, target_id in keys if k == kind]
        select = sa.select(model).where(model.id.in_(ids)).options(*_QUEUE_LOADS.get(model, ()))
        for target in db.session.scalars(select):
            targets[(kind, target.id)] = target
    items = [
        {"type": row.target_type, "target": targets.get((row.target_type, row.target_id)),
         "target_id": row.target_id, "reports": by_target.get((row.target_type, row.target_id), []),
         "latest": row.latest, "first": row.first}
        for row in found
    ]  # fmt: skip
    return QueuePage(items, page, per_page, total)
