"""Recomputing opinion maps off the request path: throttled, coalesced, one process at a time.

A vote only moves the conversation's ``change_count`` and, after its commit, calls
:func:`request_recompute`. What happens then depends on ``OPINIONS_RECOMPUTE``:

- ``background`` (default): this server process keeps at most one pending recompute per
  conversation. It waits until ``OPINIONS_RECOMPUTE_SECONDS`` have passed since the map was last
  computed, so however fast votes arrive a map is computed at most once per interval and every
  vote in between is taken up by the same run (coalesced). Across server processes a claim on
  the conversation row (``recompute_claimed_until``, set by one conditional UPDATE) lets only
  one of them compute; the others skip. A run that ends with the map still stale (votes came in
  while it computed) schedules another. Under gevent the numpy work runs in a native thread.
- ``inline``: computed right after the commit, in the same request (tests only).
- ``external``: the web processes do nothing; ``flask opinions recompute --watch`` does the
  work (and pushes the live update through the Socket.IO message queue).

After each run the conversation's room on ``/opinions`` receives ``map`` (docs/realtime.md).
"""

import logging
import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.models import utcnow
from participation.core.outage import Outage, keep_running
from participation.core.transactions import writing
from participation.extensions import db, socketio
from participation.opinions import operations as ops
from participation.opinions.models import Conversation, OpinionResult

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # a claim left by a process that died expires after this


def _claim(conversation_id):
    """Take the conversation's recompute claim; True when this process holds it."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            sa.or_(
                Conversation.recompute_claimed_until.is_(None),
                Conversation.recompute_claimed_until < now,
            ),
        )
        .values(recompute_claimed_until=now + timedelta(seconds=CLAIM_SECONDS)),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return claimed.rowcount == 1


def _release(conversation_id):
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(recompute_claimed_until=None),
        execution_options={"synchronize_session": False},
    )


def seconds_until_due(conversation_id, interval):
    """How long to wait before the map may be computed again (0: now)."""
    computed = db.session.scalar(
        sa.select(OpinionResult.computed_dt).where(OpinionResult.conversation_id == conversation_id)
    )
    if computed is None:
        return 0.0
    return max(0.0, interval - (utcnow() - computed).total_seconds())


def recompute_now(conversation_id):
    """Claim, read, compute, store, release, then tell the room. Returns the result, or None
    when the conversation is gone, up to date, or another process holds the claim.

    The votes are read in a read-only transaction and the numbers crunched outside any
    transaction, so votes keep being written meanwhile; only the claim and the storing of the
    result take the write lock, briefly."""
    with writing():
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is None or not ops.is_stale(conversation):
            db.session.rollback()
            return None
        if not _claim(conversation_id):
            return None
    try:
        started = time.perf_counter()
        read = ops.read_for_map(conversation_id)
        db.session.rollback()  # ends the read transaction
        data, private, state = ops.compute_map(*read)
        with writing():
            result = ops.store_map(conversation_id, read[0], data, private, state, started)
            _release(conversation_id)
            db.session.commit()
    except Exception:
        with writing():
            db.session.rollback()
            _release(conversation_id)
            db.session.commit()
        raise
    announce(result)
    return result


def announce(result):
    """Send the room the news of a new map (each page then fetches its own view of it)."""
    from participation.opinions.events import NAMESPACE, room

    data = result.data
    socketio.emit("map", {
        "conversation": result.conversation_id, "version": result.change_count,
        "participants": data["participants"], "mapped": data["mapped"], "groups": data["k"],
    }, to=room(result.conversation_id), namespace=NAMESPACE)  # fmt: skip


class Scheduler:
    """At most one pending recompute per conversation in this process."""

    def __init__(self):
        self._pending = set()
        self._lock = threading.Lock()
        self.outage = Outage("Recomputing opinion maps", logger)

    def request(self, app, conversation_id):
        with self._lock:
            if conversation_id in self._pending:
                return False
            self._pending.add(conversation_id)
        socketio.start_background_task(self._run, app, conversation_id)
        return True

    def _run(self, app, conversation_id):
        interval = app.config["OPINIONS_RECOMPUTE_SECONDS"]
        again = False
        try:
            with app.app_context():
                wait = seconds_until_due(conversation_id, interval)
                db.session.remove()
            if wait:
                socketio.sleep(wait)
            with app.app_context():
                with self._lock:  # votes from here on need a new run
                    self._pending.discard(conversation_id)
                result = recompute_now(conversation_id)
                conversation = db.session.get(Conversation, conversation_id)
                again = conversation is not None and ops.is_stale(conversation)
                db.session.remove()
            if again and result is None:  # another process holds the claim: let it finish
                socketio.sleep(max(1.0, interval / 2))
        except Exception as error:  # the next vote asks again
            first = not self.outage.down
            if first:
                logger.exception("Recomputing the opinion map of conversation %s", conversation_id)
            self.outage.failed(error, logged=first)
        else:
            self.outage.succeeded()
        finally:
            with self._lock:
                self._pending.discard(conversation_id)
        if again:
            self.request(app, conversation_id)

    def pending(self):
        with self._lock:
            return set(self._pending)


scheduler = Scheduler()


def request_recompute(conversation_id):
    """Call after committing a change to a conversation (a vote, a statement, a hide)."""
    app = current_app._get_current_object()
    mode = app.config["OPINIONS_RECOMPUTE"]
    if mode == "inline":
        try:
            recompute_now(conversation_id)
        except Exception:  # the vote is stored; the map catches up on the next change
            logger.exception("Recomputing the opinion map of conversation %s", conversation_id)
    elif mode == "background":
        scheduler.request(app, conversation_id)


def stale_conversations():
    """Ids of conversations whose map is older than their votes (or was never computed)."""
    return db.session.scalars(
        sa.select(Conversation.id)
        .outerjoin(OpinionResult, OpinionResult.conversation_id == Conversation.id)
        .where(
            sa.or_(
                OpinionResult.conversation_id.is_(None),
                OpinionResult.change_count < Conversation.change_count,
            )
        )
        .order_by(Conversation.id)
    ).all()


def watch(interval, once=False, echo=print, sleep=time.sleep):
    """Recompute every stale map, then (unless ``once``) look again every ``interval`` s.

    Watching runs for ever: an error (the database or Redis away) is logged once per outage and
    the next look waits with back-off."""

    def look():
        try:
            for conversation_id in stale_conversations():
                started = time.perf_counter()
                result = recompute_now(conversation_id)
                if result is not None:
                    took = time.perf_counter() - started
                    echo(f"conversation {conversation_id}: {result.data['participants']} people, "
                         f"{result.data['k']} groups, {took:.2f} s")  # fmt: skip
        finally:
            db.session.remove()

    if once:
        look()
        return
    keep_running(look, interval, sleep, Outage("Recomputing opinion maps", logger))
