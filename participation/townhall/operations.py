"""What can happen in a town hall. Each change writes a numbered :class:`Event`.

Operations check every rule before writing, flush but never commit, and raise
:class:`TownHallError` with a stable ``code`` (documented in docs/realtime.md) and a
translatable message. The caller commits, and only then acknowledges and broadcasts.
"""

import re
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin

from participation.audit.operations import record_action
from participation.core import socket_json
from participation.core.forms import valid_id
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import Checks, RuleError, suspension_message
from participation.core.sanitize import body_text, plain_text
from participation.core.shares import percentages
from participation.core.slugs import make_slug
from participation.extensions import db
from participation.notifications.operations import insert_if_absent
from participation.townhall import action_log  # noqa: F401  (registers the action log's words)
from participation.townhall.models import (
    CLIENT_ID_MAX,
    MESSAGE_MAX,
    OPTION_MAX,
    POLL_QUESTION_MAX,
    QUESTION_MAX,
    Event,
    Message,
    Mute,
    Poll,
    PollChoice,
    PollOption,
    PollResponse,
    Question,
    QuestionState,
    QuestionUpvote,
    State,
    TownHall,
)

REPLAY_LIMIT = 2000
MAX_POLL_OPTIONS = 10
SLOW_MODE_MAX = 600
HIDE_REASON_MAX = 300


class TownHallError(RuleError):
    """A refused town-hall action; ``code`` is stable for clients, ``message`` is for people."""

    def __init__(self, code, message, retry_after=None):
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


# --- numbering and serialising -------------------------------------------------------------


def _next_seq(townhall):
    """Take the town hall's next sequence number (atomically: the row is locked until commit)."""
    return db.session.execute(
        sa.update(TownHall)
        .where(TownHall.id == townhall.id)
        .values(last_seq=TownHall.last_seq + 1)
        .returning(TownHall.last_seq)
    ).scalar_one()


def add_event(townhall, type_, payload, seq=None):
    """Record a numbered event of the town hall."""
    event = Event(townhall_id=townhall.id, seq=seq or _next_seq(townhall), type=type_,
                  payload=payload)  # fmt: skip
    db.session.add(event)
    db.session.flush()
    return event


def _publish(townhall, item, type_, serialize):
    """Store a new question, message or poll under the number of the event announcing it."""
    item.seq = _next_seq(townhall)
    db.session.add(item)
    db.session.flush()
    return item, add_event(townhall, type_, serialize(item), seq=item.seq)


def event_dict(event):
    return {"seq": event.seq, "type": event.type, "data": event.payload}


def _iso(moment):
    return moment.isoformat() if moment else None


def _author(user):
    if not user:
        return None
    return {"id": user.id, "name": user.display_name, **({"guest": True} if user.is_guest else {})}


def _hidden(item):
    return {"hidden": True, "hidden_reason": item.hidden_reason} if item.is_hidden else {}


def question_dict(question):
    return {
        "id": question.id,
        "seq": question.seq,
        "body": question.body,
        "author": _author(question.author),
        "state": question.state,
        "upvotes": question.upvote_count,
        "created": _iso(question.created_dt),
        **_hidden(question),
    }


def message_dict(message):
    return {
        "id": message.id,
        "seq": message.seq,
        "body": message.body,
        "author": _author(message.author),
        "parent_id": message.parent_id,
        "created": _iso(message.created_dt),
        **_hidden(message),
    }


def poll_dict(poll, with_results=None):
    """A poll as clients see it; counts are left out while results are hidden."""
    show = with_results if with_results is not None else results_visible(poll)
    shares = percentages([o.vote_count for o in poll.options]) if show else None
    return {
        "id": poll.id,
        "seq": poll.seq,
        "question": poll.question,
        "multiple": poll.is_multiple,
        "state": poll.state,
        "hide_results": poll.hide_results,
        "voters": poll.voter_count,
        "options": [
            {
                "id": o.id,
                "label": o.label,
                **({"votes": o.vote_count, "percent": share} if show else {}),
            }
            for o, share in zip(poll.options, shares or [None] * len(poll.options), strict=True)
        ],
    }


