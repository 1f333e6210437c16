"""Events that come close together reach the room as one message, in order, none lost."""

import uuid

import pytest

from participation.townhall.fanout import Broadcaster


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.later = []  # (function, args) the broadcaster asked to run after a delay

    def spawn(self, function, *args):
        self.later.append((function, args))

    def sleep(self, seconds):
        self.now += seconds

    def run_later(self):
        while self.later:
            function, args = self.later.pop(0)
            function(*args)


class Timeline(Clock):
    """A clock that runs each delayed flush at its due time, between the publishes."""

    def __init__(self):
        super().__init__()
        self.spawned_at = []

    def spawn(self, function, *args):
        super().spawn(function, *args)
        self.spawned_at.append(self.now)

    def advance_to(self, t):
        while self.later and self.spawned_at[0] + self.later[0][1][1] <= t:
            function, args = self.later.pop(0)
            self.now = self.spawned_at.pop(0)
            function(*args)  # sleeps until its due time, sends
        self.now = t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sent():
    return []


@pytest.fixture
def broadcaster(clock, sent):
    return Broadcaster(
        lambda townhall_id, events: sent.append((townhall_id, [e["seq"] for e in events])),
        window=0.1, spawn=clock.spawn, sleep=clock.sleep, clock=lambda: clock.now,
    )  # fmt: skip


def event(seq):
    return {"seq": seq, "type": "message", "data": {}}


def test_an_event_after_a_quiet_spell_goes_out_at_once(broadcaster, clock, sent):
    broadcaster.publish(7, [event(1)])
    clock.now += 0.5
    broadcaster.publish(7, [event(2)])

    assert sent == [(7, [1]), (7, [2])]
    assert clock.later == []


def test_events_within_the_window_go_out_together_in_seq_order(broadcaster, clock, sent):
    broadcaster.publish(7, [event(1)])
    clock.now += 0.02
    broadcaster.publish(7, [event(3)])  # two handlers finished in crossed order
    clock.now += 0.02
    broadcaster.publish(7, [event(2)])
    assert sent == [(7, [1])]
    assert broadcaster.pending(7) == 2
    [(_flush, (townhall_id, delay))] = clock.later
    assert delay == pytest.approx(0.08)  # held until the end of the first window

    clock.run_later()

    assert sent == [(7, [1]), (7, [2, 3])]
    assert broadcaster.pending(7) == 0


def test_a_held_batch_opens_a_new_window(broadcaster, clock, sent):
    broadcaster.publish(7, [event(1)])
    broadcaster.publish(7, [event(2)])
    clock.run_later()  # sends 2 at 1000.1, window until 1000.2
    clock.now += 0.05
    broadcaster.publish(7, [event(3)])
    assert sent == [(7, [1]), (7, [2])]
    clock.run_later()
    assert sent == [(7, [1]), (7, [2]), (7, [3])]


def test_town_halls_do_not_wait_for_each_other(broadcaster, clock, sent):
    broadcaster.publish(7, [event(1)])
    broadcaster.publish(8, [event(1)])
    assert sent == [(7, [1]), (8, [1])]


def test_a_window_of_zero_sends_everything_at_once(clock, sent):
    broadcaster = Broadcaster(
        lambda townhall_id, events: sent.append([e["seq"] for e in events]),
        window=0, spawn=clock.spawn, sleep=clock.sleep,
    )  # fmt: skip
    broadcaster.publish(7, [event(1)])
    broadcaster.publish(7, [event(2), None])
    broadcaster.publish(7, [])
    assert sent == [[1], [2]]


def test_an_event_published_before_an_earlier_one_waits_for_it(broadcaster, clock, sent):
    # Two processes committed 2 and 3; the one with 3 published first.
    broadcaster.publish(7, [event(1)])
    clock.now += 0.5
    broadcaster.publish(7, [event(3)])
    assert sent == [(7, [1])]  # 3 waits: residents would otherwise hold it for 2
    assert broadcaster.pending(7) == 1

    clock.now += 0.005
    broadcaster.publish(7, [event(2)])

    assert sent == [(7, [1]), (7, [2, 3])]
    assert broadcaster.pending(7) == 0


def test_the_first_events_after_a_join_are_ordered_too(broadcaster, clock, sent):
    broadcaster.expect(7, 42)  # a resident joined when the town hall's last event was 41
    broadcaster.publish(7, [event(43)])
    assert sent == []
    broadcaster.publish(7, [event(42)])
    assert sent == [(7, [42, 43])]
    broadcaster.expect(7, 40)  # an older snapshot changes nothing once events went out
    broadcaster.publish(7, [event(44)])
    clock.run_later()
    assert sent == [(7, [42, 43]), (7, [44])]


