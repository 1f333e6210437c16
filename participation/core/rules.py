"""The error that operations raise when a rule of the platform is broken, and the rules every
write shares (who may write at all, links from new accounts)."""

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.core.i18n import format_datetime
from participation.core.models import utcnow
from participation.core.permissions import Permission, can


class RuleError(Exception):
    """A rule was broken; ``message`` is translatable and shown to the user as it is.

    ``field`` names the form field at fault, when there is one, so views and the API can put the
    message beside it.
    """

    def __init__(self, message, field=None, problems=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        # Every rule broken at once, so a form can show them all together (this one first).
        self.problems = problems or [self]


def raise_all(problems):
    """Raise one RuleError carrying every problem in ``problems`` (a list), if there is any.

    Operations check every field before raising, so a person sees all that needs fixing at
    once rather than one error per attempt."""
    if problems:
        first = problems[0]
        raise RuleError(first.message, first.field, problems=list(problems))


class Checks:
    """Run several checks, carrying on after a broken rule, then raise them all together.

    ``checks.run(fn, ...)`` returns what ``fn`` returns, or None when it raised a RuleError;
    ``checks.done()`` raises one RuleError with every problem, if there was any.
    """

    def __init__(self):
        self.problems = []

    def run(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except RuleError as error:
            self.problems.extend(error.problems)
            return None

    def add(self, message, field=None):
        self.problems.append(RuleError(message, field))

    def failed(self, field):
        return any(problem.field == field for problem in self.problems)

    def done(self):
        raise_all(self.problems)


def suspension_message(user):
    """Why and until when a suspended account cannot write, in the reader's language."""
    if user.suspended_until is None:
        return _("Your account is suspended: %(reason)s. You can still read everything.",
                 reason=user.suspension_reason)  # fmt: skip
    return _(
        "Your account is suspended until %(until)s: %(reason)s. You can still read everything.",
        until=format_datetime(user.suspended_until), reason=user.suspension_reason,
    )  # fmt: skip


def require_participant(user):
    """Only a signed-in, unsuspended person may write anything."""
    if user is not None and user.is_authenticated and getattr(user, "is_suspended", False):
        raise RuleError(suspension_message(user))
    if not can(user, Permission.PARTICIPATE):
        raise RuleError(_l("Please sign in to take part."))


def limit_links_of_new_accounts(user, *texts, field="body"):
    """During an account's first days, a post may carry only a few links (spam defence that
    asks nothing of people: no captcha). Facilitators, council members and administrators are
    never limited."""
    if user is None or not getattr(user, "created_dt", None) or len(user.roles) > 1:
        return
    days = current_app.config["NEW_ACCOUNT_DAYS"]
    if utcnow() - user.created_dt >= timedelta(days=days):
        return
    allowed = current_app.config["NEW_ACCOUNT_LINKS"]
    links = sum(len(re.findall(r"https?://|www\.", text or "", re.IGNORECASE)) for text in texts)
    if links > allowed:
        raise RuleError(
            _l("New accounts can put at most %(count)s link(s) in a post during their first "
               "%(days)s days. Please remove the others.", count=allowed, days=days),
            field,
        )  # fmt: skip