def results_visible(poll):
    return not poll.hide_results or poll.state == "closed"


def settings_dict(townhall):
    return {
        "state": townhall.state,
        "discussion_locked": townhall.discussion_locked,
        "slow_mode_seconds": townhall.slow_mode_seconds,
        "pinned_message_id": townhall.pinned_message_id,
        "current_question_id": townhall.current_question_id,
        "show_join_code": townhall.show_join_code,
    }


# --- rules shared by every write -------------------------------------------------------------


# More blank lines than this in a row are one blank line (a live list stays readable).
BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")


def _clean(text, limit, field):
    """Normalise a written text: ``body`` keeps its line breaks (at most one blank line in a
    row), other fields are one line."""
    if text is not None and not isinstance(text, str):
        raise TownHallError("invalid", _l("The request was not understood."))
    if field == "body":
        text = BLANK_LINES.sub("\n\n", body_text(text).replace("\r\n", "\n").replace("\r", "\n"))
    else:
        text = plain_text(text)
    if not text:
        raise TownHallError("empty", _l("Please write something first."))
    if len(text) > limit:
        raise TownHallError("too_long", _l("Use at most %(count)s characters.", count=limit))
    return text


def _client_id(value):
    if not isinstance(value, str) or not 1 <= len(value) <= CLIENT_ID_MAX:
        raise TownHallError("invalid", _l("The request was not understood."))
    return value


def is_muted(townhall, user):
    return (
        db.session.scalar(
            sa.select(Mute.id).where(Mute.townhall_id == townhall.id, Mute.user_id == user.id)
        )
        is not None
    )


def require_participant(townhall, user):
    """A signed-in, allowed, unmuted resident in a live town hall."""
    if not user.is_authenticated:
        raise TownHallError("sign_in", _l("Please sign in to take part."))
    if user.is_suspended:
        raise TownHallError("suspended", suspension_message(user))
    if not can(user, Permission.PARTICIPATE):
        raise TownHallError("forbidden", _l("You cannot take part."))
    if townhall.state != State.LIVE:
        raise TownHallError("not_live", _l("The town hall is not live."))
    if is_muted(townhall, user):
        raise TownHallError(
            "muted", _l("A facilitator has muted you in this town hall. You can still follow it.")
        )


def require_facilitator(townhall, user):
    if not (user.is_authenticated and townhall.is_facilitator(user)):
        raise TownHallError("forbidden", _l("Only the town hall's facilitators can do this."))


LIMITED = {"ask": "post", "post": "post", "upvote": "upvote", "answer_poll": "poll"}


def check_rate_limit(kind, townhall_id, user_id):
    """Count a live write against the person's limit in this town hall (``post``, ``upvote``
    or ``poll``); raises ``rate_limited`` when it is used up.

    Call it before the write's transaction begins, never inside one: it asks Redis."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    from participation.townhall.limits import live_limits

    rule = current_app.config[f"TOWNHALL_{kind.upper()}_LIMIT"]
    allowed, wait = live_limits.hit(rule, "townhall", kind, str(townhall_id), str(user_id))
    if not allowed:
        raise TownHallError(
            "rate_limited", _l("You are going a little fast. Please wait a moment."),
            retry_after=wait,
        )  # fmt: skip


def check_guest_address_limit(townhall_id, address):
    """Count a guest's live write against every guest's writes from one network address."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    from participation.townhall.limits import live_limits

    rule = current_app.config["TOWNHALL_GUEST_ADDRESS_LIMIT"]
    allowed, wait = live_limits.hit(rule, "townhall", "guest-address", str(townhall_id),
                                    str(address or "-"))  # fmt: skip
    if not allowed:
        raise TownHallError(
            "rate_limited", _l("You are going a little fast. Please wait a moment."),
            retry_after=wait,
        )  # fmt: skip


