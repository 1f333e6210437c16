"""Conversations, statements and votes of the opinion map: every rule, in one place.

Functions change state and flush, never commit, and raise :class:`RuleError` with a translated
message when a rule is broken (nothing is then stored: the caller rolls back). The map itself
is recomputed off the request path (``participation.opinions.recompute``); a vote only moves the
conversation's ``change_count``.
"""

import hashlib
import logging
import time

import numpy as np
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError, limit_links_of_new_accounts, require_participant
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.opinions import (
    action_log,  # noqa: F401  (registers the action log's words)
    compute,
)
from participation.opinions.models import (
    QUESTION_MAX,
    STATEMENT_MAX,
    STATEMENTS_PER_CONVERSATION,
    Choice,
    Conversation,
    OpinionResult,
    OpinionVote,
    Statement,
)
from participation.processes.models import Action, Process
from participation.townhall.models import State, TownHall

logger = logging.getLogger(__name__)

GROUP_LETTERS = "ABCDE"
# The statement's counter that each choice moves.
COUNT_COLUMNS = {Choice.AGREE: "agree_count", Choice.DISAGREE: "disagree_count",
                 Choice.PASS: "pass_count"}  # fmt: skip
SEEDS_MAX = 50  # statements a facilitator may write when opening a conversation


# --- Who may do what, and when ------------------------------------------------------------------


def can_manage(user, conversation_or_place):
    """The facilitators of the process or town hall (and administrators) run its conversations."""
    place = getattr(conversation_or_place, "place", conversation_or_place)
    return can(user, Permission.FACILITATE, place)


def is_visible(conversation, user):
    """A conversation is seen by whoever may see its process or town hall."""
    from participation.processes.operations import process_is_visible

    place = conversation.place
    if isinstance(place, Process):
        return process_is_visible(place, user)
    if not place.is_published and not place.is_facilitator(user):
        return False
    return place.allow_visitors or bool(user is not None and user.is_authenticated)


def place_closed_reason(place):
    """Why a process or town hall takes no votes now, or None when it does."""
    if isinstance(place, Process):
        if not place.is_published:
            return _l("This process is not published yet.")
        if not place.allows_action(Action.OPINION):
            return _l("Statements can be voted on only in the Reframe and Reimagine phases.")
        return None
    if place.current_state == State.SCHEDULED:
        return _l("The conversation opens when the town hall goes live.")
    if place.current_state == State.ENDED:
        return _l("The town hall has ended, so the conversation is closed.")
    return None


def closed_reason(conversation):
    """Why nobody can vote or add statements now, or None when the conversation is open."""
    if not conversation.is_open:
        return _l("This conversation is closed.")
    return place_closed_reason(conversation.place)


def _require_open(conversation):
    reason = closed_reason(conversation)
    if reason is not None:
        raise RuleError(reason)


def _require_manager(user, place):
    if not can_manage(user, place):
        raise RuleError(_l("Only the facilitators of this process or town hall can do that."))


# --- Conversations --------------------------------------------------------------------------------


def _clean_statement(body):
    body = plain_text(body if isinstance(body, str) else "")
    if not body:
        raise RuleError(_l("Please write a statement."), "body")
    if len(body) > STATEMENT_MAX:
        raise RuleError(
            _l("A statement can have at most %(count)s characters; yours has %(length)s.",
               count=STATEMENT_MAX, length=len(body)),
            "body",
        )  # fmt: skip
    return body


def open_conversation(place, user, question, seeds=(), allow_statements=True):
    """Open a conversation in a process (Reframe or Reimagine) or a town hall (not ended), with
    the facilitator's first statements; ``allow_statements``: residents may add their own."""
    _require_manager(user, place)
    if isinstance(place, TownHall):
        if place.current_state == State.ENDED:
            raise RuleError(_l("The town hall has ended, so the conversation is closed."))
    else:
        reason = place_closed_reason(place)
        if reason is not None:
            raise RuleError(reason)
    question = plain_text(question if isinstance(question, str) else "")
    if not question:
        raise RuleError(_l("Please write the question residents answer."), "question")
    if len(question) > QUESTION_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=QUESTION_MAX), "question")
    seeds = [line for line in (seeds or []) if plain_text(line)]
    if len(seeds) > SEEDS_MAX:
        raise RuleError(_l("Write at most %(count)s statements here; residents add more.",
                           count=SEEDS_MAX), "seeds")  # fmt: skip
    try:
        bodies = [_clean_statement(line) for line in seeds]
    except RuleError as error:
        raise RuleError(error.message, "seeds") from None
    column = "process_id" if isinstance(place, Process) else "townhall_id"
    conversation = Conversation(
        question=question, created_by_id=user.id, allow_statements=bool(allow_statements),
        **{column: place.id},
    )  # fmt: skip
    db.session.add(conversation)
    db.session.flush()
    seen = set()
    for body in bodies:
        if body not in seen:
            seen.add(body)
            db.session.add(Statement(conversation=conversation, author_id=user.id, body=body,
                                     is_seed=True))  # fmt: skip
    db.session.flush()
    record_action(user, "opinions.open", conversation, public=True)
    return conversation


