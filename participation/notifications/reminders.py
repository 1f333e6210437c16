"""Reminders sent at a time rather than on an event: a town hall starting soon.

Ruamkid has no registration for town halls (yet): the followers of the town hall's process
are reminded, once, ``TOWNHALL_REMINDER_MINUTES`` before it starts. The job worker runs this
every minute (participation/jobs, ``periodic``).
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.models import utcnow
from participation.extensions import db
from participation.jobs import periodic
from participation.notifications.models import Notification, NotificationKind
from participation.notifications.operations import notify


@periodic("notifications.remind_townhalls")
def remind_townhalls(now=None):
    """Remind the followers of each published town hall that starts soon; returns the ids."""
    from participation.townhall.models import State, TownHall

    now = now or utcnow()
    soon = now + timedelta(minutes=current_app.config["TOWNHALL_REMINDER_MINUTES"])
    reminded = sa.select(Notification.townhall_id).where(
        Notification.kind == NotificationKind.TOWNHALL, Notification.townhall_id.is_not(None)
    )
    halls = db.session.scalars(
        sa.select(TownHall).where(
            TownHall.is_published.is_(True),
            TownHall.state == State.SCHEDULED,
            TownHall.process_id.is_not(None),
            TownHall.starts_dt > now,
            TownHall.starts_dt <= soon,
            TownHall.id.not_in(reminded),
        )
    ).all()
    for hall in halls:
        notify(NotificationKind.TOWNHALL, [("process_followers", hall.process_id)], hall)
    return [hall.id for hall in halls]
