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

If Redis cannot be reached, the events are logged and not sent; they are committed, so a client
finds the gap at its next event and catches up with ``join`` and ``last_seq``
(docs/realtime.md).
"""

import json
import logging
import threading

logger = logging.getLogger(__name__)

CHANNEL = "ruamkid:townhall:events"
PUBLISH_CONNECTIONS = 100  # opened when a process starts listening
POOL_CONNECTIONS = PUBLISH_CONNECTIONS + 1  # and one for listening


class Relay:
    """Make ``publish(townhall_id, events)`` call ``deliver(townhall_id, events)`` in every
    process (with Redis) or in this one."""

    def __init__(self, deliver, spawn, sleep, channel=CHANNEL):
        self.channel = channel
        self._deliver = deliver
        self._spawn = spawn
        self._sleep = sleep
        self._redis = None
        self._pubsub = None
        self._lock = threading.Lock()

    def configure(self, redis_url, client=None):
        """Relay through Redis at ``redis_url`` (a ``client`` may be given), or not at all."""
        self._pubsub = None  # a listener stops within a second
        if not redis_url:
            self._redis = None
            return
        if client is None:
            import redis

            # Greenlets wait for a free connection rather than fail when many post at once.
            pool = redis.BlockingConnectionPool.from_url(
                redis_url, max_connections=POOL_CONNECTIONS, timeout=10
            )
            client = redis.Redis(connection_pool=pool)
        self._redis = client

    @property
    def through_redis(self):
        return self._redis is not None

    def publish(self, townhall_id, events):
        if not events:
            return
        if self._redis is None:
            self._deliver(townhall_id, events)
            return
        message = json.dumps({"townhall": townhall_id, "events": events}, ensure_ascii=False)
        try:
            self._redis.publish(self.channel, message)
        except Exception:  # redis-py has retried already; the events are committed
            logger.exception(
                "Could not publish events %s of town hall %s",
                [event["seq"] for event in events], townhall_id,
            )  # fmt: skip

    def listen(self):
        """Subscribe this process, once, and hand on what arrives from then on.

        Returns after Redis confirmed the subscription: called before a connection is accepted,
        every event committed after that connection joins reaches it.
        """
        if self._redis is None or self._pubsub is not None:
            return
        with self._lock:
            if self._pubsub is not None:
                return
            pubsub = self._redis.pubsub()
            pubsub.subscribe(self.channel)
            confirmed = pubsub.get_message(timeout=10)
            if confirmed is None or confirmed["type"] != "subscribe":
                pubsub.close()
                raise ConnectionError(f"Redis did not confirm subscribing to {self.channel}")
            self._pubsub = pubsub
            self._open_connections(PUBLISH_CONNECTIONS)
        self._spawn(self._hand_on, pubsub)

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

    def _hand_on(self, pubsub):
        import redis

        try:
            while self._pubsub is pubsub:
                try:
                    # A lost connection is made again and subscribed again by redis-py.
                    message = pubsub.get_message(timeout=1)
                except (redis.ConnectionError, redis.TimeoutError):
                    logger.warning("Lost Redis channel %s; subscribing again", self.channel)
                    self._sleep(1)
                    continue
                if message is not None and message["type"] == "message":
                    self._hand_on_one(message["data"])
        finally:
            pubsub.close()

    def _hand_on_one(self, data):
        try:
            message = json.loads(data)
            self._deliver(message["townhall"], message["events"])
        except Exception:
            logger.exception("Could not deliver a town-hall message: %r", data)