def set_open(conversation, user, is_open):
    """Close a conversation (the map stays, read-only) or open it again."""
    _require_manager(user, conversation)
    if is_open and place_closed_reason(conversation.place) is not None:
        raise RuleError(place_closed_reason(conversation.place))
    conversation.is_open = bool(is_open)
    conversation.closed_dt = None if is_open else utcnow()
    record_action(user, "opinions.reopen" if is_open else "opinions.close", conversation,
                  public=True)  # fmt: skip


def conversations_of(place):
    """The conversations of a process or town hall, the newest first."""
    column = Conversation.process_id if isinstance(place, Process) else Conversation.townhall_id
    return db.session.scalars(
        sa.select(Conversation).where(column == place.id).order_by(Conversation.id.desc())
    ).all()


def mark_changed(conversation_id):
    """The map is stale: the next recompute takes it up (a vote does nothing more)."""
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(change_count=Conversation.change_count + 1),
        execution_options={"synchronize_session": False},
    )


# --- Statements and votes -------------------------------------------------------------------------


def add_statement(conversation, user, body):
    """A resident (or facilitator) adds a statement for everyone to vote on."""
    require_participant(user)
    _require_open(conversation)
    manager = can_manage(user, conversation)
    if not conversation.allow_statements and not manager:
        raise RuleError(_l("The facilitators have closed this conversation to new statements."))
    body = _clean_statement(body)
    limit_links_of_new_accounts(user, body, field="body")
    duplicate = db.session.scalar(
        sa.select(Statement.id).where(
            Statement.conversation_id == conversation.id, Statement.body == body
        )
    )
    if duplicate is not None:
        raise RuleError(_l("This statement is already in the conversation."), "body")
    count = db.session.scalar(
        sa.select(sa.func.count()).where(Statement.conversation_id == conversation.id)
    )
    if count >= STATEMENTS_PER_CONVERSATION:
        raise RuleError(_l("This conversation has as many statements as it can take."))
    statement = Statement(conversation_id=conversation.id, author_id=user.id, body=body,
                          is_seed=manager)  # fmt: skip
    db.session.add(statement)
    db.session.flush()
    mark_changed(conversation.id)
    return statement


def get_statement(conversation, statement_id):
    """A statement of this conversation, by id (from a form or socket: anything may arrive)."""
    from participation.core.forms import valid_id

    if isinstance(statement_id, str) and statement_id.isdigit():
        statement_id = int(statement_id)
    statement = db.session.get(Statement, statement_id) if valid_id(statement_id) else None
    if statement is None or statement.conversation_id != conversation.id:
        raise RuleError(_l("That statement does not exist."))
    return statement