def is_repeat(kind, townhall, user, client_id):
    """Whether an ``ask`` or ``post`` repeats one already stored (a retry: not counted again)."""
    model = {"ask": Question, "post": Message}.get(kind)
    if model is None or not isinstance(client_id, str) or not user.is_authenticated:
        return False
    return db.session.scalar(
        sa.select(model.id).where(model.townhall_id == townhall.id, model.author_id == user.id,
                                  model.client_id == client_id)
    ) is not None  # fmt: skip


# --- the session --------------------------------------------------------------------------


def open_townhall(townhall, actor):
    require_facilitator(townhall, actor)
    if townhall.state != State.SCHEDULED:
        raise TownHallError("invalid", _l("Only a scheduled town hall can be opened."))
    townhall.state = State.LIVE
    townhall.opened_dt = utcnow()
    record_action(actor, "townhall.open", townhall, public=True)
    return add_event(townhall, "settings", settings_dict(townhall))


def end_townhall(townhall, actor):
    require_facilitator(townhall, actor)
    if townhall.state != State.LIVE:
        raise TownHallError("not_live", _l("The town hall is not live."))
    townhall.state = State.ENDED
    townhall.closed_dt = utcnow()
    townhall.join_code = None  # the code stops working, and may serve another town hall later
    events = []
    for poll in db.session.scalars(
        sa.select(Poll).where(Poll.townhall_id == townhall.id, Poll.state == "open")
    ):
        poll.state = "closed"
        poll.closed_dt = townhall.closed_dt
        events.append(add_event(townhall, "poll.results", poll_dict(poll)))
    record_action(actor, "townhall.end", townhall, public=True)
    return [*events, add_event(townhall, "settings", settings_dict(townhall))]


# --- questions ----------------------------------------------------------------------------


def ask_question(townhall, user, body, client_id):
    """Ask a question; a retry with the same client_id returns the stored one (no event)."""
    client_id = _client_id(client_id)
    existing = db.session.scalar(
        sa.select(Question).where(
            Question.townhall_id == townhall.id,
            Question.author_id == user.id,
            Question.client_id == client_id,
        )
    )
    if existing is not None:
        return existing, None
    require_participant(townhall, user)
    body = _clean(body, QUESTION_MAX, "body")
    question = Question(townhall_id=townhall.id, author_id=user.id, client_id=client_id,
                        body=body)  # fmt: skip
    question.author = user
    return _publish(townhall, question, "question", question_dict)


def get_question(townhall, question_id):
    question = db.session.get(Question, question_id) if valid_id(question_id) else None
    if question is None or question.townhall_id != townhall.id:
        raise TownHallError("not_found", _l("That question does not exist."))
    if question.is_hidden:
        raise TownHallError("hidden", _l("That question was hidden by a moderator."))
    return question


def upvote_question(question, townhall, user):
    """'I want to know too': once per resident. Returns the event, or None if already."""
    require_participant(townhall, user)
    if question.author_id == user.id:
        raise TownHallError("invalid", _l("You cannot upvote your own question."))
    if not insert_if_absent(QuestionUpvote, question_id=question.id, user_id=user.id,
                            created_dt=utcnow()):  # fmt: skip
        return None
    db.session.execute(
        sa.update(Question).where(Question.id == question.id)
        .values(upvote_count=Question.upvote_count + 1)
    )  # fmt: skip
    db.session.refresh(question, ["upvote_count"])
    return add_event(townhall, "question.upvotes",
                     {"id": question.id, "upvotes": question.upvote_count})  # fmt: skip


