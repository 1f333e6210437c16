"""Handing pending deliveries to the channels' senders: at once, and in daily and weekly digests.

- "At once": ``fan_out`` calls :func:`queue_now` with the deliveries it wrote; a job per
  channel and batch (``notifications.send_now``) hands them to the channel's sender once the
  transaction that wrote them has committed.
- Digests: the worker's every-minute hook (:func:`start_due_digests`) works out the latest
  digest moment that has passed (``DIGEST_HOUR`` each day, Bangkok time; ``DIGEST_WEEKDAY``
  for the weekly one). Claiming it is inserting a :class:`NotificationRun` row for that
  period: the primary key lets exactly one worker win, so each digest starts once per period,
  and one missed while no worker ran goes out as soon as one is back (within a day). A job
  per channel (``notifications.send_digest``) then hands the people with pending deliveries to the
  sender in batches of ``DIGEST_BATCH``.
- Records: :func:`purge_old_deliveries` forgets deliveries older than
  ``NOTIFICATIONS_RETENTION_DAYS``, once a day.

Every registered channel (notifications/channels.py) is served the same way; the dispatcher
knows none of them by name.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.i18n import to_bangkok
from participation.core.models import utcnow
from participation.extensions import db
from participation.jobs import after_commit, enqueue, job, periodic
from participation.notifications import channels
from participation.notifications.models import Delivery, Frequency, NotificationRun

logger = logging.getLogger(__name__)

#: Deliveries per "at once" job, and people per call of a sender's ``send_digest``.
NOW_BATCH = 500
DIGEST_BATCH = 1000


class DeliveryRetry(Exception):  # noqa: N818 - it is a request, not an error of ours
    """Some deliveries met a passing failure: raise it so the job system tries again later."""


def _later(name, **payload):
    """Run job ``name`` once this transaction commits.

    With the job queue, :func:`enqueue` already does that. With ``JOBS_IMMEDIATE`` (tests,
    tiny installs) it would run inside the caller's transaction; a sender commits as it
    goes, so we run it just after the commit instead, in its own application context.
    """
    if not current_app.config["JOBS_IMMEDIATE"]:
        enqueue(name, **payload)
        return
    from participation.jobs import _HANDLERS

    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                _HANDLERS[name](**payload)
                db.session.commit()
            except Exception:
                logger.exception("Job %s failed", name)
                db.session.rollback()
            finally:
                db.session.remove()

    after_commit(run)


def queue_now(written):
    """Queue the sending of the deliveries due at once (``[(id, channel, frequency)]``)."""
    by_channel = {}
    for delivery_id, channel, frequency in written:
        if frequency == Frequency.NOW:
            by_channel.setdefault(channel, []).append(delivery_id)
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), NOW_BATCH):
            _later(
                "notifications.send_now",
                channel=channel,
                delivery_ids=ids[start : start + NOW_BATCH],
            )


@job("notifications.send_now")
def send_now(channel, delivery_ids):
    """Hand deliveries due at once to their channel's sender (it marks them sent or failed)."""
    sender = channels.sender_for(channel)
    if sender is None or not sender.available():
        logger.warning("No %s sender is configured; %s deliveries wait", channel, len(delivery_ids))
        return
    sender.send_now(list(delivery_ids))


# --- Digests ------------------------------------------------------------------------------------


def latest_moments(now, hour, weekday):
    """The latest daily and weekly digest moments at or before ``now`` (Bangkok time)."""
    local = to_bangkok(now)
    daily = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if daily > local:
        daily -= timedelta(days=1)
    weekly = daily - timedelta(days=(daily.weekday() - weekday) % 7)
    return {Frequency.DAILY: daily, Frequency.WEEKLY: weekly}


def claim(name, period, now):
    """Record that ``name`` runs for ``period``; True for the one caller that recorded it."""
    from participation.notifications.operations import insert_if_absent

    return insert_if_absent(NotificationRun, name=name, period=period, started_dt=now)


