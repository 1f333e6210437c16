"""Followers of a process are reminded once, an hour before its town hall starts."""

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.jobs import run_periodic
from participation.notifications.models import Notification
from participation.townhall.models import TownHall


def test_followers_hear_once_that_a_town_hall_of_their_process_starts_soon(
    app, client, auth, resident, create_user, create_process, create_townhall, in_db
):
    process = create_process("reimagine")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/follow")
    soon = create_townhall(state="scheduled", process_id=process.id)
    later = create_townhall(state="scheduled", process_id=process.id)
    with in_db() as session:
        session.get(TownHall, soon.id).starts_dt = utcnow() + timedelta(minutes=30)
        session.get(TownHall, later.id).starts_dt = utcnow() + timedelta(hours=5)
        session.commit()

    run_periodic(app)
    run_periodic(app)  # the next minute: nobody is told twice

    with in_db() as session:
        notes = session.execute(
            sa.select(Notification.user_id, Notification.kind, Notification.townhall_id)
        ).all()
    assert [tuple(n) for n in notes] == [(resident.id, "townhall", soon.id)]
    page = client.get("/notifications/").get_data(as_text=True)
    assert "เวทีประชาคม" in page


def test_the_worker_runs_the_reminders_every_minute(
    app, client, auth, resident, create_process, create_townhall, in_db
):
    process = create_process("reimagine")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/follow")
    soon = create_townhall(state="scheduled", process_id=process.id)
    with in_db() as session:
        session.get(TownHall, soon.id).starts_dt = utcnow() + timedelta(minutes=5)
        session.commit()
    jobs = app.extensions["jobs"]

    due = [task.name for task in jobs.huey.read_periodic(utcnow().replace(tzinfo=None))]
    assert due == ["ruamkid.every_minute"]
    jobs.every_minute.call_local()

    with in_db() as session:
        assert session.scalars(sa.select(Notification.townhall_id)).all() == [soon.id]
