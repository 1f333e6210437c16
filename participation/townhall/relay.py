"""Town-hall events from every server process to every server process, through Redis.

With several live processes (``REDIS_URL``), a process publishes the events it committed to one
Redis channel, and every process listens to that channel and hands each event to its own
:class:`~participation.townhall.fanout.Broadcaster`, which sends them to the connections *of
that process*. Events are coalesced where they are delivered, not where they were posted: a
resident gets one frame per window whichever processes the posts came through, and every
process receives the events in the same order (Redis keeps a channel's publish order; a
coalesced batch is sorted by ``seq``). Publishing each process's own coalesced batches to
everyone instead doubled the frames with two processes and crossed their order
(bench/README.md, "Live town halls").

Without Redis, events go straight to this process's broadcaster.

**When Redis is away** (stopped, restarted, frozen), nothing waits for it for long and nothing
is lost. Every event is committed to the database, with its ``seq``, before it is published:
the events table is the outbox. A process that cannot publish hands its events to its own
connections at once and stops asking Redis for a while (back-off). Every process remembers
which ``seq`` of each town hall it has handed on, and reads from the database what it missed:
at once when its subscription is confirmed again, and whenever a town hall followed here stays
behind the database for a whole check (every ``CHECK_SECONDS``; that also covers a process
that crashed between committing and publishing). Events are handed on once per process: what
came both ways is dropped the second time.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field

from participation.core.outage import REDIS_TIMEOUT, Outage, redis_client

logger = logging.getLogger(__name__)

CHANNEL = "ruamkid:townhall:events"
PUBLISH_CONNECTIONS = 100  # opened when a process starts listening
POOL_CONNECTIONS = PUBLISH_CONNECTIONS + 1  # and one for listening
CHECK_SECONDS = 1.0  # how often followed town halls are compared with the database


@dataclass
class _Room:
    low: int  # every seq up to this one was handed on
    above: set = field(default_factory=set)  # and these after it
    target: int | None = None  # the database's last seq at the previous check, if behind

    def take(self, seq):
        """Whether ``seq`` is new here (and note it as handed on)."""
        if seq <= self.low or seq in self.above:
            return False
        self.above.add(seq)
        while self.low + 1 in self.above:
            self.low += 1
            self.above.discard(self.low)
        return True


class Relay:
    """Make ``publish(townhall_id, events)`` call ``deliver(townhall_id, events)`` in every
    process (with Redis) or in this one.

    ``store`` reads the database for the catch-up: ``store.heads(ids)`` returns
    ``{townhall_id: last_seq}`` and ``store.events_after(townhall_id, seq)`` the event dicts
    after ``seq``; ``watched()`` returns the town halls this process has connections in.
    """

    def __init__(self, deliver, spawn, sleep, channel=CHANNEL):
        self.channel = channel
        self._deliver = deliver
        self._spawn = spawn
        self._sleep = sleep
        self._redis = None
        self._pubsub = None
        self._store = None
        self._watched = lambda: ()
        self._lock = threading.Lock()
        self._rooms = {}
        self._ready = threading.Event()
        self.publishing = Outage("Redis (publishing town-hall events)", logger)
        self.listening = Outage("Redis (receiving town-hall events)", logger)
        self.catching_up = Outage("Catching up town-hall events from the database", logger)

    def configure(self, redis_url, client=None, store=None, watched=None):
        """Relay through Redis at ``redis_url`` (a ``client`` may be given), or not at all."""
        self._pubsub = None  # a listener stops within a second
        self._store = store
        self._watched = watched or (lambda: ())
        self._rooms = {}
        self._ready = threading.Event()
        self.publishing.succeeded()
        self.listening.succeeded()
        if not redis_url:
            self._redis = None
            return
        self._redis = client or redis_client(redis_url, max_connections=POOL_CONNECTIONS)

    @property
    def through_redis(self):
        return self._redis is not None

    # --- what this process has handed on ---------------------------------------------------

    def expect(self, townhall_id, last_seq):
        """A connection follows the town hall from ``last_seq`` (read when it joined)."""
        with self._lock:
            if townhall_id not in self._rooms:
                self._rooms[townhall_id] = _Room(low=last_seq)

    def _hand_on(self, townhall_id, events):
        """Deliver the events not handed on yet, in this process."""
        with self._lock:
            room = self._rooms.get(townhall_id)
            if room is None:
                seqs = [event["seq"] for event in events]
                room = self._rooms[townhall_id] = _Room(low=min(seqs) - 1 if seqs else 0)
            fresh = [event for event in events if room.take(event["seq"])]
        if fresh:
            self._deliver(townhall_id, fresh)

    # --- publishing -------------------------------------------------------------------------

    def publish(self, townhall_id, events):
        if not events:
            return
        if self._redis is None:
            self._deliver(townhall_id, events)
            return
        if self.publishing.usable(self._redis.ping, self._spawn):
            message = json.dumps({"townhall": townhall_id, "events": events}, ensure_ascii=False)
            try:
                self._redis.publish(self.channel, message)
            except Exception as error:  # the events are committed: nothing is lost
                self.publishing.failed(error)
            else:
                self.publishing.succeeded()
                return
        # Redis is away: this process's connections get them now, the others' processes
        # read them from the database (catch_up).
        try:
            self._hand_on(townhall_id, events)
        except Exception:
            logger.exception("Could not deliver events of town hall %s", townhall_id)

    # --- listening --------------------------------------------------------------------------

    def listen(self):
        """Subscribe this process, once, and hand on what arrives from then on.

        Returns once Redis confirmed the subscription (or after a moment if it does not answer;
        the subscription is then made in the background): called before a connection is
        accepted, every event committed after that connection joins reaches it.
        """
        if self._redis is None:
            return
        with self._lock:
            if self._pubsub is None:
                self._pubsub = self._redis.pubsub()
                self._spawn(self._listen, self._pubsub, self._ready)
                self._spawn(self._check_forever, self._pubsub)
            ready = self._ready
        deadline = time.monotonic() + 4 * REDIS_TIMEOUT
        while not ready.is_set() and not self.listening.down and time.monotonic() < deadline:
            ready.wait(0.05)

    def _open_connections(self, count):
        """Open the publishing connections before they are needed. Opening one under load
        takes several turns of a busy event loop (connect, then redis-py's greetings): the
        post waiting for it reached Redis after later posts of other processes, and residents
        received them out of order (bench/README.md, "Live town halls")."""
        pool = self._redis.connection_pool
        opened = []
        try:
            for _ in range(count):
                opened.append(pool.get_connection())
        except Exception as error:  # publishing opens them later, as before
            logger.warning("Opened %s of %s Redis connections: %s", len(opened), count, error)
        finally:
            for connection in opened:
                pool.release(connection)

    def _listen(self, pubsub, ready):
        first = True
        try:
            while self._pubsub is pubsub:
                try:
                    if not pubsub.subscribed:
                        pubsub.subscribe(self.channel)
                    # A lost connection is made again and subscribed again by redis-py.
                    message = pubsub.get_message(timeout=1)
                except Exception as error:
                    self.listening.failed(error)
                    self._sleep(max(0.05, self.listening.seconds_to_retry()))
                    continue
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self.listening.succeeded()
                    if first:
                        first = False
                        self._open_connections(PUBLISH_CONNECTIONS)
                        ready.set()
                    else:  # what was published while this process was not subscribed
                        self._catch_up_safely(force=True)
                elif message["type"] == "message":
                    self._hand_on_one(message["data"])
        finally:
            pubsub.close()

    def _hand_on_one(self, data):
        try:
            message = json.loads(data)
            self._hand_on(message["townhall"], message["events"])
        except Exception:
            logger.exception("Could not deliver a town-hall message: %r", data)

    # --- catching up from the database -------------------------------------------------------

    def _check_forever(self, pubsub):
        while self._pubsub is pubsub:
            self._sleep(CHECK_SECONDS if not self.catching_up.down
                        else max(CHECK_SECONDS, self.catching_up.seconds_to_retry()))  # fmt: skip
            self._catch_up_safely()

    def _catch_up_safely(self, force=False):
        try:
            self.catch_up(force)
        except Exception as error:  # e.g. the database is away too: try again later
            first = not self.catching_up.down
            if first:
                logger.exception("Could not catch up town-hall events")
            self.catching_up.failed(error, logged=first)
        else:
            self.catching_up.succeeded()

    def catch_up(self, force=False):
        """Hand on, from the database, events of followed town halls that did not come through
        Redis: all of them when ``force``, else those still missing since the last check."""
        if self._store is None:
            return
        watched = set(self._watched())
        with self._lock:
            rooms = {t: room.low for t, room in self._rooms.items() if t in watched}
        if not rooms:
            return
        heads = self._store.heads(list(rooms))
        for townhall_id, head in heads.items():
            with self._lock:
                room = self._rooms[townhall_id]
                behind = head > room.low  # low + 1 is never in ``above``: it is missing
                due = behind and (force or (room.target is not None and room.low < room.target))
                room.target = head if behind and not due else None
                since = room.low
            if due:
                self._hand_on(townhall_id, self._store.events_after(townhall_id, since))