def vote(conversation, statement, user, choice):
    """Agree, disagree or pass, once per statement; the map follows on its next recompute."""
    require_participant(user)
    _require_open(conversation)
    value = Choice.from_name(choice) if isinstance(choice, str) else None
    if value is None:
        raise RuleError(_l("Please choose agree, disagree or pass."), "choice")
    if statement.conversation_id != conversation.id:
        raise RuleError(_l("That statement does not exist."))
    if statement.is_hidden:
        raise RuleError(_l("A moderator hid this statement, so it can no longer be voted on."))
    already = db.session.scalar(
        sa.select(OpinionVote.id).where(
            OpinionVote.statement_id == statement.id, OpinionVote.user_id == user.id
        )
    )
    if already is not None:
        raise RuleError(_l("You have already voted on this statement."))
    try:
        with db.session.begin_nested():
            db.session.add(OpinionVote(conversation_id=conversation.id, statement_id=statement.id,
                                       user_id=user.id, value=int(value)))  # fmt: skip
            db.session.flush()
    except sa.exc.IntegrityError:  # the same vote arrived twice at once
        raise RuleError(_l("You have already voted on this statement.")) from None
    column = COUNT_COLUMNS[value]
    db.session.execute(
        sa.update(Statement)
        .where(Statement.id == statement.id)
        .values({column: getattr(Statement, column) + 1}),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(statement, [column])
    mark_changed(conversation.id)
    return value


def withdraw_votes_of(user):
    """Take back a person's votes (account deletion): the statements' counts go down and the
    maps of their conversations are recomputed without them."""
    mine = OpinionVote.user_id == user.id
    for value, column in COUNT_COLUMNS.items():
        db.session.execute(
            sa.update(Statement)
            .where(Statement.id.in_(sa.select(OpinionVote.statement_id).where(
                mine, OpinionVote.value == int(value))))
            .values({column: getattr(Statement, column) - 1}),
            execution_options={"synchronize_session": False},
        )  # fmt: skip
    conversations = db.session.scalars(
        sa.select(OpinionVote.conversation_id).where(mine).distinct()
    ).all()
    db.session.execute(sa.delete(OpinionVote).where(mine))
    for conversation_id in conversations:
        mark_changed(conversation_id)


def visibility_changed(statement):
    """A moderator hid or restored a statement: the map is computed again without (or with) it."""
    mark_changed(statement.conversation_id)


# --- What a resident sees -------------------------------------------------------------------------


def visible_statements(conversation):
    return db.session.scalars(
        sa.select(Statement)
        .where(Statement.conversation_id == conversation.id, Statement.is_hidden.is_(False))
        .order_by(Statement.id)
    ).all()


def votes_of(conversation, user):
    """{statement id: Choice} of one person in one conversation."""
    if user is None or not user.is_authenticated:
        return {}
    rows = db.session.execute(
        sa.select(OpinionVote.statement_id, OpinionVote.value).where(
            OpinionVote.conversation_id == conversation.id, OpinionVote.user_id == user.id
        )
    ).all()
    return {statement_id: Choice(value) for statement_id, value in rows}


def result_of(conversation):
    return db.session.get(OpinionResult, conversation.id)


def votable_statements(statements, user):
    """The statements a person is asked about: everyone's but their own (they wrote it)."""
    return [s for s in statements if s.author_id is None or s.author_id != user.id]


def next_statement(conversation, user, statements=None, mine=None, result=None):
    """The statement to show this person next, or None when they have voted on every one.

    The rule (``compute.priority``): among the visible statements they have not voted on, one is
    drawn with weight (1 + 2 x separation) / sqrt(1 + votes), where separation is how far apart
    the opinion groups' agree rates are on it in the last map. The draw is seeded by the person,
    the conversation and how many votes they have cast, so a reload shows the same statement.
    """
    statements = visible_statements(conversation) if statements is None else statements
    mine = votes_of(conversation, user) if mine is None else mine
    result = result_of(conversation) if result is None else result
    separations = (result.data.get("statements", {}) if result else {}) or {}
    candidates = [
        (s.id, s.vote_count, separations.get(str(s.id), {}).get("separation", 0.0))
        for s in votable_statements(statements, user)
        if s.id not in mine
    ]
    digest = hashlib.sha256(f"{conversation.id}:{user.id}:{len(mine)}".encode()).digest()
    chosen = compute.next_statement(candidates, int.from_bytes(digest[:8], "big"))
    return next((s for s in statements if s.id == chosen), None)


def position_of(result, user):
    """A resident's own point on the map ``{"x", "y", "group"}``, or None when not on it."""
    if result is None or user is None or not user.is_authenticated:
        return None
    point = (result.positions or {}).get(str(user.id))
    if point is None:
        return None
    x, y, group = point
    return {"x": x, "y": y, "group": group,
            "letter": GROUP_LETTERS[group] if result.data.get("k") else None}  # fmt: skip


# --- Computing the map ----------------------------------------------------------------------------


def load_votes(conversation_id):
    """The conversation's votes on visible statements as arrays:
    ``(Votes, user ids per row, statement ids per column)``."""
    statement_ids = np.array(
        db.session.scalars(
            sa.select(Statement.id)
            .where(Statement.conversation_id == conversation_id, Statement.is_hidden.is_(False))
            .order_by(Statement.id)
        ).all(),
        dtype=np.int64,
    )
    flat = _vote_rows(conversation_id)
    flat = flat[np.isin(flat[:, 1], statement_ids)]
    user_ids, rows = np.unique(flat[:, 0], return_inverse=True)
    columns = np.searchsorted(statement_ids, flat[:, 1])
    votes = compute.Votes(rows, columns, flat[:, 2], (len(user_ids), len(statement_ids)))
    return votes, user_ids, statement_ids


PACK = 2**32  # user_id * PACK + statement_id * 4 + (value + 1): ids below 2**31 and 2**30


def _vote_rows(conversation_id):
    """(user id, statement id, value) of every vote, as an n x 3 int64 array.

    The database packs each vote into one integer and joins them into one text (SQLite
    ``group_concat``, PostgreSQL ``string_agg``) that numpy parses in C: about three times
    faster than stepping through two million rows in Python (docs/opinion-map.md).
    """
    packed = (
        sa.cast(OpinionVote.user_id, sa.BigInteger) * PACK
        + sa.cast(OpinionVote.statement_id, sa.BigInteger) * 4
        + OpinionVote.value
        + 1
    )
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        joined = sa.func.group_concat(packed)
    else:
        joined = sa.func.string_agg(sa.cast(packed, sa.Text), ",")
    text = db.session.scalar(
        sa.select(joined).where(OpinionVote.conversation_id == conversation_id)
    )
    numbers = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)
    flat = np.empty((len(numbers), 3), dtype=np.int64)
    flat[:, 0], rest = np.divmod(numbers, PACK)
    flat[:, 1], value = np.divmod(rest, 4)
    flat[:, 2] = value - 1
    return flat