def set_question_state(question, townhall, actor, state):
    """Mark a question "being answered now" or "answered" (or back to open)."""
    require_facilitator(townhall, actor)
    if state not in {s.value for s in QuestionState}:
        raise TownHallError("invalid", _l("The request was not understood."))
    if state == QuestionState.ANSWERING:
        previous = townhall.current_question_id
        if previous and previous != question.id:
            db.session.execute(
                sa.update(Question)
                .where(Question.id == previous, Question.state == QuestionState.ANSWERING)
                .values(state=QuestionState.OPEN)
            )
        townhall.current_question_id = question.id
    elif townhall.current_question_id == question.id:
        townhall.current_question_id = None
    question.state = state
    question.answered_dt = utcnow() if state == QuestionState.ANSWERED else None
    return add_event(townhall, "question.state", {
        "id": question.id, "state": state, "current_question_id": townhall.current_question_id,
    })  # fmt: skip


# --- discussion ---------------------------------------------------------------------------


def post_message(townhall, user, body, client_id, parent_id=None):
    client_id = _client_id(client_id)
    existing = db.session.scalar(
        sa.select(Message).where(
            Message.townhall_id == townhall.id,
            Message.author_id == user.id,
            Message.client_id == client_id,
        )
    )
    if existing is not None:
        return existing, None
    require_participant(townhall, user)
    is_facilitator = townhall.is_facilitator(user)
    if townhall.discussion_locked and not is_facilitator:
        raise TownHallError("locked", _l("The facilitator has paused the discussion."))
    body = _clean(body, MESSAGE_MAX, "body")
    parent = None
    if parent_id is not None:
        parent = db.session.get(Message, parent_id) if valid_id(parent_id) else None
        if parent is None or parent.townhall_id != townhall.id or parent.is_hidden:
            raise TownHallError("not_found", _l("That message does not exist."))
    if townhall.slow_mode_seconds and not is_facilitator:
        since = utcnow() - timedelta(seconds=townhall.slow_mode_seconds)
        last = db.session.scalar(
            sa.select(sa.func.max(Message.created_dt)).where(
                Message.townhall_id == townhall.id, Message.author_id == user.id
            )
        )
        if last is not None and last > since:
            wait = int((last - since).total_seconds()) + 1
            raise TownHallError(
                "slow_mode",
                _l("Slow mode is on: you can post again in %(seconds)s seconds.", seconds=wait),
                retry_after=wait,
            )
    message = Message(townhall_id=townhall.id, author_id=user.id, client_id=client_id,
                      body=body, parent_id=getattr(parent, "id", None))  # fmt: skip
    message.author = user
    return _publish(townhall, message, "message", message_dict)


def get_message(townhall, message_id):
    message = db.session.get(Message, message_id) if valid_id(message_id) else None
    if message is None or message.townhall_id != townhall.id:
        raise TownHallError("not_found", _l("That message does not exist."))
    return message


# --- facilitator controls ----------------------------------------------------------------------


def hide_item(townhall, actor, kind, item, reason=""):
    """Hide a question or message from every screen, with a public reason."""
    require_facilitator(townhall, actor)
    reason = plain_text(reason)[:HIDE_REASON_MAX]
    item.is_hidden = True
    item.hidden_reason = reason
    item.hidden_dt = utcnow()
    item.hidden_by_id = actor.id
    record_action(
        actor,
        "townhall.hide_question" if kind == "question" else "townhall.hide_message",
        item,
        reason=reason,
        public=True,
    )
    return unlink_hidden(townhall, kind, item)[0]


def unlink_hidden(townhall, kind, item):
    """After ``item`` was hidden: unpin it, stop answering it, and tell every screen."""
    if kind == "message" and townhall.pinned_message_id == item.id:
        townhall.pinned_message_id = None
    if kind == "question" and townhall.current_question_id == item.id:
        townhall.current_question_id = None
    return [add_event(townhall, "hidden", {"kind": kind, "id": item.id,
                                           "reason": item.hidden_reason})]  # fmt: skip


def announce_restored(item):
    """A question or message shown again comes back to every screen as it was."""
    if isinstance(item, Question):
        return add_event(item.townhall, "question", question_dict(item))
    return add_event(item.townhall, "message", message_dict(item))


