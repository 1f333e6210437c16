"""Background jobs, off the request path.

A feature declares what a job does with :func:`job` and asks for one with :func:`enqueue`
inside its transaction. The job is a row in ``jobs`` (the ledger, written with the change that
caused it) and, once that transaction commits, a message on the huey queue: huey's SQLite file
in the instance folder by default, Redis when ``REDIS_URL`` is set. ``flask jobs worker`` runs
the consumer (participation/jobs/worker.py).

A failing job is tried again ``JOBS_RETRIES`` times, waiting ``JOBS_RETRY_DELAY_SECONDS``
and twice as long each time, then marked failed: administrators see it under /admin/jobs.
A worker killed while it holds a job leaves the row ``running`` under its name; a live worker
notices that the name stopped sending heartbeats and queues the job again, so a crash loses
nothing. Handlers must therefore be safe to run twice.

With ``JOBS_IMMEDIATE`` (the tests' default) a job runs at once in the caller's transaction.
"""

import logging
import traceback
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from participation.core.models import utcnow
from participation.extensions import db
from participation.jobs.models import Job, JobState

logger = logging.getLogger(__name__)

_HANDLERS = {}
_PERIODIC = {}
_AFTER_COMMIT = "ruamkid_after_commit"

#: The name this process's worker writes on the jobs it holds (set by ``flask jobs worker``).
WORKER = {"name": None}


def job(name):
    """Declare ``func`` as the job called ``name``; its keyword arguments must be JSON."""

    def decorator(func):
        _HANDLERS[name] = func
        return func

    return decorator


def periodic(name):
    """Declare ``func()`` to be run by the worker every minute (one worker at a time)."""

    def decorator(func):
        _PERIODIC[name] = func
        return func

    return decorator


def run_periodic(app):
    """Run every periodic function once, each in its own transaction."""
    for name, func in _PERIODIC.items():
        with app.app_context():
            try:
                func()
                db.session.commit()
            except Exception:  # noqa: BLE001 - one failing must not stop the others
                logger.exception("Periodic job %s failed", name)
                db.session.rollback()
            finally:
                db.session.remove()


def enqueue(name, /, **payload):
    """Ask for job ``name`` with ``payload``; it is queued when the current transaction
    commits (and forgotten if it rolls back). Returns the :class:`Job` row, or None when the
    job ran at once (``JOBS_IMMEDIATE``)."""
    handler = _HANDLERS[name]
    if current_app.config["JOBS_IMMEDIATE"]:
        handler(**payload)
        return None
    row = Job(name=name, payload=payload, state=JobState.PENDING, created_dt=utcnow())
    db.session.add(row)
    db.session.flush()
    job_id = row.id
    app = current_app._get_current_object()
    after_commit(lambda: send(app, job_id))
    return row


def send(app, job_id, delay=None):
    """Put job ``job_id`` on the queue. A queue that is down is logged, not raised: the row
    stays pending and a worker's sweep queues it later."""
    try:
        task = app.extensions["jobs"].run_job
        if delay:
            task.schedule((job_id,), delay=delay)
        else:
            task(job_id)
    except Exception:  # noqa: BLE001 - the ledger keeps the job; see recover()
        logger.exception("Could not queue job %s; a worker will take it up later", job_id)


def after_commit(callback):
    """Call ``callback()`` once the session's current transaction has committed."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _run_after_commit(session):
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # noqa: BLE001 - the commit happened; a side effect must not undo it
            logger.exception("An after-commit action failed")


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_after_commit(session):
    session.info.pop(_AFTER_COMMIT, None)


def _claim(job_id):
    """Take a pending job for this worker; True when it is ours to run."""
    claimed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.state == JobState.PENDING)
        .values(
            state=JobState.RUNNING,
            worker=WORKER["name"],
            started_dt=utcnow(),
            attempts=Job.attempts + 1,
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return claimed.rowcount == 1


def _finish(job_id, state, error=None):
    db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id)
        .values(state=state, worker=None, finished_dt=utcnow(), last_error=error),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def run(app, job_id, last_try=True):
    """Run job ``job_id`` once in ``app``. Returns True when it is done; raises when it failed
    and will be tried again; returns False when it failed for good or was not ours."""
    with app.app_context():
        try:
            if not _claim(job_id):
                return False
            row = db.session.get(Job, job_id)
            name, payload = row.name, dict(row.payload)
            _HANDLERS[name](**payload)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            detail = "".join(traceback.format_exception(error))[-4000:]
            if last_try:
                logger.exception("Job %s failed for good", job_id)
                _finish(job_id, JobState.FAILED, detail)
                return False
            _finish(job_id, JobState.PENDING, detail)
            raise
        finally:
            db.session.remove()
        _finish(job_id, JobState.DONE)
        db.session.remove()
        return True


def init_app(app):
    """Bind a huey instance to ``app`` (``app.extensions["jobs"]``)."""
    from types import SimpleNamespace

    from huey import RedisHuey, SqliteHuey

    immediate = app.config["JOBS_IMMEDIATE"]
    if app.config["REDIS_URL"] and not immediate:
        huey = RedisHuey("ruamkid", url=app.config["REDIS_URL"], results=False)
    else:
        path = Path(app.config["JOBS_SQLITE_PATH"] or Path(app.instance_path) / "jobs.sqlite3")
        huey = SqliteHuey("ruamkid", filename=str(path), results=False, immediate=immediate)

    def run_job(job_id, task=None):
        run(app, job_id, last_try=task is None or not task.retries)

    run_job.__name__ = "run_job"
    task = huey.task(
        retries=app.config["JOBS_RETRIES"],
        retry_delay=app.config["JOBS_RETRY_DELAY_SECONDS"],
        retry_backoff=2,
        context=True,
        name="ruamkid.run_job",
    )(run_job)
    from huey import crontab

    @huey.periodic_task(crontab(minute="*"), name="ruamkid.every_minute")
    def every_minute():
        with huey.lock_task("ruamkid.every_minute"):  # one worker at a time
            run_periodic(app)

    app.extensions["jobs"] = SimpleNamespace(huey=huey, run_job=task, every_minute=every_minute)
    from participation.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