def map_data(found, user_ids, statement_ids, change_count):
    """The stored forms of a computed map: (public data, private positions)."""
    statements = {}
    for column, statement_id in enumerate(statement_ids.tolist()):
        statements[str(statement_id)] = {
            "agree": int(found["agrees"][column]),
            "disagree": int(found["disagrees"][column]),
            "pass": int(found["passes"][column]),
            "consensus": round(float(found["consensus"][column]), 4),
            "separation": round(float(found["separation"][column]), 4),
        }
    k = found["k"]
    groups = []
    for g in range(k):
        members = found["positions"][found["labels"] == g]
        groups.append({
            "letter": GROUP_LETTERS[g],
            "size": int(found["sizes"][g]),
            "centre": [round(float(value), 4) for value in members.mean(axis=0)],
            "representative": [
                {"id": int(statement_ids[row["index"]]), "direction": row["direction"],
                 "percent": round(100 * row["p"]), "others_percent": round(100 * row["p_out"])}
                for row in found["representative"][g]
            ],
        })  # fmt: skip
    rates = (found["group_agrees"] + 1) / (found["group_votes"] + 2) if k else None
    common = [
        {"id": int(statement_ids[column]),
         "consensus": round(float(found["consensus"][column]), 4),
         "percents": [round(100 * float(rates[g, column])) for g in range(k)]}
        for column in found["common_ground"]
    ]  # fmt: skip
    positions = np.round(found["positions"], 4)
    labels = found["labels"]
    sample = compute.map_sample(len(positions))
    # Drawn in the order of their place on the map, never in the order of the people's ids.
    sample = (
        sample[np.lexsort((positions[sample, 1], positions[sample, 0]))] if len(sample) else sample
    )
    bounds = (
        [float(positions[:, 0].min()), float(positions[:, 0].max()),
         float(positions[:, 1].min()), float(positions[:, 1].max())]
        if len(positions) else [0.0, 0.0, 0.0, 0.0]
    )  # fmt: skip
    data = {
        "version": change_count,
        "computed": utcnow().isoformat(),
        "participants": found["participants"],
        "mapped": len(found["included"]),
        "threshold": compute.inclusion_threshold(len(statement_ids)),
        "statement_count": len(statement_ids),
        "k": k,
        "best_k": found["best_k"],
        "groups": groups,
        "common_ground": common,
        "statements": statements,
        "bounds": bounds,
        "points": [
            [float(positions[i, 0]), float(positions[i, 1]), int(labels[i]) if k else 0]
            for i in sample.tolist()
        ],
    }
    mapped_users = user_ids[found["included"]].tolist()
    private = {
        str(user_id): [float(positions[i, 0]), float(positions[i, 1]), int(labels[i]) if k else 0]
        for i, user_id in enumerate(mapped_users)
    }
    return data, private


