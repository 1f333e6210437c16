"""Who is present in each town hall: counted per process, or across processes in Redis."""

import threading
import time


class Presence:
    def __init__(self):
        self._lock = threading.Lock()
        self._local = {}
        self._announced = {}
        self._users = {}
        self._seen = {}
        self._sampled = {}
        self._redis = None

    def configure(self, redis_url):
        if redis_url:
            import redis

            # Greenlets wait for a free connection rather than fail when many join at once.
            pool = redis.BlockingConnectionPool.from_url(redis_url, max_connections=50, timeout=10)
            self._redis = redis.Redis(connection_pool=pool)
        else:
            self._redis = None

    def _key(self, townhall_id):
        return f"ruamkid:presence:{townhall_id}"

    def join(self, townhall_id, sid, who=None):
        """``who`` names the person (``u<id>``) so that reconnecting counts once as seen."""
        who = who or f"s{sid}"
        if self._redis is not None:
            self._redis.sadd(self._key(townhall_id), sid)
            self._redis.sadd(self._seen_key(townhall_id), who)
        with self._lock:
            self._local.setdefault(townhall_id, set()).add(sid)
            self._seen.setdefault(townhall_id, set()).add(who)

    # Everyone who joined, for the attendance figures of the summary.
    def _seen_key(self, townhall_id):
        return f"ruamkid:seen:{townhall_id}"

    def seen(self, townhall_id):
        if self._redis is not None:
            return int(self._redis.scard(self._seen_key(townhall_id)))
        with self._lock:
            return len(self._seen.get(townhall_id, ()))

    def claim_sample(self, townhall_id, interval):
        """True for one process per interval: it records the attendance sample."""
        if self._redis is not None:
            key = f"ruamkid:attendance-sample:{townhall_id}"
            return bool(self._redis.set(key, 1, nx=True, px=max(1, int(interval * 1000))))
        now = time.monotonic()
        with self._lock:
            if now - self._sampled.get(townhall_id, -interval) < interval:
                return False
            self._sampled[townhall_id] = now
            return True

    def leave(self, townhall_id, sid):
        if self._redis is not None:
            self._redis.srem(self._key(townhall_id), sid)
        with self._lock:
            self._local.get(townhall_id, set()).discard(sid)

    # Each person's connections, so a suspension can cut them on every process.
    def _user_key(self, user_id):
        return f"ruamkid:user-sids:{user_id}"

    def add_user_sid(self, user_id, sid):
        if self._redis is not None:
            self._redis.sadd(self._user_key(user_id), sid)
        with self._lock:
            self._users.setdefault(user_id, set()).add(sid)

    def remove_user_sid(self, user_id, sid):
        if self._redis is not None:
            self._redis.srem(self._user_key(user_id), sid)
        with self._lock:
            self._users.get(user_id, set()).discard(sid)

    def user_sids(self, user_id):
        if self._redis is not None:
            return {sid.decode() for sid in self._redis.smembers(self._user_key(user_id))}
        with self._lock:
            return set(self._users.get(user_id, ()))

    def count(self, townhall_id):
        if self._redis is not None:
            return int(self._redis.scard(self._key(townhall_id)))
        with self._lock:
            return len(self._local.get(townhall_id, ()))

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


presence = Presence()
