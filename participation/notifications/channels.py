"""The channels that carry notifications off the site (e-mail, LINE) register here.

``notify`` writes a pending :class:`Delivery` for each person a registered channel reaches, as
that person's settings say (or :func:`default_frequency`). The channel's sender takes them up:
``send_now(delivery_ids)`` in a job for "at once", ``send_digest(people, frequency)`` for the
daily and weekly digests, where ``people`` is ``{user_id: [delivery_id, ...]}`` (a batch of
the people due, so a channel may send identical messages together, e.g. LINE's multicast).
Each marks its deliveries sent or failed.

A channel's feature calls :func:`register` when it is imported; the notifications feature
imports none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from participation.notifications.models import Channel, Frequency, NotificationKind

#: Kinds that answer a resident's own words: LINE brings them at once, the rest in a digest.
OWN_WORDS = frozenset({NotificationKind.REPLY, NotificationKind.RESPONSE})


@dataclass(frozen=True)
class Sender:
    channel: Channel
    #: ``() -> SELECT user_id``: the people this channel can reach now (an address, a link).
    reachable: Callable[[], sa.Select]
    #: ``(delivery_ids) -> None``: send deliveries due at once.
    send_now: Callable[[list[int]], None]
    #: ``({user_id: [delivery_id, ...]}, frequency) -> None``: send these people's digests.
    send_digest: Callable[[dict[int, list[int]], Frequency], None]
    #: ``() -> bool``: the municipality configured this channel.
    available: Callable[[], bool] = lambda: True
    #: People handed to ``send_digest`` at a time. A channel that sends one message to many
    #: (LINE's multicast) takes large batches, so people whose digests read the same meet.
    digest_batch: int = 1000


_SENDERS: dict[Channel, Sender] = {}


def register(sender):
    _SENDERS[sender.channel] = sender
    return sender


def sender_for(channel):
    """The registered sender of ``channel``, or None."""
    return _SENDERS.get(Channel(channel))


def active():
    """The registered senders whose channel is configured, in channel order."""
    return [
        _SENDERS[channel]
        for channel in Channel
        if channel in _SENDERS and _SENDERS[channel].available()
    ]


def default_frequency(kind, channel):
    """What a person who never opened the settings gets for ``kind`` on ``channel``."""
    channel = Channel(channel)
    if channel == Channel.SITE:
        return Frequency.NOW
    if channel == Channel.EMAIL:
        return Frequency.DAILY
    return Frequency.NOW if NotificationKind(kind) in OWN_WORDS else Frequency.DAILY
