"""Jobs leave the request, survive a worker's crash, and failures reach the administrators."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.jobs import enqueue
from participation.jobs.models import Job, JobState
from tests.jobs import jobs_for_tests  # noqa: F401 - declares the jobs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(config):
    config.JOBS_IMMEDIATE = False
    config.JOBS_RETRY_DELAY_SECONDS = 0
    config.JOBS_RETRIES = 2
    return config


def drain(app):
    """Run every queued message in this process, as a worker would; return how many ran."""
    huey = app.extensions["jobs"].huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def test_a_job_waits_for_the_worker_and_is_queued_only_when_its_transaction_commits(app, tmp_path):
    huey = app.extensions["jobs"].huey
    with app.app_context():
        enqueue("tests.write_file", folder=str(tmp_path), name="kept")
        assert huey.pending_count() == 0  # not before the commit
        db.session.commit()
        enqueue("tests.write_file", folder=str(tmp_path), name="undone")
        db.session.rollback()
        assert huey.pending_count() == 1
        assert db.session.scalars(sa.select(Job.state)).all() == ["pending"]
    assert not (tmp_path / "kept").exists()
    assert drain(app) == 1
    assert (tmp_path / "kept").read_text() == "done"
    assert not (tmp_path / "undone").exists()
    with app.app_context():
        row = db.session.scalars(sa.select(Job)).one()
        assert (row.state, row.attempts, row.finished_dt is not None) == ("done", 1, True)


def test_a_failing_job_is_tried_again_then_shown_to_administrators(app, client, auth, admin):
    with app.app_context():
        enqueue("tests.fail", message="the mail server said no")
        db.session.commit()
    assert drain(app) == 3  # the first try and JOBS_RETRIES more
    with app.app_context():
        row = db.session.scalars(sa.select(Job)).one()
        assert (row.state, row.attempts) == (JobState.FAILED, 3)
        assert "the mail server said no" in row.last_error
    auth.login(admin)
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    assert "tests.fail" in page.text
    assert "the mail server said no" in page.text


def test_residents_cannot_see_the_failed_jobs(client, auth, resident):
    auth.login(resident)
    assert client.get("/admin/jobs").status_code == 403


def _start_worker(database_url, instance_dir):
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url,
        RUAMKID_INSTANCE_DIR=str(instance_dir),
        JOBS_HEARTBEAT_SECONDS="1",
        JOBS_RETRY_DELAY_SECONDS="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app:app", "jobs", "worker",
         "--threads", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_a_worker_killed_in_the_middle_of_a_job_loses_no_job(app, database_url, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    count = 8
    with app.app_context():
        for n in range(count):
            enqueue("tests.write_file", folder=str(out), name=str(n), seconds=0.4)
        db.session.commit()

    def running_job():
        with app.app_context():
            found = db.session.scalar(sa.select(Job.id).where(Job.state == JobState.RUNNING))
            db.session.remove()
            return found

    first = _start_worker(database_url, app.instance_path)
    try:
        _wait_for(lambda: len(list(out.iterdir())) >= 2, 60)
        interrupted = _wait_for(running_job, 10)
        first.send_signal(signal.SIGKILL)
        first.wait(5)
    finally:
        first.kill()
    with app.app_context():
        assert db.session.get(Job, interrupted).state == JobState.RUNNING  # held by the dead one
        db.session.remove()

    second = _start_worker(database_url, app.instance_path)
    try:
        _wait_for(lambda: len(list(out.iterdir())) == count, 60)

        def all_done():
            with app.app_context():
                states = db.session.scalars(sa.select(Job.state)).all()
                db.session.remove()
                return states if set(states) == {JobState.DONE} else None

        assert len(_wait_for(all_done, 10)) == count
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(10)
        except subprocess.TimeoutExpired:
            second.kill()
    assert sorted(int(path.name) for path in out.iterdir()) == list(range(count))
    with app.app_context():
        assert db.session.get(Job, interrupted).attempts == 2  # started again, not forgotten
