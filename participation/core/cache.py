"""A small in-process cache for rendered fragments that many readers share.

Keys carry a *watermark* of the data they were rendered from (e.g. the latest ``modified_dt``
of a process's contributions, which every write moves), so an entry is never served after the
data changed: there is no expiry to tune and no stale answer. Bounded by entries and bytes;
least recently used entries go first. One cache per server process.
"""

import threading
from collections import OrderedDict

from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

# Stands in for the reader's CSRF token in a shared page; each reader gets their own back.
CSRF_MARK = "\x00csrf-token\x00"


class FragmentCache:
    def __init__(self, max_items=512, max_bytes=64 * 1024 * 1024):
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def set(self, key, value):
        size = self._size(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_items or self._bytes > self.max_bytes:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)

    @staticmethod
    def _size(value):
        return len(value[0]) if isinstance(value, tuple) else len(value)

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0


fragments = FragmentCache()


def shared_page(key, render):
    """A whole page for anonymous readers, rendered once per change of its data.

    ``key()`` must name everything the page shows (with data watermarks); the request's full
    path and the reader's CSRF token are added here. Signed-in readers, and anyone with a
    message waiting to be shown, get a fresh render.
    """
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    key = ("page", *key(), request.full_path)
    page = fragments.get(key)
    token = generate_csrf()
    if page is None:
        html = render()
        fragments.set(key, html.replace(token, CSRF_MARK))
        return html
    return page.replace(CSRF_MARK, token)
