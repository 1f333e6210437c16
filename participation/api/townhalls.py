"""API: town halls, their questions and polls; asking, upvoting and answering while live.

The writes call the town-hall operations the live page's socket events call, then broadcast
the stored events to the room, so people on the live page see API questions at once.
"""

import secrets

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

from participation.api import schemas as s
from participation.api.contributions import person
from participation.api.framework import WRITE, operation, paginated
from participation.api.problems import ApiError
from participation.api.views import bp
from participation.core.i18n import localized
from participation.extensions import db
from participation.proposals.listing import Page
from participation.townhall import operations as ops
from participation.townhall import views as pages
from participation.townhall.models import Question, TownHall

# How a refused town-hall action answers (codes: docs/realtime.md).
ERROR_STATUS = {
    "sign_in": 401, "suspended": 403, "forbidden": 403, "muted": 403, "not_found": 404,
    "hidden": 404, "rate_limited": 429, "empty": 422, "too_long": 422,
}  # fmt: skip


class PollAnswer(s.Model):
    option_ids: list[s.Id] = Field(min_length=1, max_length=10)


def _item(townhall):
    return {
        "slug": townhall.slug, "title": localized(townhall, "title"),
        "title_th": townhall.title_th, "title_en": townhall.title_en, "state": townhall.state,
        "starts": townhall.starts_dt, "ends": townhall.ends_dt,
        "venue": localized(townhall, "venue"),
        "process": townhall.process.slug if townhall.process else None,
        "url": url_for("api.getTownhall", slug=townhall.slug),
    }  # fmt: skip