def compute_in_worker(function, *args):
    """Run CPU-heavy numpy work in a native thread under gevent (numpy releases the GIL there),
    so the server's other greenlets go on while it runs; elsewhere just call it."""
    from participation.extensions import socketio

    if getattr(socketio, "async_mode", None) == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


def read_for_map(conversation_id):
    """Everything a recompute reads (one read transaction): the change count it reflects, the
    votes as arrays and the previous update's state."""
    change_count = db.session.scalar(
        sa.select(Conversation.change_count).where(Conversation.id == conversation_id)
    )
    votes, user_ids, statement_ids = load_votes(conversation_id)
    state = db.session.scalar(
        sa.select(OpinionResult.state).where(OpinionResult.conversation_id == conversation_id)
    )
    return change_count, votes, user_ids, statement_ids, dict(state or {})


def compute_map(change_count, votes, user_ids, statement_ids, state):
    """The CPU part, outside any transaction: (public data, private positions, new state)."""
    found = compute_in_worker(compute.opinion_map, votes, state)
    data, private = map_data(found, user_ids, statement_ids, change_count)
    return data, private, _jsonable(found["state"])


def store_map(conversation_id, change_count, data, private, state, started):
    """Keep the computed map (flushes; the caller commits)."""
    result = db.session.get(OpinionResult, conversation_id)
    if result is None:
        result = OpinionResult(conversation_id=conversation_id)
        db.session.add(result)
    result.change_count = change_count
    result.data, result.positions, result.state = data, private, state
    result.computed_dt = utcnow()
    result.compute_ms = round((time.perf_counter() - started) * 1000)
    db.session.flush()
    logger.info("Opinion map of conversation %s: %s people, %s ms", conversation_id,
                data["participants"], result.compute_ms)  # fmt: skip
    return result


def recompute(conversation):
    """Compute the conversation's map now and store it, in the caller's transaction (flushes;
    the caller commits). The background task splits the same steps across short transactions
    (``recompute.recompute_now``)."""
    started = time.perf_counter()
    read = read_for_map(conversation.id)
    data, private, state = compute_map(*read)
    return store_map(conversation.id, read[0], data, private, state, started)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_stale(conversation, result=None):
    result = result_of(conversation) if result is None else result
    return result is None or result.change_count < conversation.change_count


# --- Summaries ----------------------------------------------------------------------------------


def summary_data(place):
    """The opinion maps of a process or town hall for its council summary (plain JSON): the map
    as last computed, with the statements' text, hidden statements left out."""
    found = []
    for conversation in conversations_of(place):
        result = result_of(conversation)
        if result is None:
            continue
        texts = {str(s.id): s.body for s in visible_statements(conversation)}
        data = result.data
        shown = {str(row["id"]) for group in data["groups"] for row in group["representative"]}
        shown |= {str(row["id"]) for row in data["common_ground"]}
        found.append({
            "id": conversation.id, "question": conversation.question,
            "participants": data["participants"], "mapped": data["mapped"],
            "statement_count": len(texts), "threshold": data["threshold"], "k": data["k"],
            "groups": data["groups"], "common_ground": data["common_ground"],
            "texts": {key: texts[key] for key in sorted(shown) if key in texts},
            "points": data["points"], "bounds": data["bounds"], "computed": data["computed"],
        })  # fmt: skip
    return found


def summary_fingerprint(place):
    """What the summary's opinion part depends on: each map's version."""
    column = Conversation.process_id if isinstance(place, Process) else Conversation.townhall_id
    rows = db.session.execute(
        sa.select(OpinionResult.conversation_id, OpinionResult.change_count)
        .join(Conversation, Conversation.id == OpinionResult.conversation_id)
        .where(column == place.id)
        .order_by(OpinionResult.conversation_id)
    ).all()
    hidden = db.session.scalar(
        sa.select(sa.func.max(Statement.hidden_dt))
        .join(Conversation, Conversation.id == Statement.conversation_id)
        .where(column == place.id)
    )
    return ",".join(f"{cid}:{count}" for cid, count in rows) + f"|{hidden}"
