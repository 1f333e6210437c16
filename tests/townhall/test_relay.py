"""Every server process receives every town hall's event, in one order, and sends it to its own
connections (participation/townhall/relay.py); with one process, events go straight out."""

import threading
import time

import pytest

from participation.townhall.relay import POOL_CONNECTIONS, PUBLISH_CONNECTIONS, Relay


class Process:
    """What one server process hands to its broadcaster."""

    def __init__(self, redis_url=None, channel="test-townhall-events", client=None):
        self.delivered = []
        self.arrived = threading.Condition()
        self.listeners = []
        self.relay = Relay(self._deliver, self._spawn, time.sleep, channel=channel)
        self.relay.configure(redis_url, client)
        self.client = client

    def _deliver(self, townhall_id, events):
        with self.arrived:
            self.delivered.append((townhall_id, [event["seq"] for event in events]))
            self.arrived.notify_all()

    def _spawn(self, function, *args):
        self.listeners.append(threading.Thread(target=function, args=args, daemon=True))
        self.listeners[-1].start()

    def wait_for(self, count, timeout=10):
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.delivered) >= count, timeout)
        return self.delivered

    def stop(self):
        self.relay.configure(None)
        for listener in self.listeners:
            listener.join(timeout=5)


def event(seq):
    return {"seq": seq, "type": "message", "data": {"body": "สวัสดี"}}


@pytest.fixture
def processes(redis_url, request):
    import redis

    started = []

    def start():
        # Named, so that a test can cut exactly this process's connections.
        pool = redis.ConnectionPool.from_url(redis_url, client_name=f"relay-test-{len(started)}",
                                             max_connections=POOL_CONNECTIONS)  # fmt: skip
        client = redis.Redis(connection_pool=pool)
        process = Process(redis_url, f"test-townhall-events-{request.node.name}", client)
        process.relay.listen()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
        process.client.connection_pool.disconnect()


def test_with_one_process_events_go_straight_to_its_connections():
    process = Process(redis_url=None)
    process.relay.listen()  # nothing to listen to

    process.relay.publish(7, [event(1), event(2)])
    process.relay.publish(7, [])

    assert process.delivered == [(7, [1, 2])]


@pytest.mark.slow
def test_every_process_receives_every_event_in_the_same_order(processes):
    first, second = processes(), processes()

    first.relay.publish(7, [event(1)])
    second.relay.publish(7, [event(2), event(3)])
    first.relay.publish(8, [event(1)])

    expected = [(7, [1]), (7, [2, 3]), (8, [1])]
    assert first.wait_for(3) == expected
    assert second.wait_for(3) == expected


@pytest.mark.slow
def test_a_process_receives_events_again_after_its_redis_connection_drops(processes, redis_url):
    import redis

    process = processes()
    channel = process.relay.channel
    client = redis.Redis.from_url(redis_url)
    try:
        for connection in client.client_list(_type="pubsub"):
            if connection["name"] == "relay-test-0":
                client.client_kill_filter(_id=connection["id"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and client.pubsub_numsub(channel)[0][1] == 0:
            time.sleep(0.05)

        process.relay.publish(7, [event(5)])

        assert process.wait_for(1) == [(7, [5])]
    finally:
        client.close()


@pytest.mark.slow
def test_a_listening_process_has_its_publishing_connections_open_before_the_first_post(
    processes, redis_url
):
    """Opening a connection under load waits several turns of a busy event loop; a post that
    waited for one reached Redis after later posts of the other processes."""
    import redis

    processes()
    client = redis.Redis.from_url(redis_url)
    try:
        publishing = [c for c in client.client_list(_type="normal")
                      if c["name"] == "relay-test-0"]  # fmt: skip
    finally:
        client.close()

    assert len(publishing) == PUBLISH_CONNECTIONS


class Store:
    """The database as the relay reads it: the town halls' last seq and their events."""

    def __init__(self):
        self.events = {7: []}

    def heads(self, townhall_ids):
        return {t: len(self.events[t]) for t in townhall_ids}

    def events_after(self, townhall_id, seq):
        return self.events[townhall_id][seq:]


def test_a_process_reads_from_the_database_what_never_came_through_redis_and_hands_it_on_once():
    store = Store()
    process = Process(redis_url=None)
    process.relay.configure(None, store=store, watched=lambda: [7])
    process.relay.expect(7, 0)
    store.events[7] = [event(1), event(2), event(3)]
    process.relay._hand_on(7, [event(1)])  # came through Redis; 2 and 3 did not (yet)

    process.relay.catch_up()  # behind: perhaps 2 and 3 are on their way
    assert process.delivered == [(7, [1])]
    process.relay.catch_up()  # still behind a whole check later: read them
    process.relay._hand_on(7, [event(2), event(3)])  # they come after all: not twice
    process.relay.catch_up()

    assert process.delivered == [(7, [1]), (7, [2, 3])]


def test_when_its_subscription_comes_back_a_process_catches_up_at_once():
    store = Store()
    process = Process(redis_url=None)
    process.relay.configure(None, store=store, watched=lambda: [7])
    process.relay.expect(7, 0)
    store.events[7] = [event(1)]

    process.relay.catch_up(force=True)

    assert process.delivered == [(7, [1])]
