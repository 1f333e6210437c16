"""API: published outcome summaries and the public action log (the transparency page)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.api import schemas as s
from participation.api.framework import cursor_links, link_header, operation, page_of, paginated
from participation.api.views import bp
from participation.audit.models import ActionLog
from participation.audit.registry import describe
from participation.core.i18n import localized
from participation.extensions import db
from participation.summaries import exports, operations
from participation.summaries.views import load_summary, summary_figures


def _summary_item(summary):
    endpoint = "api.getProcessSummary" if summary.kind == "process" else "api.getTownhallSummary"
    return {
        "kind": summary.kind, "slug": summary.subject.slug,
        "title": localized(summary.subject, "title"), "published": summary.published_dt,
        "url": url_for(endpoint, slug=summary.subject.slug),
    }  # fmt: skip


@operation(bp, "/summaries", "GET", "listSummaries", _l("List published outcome summaries"),
           tag="summaries", query=s.PageQuery, response=s.Paginated[s.SummaryItem],
           paginated=True)  # fmt: skip
def list_summaries(query):
    page = page_of(operations.published_summaries(), query)
    return paginated("api.listSummaries", {}, [_summary_item(item) for item in page.items], page,
                     per_page=query.per_page)  # fmt: skip


def _document(kind, slug):
    summary = load_summary(kind, slug)
    return exports.summary_document(summary, summary_figures(summary))


@operation(bp, "/summaries/processes/<slug>", "GET", "getProcessSummary",
           _l("Get the outcome summary of a process"), tag="summaries",
           response=s.SummaryDocument,
           description=_l("The same document as the summary page's JSON download; its figures "
                          "are described in docs/open-data.md."))  # fmt: skip
def get_process_summary(slug):
    return _document("processes", slug)


@operation(bp, "/summaries/townhalls/<slug>", "GET", "getTownhallSummary",
           _l("Get the outcome summary of a town hall"), tag="summaries",
           response=s.SummaryDocument)  # fmt: skip
def get_townhall_summary(slug):
    return _document("townhalls", slug)


@operation(bp, "/action-log", "GET", "listActions", _l("Read the public action log"),
           tag="transparency", query=s.ActionQuery, response=s.CursorPage[s.ActionEntry],
           paginated=True,
           description=_l("Moderation actions and council decisions, newest first, as on the "
                          "transparency page. People are never named."))  # fmt: skip
def list_actions(query):
    base = sa.select(ActionLog).where(ActionLog.is_public.is_(True))
    direction, anchor = (query.cursor[0], int(query.cursor[1:])) if query.cursor else ("b", None)
    if direction == "a":  # newer than the anchor: read upwards, show newest first
        rows = db.session.scalars(
            base.where(ActionLog.id > anchor).order_by(ActionLog.id).limit(query.limit + 1)
        ).all()
        more_newer, rows = len(rows) > query.limit, list(reversed(rows[: query.limit]))
        more_older = True
    else:
        if anchor is not None:
            base = base.where(ActionLog.id < anchor)
        rows = db.session.scalars(base.order_by(ActionLog.id.desc()).limit(query.limit + 1)).all()
        more_older, rows = len(rows) > query.limit, rows[: query.limit]
        more_newer = anchor is not None
    links = cursor_links(
        "api.listActions", {}, query.cursor,
        f"a{rows[0].id}" if rows and more_newer else None,
        f"b{rows[-1].id}" if rows and more_older else None,
        limit=query.limit if query.limit != 50 else None,
    )  # fmt: skip
    items = [
        {
            "id": row.id,
            "created": row.created_dt,
            "action": row.action,
            "target_type": row.target_type,
            "target_id": None if row.target_type == "users" else row.target_id,
            "reason": row.reason,
            "sentence": described.text,
        }
        for row, described in zip(rows, describe(rows, public=True), strict=True)
    ]
    return {"items": items, "links": links}, {"Link": link_header(links)}