@periodic("notifications.digests")
def start_due_digests(now=None):
    """Start each digest whose moment has passed and that has not started; returns them."""
    now = now or utcnow()
    config = current_app.config
    started = []
    moments = latest_moments(now, config["DIGEST_HOUR"], config["DIGEST_WEEKDAY"])
    for frequency, moment in moments.items():
        # Due until a day after its moment: a weekly digest missed for a whole day (no worker
        # ran) waits for the next week, with nothing lost, rather than landing mid-week.
        if to_bangkok(now) - moment >= timedelta(days=1):
            continue
        if not claim(frequency.value, moment.date().isoformat(), now):
            continue
        started.append(frequency)
        for sender in channels.active():
            waiting = sa.select(Delivery.id).where(
                Delivery.channel == sender.channel.value,
                Delivery.state == "pending",
                Delivery.frequency == frequency.value,
            )
            if db.session.scalar(waiting.limit(1)) is None:
                continue  # nobody has anything new: no job at all
            _later(
                "notifications.send_digest",
                channel=sender.channel.value,
                frequency=frequency.value,
                before=now.isoformat(),
            )
    return started


def pending_people(channel, frequency, before, batch=DIGEST_BATCH):
    """Yield ``{user_id: [delivery_id, ...]}`` batches of the people with pending deliveries
    of ``channel`` in the ``frequency`` digest, written before ``before``, in user order."""
    due = (
        Delivery.channel == channel,
        Delivery.state == "pending",
        Delivery.frequency == frequency,
        Delivery.created_dt <= before,
    )
    after = 0
    while True:
        people = db.session.scalars(
            sa.select(Delivery.user_id)
            .where(*due, Delivery.user_id > after)
            .group_by(Delivery.user_id)
            .order_by(Delivery.user_id)
            .limit(batch)
        ).all()
        if not people:
            return
        found = {}
        for user_id, delivery_id in db.session.execute(
            sa.select(Delivery.user_id, Delivery.id)
            .where(*due, Delivery.user_id >= people[0], Delivery.user_id <= people[-1])
            .order_by(Delivery.user_id, Delivery.id)
        ):
            found.setdefault(user_id, []).append(delivery_id)
        after = people[-1]
        yield found


@job("notifications.send_digest")
def send_digest(channel, frequency, before):
    """Hand each person's pending ``frequency`` deliveries of ``channel`` to its sender, a batch
    of people at a time. Passing failures leave those deliveries pending and the job is tried
    again (it then finds only them); the rest of the batch is not held up."""
    sender = channels.sender_for(channel)
    if sender is None or not sender.available():
        return 0
    cutoff = datetime.fromisoformat(before)
    frequency = Frequency(frequency)
    people, retry = 0, None
    for batch in pending_people(channel, frequency.value, cutoff, sender.digest_batch):
        try:
            sender.send_digest(batch, frequency)
        except DeliveryRetry as error:
            retry = error
        db.session.commit()
        people += len(batch)
    if retry is not None:
        raise retry
    return people


# --- Records ------------------------------------------------------------------------------------


@periodic("notifications.purge")
def purge_old_deliveries(now=None, chunk=10_000):
    """Once a day, forget deliveries (and digest runs) older than the retention period."""
    now = now or utcnow()
    if not claim("purge", to_bangkok(now).date().isoformat(), now):
        return 0
    cutoff = now - timedelta(days=current_app.config["NOTIFICATIONS_RETENTION_DAYS"])
    removed = 0
    while True:
        ids = db.session.scalars(
            sa.select(Delivery.id).where(Delivery.created_dt < cutoff).limit(chunk)
        ).all()
        if not ids:
            break
        db.session.execute(sa.delete(Delivery).where(Delivery.id.in_(ids)))
        removed += len(ids)
    db.session.execute(sa.delete(NotificationRun).where(NotificationRun.started_dt < cutoff))
    return removed
