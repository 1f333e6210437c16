"""The dispatcher serves every registered channel alike, and the digest's groups are the same
for every channel (LINE builds its text from them)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from participation.accounts.models import User
from participation.extensions import db
from participation.notifications import channels, digest, dispatch
from participation.notifications.channels import Sender
from participation.notifications.models import Channel, Delivery, Frequency
from participation.notifications.operations import notify
from participation.proposals.models import Contribution
from tests.notifications.test_email import _digest_moment


@pytest.fixture
def line_channel(monkeypatch):
    """A channel registered as LINE would be, reaching everyone, recording what it is handed."""
    handed = {"now": [], "digest": []}

    def send_now(delivery_ids):
        handed["now"].append(sorted(delivery_ids))
        db.session.execute(
            sa.update(Delivery).where(Delivery.id.in_(delivery_ids)).values(state="sent")
        )

    def send_digest(people, frequency):
        handed["digest"].append(({k: sorted(v) for k, v in people.items()}, frequency))
        ids = [i for batch in people.values() for i in batch]
        db.session.execute(sa.update(Delivery).where(Delivery.id.in_(ids)).values(state="sent"))

    monkeypatch.setitem(
        channels._SENDERS,
        Channel.LINE,
        Sender(
            channel=Channel.LINE,
            reachable=lambda: sa.select(User.id),
            send_now=send_now,
            send_digest=send_digest,
        ),
    )
    return handed


def _notify(app, kind, person, item_id):
    with app.app_context():
        notify(kind, [("people", [person.id])], db.session.get(Contribution, item_id))
        db.session.commit()


def _line_ids(app, person, frequency):
    with app.app_context():
        return db.session.scalars(
            sa.select(Delivery.id).where(
                Delivery.user_id == person.id,
                Delivery.channel == "line",
                Delivery.frequency == frequency,
            )
        ).all()


def test_every_registered_channel_gets_its_deliveries_at_once_and_in_the_digest(
    app, line_channel, create_process, create_contribution, create_user, resident
):
    reader = create_user()
    item = create_contribution(create_process("reimagine"), resident)

    _notify(app, "reply", reader, item)  # LINE's default for answers to one's own words: at once
    _notify(app, "comment", reader, item)  # the rest: the daily digest
    _notify(app, "comment", reader, item)

    assert line_channel["now"] == [_line_ids(app, reader, "now")]
    with app.app_context():
        assert dispatch.start_due_digests(now=_digest_moment(weekday=4)) == ["daily"]
        db.session.commit()
    ((people, frequency),) = line_channel["digest"]
    assert people == {reader.id: _line_ids(app, reader, "daily")}
    assert frequency == Frequency.DAILY


def test_digest_groups_give_titles_counts_and_absolute_links_in_the_readers_language(
    app, config, create_process, create_contribution, create_user, resident, thai
):
    reader = create_user()
    process = create_process("reimagine")
    item = create_contribution(process, resident, title="ทางเท้าชำรุด")
    for kind in ("comment", "comment", "update"):
        _notify(app, kind, reader, item)

    with app.app_context():
        ids = db.session.scalars(sa.select(Delivery.id).where(Delivery.user_id == reader.id)).all()
        with force_locale("th"):
            (group,) = digest.group(ids)
            (entry,) = group.items
            lines = entry.lines
        assert group.process_title.startswith("กระบวนการ ")  # the Thai title, for a Thai reader
        assert entry.title == "ทางเท้าชำรุด"
        assert dict(entry.counts) == {"comment": 2, "update": 1}
        assert entry.url == f"http://127.0.0.1:5000/processes/{process.slug}/proposals/{item}"
        assert group.total == 3
        assert digest.group([]) == []
    assert lines == [
        thai('%(num)d new comment on "%(what)s"', num=2, what="ทางเท้าชำรุด"),
        thai('%(num)d progress update on "%(what)s"', num=1, what="ทางเท้าชำรุด"),
    ]


def test_a_weekly_digest_is_due_only_on_its_day(app):
    monday = _digest_moment(weekday=0)
    with app.app_context():
        moments = dispatch.latest_moments(monday + timedelta(days=1), 7, 0)
        assert moments[Frequency.WEEKLY].date() == monday.date()
        assert dispatch.start_due_digests(now=monday + timedelta(days=1, hours=1)) == ["daily"]
        assert set(dispatch.start_due_digests(now=monday + timedelta(days=7))) == {
            "daily",
            "weekly",
        }
