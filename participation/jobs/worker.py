"""The worker process: huey's consumer plus a heartbeat that also rescues orphaned jobs."""

import logging
import os
import socket
import threading
from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.extensions import db
from participation.jobs import WORKER, send
from participation.jobs.models import Job, JobState, JobWorker

logger = logging.getLogger(__name__)


def stale_after(app):
    """Seconds without a heartbeat after which a worker counts as dead."""
    return 3 * app.config["JOBS_HEARTBEAT_SECONDS"]


def beat(name):
    """Say that worker ``name`` is alive."""
    now = utcnow()
    updated = db.session.execute(
        sa.update(JobWorker).where(JobWorker.name == name).values(seen_dt=now),
        execution_options={"synchronize_session": False},
    )
    if updated.rowcount == 0:
        db.session.add(JobWorker(name=name, started_dt=now, seen_dt=now))
    db.session.commit()


def recover(app):
    """Queue again the jobs that dead workers held, and pending jobs whose message was lost
    (pending for an hour and never started). Returns the ids queued again."""
    now = utcnow()
    dead_before = now - timedelta(seconds=stale_after(app))
    live = sa.select(JobWorker.name).where(JobWorker.seen_dt >= dead_before)
    orphans = db.session.scalars(
        sa.select(Job.id).where(
            Job.state == JobState.RUNNING, sa.or_(Job.worker.is_(None), Job.worker.not_in(live))
        )
    ).all()
    if orphans:
        db.session.execute(
            sa.update(Job)
            .where(Job.id.in_(orphans), Job.state == JobState.RUNNING)
            .values(state=JobState.PENDING, worker=None),
            execution_options={"synchronize_session": False},
        )
    lost = db.session.scalars(
        sa.select(Job.id).where(
            Job.state == JobState.PENDING,
            Job.started_dt.is_(None),
            Job.created_dt < now - timedelta(hours=1),
        )
    ).all()
    db.session.execute(sa.delete(JobWorker).where(JobWorker.seen_dt < dead_before))
    db.session.commit()
    for job_id in [*orphans, *lost]:
        logger.warning("Queueing job %s again (its worker died or its message was lost)", job_id)
        send(app, job_id)
    return [*orphans, *lost]


def keep_alive(app, name, stop):
    """Every heartbeat interval: beat, then rescue orphans, until ``stop`` is set."""
    interval = app.config["JOBS_HEARTBEAT_SECONDS"]
    while True:
        with app.app_context():
            try:
                beat(name)
                recover(app)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat
                logger.exception("Worker heartbeat failed")
                db.session.rollback()
            finally:
                db.session.remove()
        if stop.wait(interval):
            return


def run_worker(app, threads):
    """Run the consumer in this process until SIGINT (finish the current jobs) or SIGTERM."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    WORKER["name"] = name
    stop = threading.Event()
    heart = threading.Thread(target=keep_alive, args=(app, name, stop), daemon=True)
    heart.start()
    huey = app.extensions["jobs"].huey
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=True)
    logger.info("Job worker %s started (%s threads)", name, threads)
    try:
        consumer.run()
    finally:
        stop.set()
        with app.app_context():
            db.session.execute(sa.delete(JobWorker).where(JobWorker.name == name))
            db.session.commit()
            db.session.remove()
