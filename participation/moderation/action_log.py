"""The action log's words for moderation and suspensions (see audit.registry)."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import register_action
from participation.core.i18n import format_datetime


def _reports_params(entry, _people):
    return {"reports": (entry.details or {}).get("reports", "")}


def _until_params(entry, _people):
    until = (entry.details or {}).get("until")
    try:
        moment = datetime.fromisoformat(until) if until else None
    except (TypeError, ValueError):
        moment = None
    if moment is None:
        return {"until": _("until the suspension is lifted")}
    return {"until": _("until %(moment)s", moment=format_datetime(moment))}


register_action(
    "moderation.hide", _l("Content hidden by a moderator"), _l("%(actor)s hid %(target)s"),
    _l("A moderator hid %(target)s"),
)  # fmt: skip
register_action(
    "moderation.auto_hide", _l("Content hidden after reports, for review"),
    _l("%(target)s was hidden automatically after %(reports)s reports, until a moderator "
       "looks at it"),
    _l("%(target)s was hidden automatically after %(reports)s reports, until a moderator "
       "looks at it"),
    _reports_params,
)  # fmt: skip
register_action(
    "moderation.restore", _l("Content shown again"), _l("%(actor)s showed %(target)s again"),
    _l("A moderator showed %(target)s again"),
)  # fmt: skip
register_action(
    "moderation.dismiss", _l("Reports found unfounded"),
    _l("%(actor)s found %(target)s within the rules and closed its reports"),
    _l("A moderator found %(target)s within the rules and closed its reports"),
)  # fmt: skip
register_action(
    "user.suspend", _l("Participants suspended"), _l("%(actor)s suspended %(target)s %(until)s"),
    _l("A participant was suspended %(until)s"), _until_params,
)  # fmt: skip
register_action(
    "user.unsuspend", _l("Suspensions lifted"), _l("%(actor)s lifted the suspension of %(target)s"),
    _l("The suspension of a participant was lifted"),
)  # fmt: skip
