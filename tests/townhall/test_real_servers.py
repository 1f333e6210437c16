"""Against real servers: two processes sharing rooms through Redis, replay after a restart,
and refusing foreign origins."""

import queue
import uuid

import pytest
import socketio

pytestmark = pytest.mark.slow
NS = "/townhall"


class Client:
    """A python-socketio client that records the town hall events it receives."""

    def __init__(self, url, token=None, headers=None):
        self.events = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.frames = 0
        self.sio.on("event", self._one, namespace=NS)
        self.sio.on("events", self._several, namespace=NS)
        self.sio.connect(url, namespaces=[NS], transports=["websocket"],
                         auth={"token": token} if token else None, headers=headers or {},
                         wait_timeout=10)  # fmt: skip

    def _one(self, event):
        self.frames += 1
        self.events.put(event)

    def _several(self, events):
        self.frames += 1
        for event in events:
            self.events.put(event)

    def call(self, event, **payload):
        return self.sio.call(event, payload, namespace=NS, timeout=10)

    def next_event(self, type_, timeout=10):
        while True:
            event = self.events.get(timeout=timeout)
            if event["type"] == type_:
                return event

    def close(self):
        self.sio.disconnect()


def test_two_server_processes_share_a_town_hall_through_redis(
    socket_server, redis_url, create_townhall, resident, create_user, token_for
):
    townhall = create_townhall()
    voter = create_user()
    first, second = socket_server(redis_url=redis_url), socket_server(redis_url=redis_url)
    on_first = Client(first.url, token_for(resident))
    on_second = Client(second.url, token_for(voter))
    try:
        assert on_first.call("join", townhall=townhall.slug)["ok"]
        assert on_second.call("join", townhall=townhall.slug)["ok"]

        asked = on_first.call("ask", townhall=townhall.slug, body="ข้ามเซิร์ฟเวอร์ได้ไหม",
                              client_id=str(uuid.uuid4()))["question"]  # fmt: skip
        seen_on_second = on_second.next_event("question")
        on_second.call("upvote", townhall=townhall.slug, question_id=asked["id"])
        seen_on_first = on_first.next_event("question.upvotes")

        assert seen_on_second["data"]["body"] == "ข้ามเซิร์ฟเวอร์ได้ไหม"
        assert seen_on_first["data"] == {"id": asked["id"], "upvotes": 1}
    finally:
        on_first.close()
        on_second.close()
    assert first.errors() == second.errors() == []


def test_a_client_gets_what_it_missed_after_the_server_restarts(
    socket_server, create_townhall, resident, create_user, token_for
):
    townhall = create_townhall()
    server = socket_server()
    watcher = Client(server.url, token_for(create_user()))
    snapshot = watcher.call("join", townhall=townhall.slug)["snapshot"]
    last_seq = snapshot["last_seq"]
    talker = Client(server.url, token_for(resident))
    talker.call("join", townhall=townhall.slug)
    talker.call("post", townhall=townhall.slug, body="ก่อนเซิร์ฟเวอร์ล่ม", client_id="a")
    last_seq = watcher.next_event("message")["seq"]
    watcher.close()
    talker.call("post", townhall=townhall.slug, body="ระหว่างที่หลุด", client_id="b")
    talker.close()

    server.crash()  # the worker too: a lingering one would answer the new start
    server.start()

    again = Client(server.url, token_for(create_user()))
    try:
        answer = again.call("join", townhall=townhall.slug, last_seq=last_seq)
        assert [e["data"]["body"] for e in answer["events"]] == ["ระหว่างที่หลุด"]
        assert answer["events"][0]["seq"] == last_seq + 1
    finally:
        again.close()


def test_connections_from_a_foreign_origin_are_refused(socket_server):
    import urllib.error
    import urllib.request

    server = socket_server()

    def handshake(origin):
        request = urllib.request.Request(  # noqa: S310 - loopback test server
            f"{server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert handshake("https://evil.example") == 400
    assert handshake(server.url) == 200


def test_two_processes_store_and_deliver_every_post_of_a_busy_moment(
    socket_server, redis_url, create_townhall, create_user, token_for
):
    """Many residents post at once through both processes (SQLite, events through Redis):
    none is refused as busy, and a watcher on either process sees every post, in order."""
    from concurrent.futures import ThreadPoolExecutor

    townhall = create_townhall()
    servers = [socket_server(redis_url=redis_url), socket_server(redis_url=redis_url)]
    talkers = [Client(servers[n % 2].url, token_for(create_user())) for n in range(8)]
    watchers = [Client(server.url, token_for(create_user())) for server in servers]
    try:
        for client in talkers + watchers:
            assert client.call("join", townhall=townhall.slug)["ok"]

        def post_five(talker):
            return [talker.call("post", townhall=townhall.slug, body=f"ข้อความ {n}",
                                client_id=str(uuid.uuid4())) for n in range(5)]  # fmt: skip

        with ThreadPoolExecutor(len(talkers)) as pool:
            answers = [a for batch in pool.map(post_five, talkers) for a in batch]

        assert [a for a in answers if not a["ok"]] == []
        for watcher in watchers:
            seqs = sorted(watcher.next_event("message")["seq"] for _ in answers)
            assert seqs == list(range(seqs[0], seqs[0] + len(answers)))
    finally:
        for client in talkers + watchers:
            client.close()
    assert servers[0].errors() == servers[1].errors() == []


def test_residents_on_both_processes_get_a_burst_from_both_in_order_and_in_few_frames(
    socket_server, redis_url, create_townhall, create_user, token_for
):
    """Posts that come through two processes at once are coalesced where they are delivered:
    a watcher on either process receives each of them once, in seq order, in fewer frames."""
    townhall = create_townhall()
    slow_window = {"TOWNHALL_BATCH_MS": "1000"}
    servers = [socket_server(redis_url=redis_url, extra_env=slow_window) for _ in range(2)]
    talkers = [Client(server.url, token_for(create_user())) for server in servers]
    watchers = [Client(server.url, token_for(create_user())) for server in servers]
    try:
        for client in talkers + watchers:
            assert client.call("join", townhall=townhall.slug)["ok"]
        bodies = [f"ข้อความ {n}" for n in range(6)]
        for n, body in enumerate(bodies):  # alternately through the first and second process
            assert talkers[n % 2].call("post", townhall=townhall.slug, body=body,
                                       client_id=str(uuid.uuid4()))["ok"]  # fmt: skip

        for watcher in watchers:
            received = [watcher.next_event("message") for _ in bodies]
            assert [item["data"]["body"] for item in received] == bodies
            seqs = [item["seq"] for item in received]
            assert seqs == list(range(seqs[0], seqs[0] + len(bodies)))
            assert watcher.frames < len(bodies)
            with pytest.raises(queue.Empty):  # each once
                watcher.next_event("message", timeout=1.5)
    finally:
        for client in talkers + watchers:
            client.close()
    assert servers[0].errors() == servers[1].errors() == []
