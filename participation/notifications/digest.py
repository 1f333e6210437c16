"""What a digest says, for any channel: a person's notifications grouped by process and item.

:func:`group` takes delivery ids (or notifications) and returns, per process, the items
concerned with a line for each kind of news ("3 new comments on ..."), in the current locale
(use ``flask_babel.force_locale``), each item with an absolute link straight to it. The e-mail
digest renders these groups; LINE's digest turns the same groups into its text.
"""

from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import ngettext

from participation.core.forms import public_base_url
from participation.core.i18n import localized
from participation.extensions import db
from participation.notifications.models import Delivery, Notification, NotificationKind


@dataclass
class Item:
    """One proposal, issue, town hall, summary or process, and what happened to it."""

    title: str
    url: str
    counts: Counter = field(default_factory=Counter)  # kind -> how many
    last_dt: datetime | None = None

    @property
    def lines(self):
        """One translated line per kind of news, e.g. ``3 new comments on "..."``."""
        return [line(kind, count, self.title) for kind, count in sorted(self.counts.items())]

    @property
    def total(self):
        return sum(self.counts.values())


@dataclass
class Group:
    """The items of one process (``process_title`` None for news outside any process)."""

    process_title: str | None
    items: list[Item] = field(default_factory=list)

    @property
    def total(self):
        return sum(item.total for item in self.items)


