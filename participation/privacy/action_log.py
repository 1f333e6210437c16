"""The action log's words for accounts deleted by their owners (see audit.registry)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import register_action


def _kept_params(entry, _people):
    if (entry.details or {}).get("kept_contributions"):
        return {"writing": _("what they wrote stays, signed “former participant”")}
    return {"writing": _("the text of what they wrote was erased")}


register_action(
    "user.delete", _l("Accounts deleted by their owners"),
    _l("A person deleted their account; %(writing)s"), params=_kept_params,
)  # fmt: skip
