"""Following, and notifying the people an event concerns.

Every notification goes through :func:`notify`. It writes the site notifications (the bell) and,
as each person's settings say, the deliveries that the e-mail and LINE senders take up
(``Delivery``, pending). A fan-out to more than ``NOTIFY_INLINE_MAX`` people runs as a job, so
the request that caused it does not wait for it. Once written and committed, each recipient's
open pages hear their new unread count on Socket.IO (``/me``, notifications/events.py).
"""

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from participation.core.models import utcnow
from participation.extensions import db, socketio
from participation.jobs import after_commit, enqueue, job
from participation.notifications import audiences, channels
from participation.notifications.channels import default_frequency
from participation.notifications.models import (
    Channel,
    Delivery,
    Follow,
    Frequency,
    Notification,
    NotificationKind,
    NotificationPreference,
)

logger = logging.getLogger(__name__)

NAMESPACE = "/me"

#: The columns of ``notifications`` that name what a notification is about.
TARGET_COLUMNS = ("process_id", "contribution_id", "comment_id", "summary_id", "townhall_id")


def insert_if_absent(model, **values):
    """INSERT a row unless a unique constraint already holds it; return True when inserted.

    The answer comes from RETURNING: a driver's rowcount for INSERT ... ON CONFLICT is not
    reliable (psycopg reports -1 through the ORM session).
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    key = sa.inspect(model).primary_key[0]
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(statement).first() is not None


def follow(user, process=None, contribution=None):
    insert_if_absent(
        Follow,
        user_id=user.id,
        process_id=getattr(process, "id", None),
        contribution_id=getattr(contribution, "id", None),
        created_dt=utcnow(),
    )


def unfollow(user, process=None, contribution=None):
    query = sa.delete(Follow).where(Follow.user_id == user.id)
    if process is not None:
        query = query.where(Follow.process_id == process.id)
    else:
        query = query.where(Follow.contribution_id == contribution.id)
    db.session.execute(query)


def following_ids(user, contribution_ids):
    """Which of ``contribution_ids`` the user follows (one query)."""
    if not user.is_authenticated or not contribution_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Follow.contribution_id).where(
                Follow.user_id == user.id, Follow.contribution_id.in_(contribution_ids)
            )
        )
    )


def is_following(user, process=None, contribution=None):
    if not user.is_authenticated:
        return False
    query = sa.select(Follow.id).where(Follow.user_id == user.id)
    if process is not None:
        query = query.where(Follow.process_id == process.id)
    else:
        query = query.where(Follow.contribution_id == contribution.id)
    return db.session.scalar(query.limit(1)) is not None


# --- Notifying ----------------------------------------------------------------------------------


def target_columns(target):
    """The ``notifications`` columns naming ``target`` (and the process it belongs to)."""
    name = type(target).__name__
    if name in ("Contribution", "Proposal", "Issue"):
        return {"contribution_id": target.id, "process_id": target.process_id}
    if name == "Comment":
        return {
            "comment_id": target.id,
            "contribution_id": target.contribution_id,
            "process_id": target.contribution.process_id,
        }
    if name == "Process":
        return {"process_id": target.id}
    if name == "Summary":
        return {"summary_id": target.id, "process_id": target.process_id}
    if name == "TownHall":
        return {"townhall_id": target.id, "process_id": target.process_id}
    raise TypeError(f"Cannot notify about a {name}")


def notify(kind, recipients, target, actor=None, *, detail=None, columns=None, exclude=()):
    """Tell ``recipients`` that ``kind`` happened to ``target`` (done by ``actor``).

    ``recipients`` is a list of ``(audience, value)`` pairs (participation/notifications/
    audiences.py), e.g. ``[("contribution", proposal.id)]`` or ``[("people", [user_id])]``;
    each person is told once, the actor never. ``detail`` says what happened where the kind
    alone does not (a moderation decision: ``hidden``/``restored``); ``columns`` adds target
    columns; ``exclude`` lists user ids told otherwise. Call inside the transaction of the
    change; returns how many were told now, or None when a job will tell them.
    """
    spec = {
        "kind": str(NotificationKind(kind)),
        "recipients": [[name, value] for name, value in recipients],
        "columns": {**target_columns(target), **(columns or {})},
        "actor_id": getattr(actor, "id", None),
        "exclude": [user_id for user_id in exclude if user_id is not None],
        "detail": detail,
        "created": utcnow().isoformat(),
    }
    if _count(spec) > current_app.config["NOTIFY_INLINE_MAX"]:
        enqueue("notifications.fan_out", **spec)
        return None
    return fan_out(**spec)


def _recipients(recipients, actor_id, exclude=()):
    people = audiences.query(recipients).subquery()
    user_id = people.c[0].label("user_id")
    query = sa.select(user_id).where(user_id.is_not(None))
    left_out = [*exclude, *([actor_id] if actor_id is not None else [])]
    if left_out:
        query = query.where(user_id.not_in(left_out))
    return query.distinct()


def _count(spec):
    recipients = _recipients(spec["recipients"], spec["actor_id"], spec["exclude"]).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(recipients))


@job("notifications.fan_out")
def fan_out(kind, recipients, columns, actor_id=None, exclude=(), detail=None, created=None):
    """Write the notifications and pending deliveries of one event; return how many people."""
    created_dt = datetime.fromisoformat(created) if created else utcnow()
    who = _recipients(recipients, actor_id, exclude).subquery()
    senders = channels.active()
    site = sa.orm.aliased(NotificationPreference, name="pref_site")
    query = sa.select(who.c.user_id, site.frequency).outerjoin(
        site,
        sa.and_(site.user_id == who.c.user_id, site.kind == kind, site.channel == Channel.SITE),
    )
    for sender in senders:
        channel = sender.channel.value
        pref = sa.orm.aliased(NotificationPreference, name=f"pref_{channel}")
        reach = sender.reachable().subquery(f"reach_{channel}")
        query = query.add_columns(pref.frequency, reach.c[0]).outerjoin(
            pref,
            sa.and_(pref.user_id == who.c.user_id, pref.kind == kind, pref.channel == channel),
        )
        query = query.outerjoin(reach, reach.c[0] == who.c.user_id)
    # Run twice (a job whose worker died after writing), an event tells nobody twice.
    told = sa.select(Notification.user_id).where(
        Notification.kind == kind,
        Notification.created_dt == created_dt,
        *(getattr(Notification, name) == value for name, value in columns.items()),
    )
    query = query.where(who.c.user_id.not_in(told))
    rows, deliveries = [], []
    for user_id, on_site, *per_channel in db.session.execute(query):
        on_site = on_site or default_frequency(kind, Channel.SITE)
        wanted = []
        for index, sender in enumerate(senders):
            chosen, reached = per_channel[2 * index], per_channel[2 * index + 1]
            if reached is None:
                continue  # no address, no link: this channel cannot reach them
            frequency = Frequency(chosen or default_frequency(kind, sender.channel))
            if frequency != Frequency.NEVER:
                wanted.append((sender.channel, frequency))
        if on_site == Frequency.NEVER and not wanted:
            continue
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "actor_id": actor_id,
                "detail": detail,
                "created_dt": created_dt,
                # Not on the site: kept (the message links to it) but already read.
                "read_dt": created_dt if on_site == Frequency.NEVER else None,
                **{name: columns.get(name) for name in TARGET_COLUMNS},
            }
        )
        deliveries.append(wanted)
    if not rows:
        return 0
    # RETURNING without sort_by_parameter_order: SQLAlchemy then sends the rows in a few
    # multi-row INSERTs (with it, SQLite gets one INSERT per row: 10,000 people took seconds).
    # Each person is told once per event, so the returned user_id says which row is whose.
    ids = dict(
        (user_id, notification_id)
        for notification_id, user_id in db.session.execute(
            sa.insert(Notification).returning(Notification.id, Notification.user_id), rows
        )
    )
    pending = [
        {
            "notification_id": ids[row["user_id"]],
            "user_id": row["user_id"],
            "channel": channel.value,
            "frequency": frequency.value,
            "created_dt": created_dt,
        }
        for row, wanted in zip(rows, deliveries, strict=True)
        for channel, frequency in wanted
    ]
    if pending:
        written_deliveries = db.session.execute(
            sa.insert(Delivery).returning(Delivery.id, Delivery.channel, Delivery.frequency),
            pending,
        ).all()
        from participation.notifications.dispatch import queue_now

        queue_now(written_deliveries)
    bell = [row["user_id"] for row in rows if row["read_dt"] is None]
    app = current_app._get_current_object()
    after_commit(lambda: push_unread_counts(app, bell))
    return len(rows)


# --- The bell -----------------------------------------------------------------------------------


def room_for(user_id):
    return f"user:{user_id}"


def push_unread_counts(app, user_ids, chunk=500):
    """Send each person's open pages their unread count (after the commit that changed it)."""
    if not user_ids:
        return
    with app.app_context(), db.engine.connect() as connection:
        for start in range(0, len(user_ids), chunk):
            some = user_ids[start : start + chunk]
            counts = dict.fromkeys(some, 0)
            counts.update(
                connection.execute(
                    sa.select(Notification.user_id, sa.func.count())
                    .where(Notification.user_id.in_(some), Notification.read_dt.is_(None))
                    .group_by(Notification.user_id)
                ).all()
            )
            for user_id, count in counts.items():
                socketio.emit("unread", {"count": count}, to=room_for(user_id), namespace=NAMESPACE)


def unread_count(user):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_dt.is_(None))
    )


def _mark_read(user, *conditions):
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_dt.is_(None), *conditions)
        .values(read_dt=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if changed.rowcount:
        app = current_app._get_current_object()
        user_id = user.id
        after_commit(lambda: push_unread_counts(app, [user_id]))
    return changed.rowcount


def mark_all_read(user):
    return _mark_read(user)


def mark_read(user, notification):
    """Mark one of the reader's notifications read (opening it)."""
    return _mark_read(user, Notification.id == notification.id)


def mark_target_read(user, **columns):
    """Mark read the reader's notifications about a page they opened, e.g.
    ``mark_target_read(user, contribution_id=7)``; writes only when there are some."""
    if not getattr(user, "is_authenticated", False):
        return 0
    conditions = [getattr(Notification, k) == v for k, v in columns.items()]
    unread = sa.select(Notification.id).where(
        Notification.user_id == user.id, Notification.read_dt.is_(None), *conditions
    )
    if db.session.scalar(unread.limit(1)) is None:
        return 0
    return _mark_read(user, *conditions)
