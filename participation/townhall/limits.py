"""The live town hall's limits per person and town hall (docs/realtime.md), kept in Redis.

Checked before a live write opens its database transaction, never inside it: a slow or frozen
Redis must not hold the database (on SQLite, the process's writer lock). Each check waits at
most ``REDIS_TIMEOUT``; while Redis is away the limits are counted in this process's memory and
go back to Redis by themselves when it answers again.
"""

import logging

from limits import parse as parse_limit
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from participation.core.outage import REDIS_TIMEOUT, Outage

logger = logging.getLogger(__name__)


class LiveLimits:
    def __init__(self):
        self._shared = None
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._prefix = ""
        self._spawn = None
        self.outage = Outage("Redis (live town hall limits)", logger)

    def _probe(self):
        if not self._shared.storage.check():
            raise ConnectionError("Redis does not answer")

    def configure(self, redis_url, prefix="", spawn=None):
        """``spawn`` runs a check of Redis in the background while it is away."""
        self._spawn = spawn or (lambda function, *args: function(*args))
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._prefix = prefix or ""
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self.outage.succeeded()
        self._shared = None
        if redis_url:
            storage = RedisStorage(
                redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )  # fmt: skip
            self._shared = FixedWindowRateLimiter(storage)

    def hit(self, rule, *identifiers):
        """Count one action; returns ``(allowed, seconds until the window resets)``."""
        limit = parse_limit(rule)
        keys = (self._prefix, *identifiers)
        if self._shared is not None and self.outage.usable(self._probe, self._spawn):
            try:
                answer = self._check(self._shared, limit, keys)
            except Exception as error:  # redis-py's errors; the write goes on, counted here
                self.outage.failed(error)
            else:
                self.outage.succeeded()
                return answer
        return self._check(self._local, limit, keys)

    @staticmethod
    def _check(strategy, limit, keys):
        import time

        if strategy.hit(limit, *keys):
            return True, 0
        reset = strategy.get_window_stats(limit, *keys).reset_time
        return False, max(1, int(reset - time.time()))


live_limits = LiveLimits()
