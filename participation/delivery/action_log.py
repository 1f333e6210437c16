"""The action log's words for delivery (budget lines, milestones, closing and reopening)."""

from flask_babel import lazy_gettext as _l

from participation.audit.registry import register_action


def _milestone_params(entry, _people):
    details = entry.details or {}
    return {"milestone": details.get("milestone", ""), "progress": details.get("progress", "")}


register_action(
    "delivery.budget",
    _l("Budget lines"),
    _l("%(actor)s set the budget line of %(target)s"),
    _l("The council set the budget line of %(target)s"),
)
register_action(
    "delivery.milestone",
    _l("Delivery milestones"),
    _l("%(actor)s updated the milestone %(milestone)s of %(target)s: %(progress)s%% done"),
    _l("The council updated the milestone %(milestone)s of %(target)s: %(progress)s%% done"),
    _milestone_params,
)
register_action(
    "delivery.done",
    _l("Items marked done"),
    _l("%(actor)s marked %(target)s done"),
    _l("The council marked %(target)s done"),
)
register_action(
    "delivery.reopen",
    _l("Items reopened by residents"),
    _l("Residents said %(target)s is not fixed yet: it is reopened for review"),
    _l("Residents said %(target)s is not fixed yet: it is reopened for review"),
)
