"""The action log's words for issues, proposals and the council's answers (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Contribution, Kind, Status


def contribution_words(kind, title):
    """'the issue “…”' or 'the proposal “…”'."""
    if kind == Kind.ISSUE:
        return _("the issue %(title)s", title=quoted(title))
    return _("the proposal %(title)s", title=quoted(title))


def contribution_url(kind, process_slug, contribution_id, anchor=None):
    return url_for("proposals.show", slug=process_slug, item_id=contribution_id,
                   kind_path="issues" if kind == Kind.ISSUE else "proposals",
                   _anchor=anchor)  # fmt: skip


def unseen_contribution_words(kind, process_title, process_public):
    """What the public page says of an item it may not show: where it was, if that is public."""
    if not process_public:
        return _("an issue") if kind == Kind.ISSUE else _("a proposal")
    if kind == Kind.ISSUE:
        return _("an issue in the process %(title)s", title=quoted(process_title))
    return _("a proposal in the process %(title)s", title=quoted(process_title))


def _contributions(ids):
    rows = db.session.execute(
        sa.select(
            Contribution.id, Contribution.kind, Contribution.title, Contribution.is_hidden,
            Process.slug, Process.title_th, Process.title_en, Process.is_published,
        )
        .join(Process, Process.id == Contribution.process_id)
        .where(Contribution.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        url = contribution_url(row.kind, row.slug, row.id)
        text = contribution_words(row.kind, row.title)
        process_title = localized_title(row)
        if row.is_published and not row.is_hidden:
            found[row.id] = Target(text, url, text, url)
        else:
            public = unseen_contribution_words(row.kind, process_title, row.is_published)
            public_url = url_for("processes.show", slug=row.slug) if row.is_published else None
            found[row.id] = Target(text, url, public, public_url)
    return found


def localized_title(row):
    """The title of a row with title_th and title_en columns, in the reader's language."""
    from participation.core.i18n import localized

    return localized({"title_th": row.title_th, "title_en": row.title_en}, "title")


def _respond_params(entry, _people):
    status = (entry.details or {}).get("status")
    return {"status": Status(status).title if status in set(Status) else status or ""}


def _progress_params(entry, _people):
    return {"progress": (entry.details or {}).get("progress", "")}


register_target("contributions", _contributions)
register_action(
    "proposal.respond",
    _l("Council answers to proposals"),
    _l("%(actor)s answered %(target)s for the council: %(status)s"),
    _l("The council answered %(target)s: %(status)s"),
    _respond_params,
)
register_action(
    "proposal.update",
    _l("Implementation updates"),
    _l("%(actor)s reported progress on %(target)s: %(progress)s%% done"),
    _l("The council reported progress on %(target)s: %(progress)s%% done"),
    _progress_params,
)
register_action(
    "proposal.update_correct",
    _l("Corrections of implementation updates"),
    _l("%(actor)s corrected a progress update on %(target)s: now %(progress)s%% done"),
    _l("The council corrected a progress update on %(target)s: now %(progress)s%% done"),
    _progress_params,
)
register_action(
    "proposal.update_delete",
    _l("Deleted implementation updates"),
    _l("%(actor)s deleted a progress update on %(target)s (it said %(progress)s%% done)"),
    _l("The council deleted a progress update on %(target)s (it said %(progress)s%% done)"),
    _progress_params,
)
register_action(
    "issue.merge",
    _l("Duplicate issues merged"),
    _l("%(actor)s merged %(target)s into another issue that says the same"),
    _l("%(target)s was merged into another issue that says the same"),
)