def restore_item(townhall, actor, kind, item_id, reason=""):
    """A facilitator shows a hidden question or message again (undoing a hide), through the
    same moderation rule as the moderation queue; returns the events that bring it back."""
    from participation.moderation.operations import restore

    require_facilitator(townhall, actor)
    model = {"question": Question, "message": Message}.get(kind)
    if model is None:
        raise TownHallError("invalid", _l("The request was not understood."))
    item = db.session.get(model, item_id) if valid_id(item_id) else None
    if item is None or item.townhall_id != townhall.id:
        raise TownHallError("not_found", _l("That no longer exists."))
    if not item.is_hidden:
        raise TownHallError("not_hidden", _l("This is not hidden."))
    if not isinstance(reason, str):
        raise TownHallError("invalid", _l("The request was not understood."))
    try:
        return restore(actor, item, reason)
    except RuleError as error:
        raise TownHallError("invalid", error.message) from None


def pin_message(townhall, actor, message):
    require_facilitator(townhall, actor)
    if message is not None and message.is_hidden:
        raise TownHallError("hidden", _l("That message was hidden by a moderator."))
    townhall.pinned_message_id = message.id if message else None
    return add_event(townhall, "settings", settings_dict(townhall))


def update_settings(
    townhall, actor, discussion_locked=None, slow_mode_seconds=None, show_join_code=None
):
    require_facilitator(townhall, actor)
    if show_join_code is not None:
        if not isinstance(show_join_code, bool):
            raise TownHallError("invalid", _l("The request was not understood."))
        townhall.show_join_code = show_join_code
    if discussion_locked is not None:
        if not isinstance(discussion_locked, bool):
            raise TownHallError("invalid", _l("The request was not understood."))
        townhall.discussion_locked = discussion_locked
    if slow_mode_seconds is not None:
        if not isinstance(slow_mode_seconds, int) or not 0 <= slow_mode_seconds <= SLOW_MODE_MAX:
            raise TownHallError(
                "invalid", _l("Slow mode is from 0 to %(max)s seconds.", max=SLOW_MODE_MAX)
            )
        townhall.slow_mode_seconds = slow_mode_seconds
    record_action(actor, "townhall.settings", townhall, details=settings_dict(townhall))
    return add_event(townhall, "settings", settings_dict(townhall))


def mute_user(townhall, actor, user_id, muted=True):
    require_facilitator(townhall, actor)
    if not isinstance(muted, bool):
        raise TownHallError("invalid", _l("The request was not understood."))
    from participation.accounts.models import User

    user = db.session.get(User, user_id) if valid_id(user_id) else None
    if user is None:
        raise TownHallError("not_found", _l("That person does not exist."))
    if townhall.is_facilitator(user):
        raise TownHallError("invalid", _l("Facilitators cannot be muted."))
    if muted:
        insert_if_absent(Mute, townhall_id=townhall.id, user_id=user.id, muted_by_id=actor.id,
                         created_dt=utcnow())  # fmt: skip
    else:
        db.session.execute(
            sa.delete(Mute).where(Mute.townhall_id == townhall.id, Mute.user_id == user.id)
        )
    record_action(actor, "townhall.mute" if muted else "townhall.unmute", townhall,
                  details={"user_id": user.id}, public=False)  # fmt: skip
    return add_event(townhall, "muted", {"user_id": user.id, "muted": muted})


# --- polls --------------------------------------------------------------------------------


