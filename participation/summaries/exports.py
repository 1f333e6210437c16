"""A summary as PDF, JSON and CSV, and the open data underneath it (docs/open-data.md).

Open data carries public content only: what residents published (not hidden by moderators, not
deleted), counts, the council's answers, and public display names. No e-mail addresses, no
account ids of people, nothing about who supported what (supports are counts).
"""

import base64
import io
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import stream_with_context

from participation.comments.models import Comment
from participation.core.forms import public_url_for
from participation.extensions import db
from participation.proposals.models import Contribution, Kind, OfficialResponse
from participation.summaries import compute

SARA_AM = "\u0e33"
NIKHAHIT_SARA_AA = "\u0e4d\u0e32"


_decoded_fonts = {}


def _decoded_font(path):
    """A WOFF2 font as plain TrueType, decoded once per process: decoding the four Sarabun
    files took about as long as laying out the whole summary, on every PDF."""
    font = _decoded_fonts.get(path)
    if font is None:
        from fontTools.ttLib import woff2

        decoded = io.BytesIO()
        with path.open("rb") as source:
            woff2.decompress(source, decoded)
        font = _decoded_fonts[path] = decoded.getvalue()
    return font


PNG_DATA = "data:image/png;base64,"


def pdf_bytes(html, static_folder):
    """Render the HTML of a summary to PDF with WeasyPrint and the self-hosted Sarabun font.

    SARA AM (ำ) is written as its two parts (ํ + า), which draw the same: PDF text extraction
    then gives back every character; with the precomposed letter it loses the vowel (the font's
    glyph for า stands for both in the PDF's character map).
    """
    import weasyprint

    root = Path(static_folder).resolve()

    class StaticFilesOnly(weasyprint.URLFetcher):
        """Fonts from static/ and PNG images drawn by the server into the page (the map of
        needs); nothing from the network or elsewhere on disk."""

        def fetch(self, url, headers=None):
            if url.startswith(PNG_DATA):
                body = base64.b64decode(url[len(PNG_DATA) :], validate=True)
                return weasyprint.urls.URLFetcherResponse(
                    url, body=body, headers={"Content-Type": "image/png"}
                )
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not url.startswith("file:") or root not in path.parents:
                raise ValueError(f"not a static file: {url}")
            if path.suffix == ".woff2":
                return weasyprint.urls.URLFetcherResponse(url, body=_decoded_font(path))
            return super().fetch(url, headers)

    html = html.replace(SARA_AM, NIKHAHIT_SARA_AA)
    document = weasyprint.HTML(
        string=html,
        base_url=root.as_uri() + "/",
        url_fetcher=StaticFilesOnly(allowed_protocols=["file"]),
    )
    return document.write_pdf()


def _subject_fields(summary):
    subject = summary.subject
    endpoint = "processes.show" if summary.kind == "process" else "townhall.show"
    return {
        "type": summary.kind,
        "slug": subject.slug,
        "title_th": subject.title_th,
        "title_en": subject.title_en,
        "url": public_url_for(endpoint, slug=subject.slug),
    }


def _iso(value):
    return value.isoformat() if value else None


def summary_document(summary, data):
    """The whole summary as one JSON document (the fields are described in docs/open-data.md)."""
    document = {
        "subject": _subject_fields(summary),
        "state": summary.state,
        "statement_th": summary.statement_th,
        "statement_en": summary.statement_en,
        "reviewed": _iso(summary.reviewed_dt),
        "published": _iso(summary.published_dt),
        "computed": _iso(summary.computed_dt),
        "figures": data,
    }
    if summary.kind == "process":
        document["decisions"] = [
            _decision(row) for row in db.session.execute(compute.decisions_query(summary.process))
        ]
    return document


def _decision(row):
    return {
        "proposal_id": row.id,
        "title": row.title,
        "supports": row.support_count,
        "status": row.status,
        "answered": row.response_dt is not None,
        "progress": row.progress,
        "budget": None if row.delivery_status is None else {
            "fiscal_year": row.fiscal_year, "plan_code": row.plan_code,
            "amount_baht": row.amount_baht, "delivery_status": row.delivery_status,
        },
    }  # fmt: skip


SUMMARY_COLUMNS = ["section", "key", "metric", "value"]