def test_a_missing_event_is_waited_for_only_so_long(sent):
    timeline = Timeline()
    broadcaster = Broadcaster(
        lambda townhall_id, events: sent.append((timeline.now, [e["seq"] for e in events])),
        window=0.03, spawn=timeline.spawn, sleep=timeline.sleep, clock=lambda: timeline.now,
        hold=0.1,
    )  # fmt: skip
    broadcaster.publish(7, [event(1)])
    timeline.advance_to(1000.5)
    broadcaster.publish(7, [event(3)])  # 2 was committed, but its process stopped
    timeline.advance_to(1000.51)
    broadcaster.publish(7, [event(4)])
    assert [seqs for _at, seqs in sent] == [[1]]

    timeline.advance_to(1001)

    assert sent[1] == (pytest.approx(1000.6), [3, 4])  # 100 ms after 3 arrived, not later
    broadcaster.publish(7, [event(2)])  # late after all: sent; the clients resync on their own
    timeline.advance_to(1001.001)
    broadcaster.publish(7, [event(5)])
    timeline.advance_to(1002)
    assert [seqs for _at, seqs in sent] == [[1], [3, 4], [2], [5]]


def test_the_window_grows_with_the_pace_of_the_room(sent):
    timeline = Timeline()
    broadcaster = Broadcaster(
        lambda townhall_id, events: sent.append((timeline.now, [e["seq"] for e in events])),
        window=0.03, max_window=0.08, spawn=timeline.spawn, sleep=timeline.sleep,
        clock=lambda: timeline.now,
    )  # fmt: skip
    assert broadcaster.window_at(0) == pytest.approx(0.03)
    assert broadcaster.window_at(20) == pytest.approx(0.03)
    assert broadcaster.window_at(60) == pytest.approx(0.055)
    assert broadcaster.window_at(100) == pytest.approx(0.08)
    assert broadcaster.window_at(1000) == pytest.approx(0.08)
    seq = iter(range(1, 100_000))

    def frames_in_the_last_second(rate, seconds=3):
        sent.clear()
        start = timeline.now
        for i in range(1, rate * seconds + 1):
            timeline.advance_to(start + i / rate)
            broadcaster.publish(7, [event(next(seq))])
        timeline.advance_to(timeline.now + 1)
        delivered = [s for _at, seqs in sent for s in seqs]
        assert len(delivered) == rate * seconds
        assert delivered == sorted(delivered)
        return sum(1 for at, _seqs in sent if start + seconds - 1 < at <= start + seconds)

    assert frames_in_the_last_second(10) == 10  # each event at once
    assert frames_in_the_last_second(40) == pytest.approx(1 / 0.0425, abs=2)  # ~40 ms windows
    assert frames_in_the_last_second(200) == pytest.approx(1 / 0.08, abs=1)  # not 1 / 0.03
    timeline.advance_to(timeline.now + 10)  # quiet again
    assert frames_in_the_last_second(10) == 10


@pytest.mark.slow
def test_a_burst_of_posts_reaches_a_watcher_in_fewer_frames_and_in_order(
    socket_server, create_townhall, resident, create_user, token_for
):
    from tests.townhall.test_real_servers import Client

    townhall = create_townhall()
    server = socket_server(extra_env={"TOWNHALL_BATCH_MS": "300"})
    watcher = Client(server.url, token_for(create_user()))
    talker = Client(server.url, token_for(resident))
    try:
        watcher.call("join", townhall=townhall.slug)
        talker.call("join", townhall=townhall.slug)
        bodies = [f"คำถามที่ {n}" for n in range(1, 7)]
        for body in bodies:
            assert talker.call("post", townhall=townhall.slug, body=body,
                               client_id=str(uuid.uuid4()))["ok"]  # fmt: skip

        received = [watcher.next_event("message") for _ in bodies]

        assert [item["data"]["body"] for item in received] == bodies
        seqs = [item["seq"] for item in received]
        assert seqs == list(range(seqs[0], seqs[0] + len(bodies)))
        assert watcher.frames < len(bodies)  # some came together in one "events" message
    finally:
        watcher.close()
        talker.close()
    assert server.errors() == []


def test_a_failed_send_stops_neither_the_room_nor_its_later_events(clock, sent):
    failing = {"left": 1}

    def send(townhall_id, events):
        if failing["left"]:
            failing["left"] -= 1
            raise OSError("connection reset")
        sent.append((townhall_id, [e["seq"] for e in events]))

    broadcaster = Broadcaster(send, window=0.1, spawn=clock.spawn, sleep=clock.sleep,
                              clock=lambda: clock.now)  # fmt: skip
    broadcaster.publish(7, [event(1)])  # lost (the clients catch up with join)
    broadcaster.publish(7, [event(2)])
    clock.run_later()
    clock.now += 1
    broadcaster.publish(7, [event(3)])

    assert sent == [(7, [2]), (7, [3])]
    assert broadcaster.pending(7) == 0
