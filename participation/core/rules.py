"""The error that operations raise when a rule of the platform is broken."""


class RuleError(Exception):
    """A rule was broken; ``message`` is translatable and shown to the user as it is.

    ``field`` names the form field at fault, when there is one, so views and the API can put the
    message beside it.
    """

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def suspension_message(user):
    """Why and until when a suspended account cannot write, in the reader's language."""
    from flask_babel import gettext as _

    from participation.core.i18n import format_datetime

    if user.suspended_until is None:
        return _("Your account is suspended: %(reason)s. You can still read everything.",
                 reason=user.suspension_reason)  # fmt: skip
    return _(
        "Your account is suspended until %(until)s: %(reason)s. You can still read everything.",
        until=format_datetime(user.suspended_until), reason=user.suspension_reason,
    )  # fmt: skip


def require_participant(user):
    """Only a signed-in, unsuspended person may write anything."""
    from flask_babel import lazy_gettext as _l

    from participation.core.permissions import Permission, can

    if user is not None and user.is_authenticated and getattr(user, "is_suspended", False):
        raise RuleError(suspension_message(user))
    if not can(user, Permission.PARTICIPATE):
        raise RuleError(_l("Please sign in to take part."))