def summary_rows(summary, data):
    """The summary as long-format CSV rows: section, key (a day, an area, a proposal id...),
    metric, value."""
    if summary.kind == "townhall":
        yield from _townhall_rows(data)
        return
    part = data["participation"]
    yield ["participation", "all", "participants", part["participants"]]
    yield ["participation", "all", "population", part["population"] or ""]
    yield ["participation", "all", "share", part["share"] if part["share"] is not None else ""]
    for metric, value in part["totals"].items():
        yield ["participation", "all", metric, value]
    for row in part["phases"]:
        for metric, value in row.items():
            if metric != "phase":
                yield ["phase", row["phase"], metric, value]
    for row in part["areas"]:
        key = row["name_th"] or row["name_en"] or "-"
        for metric in ("participants", "population", "share", "issues", "proposals", "comments",
                       "supports"):  # fmt: skip
            yield ["area", key, metric, "" if row[metric] is None else row[metric]]
    for row in part["timeline"]:
        for metric, value in row.items():
            if metric != "day":
                yield ["day", row["day"], metric, value]
    wants = data["wants"]
    for section in ("ranked", "consensus", "contested"):
        for item in wants[section]:
            for metric in ("title", "supports", "in_favour", "against", "neutral"):
                yield [section, item["id"], metric, item[metric]]
    for language, themes in data["themes"].items():
        for theme in themes:
            yield ["theme", theme["phrase"], "language", language]
            yield ["theme", theme["phrase"], "documents", theme["documents"]]
            yield ["theme", theme["phrase"], "score", theme["score"]]
    for row in db.session.execute(compute.decisions_query(summary.process)):
        for metric, value in _decision(row).items():
            if metric != "proposal_id":
                yield ["decision", row.id, metric, value]


def _townhall_rows(data):
    attendance = data["attendance"]
    yield ["attendance", "all", "peak", attendance["peak"]]
    yield ["attendance", "all", "total", attendance["total"]]
    for row in attendance["timeline"]:
        yield ["attendance", row["minute"], "present", row["present"]]
    yield ["participation", "all", "participants", data["participants"]]
    for metric in ("asked", "answered", "unanswered"):
        yield ["questions", "all", metric, data["questions"][metric]]
    for item in data["questions"]["top_unanswered"]:
        yield ["unanswered", item["id"], "question", item["body"]]
        yield ["unanswered", item["id"], "upvotes", item["upvotes"]]
    for poll in data["polls"]:
        yield ["poll", poll["id"], "question", poll["question"]]
        yield ["poll", poll["id"], "voters", poll["voters"]]
        for option in poll["options"]:
            yield ["poll", poll["id"], f"option: {option['label']}", option["votes"]]
    for metric, value in data["discussion"].items():
        yield ["discussion", "all", metric, value]
    for metric, value in data["moderation"].items():
        yield ["moderation", "all", metric, value]


def json_array(columns, rows):
    """Stream rows as a JSON array of objects keyed by ``columns``."""

    def chunks():
        yield "["
        for index, row in enumerate(rows):
            item = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)
            yield ("," if index else "") + "\n" + item
        yield "\n]\n"

    return stream_with_context(chunks())


# --- Open data --------------------------------------------------------------------------------

CONTRIBUTION_COLUMNS = [
    "id", "kind", "title", "body", "status", "category", "area", "supports", "affected",
    "comments", "author", "created", "url",
]  # fmt: skip


def _contributions(kind):
    def rows_for(process):
        from participation.accounts.models import User
        from participation.municipality.models import Area
        from participation.processes.models import Category

        query = (
            sa.select(Contribution, User.display_name, Category.name_th, Area.name_th)
            .outerjoin(User, User.id == Contribution.author_id)
            .outerjoin(Category, Category.id == Contribution.category_id)
            .outerjoin(Area, Area.id == Contribution.area_id)
            .where(
                Contribution.process_id == process.id,
                Contribution.kind == kind,
                Contribution.is_hidden.is_(False),
            )
            .order_by(Contribution.id)
            .execution_options(yield_per=500)
        )
        kind_path = f"{kind}s"

        def rows():
            for item, author, category, area in db.session.execute(query):
                yield [
                    item.id, item.kind, item.title, item.body, item.status, category or "",
                    area or "", item.support_count, item.affected_count, item.comment_count,
                    author or "", item.created_dt.isoformat(),
                    public_url_for("proposals.show", slug=process.slug, kind_path=kind_path,
                                   item_id=item.id),
                ]  # fmt: skip

        return CONTRIBUTION_COLUMNS, rows()

    return rows_for


