"""Each person's choice, per kind of event and channel: at once, daily or weekly digest, never.

Only choices that differ from the defaults (``channels.default_frequency``) are stored, so a
person who never opened the settings follows the defaults, and better defaults later reach them.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.rules import RuleError
from participation.extensions import db
from participation.notifications.channels import default_frequency
from participation.notifications.models import (
    Channel,
    Delivery,
    Frequency,
    Notification,
    NotificationKind,
    NotificationPreference,
)

#: The site's bell shows news as it comes or not at all: a digest is for messages sent out.
SITE_FREQUENCIES = (Frequency.NOW, Frequency.NEVER)


#: What a municipality sets to use LINE (docs/notifications.md, "LINE"): all or none.
LINE_SETTINGS = (
    "LINE_LOGIN_CHANNEL_ID",
    "LINE_LOGIN_CHANNEL_SECRET",
    "LINE_CHANNEL_SECRET",
    "LINE_CHANNEL_ACCESS_TOKEN",
)


def line_configured(app=None):
    """True when the municipality set up LINE: its LINE Login channel and its Official
    Account's Messaging API channel."""
    config = (app or current_app).config
    return all(config.get(name) for name in LINE_SETTINGS)


def channels():
    """The channels a person may choose for, in order."""
    shown = [Channel.SITE, Channel.EMAIL]
    if line_configured():
        shown.append(Channel.LINE)
    return shown


def frequencies(channel):
    return SITE_FREQUENCIES if channel == Channel.SITE else tuple(Frequency)


def choices_of(user):
    """``{(kind, channel): frequency}`` for every kind and shown channel."""
    stored = {
        (row.kind, row.channel): row.frequency
        for row in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {
        (kind, channel): Frequency(stored.get((kind, channel), default_frequency(kind, channel)))
        for kind in NotificationKind
        for channel in channels()
    }


def save_choices(user, choices):
    """Store ``{(kind, channel): frequency}`` (strings accepted); unknown values are refused."""
    clean = {}
    for (kind, channel), frequency in choices.items():
        try:
            kind, channel, frequency = (
                NotificationKind(kind), Channel(channel), Frequency(frequency)
            )  # fmt: skip
        except ValueError:
            raise RuleError(_l("Please choose one of the options shown.")) from None
        if channel not in channels() or frequency not in frequencies(channel):
            raise RuleError(_l("Please choose one of the options shown."))
        clean[(kind, channel)] = frequency
    db.session.execute(
        sa.delete(NotificationPreference).where(
            NotificationPreference.user_id == user.id,
            sa.tuple_(NotificationPreference.kind, NotificationPreference.channel).in_(
                [(k.value, c.value) for k, c in clean]
            ),
        )
    )
    db.session.add_all(
        NotificationPreference(
            user_id=user.id, kind=kind.value, channel=channel.value, frequency=frequency.value
        )
        for (kind, channel), frequency in clean.items()
        if frequency != default_frequency(kind, channel)
    )
    # "Never" means from now on: messages still waiting for a digest are not sent either.
    stopped = [(k.value, c.value) for (k, c), f in clean.items() if f == Frequency.NEVER]
    stopped = [(kind, channel) for kind, channel in stopped if channel != Channel.SITE]
    if stopped:
        waiting = sa.select(Notification.id).where(
            Notification.user_id == user.id, Notification.kind.in_({k for k, _c in stopped})
        )
        for kind, channel in stopped:
            db.session.execute(
                sa.delete(Delivery).where(
                    Delivery.user_id == user.id,
                    Delivery.channel == channel,
                    Delivery.state == "pending",
                    Delivery.notification_id.in_(waiting.where(Notification.kind == kind)),
                )
            )
    db.session.flush()
