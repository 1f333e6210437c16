"""Who is present in each town hall: counted per process, or across processes in Redis.

Every process also keeps its own connections here, so that while Redis is away the counts fall
back to this process's own (and nothing waits for Redis), and when it is back (even restarted,
with its data gone) :meth:`Presence.heal` writes this process's connections into it again.
"""

import logging
import threading
import time
import uuid

from participation.core.outage import Outage, redis_client

logger = logging.getLogger(__name__)


def _in_thread(function, *args):
    threading.Thread(target=function, args=args, daemon=True).start()


class Presence:
    def __init__(self):
        self._lock = threading.Lock()
        self._local = {}
        self._announced = {}
        self._users = {}
        self._seen = {}
        self._sampled = {}
        self._redis = None
        self._spawn = _in_thread
        self._outage = Outage("Redis (town hall presence)", logger)
        self._marker = f"ruamkid:presence-process:{uuid.uuid4().hex}"
        self._stale = True  # Redis may lack some of this process's connections
        self._gone = set()  # (key, member) that could not be removed from Redis

    def configure(self, redis_url, client=None, spawn=None):
        """``spawn`` runs a check of Redis in the background while it is away."""
        self._spawn = spawn or _in_thread
        self._outage.succeeded()
        self._stale = True
        if redis_url:
            # Greenlets wait (briefly) for a free connection rather than fail when many join.
            self._redis = client or redis_client(redis_url, max_connections=50)
        else:
            self._redis = None

    @property
    def outage(self):
        return self._outage

    def _ask(self, command, fallback=None):
        """Run ``command(redis)``; None (the caller falls back) while Redis is away."""
        if self._redis is None:
            return fallback
        if not self._outage.usable(self._redis.ping, self._spawn):
            self._stale = True
            return fallback
        import redis

        try:
            answer = command(self._redis)
        except redis.RedisError as error:
            self._outage.failed(error)
            self._stale = True
            return fallback
        self._outage.succeeded()
        return answer

    @property
    def shared(self):
        """Whether the counts now come from Redis (every process), not this process alone."""
        return self._redis is not None and not self._outage.down

    def _key(self, townhall_id):
        return f"ruamkid:presence:{townhall_id}"

    def join(self, townhall_id, sid, who=None):
        """``who`` names the person (``u<id>``) so that reconnecting counts once as seen."""
        who = who or f"s{sid}"
        with self._lock:
            self._local.setdefault(townhall_id, set()).add(sid)
            self._seen.setdefault(townhall_id, set()).add(who)

        def add(client):
            with client.pipeline(transaction=False) as pipe:
                pipe.sadd(self._key(townhall_id), sid)
                pipe.sadd(self._seen_key(townhall_id), who)
                pipe.execute()

        self._ask(add)

    # Everyone who joined, for the attendance figures of the summary.
    def _seen_key(self, townhall_id):
        return f"ruamkid:seen:{townhall_id}"

    def seen(self, townhall_id):
        with self._lock:
            local = len(self._seen.get(townhall_id, ()))
        shared = self._ask(lambda client: client.scard(self._seen_key(townhall_id)))
        return local if shared is None else max(local, int(shared))

    def claim_sample(self, townhall_id, interval):
        """True for one process per interval: it records the attendance sample (each process
        for itself while Redis is away)."""
        key = f"ruamkid:attendance-sample:{townhall_id}"
        claimed = self._ask(lambda c: c.set(key, 1, nx=True, px=max(1, int(interval * 1000))))
        if self._redis is not None and self.shared:
            return bool(claimed)
        now = time.monotonic()
        with self._lock:
            if now - self._sampled.get(townhall_id, -interval) < interval:
                return False
            self._sampled[townhall_id] = now
            return True

    def _remove(self, key, member):
        if self._ask(lambda client: client.srem(key, member)) is None and self._redis is not None:
            with self._lock:
                self._gone.add((key, member))

    def leave(self, townhall_id, sid):
        with self._lock:
            self._local.get(townhall_id, set()).discard(sid)
        self._remove(self._key(townhall_id), sid)

    # Each person's connections, so a suspension can cut them on every process.
    def _user_key(self, user_id):
        return f"ruamkid:user-sids:{user_id}"

    def add_user_sid(self, user_id, sid):
        with self._lock:
            self._users.setdefault(user_id, set()).add(sid)
        self._ask(lambda client: client.sadd(self._user_key(user_id), sid))

    def remove_user_sid(self, user_id, sid):
        with self._lock:
            self._users.get(user_id, set()).discard(sid)
        self._remove(self._user_key(user_id), sid)

    def user_sids(self, user_id):
        with self._lock:
            local = set(self._users.get(user_id, ()))
        shared = self._ask(lambda client: client.smembers(self._user_key(user_id)))
        return local if shared is None else local | {sid.decode() for sid in shared}

    def count(self, townhall_id):
        shared = self._ask(lambda client: client.scard(self._key(townhall_id)))
        if shared is not None:
            return int(shared)
        with self._lock:
            return len(self._local.get(townhall_id, ()))

    def rooms(self):
        """The town halls this process has connections in."""
        with self._lock:
            return [townhall_id for townhall_id, sids in self._local.items() if sids]

    def changed(self):
        """Return (townhall_id, count) for rooms whose count changed since last asked."""
        with self._lock:
            rooms = list(self._local)
        updates = []
        for townhall_id in rooms:
            count = self.count(townhall_id)
            if self._announced.get(townhall_id) != count:
                self._announced[townhall_id] = count
                updates.append((townhall_id, count))
        return updates

    def heal(self):
        """Write this process's connections into Redis again if it may lack them (an outage, or
        Redis restarted and lost them). Called by the presence loop."""
        if self._redis is None or not self._outage.usable(self._redis.ping, self._spawn):
            return False
        import redis

        try:
            return self._heal(self._redis)
        except redis.RedisError as error:
            self._outage.failed(error)
            self._stale = True
            return False

    def _heal(self, client):
        if not self._stale and client.exists(self._marker):
            return False
        with self._lock:
            local = {t: set(sids) for t, sids in self._local.items() if sids}
            seen = {t: set(who) for t, who in self._seen.items() if who}
            users = {u: set(sids) for u, sids in self._users.items() if sids}
            gone = set(self._gone)
        with client.pipeline(transaction=False) as pipe:
            for key, member in gone:
                pipe.srem(key, member)
            for townhall_id, sids in local.items():
                pipe.sadd(self._key(townhall_id), *sids)
            for townhall_id, who in seen.items():
                pipe.sadd(self._seen_key(townhall_id), *who)
            for user_id, sids in users.items():
                pipe.sadd(self._user_key(user_id), *sids)
            pipe.set(self._marker, 1)
            pipe.execute()
        with self._lock:
            self._gone -= gone
        self._stale = False
        self._outage.succeeded()
        return True


presence = Presence()