def load_townhall(slug):
    """The town hall as the pages load it (404 unless published or yours); a members-only
    one asks visitors for a token."""
    townhall = pages.load_townhall(slug, members_only_page=True)
    if not townhall.allow_visitors and not current_user.is_authenticated:
        raise ApiError(401, _("Please sign in to follow this town hall."), "unauthorized",
                       headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return townhall


def _question(data, upvoted):
    return {
        "id": data["id"], "body": data["body"], "author": data["author"] and
        {"name": data["author"]["name"]}, "state": data["state"], "upvotes": data["upvotes"],
        "created": data["created"], "hidden": data.get("hidden", False),
        "hidden_reason": data.get("hidden_reason"), "upvoted": data["id"] in upvoted,
    }  # fmt: skip


def _poll(data):
    return {
        "id": data["id"], "question": data["question"], "multiple": data["multiple"],
        "state": data["state"], "voters": data["voters"],
        "options": [{"id": o["id"], "label": o["label"], "votes": o.get("votes")}
                    for o in data["options"]],
    }  # fmt: skip


def _run(townhall, action, field=None, limit=None, client_id=None):
    """Run a town-hall operation, commit, then broadcast its events to the live room.

    ``field``: the input field that an "invalid" refusal is about (422); otherwise 409.
    ``limit``: the live event whose limit the write counts against (``ask``, ``upvote``,
    ``answer_poll``); counted before the operation's transaction, as on the live page.
    """
    try:
        if limit and not ops.is_repeat(limit, townhall, current_user, client_id):
            townhall_id, user_id = townhall.id, current_user.id
            db.session.commit()  # ends the reading: no transaction waits for Redis
            ops.check_rate_limit(ops.LIMITED[limit], townhall_id, user_id)
        answer, events = action()
    except ops.TownHallError as error:
        db.session.rollback()
        status = ERROR_STATUS.get(error.code, 422 if error.code == "invalid" and field else 409)
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
        fields = [{"field": field or "body", "message": error.message}] if status == 422 else None
        raise ApiError(status, error.message, "rate-limited" if status == 429 else None,
                       errors=fields, headers=headers) from None  # fmt: skip
    events = events if isinstance(events, list) else [events]
    events = [ops.event_dict(event) for event in events if event is not None]
    townhall_id = townhall.id
    db.session.commit()
    if events:
        from participation.townhall.events import broadcast

        broadcast(townhall_id, events)
    return answer


@operation(bp, "/townhalls", "GET", "listTownhalls", _l("List town halls"), tag="townhalls",
           query=s.PageQuery, response=s.Paginated[s.TownHallItem], paginated=True,
           description=_l("Published town halls, the latest first."))  # fmt: skip
def list_townhalls(query):
    base = sa.select(TownHall).where(TownHall.is_published.is_(True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    rows = db.session.scalars(
        base.options(sa.orm.joinedload(TownHall.process))
        .order_by(TownHall.starts_dt.desc(), TownHall.id.desc())
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    page = Page(rows, total, query.page, query.per_page, "")
    return paginated("api.listTownhalls", {}, [_item(t) for t in rows], page,
                     per_page=query.per_page)  # fmt: skip


def _detail(townhall):
    snapshot = ops.snapshot(townhall, current_user)
    upvoted = set(snapshot["me"]["upvoted"])
    return {
        **_item(townhall), "description": localized(townhall, "description"),
        "allow_visitors": townhall.allow_visitors,
        "discussion_locked": townhall.discussion_locked,
        "current_question_id": townhall.current_question_id,
        "questions": [_question(q, upvoted) for q in snapshot["questions"]],
        "polls": [_poll(p) for p in snapshot["polls"]],
    }  # fmt: skip


@operation(bp, "/townhalls/<slug>", "GET", "getTownhall",
           _l("Get a town hall with its questions and poll results"), tag="townhalls",
           response=s.TownHallDetail,
           description=_l("Poll results are left out while the facilitator hides them."),
           )  # fmt: skip
def get_townhall(slug):
    return _detail(load_townhall(slug))


@operation(bp, "/townhalls/<slug>/questions", "POST", "askQuestion",
           _l("Ask a question in a live town hall"), tag="townhalls", auth=WRITE,
           body=s.QuestionInput, response=s.Question, status=201, errors=(409,),
           description=_l("The live page shows it at once. Limits per person and town hall "
                          "apply, as on the live page."))  # fmt: skip
def ask_question(slug, body):
    townhall = load_townhall(slug)
    client_id = body.client_id or f"api-{secrets.token_hex(8)}"
    question = _run(
        townhall, lambda: ops.ask_question(townhall, current_user, body.body, client_id),
        "body", "ask", client_id,
    )  # fmt: skip
    return {
        "id": question.id, "body": question.body, "author": person(current_user),
        "state": question.state, "upvotes": question.upvote_count,
        "created": question.created_dt, "hidden": question.is_hidden,
        "hidden_reason": question.hidden_reason if question.is_hidden else None,
        "upvoted": False,
    }  # fmt: skip


@operation(bp, "/townhalls/<slug>/questions/<int:question_id>/upvote", "PUT", "upvoteQuestion",
           _l("Say “I want to know too” about a question"), tag="townhalls", auth=WRITE,
           response=s.UpvoteState, errors=(409,))  # fmt: skip
def upvote_question(slug, question_id):
    townhall = load_townhall(slug)

    def action():
        question = ops.get_question(townhall, question_id)
        event = ops.upvote_question(question, townhall, current_user)
        return (question, event), event

    question, event = _run(townhall, action, limit="upvote")
    count = db.session.scalar(sa.select(Question.upvote_count).where(Question.id == question_id))
    return {"upvotes": count, "already": event is None}


@operation(bp, "/townhalls/<slug>/polls/<int:poll_id>/answers", "POST", "answerPoll",
           _l("Answer an open poll"), tag="townhalls", auth=WRITE, body=PollAnswer,
           response=s.Poll, status=201, errors=(409,))  # fmt: skip
def answer_poll(slug, poll_id, body):
    townhall = load_townhall(slug)

    def action():
        poll = ops.get_poll(townhall, poll_id)
        event = ops.answer_poll(poll, townhall, current_user, body.option_ids)
        return poll.id, event

    answered = _run(townhall, action, "option_ids", "answer_poll")
    poll = ops.get_poll(townhall, answered)
    return _poll(ops.poll_dict(poll))
