"""A small in-process cache for rendered fragments that many readers share.

Keys carry a *watermark* of the data they were rendered from (e.g. the latest ``modified_dt``
of a process's contributions, which every write moves), so an entry is never served after the
data changed: there is no expiry to tune and no stale answer. Bounded by entries and bytes;
least recently used entries go first. One cache per server process.
"""

import re
import threading
from collections import OrderedDict

from flask import g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

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


def shared_page(key, render, resolvers=None):
    """A whole page for anonymous readers, rendered once per change of its data.

    ``key()`` must name everything the page shows (with data watermarks); the request's full
    path and the reader's CSRF token are added here. With ``resolvers`` (name -> function of a
    set of keys returning {key: variant index or value}), residents without a role share a
    member view of the page too (below). Other signed-in readers, and anyone with a message
    waiting to be shown, get a fresh render.
    """
    if session.get("_flashes"):
        return render()
    if current_user.is_authenticated:
        if resolvers is None or not plain_resident(current_user):
            return render()
        return _member_page(key, render, resolvers)
    key = ("page", *key(), request.full_path)
    page = fragments.get(key)
    token = generate_csrf()
    if page is None:
        html = render()
        fragments.set(key, html.replace(token, CSRF_MARK))
        return html
    return page.replace(CSRF_MARK, token)


# --- pages shared by signed-in residents -----------------------------------------------------
#
# A resident with no role sees the same page as every other such resident except for a few
# personal bits: whether they support a proposal, how many supports they have left, how they
# voted on a comment, whether they follow it, their unread count. Such a page is rendered once
# per change of its data (the "member view") with *holes* for those bits, cached, and each
# reader's bits are filled in with a few constant, indexed queries (one per kind of bit, for the
# whole page). A page that shows the reader's own content differently (their proposal, their
# comment: edit links, hidden items only they see) is rendered afresh for them: the entry
# records whose content it shows.

_HOLE = re.compile("\x00([?=])([a-z_]+):([^\x00]*)\x00(.*?)\x00;\x00", re.S)
_OR = "\x00|\x00"


def member_view():
    """True while rendering a page shared by signed-in residents (holes instead of bits)."""
    return g.get("member_view", False)


def either(name, key, *variants):
    """In the member view, every variant of a personal bit, chosen per reader by ``name``'s
    resolver (which returns the variant's index for ``key``); else nothing (see ``choose``)."""
    body = _OR.join(str(v) for v in variants)
    return Markup(f"\x00?{name}:{key}\x00{body}\x00;\x00")  # noqa: S704 - our own HTML


def value(name, key=""):
    """In the member view, a personal value (e.g. the unread count), filled per reader."""
    return Markup(f"\x00={name}:{key}\x00\x00;\x00")  # noqa: S704 - a marker, no text


def shows_content_of(*author_ids):
    """Note, while rendering the member view, authors whose content the page shows
    differently to them (they get a fresh page)."""
    if member_view():
        g.member_authors.update(a for a in author_ids if a is not None)


def plain_resident(user):
    """A signed-in resident without a role whose account is in good standing: the readers the
    member view is for (staff, suspended and blocked accounts get fresh pages)."""
    from participation.accounts.models import Role

    return (
        user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and user.roles == frozenset({Role.RESIDENT})
    )


def request_unread_count():
    """The reader's unread notifications, counted once per request (0 for anonymous readers
    and in a member view, where the bell is a hole)."""
    if not current_user.is_authenticated or member_view():
        return 0
    if "unread_count" not in g:
        from participation.notifications.operations import unread_count

        g.unread_count = unread_count(current_user)
    return g.unread_count


def _every_page():
    """Resolvers of the holes every member-view page has (base.html, comment forms)."""
    from participation.core.forms import form_started_token

    def unread(keys):
        return dict.fromkeys(keys, request_unread_count())

    def unread_hidden(keys):
        return dict.fromkeys(keys, 0 if request_unread_count() else 1)

    def started(keys):
        return dict.fromkeys(keys, form_started_token())

    return {"unread": unread, "unread_hidden": unread_hidden, "started": started}


def fill(html, resolvers, token):
    """Fill a member-view page's holes for the current reader: each resolver is called once
    with every key of its holes on the page."""
    resolvers = {**_every_page(), **resolvers}
    parts = _HOLE.split(html)  # text, then (kind, name, key, body, text) per hole: one pass
    keys = {}
    for i in range(1, len(parts), 5):
        keys.setdefault(parts[i + 1], set()).add(parts[i + 2])
    answers = {name: resolvers[name](found) for name, found in keys.items()}
    out = [parts[0]]
    for i in range(1, len(parts), 5):
        kind, name, key, body, text = parts[i : i + 5]
        answer = answers[name][key]
        out.append(str(answer) if kind == "=" else body.split(_OR)[answer])
        out.append(text)
    return "".join(out).replace(CSRF_MARK, token)


def _render_member_view(render):
    g.member_view, g.member_authors = True, set()
    try:
        html = render()
    finally:
        g.member_view = False
    return html, frozenset(g.member_authors)


def _member_page(key, render, resolvers):
    key = ("page", "member", *key(), request.full_path)
    entry = fragments.get(key)
    token = generate_csrf()
    if entry is None:
        html, authors = _render_member_view(render)
        entry = (html.replace(token, CSRF_MARK), authors)
        fragments.set(key, entry)
    if current_user.id in entry[1]:
        return render()
    return fill(entry[0], resolvers, token)


def member_fragment(key, render):
    """A part of a member-view page cached on its own (e.g. a comment thread, which changes
    less often than its page): returns its HTML with holes, noting its authors."""
    key = ("fragment", "member", *key)
    entry = fragments.get(key)
    if entry is None:
        outer = g.member_authors
        try:
            html, authors = _render_member_view(render)
        finally:
            g.member_view, g.member_authors = True, outer
        entry = (html.replace(generate_csrf(), CSRF_MARK), authors)
        fragments.set(key, entry)
    g.member_authors.update(entry[1])
    return Markup(entry[0])  # noqa: S704 - rendered by our own templates
