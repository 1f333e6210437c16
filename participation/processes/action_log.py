"""The action log's words for processes and their phases (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.core.i18n import localized
from participation.extensions import db
from participation.processes.models import Phase, Process


def _processes(ids):
    rows = db.session.execute(
        sa.select(Process.id, Process.slug, Process.title_th, Process.title_en,
                  Process.is_published).where(Process.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        title = localized({"title_th": row.title_th, "title_en": row.title_en}, "title")
        text = _("the process %(title)s", title=quoted(title))
        url = url_for("processes.show", slug=row.slug)
        if row.is_published:
            found[row.id] = Target(text, url, text, url)
        else:
            found[row.id] = Target(text, url, _("a process in preparation"))
    return found


def _phase_title(value):
    return Phase(value).title if value in set(Phase) else value or ""


def _phase_params(entry, _people):
    details = entry.details or {}
    words = {"from": _phase_title(details.get("from")), "to": _phase_title(details.get("to"))}
    if entry.reason == "date":  # moved by Ruamkid itself when the phase's date came
        words["reason"] = _("The date set for this phase came.")
        words["actor"] = _("Ruamkid")
    return words


register_target("processes", _processes)
register_action("process.create", _l("Processes created"), _l("%(actor)s created %(target)s"))
register_action("process.edit", _l("Processes edited"), _l("%(actor)s edited %(target)s"))
register_action(
    "process.phase",
    _l("Processes moved to their next phase"),
    _l("%(actor)s moved %(target)s from %(from)s to %(to)s"),
    _l("%(target)s moved from %(from)s to %(to)s"),
    _phase_params,
)
register_action(
    "process.publish",
    _l("Processes opened to residents"),
    _l("%(actor)s opened %(target)s to residents"),
    _l("%(target)s was opened to residents"),
)
