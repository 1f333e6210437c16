"""The action log's words for outcome summaries (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.core.i18n import localized
from participation.extensions import db
from participation.processes.models import Process
from participation.summaries.models import Summary, SummaryState
from participation.townhall.models import TownHall


def _summaries(ids):
    rows = db.session.execute(
        sa.select(
            Summary.id, Summary.state, Summary.process_id,
            sa.func.coalesce(Process.slug, TownHall.slug).label("slug"),
            sa.func.coalesce(Process.title_th, TownHall.title_th).label("title_th"),
            sa.func.coalesce(Process.title_en, TownHall.title_en).label("title_en"),
        )
        .outerjoin(Process, Process.id == Summary.process_id)
        .outerjoin(TownHall, TownHall.id == Summary.townhall_id)
        .where(Summary.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        title = localized({"title_th": row.title_th, "title_en": row.title_en}, "title")
        text = _("the outcome summary of %(title)s", title=quoted(title))
        kind = "processes" if row.process_id is not None else "townhalls"
        url = url_for("summaries.show", kind=kind, slug=row.slug)
        published = row.state == SummaryState.PUBLISHED
        found[row.id] = Target(text, url, text, url if published else None)
    return found


register_target("summaries", _summaries)
register_action(
    "summary.statement", _l("Council statements written in summaries"),
    _l("%(actor)s wrote the council's statement in %(target)s"),
)  # fmt: skip
register_action(
    "summary.review", _l("Summaries reviewed"), _l("%(actor)s marked %(target)s as reviewed")
)
register_action(
    "summary.publish", _l("Summaries published"), _l("%(actor)s published %(target)s"),
    _l("%(target)s was published"),
)  # fmt: skip
register_action(
    "summary.unpublish", _l("Summaries withdrawn from publication"),
    _l("%(actor)s withdrew %(target)s from publication"),
    _l("%(target)s was withdrawn from publication"),
)  # fmt: skip