def line(kind, num, what):
    """``num`` pieces of news of ``kind`` about ``what``, as a resident reads them."""
    kind = NotificationKind(kind)
    if kind == NotificationKind.COMMENT:
        return ngettext(
            '%(num)d new comment on "%(what)s"',
            '%(num)d new comments on "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.REPLY:
        return ngettext(
            '%(num)d reply to your comments on "%(what)s"',
            '%(num)d replies to your comments on "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.RESPONSE:
        return ngettext(
            '%(num)d council answer to "%(what)s"',
            '%(num)d council answers to "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.STATUS:
        return ngettext(
            '%(num)d status change of "%(what)s"',
            '%(num)d status changes of "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.UPDATE:
        return ngettext(
            '%(num)d progress update on "%(what)s"',
            '%(num)d progress updates on "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.CORRECTION:
        return ngettext(
            '%(num)d corrected progress update on "%(what)s"',
            '%(num)d corrected progress updates on "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.PHASE:
        if num == 1:
            return _('"%(what)s" moved to its next phase', what=what)
        return _('"%(what)s" moved on %(num)d phases', num=num, what=what)
    if kind == NotificationKind.SUMMARY:
        return ngettext(
            'The council published what became of "%(what)s"',
            'The council published %(num)d summaries of "%(what)s"',
            num,
            what=what,
        )
    if kind == NotificationKind.TOWNHALL:
        return _('The town hall "%(what)s" starts soon', what=what)
    return ngettext(
        '%(num)d moderation decision about your posts on "%(what)s"',
        '%(num)d moderation decisions about your posts on "%(what)s"',
        num,
        what=what,
    )


def sentence(note):
    """One notification as a sentence (the same words as the notifications page)."""
    who = note.actor.display_name if note.actor else _("The municipality")
    what = subject_title(note)
    kind = note.kind
    if kind == "reply":
        return _('%(who)s replied to your comment on "%(what)s"', who=who, what=what)
    if kind == "comment":
        return _('%(who)s commented on "%(what)s"', who=who, what=what)
    if kind == "response":
        return _('The council responded to "%(what)s"', what=what)
    if kind == "status" and note.detail == "merged":
        return _('Your issue was merged into "%(what)s", which reports the same need', what=what)
    if kind == "status" and note.detail == "merged_affected":
        return _('An issue that affects you was merged into "%(what)s", which reports the same '
                 'need; your "affects me too" now counts there', what=what)  # fmt: skip
    if kind == "status" and note.detail == "fixed_check":
        return _('"%(what)s" is marked done: was it really fixed? Tell the council', what=what)
    if kind == "status" and note.detail == "reopened":
        return _('Residents say "%(what)s" is not fixed yet: it is reopened for review', what=what)
    if kind == "status":
        return _('The status of "%(what)s" changed', what=what)
    if kind == "update" and note.detail == "milestone":
        return _('A delivery milestone of "%(what)s" was updated', what=what)
    if kind == "update":
        return _('Progress was reported on "%(what)s"', what=what)
    if kind == "correction":
        return _('%(who)s corrected a progress update on "%(what)s"', who=who, what=what)
    if kind == "summary":
        return _('The council published what became of "%(what)s", where you took part', what=what)
    if kind == "townhall":
        return _('The town hall "%(what)s" starts soon', what=what)
    if kind == "moderation" and note.detail == "restored":
        return _('A moderator showed your post on "%(what)s" again', what=what)
    if kind == "moderation":
        return _(
            'A moderator hid your post on "%(what)s"; the reason is shown in its place', what=what
        )
    return _('"%(what)s" moved to its next phase', what=what)


def subject_title(note):
    """The title of what ``note`` is about, in the current locale."""
    if note.summary is not None:
        return localized(note.summary.subject, "title")
    if note.contribution is not None:
        return note.contribution.title
    if note.townhall is not None:
        return localized(note.townhall, "title")
    if note.process is not None:
        return localized(note.process, "title")
    return ""


def _item_key(note):
    if note.summary_id is not None:
        return ("summary", note.summary_id)
    if note.contribution_id is not None:
        return ("contribution", note.contribution_id)
    if note.townhall_id is not None:
        return ("townhall", note.townhall_id)
    return ("process", note.process_id)


@contextmanager
def links():
    """A context in which ``url_for`` works (a job has no request) and :func:`absolute_url`
    gives the site's public address."""
    if has_request_context():
        with nullcontext():
            yield
        return
    with current_app.test_request_context("/", base_url=public_base_url()):
        yield


def absolute_url(path):
    return public_base_url() + path


def item_url(note):
    """The absolute address of what ``note`` is about (in :func:`links`)."""
    from participation.notifications.views import target_url

    return absolute_url(target_url(note))


def load(delivery_ids=None, notification_ids=None):
    """The notifications of these deliveries (or these notifications), with what they name."""
    query = sa.select(Notification).options(
        sa.orm.joinedload(Notification.actor),
        sa.orm.joinedload(Notification.contribution),
        sa.orm.joinedload(Notification.process),
        sa.orm.joinedload(Notification.townhall),
        sa.orm.joinedload(Notification.summary),
    )
    if delivery_ids is not None:
        query = query.where(
            Notification.id.in_(
                sa.select(Delivery.notification_id).where(Delivery.id.in_(list(delivery_ids)))
            )
        )
    else:
        query = query.where(Notification.id.in_(list(notification_ids)))
    return db.session.scalars(query.order_by(Notification.id)).unique().all()


def group(deliveries_or_notifications):
    """Group notifications (or the notifications of delivery ids) by process and item.

    Returns a list of :class:`Group`, the processes and their items in the order their first
    news came; call in the recipient's locale. Empty input, empty list: nothing to send.
    """
    given = list(deliveries_or_notifications)
    if not given:
        return []
    notes = load(delivery_ids=given) if isinstance(given[0], int) else given
    groups, items = {}, {}
    with links():
        for note in notes:
            process_id = note.process_id
            if process_id not in groups:
                title = localized(note.process, "title") if note.process is not None else None
                groups[process_id] = Group(process_title=title)
            key = _item_key(note)
            item = items.get(key)
            if item is None:
                url = item_url(note).split("#", 1)[0]
                item = items[key] = Item(title=subject_title(note), url=url)
                groups[process_id].items.append(item)
            item.counts[note.kind] += 1
            if item.last_dt is None or note.created_dt > item.last_dt:
                item.last_dt = note.created_dt
    return list(groups.values())
