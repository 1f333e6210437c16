"""The JSON of Socket.IO packets, able to carry parts already encoded.

A town hall's snapshot is mostly the same for everyone joining it (its questions, messages and
polls): it is encoded once and spliced, as :class:`RawJSON`, into each joiner's answer, instead
of python-socketio walking and encoding 70 KB of dicts for every one of 300 people scanning the
QR code. Thai is sent as UTF-8, not as ``\\uXXXX`` escapes (half the bytes).
"""

import json
import secrets


class RawJSON:
    """Text that is already valid JSON, put as it is where this object stands."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"RawJSON({len(self.text)} characters)"


def encode(value):
    """``value`` as compact UTF-8 JSON (str)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps(value, **options):
    """json.dumps, with every :class:`RawJSON` inside ``value`` written as its text."""
    raws = []
    marker = None

    def default(item):
        nonlocal marker
        if not isinstance(item, RawJSON):
            raise TypeError(f"{type(item).__name__} is not JSON serializable")
        if marker is None:  # a NUL never comes out of json.dumps unescaped: no text can match
            marker = secrets.token_hex(6)
        raws.append(item.text)
        return f"\0{marker}.{len(raws) - 1}\0"

    options.setdefault("ensure_ascii", False)
    text = json.dumps(value, default=default, **options)
    for index, raw in enumerate(raws):
        text = text.replace(f'"\\u0000{marker}.{index}\\u0000"', raw, 1)
    return text


loads = json.loads