def open_poll(townhall, actor, question, options, multiple=False, hide_results=False):
    require_facilitator(townhall, actor)
    if townhall.state != State.LIVE:
        raise TownHallError("not_live", _l("The town hall is not live."))
    question = _clean(question, POLL_QUESTION_MAX, "text")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise TownHallError("invalid", _l("The request was not understood."))
    labels = [plain_text(o) for o in options if plain_text(o)]
    if not 2 <= len(labels) <= MAX_POLL_OPTIONS:
        raise TownHallError(
            "invalid", _l("A poll needs from 2 to %(count)s choices.", count=MAX_POLL_OPTIONS)
        )
    if any(len(label) > OPTION_MAX for label in labels):
        raise TownHallError("too_long", _l("Use at most %(count)s characters.", count=OPTION_MAX))
    poll = Poll(townhall_id=townhall.id, question=question, is_multiple=bool(multiple),
                hide_results=bool(hide_results), created_by_id=actor.id)  # fmt: skip
    poll.options = [PollOption(label=label, position=i) for i, label in enumerate(labels)]
    return _publish(townhall, poll, "poll", poll_dict)


def get_poll(townhall, poll_id):
    poll = db.session.get(Poll, poll_id) if valid_id(poll_id) else None
    if poll is None or poll.townhall_id != townhall.id:
        raise TownHallError("not_found", _l("That poll does not exist."))
    return poll


def answer_poll(poll, townhall, user, option_ids):
    """Answer once; returns the results event (counts hidden when the poll hides them)."""
    require_participant(townhall, user)
    if poll.state != "open":
        raise TownHallError("closed", _l("This poll is closed."))
    if not isinstance(option_ids, list) or not all(valid_id(i) for i in option_ids):
        raise TownHallError("invalid", _l("The request was not understood."))
    chosen = set(option_ids)
    valid = {option.id for option in poll.options}
    if not chosen or not chosen <= valid or (not poll.is_multiple and len(chosen) != 1):
        raise TownHallError("invalid", _l("Please choose from the poll's options."))
    if not insert_if_absent(PollResponse, poll_id=poll.id, user_id=user.id, created_dt=utcnow()):
        raise TownHallError("already", _l("You have already answered this poll."))
    response_id = db.session.scalar(
        sa.select(PollResponse.id).where(PollResponse.poll_id == poll.id,
                                         PollResponse.user_id == user.id)
    )  # fmt: skip
    db.session.add_all(PollChoice(response_id=response_id, option_id=i) for i in sorted(chosen))
    db.session.execute(
        sa.update(PollOption).where(PollOption.id.in_(chosen))
        .values(vote_count=PollOption.vote_count + 1)
    )  # fmt: skip
    db.session.execute(
        sa.update(Poll).where(Poll.id == poll.id).values(voter_count=Poll.voter_count + 1)
    )
    db.session.flush()
    db.session.refresh(poll)
    for option in poll.options:
        db.session.refresh(option)
    return add_event(townhall, "poll.results", poll_dict(poll))


def close_poll(poll, townhall, actor):
    require_facilitator(townhall, actor)
    if poll.state != "open":
        raise TownHallError("closed", _l("This poll is closed."))
    poll.state = "closed"
    poll.closed_dt = utcnow()
    return add_event(townhall, "poll.results", poll_dict(poll))


# --- what a client needs on joining -----------------------------------------------------------


# The part of a snapshot that is the same for every resident (no hidden items), per town hall:
# (last_seq, made at, part). Every change to a town hall is an event that moves last_seq, so an
# entry is only ever used for the state it was made from; the time limit bounds what an event
# does not cover (a participant's new display name). When 300 people scan the QR code at once,
# the questions, messages and polls are read and turned into dicts once, not 300 times.
_shared_parts = {}
SHARED_SNAPSHOT_SECONDS = 5


