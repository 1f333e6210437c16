"""A fan-out to many people runs as a job: the request that caused it does not write it."""

import pytest
import sqlalchemy as sa

from participation.jobs.models import Job
from participation.notifications.models import Delivery, Follow, Notification


@pytest.fixture
def config(config):
    config.JOBS_IMMEDIATE = False
    config.NOTIFY_INLINE_MAX = 5
    return config


def test_a_council_answer_to_many_followers_is_written_by_a_job_not_in_the_request(
    app, client, auth, resident, council, create_user, create_process, create_contribution,
    move_to, in_db,
):  # fmt: skip
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    followers = [create_user() for _ in range(8)]
    with in_db() as session:
        session.add_all(Follow(user_id=f.id, contribution_id=item_id) for f in followers)
        session.commit()
    move_to(process, "remake")
    auth.login(council)

    url = f"/processes/{process.slug}/proposals/{item_id}"
    client.post(f"{url}/response", data={"status": "accepted", "body": "รับไว้ดำเนินการ"})

    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
        assert session.scalars(sa.select(Job.name)).all() == ["notifications.fan_out"]
    huey = app.extensions["jobs"].huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
    with in_db() as session:
        told = set(session.scalars(sa.select(Notification.user_id)))
        assert told == {resident.id, *(f.id for f in followers)}
        assert session.scalar(sa.select(Job.state)) == "done"
        assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 9