COMMENT_COLUMNS = [
    "id", "contribution_id", "parent_id", "depth", "alignment", "body", "upvotes", "downvotes",
    "author", "created",
]  # fmt: skip


def _comments(process):
    from participation.accounts.models import User

    query = (
        sa.select(Comment, User.display_name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(
            Comment.contribution_id.in_(compute._visible_contributions(process)),
            Comment.is_hidden.is_(False),
            Comment.is_deleted.is_(False),
        )
        .order_by(Comment.id)
        .execution_options(yield_per=1000)
    )

    def rows():
        for comment, author in db.session.execute(query):
            yield [
                comment.id, comment.contribution_id, comment.parent_id or "", comment.depth,
                comment.alignment or "", comment.body, comment.upvotes, comment.downvotes,
                author or "", comment.created_dt.isoformat(),
            ]  # fmt: skip

    return COMMENT_COLUMNS, rows()


RESPONSE_COLUMNS = ["proposal_id", "title", "supports", "status", "response", "responded",
                    "progress"]  # fmt: skip


def _responses(process):
    query = compute.decisions_query(process).add_columns(OfficialResponse.body)

    def rows():
        for row in db.session.execute(query):
            yield [row.id, row.title, row.support_count, row.status, row.body or "",
                   _iso(row.response_dt) or "", row.progress]  # fmt: skip

    return RESPONSE_COLUMNS, rows()


QUESTION_COLUMNS = ["id", "body", "state", "upvotes", "author", "asked", "answered"]


def _questions(townhall):
    from participation.accounts.models import User
    from participation.townhall.models import Question

    query = (
        sa.select(Question, User.display_name)
        .outerjoin(User, User.id == Question.author_id)
        .where(Question.townhall_id == townhall.id, Question.is_hidden.is_(False))
        .order_by(Question.seq)
    )

    def rows():
        for question, author in db.session.execute(query):
            yield [question.id, question.body, question.state, question.upvote_count,
                   author or "", question.created_dt.isoformat(),
                   _iso(question.answered_dt) or ""]  # fmt: skip

    return QUESTION_COLUMNS, rows()


POLL_COLUMNS = ["poll_id", "question", "multiple_choice", "state", "voters", "option", "votes"]


def _polls(townhall):
    from participation.townhall import operations as townhall_ops
    from participation.townhall.models import Poll

    def rows():
        polls = db.session.scalars(
            sa.select(Poll)
            .where(Poll.townhall_id == townhall.id)
            .order_by(Poll.seq)
            .options(sa.orm.selectinload(Poll.options))
        )
        for poll in polls:
            shown = townhall_ops.results_visible(poll)
            for option in poll.options:
                yield [poll.id, poll.question, poll.is_multiple, poll.state, poll.voter_count,
                       option.label, option.vote_count if shown else ""]  # fmt: skip

    return POLL_COLUMNS, rows()


def dataset_titles(kind):
    from flask_babel import gettext as _

    titles = {
        "issues": _("Issues"), "proposals": _("Proposals"), "comments": _("Comments"),
        "responses": _("Council responses"), "questions": _("Questions"), "polls": _("Polls"),
    }  # fmt: skip
    titles.update({name: str(title) for name, title in REGISTERED_TITLES.items()})
    return [{"name": name, "title": titles[name]} for name in DATASETS[kind]]


REGISTERED_TITLES = {}


def register_dataset(kind, name, title, builder):
    """A feature's open-data table of a process or town hall: ``builder(subject)`` returns
    ``(columns, rows)`` like the ones below; ``title`` is lazily translated."""
    DATASETS[kind][name] = builder
    REGISTERED_TITLES[name] = title


DATASETS = {
    "process": {
        "issues": _contributions(Kind.ISSUE),
        "proposals": _contributions(Kind.PROPOSAL),
        "comments": _comments,
        "responses": _responses,
    },
    "townhall": {"questions": _questions, "polls": _polls},
}