def snapshot(townhall, viewer, encoded=False):
    """The town hall's current state for a client that has seen nothing yet.

    Hidden questions and messages are left out, except for the facilitators (all of them)
    and their authors (their own): those see them marked hidden, with the reason. Everyone
    else shares one reading of the town hall's state; only their own bits are asked for.
    With ``encoded``, the state as :class:`~participation.core.socket_json.RawJSON` for a
    Socket.IO answer: the shared part is encoded once for everyone, not once per joiner."""
    facilitator = townhall.is_facilitator(viewer)
    if facilitator:
        return _snapshot(townhall, viewer, facilitator)
    muted = hidden = False
    if viewer.is_authenticated:
        mine = {"townhall_id": townhall.id, "author_id": viewer.id}
        muted, hidden = db.session.execute(
            sa.select(
                sa.select(Mute.id).filter_by(townhall_id=townhall.id, user_id=viewer.id).exists(),
                sa.or_(
                    sa.select(Question.id).filter_by(**mine, is_hidden=True).exists(),
                    sa.select(Message.id).filter_by(**mine, is_hidden=True).exists(),
                ),
            )
        ).one()
    if hidden:  # they see their own hidden words: theirs alone
        return _snapshot(townhall, viewer, facilitator)
    now = time.monotonic()
    entry = _shared_parts.get(townhall.id)
    if entry is None or entry[0] != townhall.last_seq or now - entry[1] > SHARED_SNAPSHOT_SECONDS:
        public = _snapshot(townhall, AnonymousUserMixin(), False)
        part = {k: public[k] for k in ("questions", "messages", "polls")}
        entry = (townhall.last_seq, now, part, socket_json.encode(part)[1:-1])
        _shared_parts[townhall.id] = entry
    upvoted, answered, choices = _own_marks(townhall, viewer)
    own = {
        "last_seq": townhall.last_seq,
        "settings": settings_dict(townhall),
        "me": {
            "id": viewer.id if viewer.is_authenticated else None,
            "facilitator": False,
            "muted": bool(muted),
            "upvoted": sorted(upvoted),
            "answered_polls": sorted(answered),
            "poll_choices": choices,
            "guest": bool(viewer.is_authenticated and viewer.is_guest),
        },
    }
    if encoded:  # {own..., shared...}: the shared keys' text spliced in, not encoded again
        return socket_json.RawJSON(socket_json.encode(own)[:-1] + "," + entry[3] + "}")
    return {**own, **entry[2]}


def _own_marks(townhall, viewer):
    """The questions a person upvoted, the polls they answered here and their choices in each
    (``{poll_id: [option_id, ...]}``, keys as strings for JSON): two queries."""
    if not viewer.is_authenticated:
        return set(), set(), {}
    upvoted = set(db.session.scalars(
        sa.select(QuestionUpvote.question_id).join(Question)
        .where(Question.townhall_id == townhall.id, QuestionUpvote.user_id == viewer.id)
    ))  # fmt: skip
    answered, choices = set(), {}
    for poll_id, option_id in db.session.execute(
        sa.select(PollResponse.poll_id, PollChoice.option_id)
        .outerjoin(PollChoice, PollChoice.response_id == PollResponse.id).join(Poll)
        .where(Poll.townhall_id == townhall.id, PollResponse.user_id == viewer.id)
    ):  # fmt: skip
        answered.add(poll_id)
        if option_id is not None:
            choices.setdefault(str(poll_id), []).append(option_id)
    return upvoted, answered, choices


def _snapshot(townhall, viewer, facilitator):

    def shown(model):
        if facilitator:
            return sa.true()
        if viewer.is_authenticated:
            return sa.or_(model.is_hidden.is_(False), model.author_id == viewer.id)
        return model.is_hidden.is_(False)

    questions = db.session.scalars(
        sa.select(Question)
        .where(Question.townhall_id == townhall.id, shown(Question))
        .options(sa.orm.joinedload(Question.author))
        .order_by(Question.seq)
    ).all()
    messages = db.session.scalars(
        sa.select(Message)
        .where(Message.townhall_id == townhall.id, shown(Message))
        .options(sa.orm.joinedload(Message.author))
        .order_by(Message.seq.desc())
        .limit(300)
    ).all()
    polls = db.session.scalars(
        sa.select(Poll).where(Poll.townhall_id == townhall.id).order_by(Poll.seq)
        .options(sa.orm.selectinload(Poll.options))
    ).all()  # fmt: skip
    upvoted, answered, choices = _own_marks(townhall, viewer)
    return {
        "last_seq": townhall.last_seq,
        "settings": settings_dict(townhall),
        "questions": [question_dict(q) for q in questions],
        "messages": [message_dict(m) for m in reversed(messages)],
        "polls": [poll_dict(p) for p in polls],
        "me": {
            "id": viewer.id if viewer.is_authenticated else None,
            "facilitator": facilitator,
            "muted": viewer.is_authenticated and is_muted(townhall, viewer),
            "upvoted": sorted(upvoted),
            "answered_polls": sorted(answered),
            "poll_choices": choices,
            "guest": bool(viewer.is_authenticated and viewer.is_guest),
        },
    }


