"""The e-mail channel: everyone with an account has an address, so e-mail reaches everyone."""

import sqlalchemy as sa

from participation.accounts.models import User
from participation.notifications.channels import Sender, register
from participation.notifications.models import Channel


def _reachable():
    return sa.select(User.id).where(User.is_guest.is_(False))  # a guest has no real address


def _send_now(delivery_ids):
    raise NotImplementedError("the e-mail sender comes with the notifications mail work")


def _send_digest(people, frequency):
    raise NotImplementedError("the e-mail digest comes with the notifications mail work")


register(
    Sender(
        channel=Channel.EMAIL, reachable=_reachable, send_now=_send_now, send_digest=_send_digest
    )
)
