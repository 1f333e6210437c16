"""What a shared page shows: each feature registers a card for its page's endpoint.

A card is built as a visitor without an account sees the item: a hidden, unpublished or draft
item has no card, so its tags and its image say nothing of it (only the site's name).
"""

import hashlib
import logging
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class Card:
    title: str
    kind: str = ""  # what it is: "ข้อเสนอ", "เวทีประชาคม"
    status: str = ""  # its phase or status, as residents read it
    count: str = ""  # "12 คนสนับสนุน", where there is a count
    description: str = ""
    extra: tuple = field(default_factory=tuple)

    @property
    def version(self):
        """Changes whenever anything drawn on the image changes (the image cache's key)."""
        from participation.share.images import municipality_name

        text = "\x1f".join((self.title, self.kind, self.status, self.count, municipality_name()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


_cards = {}


def register_card(endpoint, build):
    """``build(**view_args)`` returns the :class:`Card` of that page, or None when it must not
    be shared (hidden, unpublished: then only the site's name is shown)."""
    _cards[endpoint] = build


def card_for(endpoint, view_args):
    build = _cards.get(endpoint)
    if build is None:
        return None
    try:
        return build(**(view_args or {}))
    except HTTPException:  # not found
        return None


def shareable(endpoint):
    return endpoint in _cards


def match_path(path):
    """The endpoint and arguments of a path on this site, or (None, None)."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return None, None
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.match(path.split("?", 1)[0], method="GET")
    except (HTTPException, RequestRedirect):
        return None, None


def short(text, limit=DESCRIPTION_MAX):
    """Plain text cut at a word (space) near ``limit``, for descriptions."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"
