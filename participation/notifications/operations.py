"""Following, and notifying the people a change concerns (one INSERT ... SELECT per event)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from participation.core.models import utcnow
from participation.extensions import db
from participation.notifications.models import Follow, Notification, NotificationKind


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


def is_following(user, process=None, contribution=None):
    if not user.is_authenticated:
        return False
    query = sa.select(Follow.id).where(Follow.user_id == user.id)
    if process is not None:
        query = query.where(Follow.process_id == process.id)
    else:
        query = query.where(Follow.contribution_id == contribution.id)
    return db.session.scalar(query.limit(1)) is not None


def _fan_out(recipients, kind, actor, process_id=None, contribution_id=None, comment_id=None):
    """Insert one notification per distinct recipient, except the actor, in one statement."""
    recipients = sa.union(*recipients).subquery()
    query = sa.select(
        recipients.c.user_id,
        sa.literal(str(kind)),
        sa.literal(getattr(actor, "id", None), sa.Integer),
        sa.literal(process_id, sa.Integer),
        sa.literal(contribution_id, sa.Integer),
        sa.literal(comment_id, sa.Integer),
        sa.literal(utcnow(), Notification.created_dt.type),
    ).where(recipients.c.user_id.is_not(None))
    if actor is not None:
        query = query.where(recipients.c.user_id != actor.id)
    db.session.execute(
        sa.insert(Notification).from_select(
            [
                "user_id",
                "kind",
                "actor_id",
                "process_id",
                "contribution_id",
                "comment_id",
                "created_dt",
            ],
            query,
        )  # fmt: skip
    )


def notify_reply(comment, parent, actor):
    """Tell the author of ``parent`` that someone replied."""
    if parent.author_id is None or parent.author_id == actor.id:
        return
    db.session.add(
        Notification(
            user_id=parent.author_id,
            kind=NotificationKind.REPLY,
            actor_id=actor.id,
            contribution_id=comment.contribution_id,
            comment_id=comment.id,
        )
    )


def notify_proposal_audience(proposal, kind, actor):
    """Tell the author, the followers and the supporters of a proposal."""
    from participation.proposals.models import Contribution
    from participation.votes.models import Support

    recipients = [
        sa.select(Contribution.author_id.label("user_id")).where(Contribution.id == proposal.id),
        sa.select(Follow.user_id).where(Follow.contribution_id == proposal.id),
        sa.select(Support.user_id).where(Support.proposal_id == proposal.id),
    ]
    _fan_out(recipients, kind, actor, process_id=proposal.process_id, contribution_id=proposal.id)


def notify_followers_of_process(process, actor):
    recipients = [sa.select(Follow.user_id).where(Follow.process_id == process.id)]
    _fan_out(recipients, NotificationKind.PHASE, actor, process_id=process.id)


def unread_count(user):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_dt.is_(None))
    )


def mark_all_read(user):
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_dt.is_(None))
        .values(read_dt=utcnow())
    )