def events_after(townhall, seq):
    """Events after ``seq``, in order, with the text of since-hidden items removed.

    Returns None when too much was missed, or when ``seq`` is ahead of the town hall (the
    client kept numbers from elsewhere, e.g. a restored database): the client then takes a
    fresh snapshot.
    """
    if seq > townhall.last_seq or townhall.last_seq - seq > REPLAY_LIMIT:
        return None
    events = db.session.scalars(
        sa.select(Event).where(Event.townhall_id == townhall.id, Event.seq > seq)
        .order_by(Event.seq)
    ).all()  # fmt: skip
    hidden = {
        ("question", i) for i in db.session.scalars(
            sa.select(Question.id).where(Question.townhall_id == townhall.id, Question.is_hidden)
        )
    } | {
        ("message", i) for i in db.session.scalars(
            sa.select(Message.id).where(Message.townhall_id == townhall.id, Message.is_hidden)
        )
    }  # fmt: skip
    replay = []
    for event in events:
        item = event_dict(event)
        if event.type in ("question", "message") and (event.type, event.payload["id"]) in hidden:
            item = {**item, "data": {**item["data"], "body": "", "hidden": True}}
        replay.append(item)
    return replay


# --- scheduling ---------------------------------------------------------------------------

SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{1,78}[a-z0-9]"


def save_townhall(townhall, data, actor):
    """Create or edit a town hall's details; every rule is checked before writing."""
    import re

    checks = Checks()
    for field in ("title_th", "title_en", "venue_th", "venue_en"):
        data[field] = plain_text(data.get(field))
    if not data["title_th"] and not data["title_en"]:
        checks.add(_l("Give the town hall a title in Thai or English."), "title_th")
    data["slug"] = (data.get("slug") or "").strip()
    if not data["slug"] and (data["title_th"] or data["title_en"]):
        # Made from the title; staff can still change it under "Advanced".
        data["slug"] = make_slug(
            (data["title_en"], data["title_th"]),
            lambda slug: db.session.scalar(
                sa.select(TownHall.id).where(TownHall.slug == slug,
                                             TownHall.id != (townhall.id or -1))
            ) is not None,
            fallback="townhall",
        )  # fmt: skip
    if not re.fullmatch(SLUG_PATTERN, data.get("slug") or ""):
        checks.add(
            _l("Use 3 to 80 lower-case letters, digits and dashes for the web address."), "slug"
        )
    elif db.session.scalar(
        sa.select(TownHall.id).where(TownHall.slug == data["slug"],
                                     TownHall.id != (townhall.id or -1))
    ):  # fmt: skip
        checks.add(_l("Another town hall already uses this web address."), "slug")
    if data["ends_dt"] <= data["starts_dt"]:
        checks.add(_l("The town hall must end after it starts."), "ends")
    checks.done()
    for name, value in data.items():
        setattr(townhall, name, value)
    if townhall.id is None:
        townhall.created_by_id = actor.id
        townhall.facilitators.append(actor)
        db.session.add(townhall)
        db.session.flush()
        record_action(actor, "townhall.create", townhall)
    else:
        record_action(actor, "townhall.edit", townhall)
    db.session.flush()
    return townhall
