"""Living through a dependency's outage (Redis, mostly): short timeouts, back-off, one log line.

Every Redis client of the live features is made by :func:`redis_client`: a call waits at most
``REDIS_TIMEOUT`` seconds for Redis (a frozen Redis otherwise holds a greenlet, and whatever it
holds, forever) and is not retried by redis-py; the caller decides what to do instead.

An :class:`Outage` remembers, for one component, that its dependency is away: it logs once
when the outage begins and once when it ends (not once per attempt), and says when to try
again (exponential back-off), so that while Redis is away callers do not each wait out the
timeout. :func:`keep_running` runs a background loop that must never end because of an error
of what it talks to.
"""

import logging
import threading
import time

REDIS_TIMEOUT = 0.5  # seconds: Redis answers in well under a millisecond when it is well
FIRST_RETRY = 0.5
LONGEST_RETRY = 10.0


def redis_client(url, max_connections, timeout=REDIS_TIMEOUT):
    """A Redis client whose calls fail within about ``timeout`` seconds when Redis is stopped,
    frozen or unreachable (connecting, waiting for a free connection, and each answer)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=max(1.0, 2 * timeout),
        socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
    )  # fmt: skip
    return redis.Redis(connection_pool=pool)


class Outage:
    """One component's view of one dependency: up, or away since when and until when to wait."""

    def __init__(self, what, logger, first=FIRST_RETRY, longest=LONGEST_RETRY,
                 clock=time.monotonic):  # fmt: skip
        self.what = what
        self.logger = logger
        self.first = first
        self.longest = longest
        self._clock = clock
        self._lock = threading.Lock()
        self.since = None  # monotonic time the outage began; None while up
        self.reason = None
        self._delay = first
        self._retry_at = 0.0
        self._probing = False

    @property
    def down(self):
        return self.since is not None

    def ready(self):
        """Whether to try the dependency now (always while up; after the back-off while down)."""
        return self.since is None or self._clock() >= self._retry_at

    def usable(self, probe, spawn):
        """Whether to use the dependency now. While it is away, no caller waits for it: once
        the back-off is over, ``probe()`` (e.g. a Redis PING) runs in the background through
        ``spawn`` and ends the outage when it succeeds."""
        if self.since is None:
            return True
        with self._lock:
            if self._probing or self._clock() < self._retry_at:
                return False
            self._probing = True
        spawn(self._probe, probe)
        return False

    def _probe(self, probe):
        try:
            probe()
        except Exception as error:
            self.failed(error)
        else:
            self.succeeded()
        finally:
            self._probing = False

    def seconds_to_retry(self):
        return 0.0 if self.since is None else max(0.0, self._retry_at - self._clock())

    def failed(self, error, logged=False):
        """Note a failed attempt: the first one of an outage is logged (unless the caller did),
        later ones are not."""
        with self._lock:
            now = self._clock()
            if self.since is None:
                self.since = now
                self._delay = self.first
                if not logged:
                    self.logger.warning("%s is unavailable (%s); carrying on without it",
                                        self.what, error)  # fmt: skip
            else:
                self._delay = min(self._delay * 2, self.longest)
            self.reason = str(error) or type(error).__name__
            self._retry_at = now + self._delay

    def succeeded(self):
        """Note a successful attempt: ends (and logs the end of) an outage."""
        if self.since is None:
            return False
        with self._lock:
            if self.since is None:
                return False
            lasted = self._clock() - self.since
            self.since = None
            self.reason = None
            self._delay = self.first
            self._retry_at = 0.0
        self.logger.warning("%s is available again after %.1f s", self.what, lasted)
        return True


def keep_running(step, interval, sleep, outage):
    """Call ``step()`` every ``interval`` seconds for ever. An error (Redis away, the database
    busy, anything) is logged once per outage and the loop waits with back-off, then goes on."""
    while True:
        try:
            step()
        except Exception as error:  # the loop must outlive whatever it talks to
            first = not outage.down
            if first:
                outage.logger.exception("%s failed; retrying with back-off", outage.what)
            outage.failed(error, logged=first)
            sleep(max(interval, outage.seconds_to_retry()))
            continue
        outage.succeeded()
        sleep(interval)


def socketio_queue(url, channel="flask-socketio"):
    """Socket.IO's Redis message queue (news for every process: presence is not in it; opinion
    maps and suspensions are), with the short timeouts above and one log line per outage.

    While Redis is away, what would go through it is dropped rather than waited for."""
    import socketio

    class QueueManager(socketio.RedisManager):
        def __init__(self):
            super().__init__(url, channel=channel)
            self.sending = Outage("Redis (Socket.IO message queue)", logging.getLogger(__name__))
            self.receiving = Outage("Redis (Socket.IO message queue, receiving)",
                                    logging.getLogger(__name__))  # fmt: skip

        def _redis_connect(self):
            self.redis = redis_client(self.redis_url, max_connections=20)
            self.connected = True

        def _publish(self, data):
            if not self.connected:
                self._redis_connect()
            if not self.sending.usable(self.redis.ping, self.server.start_background_task):
                return
            try:
                self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as error:
                self.sending.failed(error)
            else:
                self.sending.succeeded()

        def _redis_listen_with_retries(self):
            pubsub = None
            while True:
                try:
                    if pubsub is None:
                        pubsub = redis_client(self.redis_url, max_connections=2).pubsub(
                            ignore_subscribe_messages=True
                        )
                        pubsub.subscribe(self.channel)
                    message = pubsub.get_message(timeout=1)
                except Exception as error:
                    self.receiving.failed(error)
                    if pubsub is not None and not pubsub.subscribed:
                        pubsub.close()
                        pubsub = None
                    time.sleep(max(0.05, self.receiving.seconds_to_retry()))
                    continue
                self.receiving.succeeded()
                if message is not None:
                    yield message

    return QueueManager()
