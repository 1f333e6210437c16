"""Socket.IO handlers of the ``/townhall`` namespace (protocol: docs/realtime.md).

Every handler has the same shape as a view: find the town hall and the person, check the
payload and the permission, call an operation, commit, then acknowledge and broadcast the
stored event to the town hall's room. Nothing is broadcast before it is committed.
"""

import gc
import logging
import time
from functools import wraps

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from flask_socketio import join_room, leave_room

from participation.accounts.models import User
from participation.accounts.operations import load_session_user, user_for_token
from participation.core.forms import valid_id
from participation.core.outage import Outage, keep_running
from participation.core.sanitize import NestingError, clean_input
from participation.core.transactions import database_problem, reading, writing
from participation.extensions import db, socketio
from participation.townhall import operations as ops
from participation.townhall.fanout import Broadcaster
from participation.townhall.guests import guest_in
from participation.townhall.limits import live_limits
from participation.townhall.models import Event, TownHall
from participation.townhall.presence import presence
from participation.townhall.relay import Relay

logger = logging.getLogger(__name__)

NAMESPACE = "/townhall"
# Who is behind each connection of this process: sid -> {"token" or "session_token",
# "can_write", "joined"}; the person is looked up again on every event.
_clients = {}


def room(townhall_id):
    return f"townhall:{townhall_id}"


_last_sent = {"at": 0.0}


def _send(townhall_id, events):
    """One event as ``event``; several that came close together as one ``events`` list.

    Only to this process's connections: every process receives every event (relay.py) and
    sends it to its own, so nothing goes through Socket.IO's message queue.
    """
    _last_sent["at"] = time.monotonic()
    name, data = ("event", events[0]) if len(events) == 1 else ("events", events)
    socketio.emit(name, data, to=room(townhall_id), namespace=NAMESPACE, ignore_queue=True)


_broadcaster = Broadcaster(_send, 0, socketio.start_background_task, socketio.sleep)
_relay = Relay(_broadcaster.publish, socketio.start_background_task, socketio.sleep)


def broadcast(townhall_id, events):
    """Send stored events (``Event`` rows or their dicts, one or a list) to the town hall, on
    every server process."""
    events = events if isinstance(events, list) else [events]
    _relay.publish(townhall_id, [
        event if isinstance(event, dict) else ops.event_dict(event) for event in events if event
    ])  # fmt: skip


def _error(code, message, retry_after=None):
    answer = {"ok": False, "error": code, "message": str(message)}
    if retry_after:
        answer["retry_after"] = retry_after
    return answer


def _viewer(townhall=None):
    """The person behind this connection, checked again on every event: a signed-out session
    or a revoked token stops being able to act at once. Without an account, the guest its
    cookie names in ``townhall`` (participation/townhall/guests.py), in that town hall only."""
    client = _clients.get(request.sid) or {}
    if client.get("token"):
        user, _row = user_for_token(client["token"])
        return user
    if client.get("session_token"):
        return load_session_user(client["session_token"])
    guest = guest_in(townhall) if townhall is not None else None
    return guest.user if guest is not None else None


def _may_write(client, user):
    """Whether this connection may write as ``user``: a guest only in their own town hall (as
    ``_viewer`` found them), a suspended guest never."""
    if user is None:
        return False
    if user.is_guest:
        return not user.is_suspended
    return client["can_write"]


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    """Anyone may connect (visitors watch); a bearer token in ``auth`` signs a client in."""
    _relay.listen()  # from now on this process receives every town hall's events
    client = {"token": None, "session_token": None, "can_write": False, "joined": set()}
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        user, row = user_for_token(token) if isinstance(token, str) else (None, None)
        if user is None:
            message = _("The token is not valid.")
            raise ConnectionRefusedError({"error": "bad_token", "message": message})
        client.update(token=token, can_write=row.can_write)
    elif current_user.is_authenticated:
        user = current_user
        client.update(session_token=current_user.session_token, can_write=True)
    if token or current_user.is_authenticated:
        client["user_id"] = user.id
        if user.is_suspended:  # follows as a visitor, takes no part
            client["can_write"] = False
    db.session.close()  # nothing of the database is held while Redis is asked
    if client.get("user_id"):
        presence.add_user_sid(client["user_id"], request.sid)
    _clients[request.sid] = client


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args):
    client = _clients.pop(request.sid, None)
    for townhall_id in (client or {}).get("joined", ()):
        presence.leave(townhall_id, request.sid)
    if client and client.get("user_id"):
        presence.remove_user_sid(client["user_id"], request.sid)


def disconnect_user(user_id):
    """Cut every live connection of a person, on every server process (after a suspension).

    Each connection first receives ``suspended``; they may connect again to follow as visitors.
    """
    for sid in presence.user_sids(user_id):
        socketio.emit("suspended", {}, to=sid, namespace=NAMESPACE)
        socketio.server.disconnect(sid, namespace=NAMESPACE)
        presence.remove_user_sid(user_id, sid)


def handler(event_name, needs_write=False):
    """Register a handler: payload must be an object naming a town hall the client joined."""

    def decorator(function):
        @wraps(function)
        def wrapped(payload=None):
            try:
                if event_name in ops.LIMITED and current_app.config["RATELIMIT_ENABLED"]:
                    refused = _count_against_limit(event_name, payload)
                    if refused:
                        return refused
                # The whole event is one write transaction from its first read, so SQLite
                # queues concurrent writers (busy timeout) instead of failing a read-then-write.
                with writing():
                    return _handle(payload)
            except sa.exc.OperationalError as error:  # busy, or the database failed
                db.session.rollback()
                if database_problem(error) != "busy":  # down or out of disk: not "busy"
                    logger.error("Database unavailable in %s: %s", event_name, error)
                    return _error(
                        "unavailable",
                        _(
                            "Storage is unavailable, so this was not saved. "
                            "Please try again in a few minutes."
                        ),
                    )
                logger.exception("Database busy in %s", event_name)
                return _error("busy", _("The service is busy; please try again shortly"))

        def _handle(payload):
            if not isinstance(payload, dict):
                return _error("invalid", _("The request was not understood."))
            try:
                payload = clean_input(payload)  # the cleaning forms and the API give text
            except NestingError:
                return _error("invalid", _("The request was not understood."))
            client = _clients.get(request.sid)
            if client is None:
                return _error("not_connected", _("Please reconnect."))
            townhall = _townhall(payload.get("townhall"))
            if townhall is None:
                return _error("not_found", _("That town hall does not exist."))
            if townhall.id not in client["joined"]:
                return _error("not_joined", _("Join the town hall first."))
            user = _viewer(townhall)
            if needs_write and not _may_write(client, user):
                return _error("sign_in", _("Please sign in to take part."))
            if payload.get("website"):  # the hidden field of the live page's forms
                return _error("invalid", _("Something went wrong. Please send the form again."))
            townhall_id = townhall.id
            try:
                answer, events = _run(function, townhall, user, payload)
            except ops.TownHallError as error:
                db.session.rollback()
                return _error(error.code, error.message, error.retry_after)
            # Nothing of the database is held while the events go out (a Redis publish yields).
            db.session.close()
            broadcast(townhall_id, events)
            return {"ok": True, **(answer or {})}

        socketio.on_event(event_name, wrapped, namespace=NAMESPACE)
        return wrapped

    return decorator


def _count_against_limit(event_name, payload):
    """Count a resident's write against their limit (in Redis) before its transaction begins,
    so that no transaction (nor SQLite's writer lock) waits for Redis. A retried ``ask`` or
    ``post`` is not counted again; anything the handler will refuse is left to it."""
    with reading():
        client = _clients.get(request.sid)
        townhall = _townhall(payload.get("townhall")) if isinstance(payload, dict) else None
        user = _viewer(townhall) if townhall is not None else None
        counted, guest = None, False
        if (
            client is not None and townhall is not None and townhall.id in client["joined"]
            and _may_write(client, user)
            and not ops.is_repeat(event_name, townhall, user, payload.get("client_id"))
        ):  # fmt: skip
            counted, guest = (townhall.id, user.id), user.is_guest
        db.session.rollback()  # ends the reading transaction
    if counted is None:
        return None
    try:
        ops.check_rate_limit(ops.LIMITED[event_name], *counted)
        if guest:  # and every guest behind one address together (a script making guests)
            ops.check_guest_address_limit(counted[0], request.remote_addr)
    except ops.TownHallError as error:
        return _error(error.code, error.message, error.retry_after)
    return None


def _run(function, townhall, user, payload):
    """Run and commit a handler's operation; one retry when a duplicate client_id raced in
    (the retry then finds the stored item and returns it, so the post is stored once)."""
    for attempt in (1, 2):
        try:
            with writing():
                answer, events = function(townhall, user, payload)
                events = events if isinstance(events, list) else [events]
                events = [ops.event_dict(event) for event in events if event is not None]
                db.session.commit()
            return answer, events
        except sa.exc.IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise ops.TownHallError("busy", _("Please try again.")) from None
            townhall = db.session.get(TownHall, townhall.id)
            user = db.session.get(User, user.id) if user is not None else None
    raise AssertionError("unreachable")


def _townhall(reference):
    if isinstance(reference, int):
        if not valid_id(reference):
            return None
        townhall = db.session.get(TownHall, reference)
    elif (
        isinstance(reference, str) and len(reference) <= 80 and clean_input(reference) == reference
    ):
        townhall = db.session.scalar(sa.select(TownHall).where(TownHall.slug == reference))
    else:
        return None
    if townhall is None or not townhall.is_published:
        return None
    return townhall


@socketio.on("join", namespace=NAMESPACE)
def on_join(payload=None):
    """Sent by a client to follow a town hall; answers with a snapshot or the missed events.

    ``last_seq`` (optional) is the last event the client saw; everything after it comes back in
    order, or ``resync: true`` with a fresh snapshot when too much was missed or ``last_seq``
    is ahead of the town hall. The database is read first and let go before Redis (presence)
    is asked.
    """
    if not isinstance(payload, dict):
        return _error("invalid", _("The request was not understood."))
    client = _clients.get(request.sid)
    townhall = _townhall(payload.get("townhall"))
    if client is None or townhall is None:
        return _error("not_found", _("That town hall does not exist."))
    user = _viewer(townhall)
    signed_in = user is not None
    if not signed_in and not townhall.allow_visitors:
        return _error("sign_in", _("Please sign in to follow this town hall."))
    user_id = user.id if signed_in else None
    last_seq = payload.get("last_seq")
    if last_seq is not None and not (valid_id(last_seq) or last_seq == 0):
        return _error("invalid", _("The request was not understood."))
    join_room(room(townhall.id))
    first_join = townhall.id not in client["joined"]
    client["joined"].add(townhall.id)
    viewer = user if signed_in else AnonymousUserMixin()
    answer = {"ok": True, "townhall": townhall.id}
    replay = ops.events_after(townhall, last_seq) if last_seq is not None else None
    if replay is None:
        answer.update(
            resync=last_seq is not None, snapshot=ops.snapshot(townhall, viewer, encoded=True)
        )
    else:
        answer.update(events=replay, last_seq=townhall.last_seq)
    townhall_id, seq = townhall.id, townhall.last_seq
    _broadcaster.expect(townhall_id, seq + 1)
    _relay.expect(townhall_id, seq)
    db.session.close()  # nothing of the database is held while Redis is asked
    if first_join:
        presence.join(townhall_id, request.sid, f"u{user_id}" if signed_in else None)
    answer["present"] = presence.count(townhall_id)
    return answer


@socketio.on("leave", namespace=NAMESPACE)
def on_leave(payload=None):
    client = _clients.get(request.sid)
    townhall = _townhall(payload.get("townhall")) if isinstance(payload, dict) else None
    if client is None or townhall is None or townhall.id not in client["joined"]:
        return _error("not_joined", _("Join the town hall first."))
    townhall_id = townhall.id
    leave_room(room(townhall_id))
    client["joined"].discard(townhall_id)
    db.session.close()
    presence.leave(townhall_id, request.sid)
    return {"ok": True}


# --- residents --------------------------------------------------------------------------------


@handler("ask", needs_write=True)
def on_ask(townhall, user, payload):
    """A resident asks a question; everyone in the room receives a ``question`` event."""
    question, event = ops.ask_question(townhall, user, payload.get("body"),
                                       payload.get("client_id"))  # fmt: skip
    return {"question": ops.question_dict(question)}, event


@handler("upvote", needs_write=True)
def on_upvote(townhall, user, payload):
    """'I want to know too'; the room receives ``question.upvotes`` with the new count."""
    question = ops.get_question(townhall, payload.get("question_id"))
    event = ops.upvote_question(question, townhall, user)
    return {"upvotes": question.upvote_count, "already": event is None}, event


@handler("post", needs_write=True)
def on_post(townhall, user, payload):
    """A message in the discussion (optionally a reply); the room receives ``message``."""
    message, event = ops.post_message(
        townhall, user, payload.get("body"), payload.get("client_id"), payload.get("parent_id")
    )
    return {"message": ops.message_dict(message)}, event


@handler("answer_poll", needs_write=True)
def on_answer_poll(townhall, user, payload):
    """A resident answers an open poll once; the room receives ``poll.results``."""
    poll = ops.get_poll(townhall, payload.get("poll_id"))
    event = ops.answer_poll(poll, townhall, user, payload.get("option_ids"))
    return {"poll": ops.poll_dict(poll)}, event


# --- facilitators -------------------------------------------------------------------------


@handler("open", needs_write=True)
def on_open(townhall, user, payload):
    """The facilitator opens the session; the room receives ``settings`` (state live)."""
    return None, ops.open_townhall(townhall, user)


@handler("end", needs_write=True)
def on_end(townhall, user, payload):
    """The facilitator ends the session; open polls close; the room receives ``settings``."""
    return None, ops.end_townhall(townhall, user)


@handler("question_state", needs_write=True)
def on_question_state(townhall, user, payload):
    """Mark a question answering / answered / open; the room receives ``question.state``."""
    ops.require_facilitator(townhall, user)
    question = ops.get_question(townhall, payload.get("question_id"))
    return None, ops.set_question_state(question, townhall, user, payload.get("state"))


@handler("hide", needs_write=True)
def on_hide(townhall, user, payload):
    """Hide a question or message from every screen; the room receives ``hidden``."""
    ops.require_facilitator(townhall, user)
    kind = payload.get("kind")
    if kind == "question":
        item = ops.get_question(townhall, payload.get("id"))
    elif kind == "message":
        item = ops.get_message(townhall, payload.get("id"))
        if item.is_hidden:
            raise ops.TownHallError("hidden", _("That message was hidden by a moderator."))
    else:
        raise ops.TownHallError("invalid", _("The request was not understood."))
    reason = payload.get("reason", "")
    if not isinstance(reason, str):
        raise ops.TownHallError("invalid", _("The request was not understood."))
    return None, ops.hide_item(townhall, user, kind, item, reason)


@handler("restore", needs_write=True)
def on_restore(townhall, user, payload):
    """A facilitator shows a hidden question or message again; the room receives ``question``
    or ``message`` (the item as it was, no longer hidden)."""
    return None, ops.restore_item(
        townhall, user, payload.get("kind"), payload.get("id"), payload.get("reason", "")
    )


@handler("pin", needs_write=True)
def on_pin(townhall, user, payload):
    """Pin a message (or unpin with ``message_id: null``); the room receives ``settings``."""
    ops.require_facilitator(townhall, user)
    message_id = payload.get("message_id")
    message = None if message_id is None else ops.get_message(townhall, message_id)
    return None, ops.pin_message(townhall, user, message)


@handler("settings", needs_write=True)
def on_settings(townhall, user, payload):
    """Lock the discussion, set slow mode or show/hide the join code on the projector; the
    room receives ``settings``."""
    return None, ops.update_settings(
        townhall, user, payload.get("discussion_locked"), payload.get("slow_mode_seconds"),
        payload.get("show_join_code"),
    )  # fmt: skip


@handler("mute", needs_write=True)
def on_mute(townhall, user, payload):
    """Mute (or unmute) a resident for this town hall; the room receives ``muted``."""
    return None, ops.mute_user(townhall, user, payload.get("user_id"), payload.get("muted", True))


@handler("open_poll", needs_write=True)
def on_open_poll(townhall, user, payload):
    """Open a single- or multiple-choice poll; the room receives ``poll``."""
    poll, event = ops.open_poll(
        townhall, user, payload.get("question"), payload.get("options"),
        payload.get("multiple", False), payload.get("hide_results", False),
    )  # fmt: skip
    return {"poll": ops.poll_dict(poll)}, event


@handler("close_poll", needs_write=True)
def on_close_poll(townhall, user, payload):
    """Close a poll and reveal its results; the room receives ``poll.results``."""
    ops.require_facilitator(townhall, user)
    poll = ops.get_poll(townhall, payload.get("poll_id"))
    return None, ops.close_poll(poll, townhall, user)


def broadcast_presence(app):
    """Every few seconds, tell each room how many people are present (only when it changed),
    and keep a sample for the summary. Runs for ever: while Redis or the database is away it
    logs once and tries again with back-off; after a Redis restart it writes this process's
    connections into Redis again (presence.heal)."""
    interval = app.config.get("TOWNHALL_PRESENCE_SECONDS", 2)
    outage = Outage("Town hall presence", logger)
    keep_running(lambda: presence_step(app, interval), interval, socketio.sleep, outage)


def presence_step(app, interval):
    presence.heal()
    for townhall_id, count in presence.changed():
        # To this process's connections only: every process counts its own rooms' news.
        socketio.emit("presence", {"townhall": townhall_id, "present": count},
                      to=room(townhall_id), namespace=NAMESPACE, ignore_queue=True)  # fmt: skip
        if presence.claim_sample(townhall_id, interval):
            record_attendance(app, townhall_id, count)


_attendance = Outage("Recording town hall attendance", logger)


def record_attendance(app, townhall_id, present):
    """Keep how many people are present (and have been), for the town hall's summary."""
    from participation.townhall.models import Attendance

    seen = presence.seen(townhall_id)  # asked before the transaction begins
    with app.app_context(), writing():
        try:
            db.session.add(Attendance(townhall_id=townhall_id, present=present, seen=seen))
            db.session.commit()
        except sa.exc.SQLAlchemyError as error:  # deleted meanwhile, or the database is away
            db.session.rollback()
            _attendance.failed(error)
        else:
            _attendance.succeeded()


def collect_garbage(quiet_seconds=3, at_least_every=600):
    """Run the full garbage collections that participation/gunicorn_live.py turned off: when no
    town hall event went out for a few seconds (at most once a minute), else every ten minutes.
    Does nothing where automatic full collections are on."""
    from participation.gunicorn_live import MANUAL_FULL_COLLECTIONS

    if gc.get_threshold()[2] < MANUAL_FULL_COLLECTIONS:
        return
    last = {"at": time.monotonic()}

    def step():
        now = time.monotonic()
        quiet = now - _last_sent["at"] > quiet_seconds
        if (quiet and now - last["at"] > 60) or now - last["at"] > at_least_every:
            gc.collect()
            last["at"] = time.monotonic()

    keep_running(step, 5, socketio.sleep, Outage("Garbage collection", logger))


_started = {"at": None}


def start_background_tasks(app):
    if _started["at"] is None:
        _started["at"] = time.monotonic()
        socketio.start_background_task(broadcast_presence, app)
        socketio.start_background_task(collect_garbage)


class _Store:
    """The database as the relay reads it to catch up (participation/townhall/relay.py)."""

    def __init__(self, app):
        self.app = app

    def heads(self, townhall_ids):
        with self.app.app_context():
            try:
                return dict(db.session.execute(
                    sa.select(TownHall.id, TownHall.last_seq).where(TownHall.id.in_(townhall_ids))
                ).all())  # fmt: skip
            finally:
                db.session.remove()

    def events_after(self, townhall_id, seq):
        with self.app.app_context():
            try:
                rows = db.session.scalars(
                    sa.select(Event).where(Event.townhall_id == townhall_id, Event.seq > seq)
                    .order_by(Event.seq).limit(ops.REPLAY_LIMIT)
                )  # fmt: skip
                return [ops.event_dict(event) for event in rows]
            finally:
                db.session.remove()


def init_app(app):
    spawn = socketio.start_background_task
    presence.configure(app.config.get("REDIS_URL"), spawn=spawn)
    live_limits.configure(app.config.get("REDIS_URL"), app.config.get("RATELIMIT_KEY_PREFIX"),
                          spawn=spawn)  # fmt: skip
    _broadcaster.configure(
        app.config["TOWNHALL_BATCH_MS"] / 1000,
        app.config["TOWNHALL_BATCH_MAX_MS"] / 1000,
        app.config["TOWNHALL_REORDER_MS"] / 1000,
    )
    _relay.configure(app.config["SOCKETIO_MESSAGE_QUEUE"], store=_Store(app),
                     watched=presence.rooms)  # fmt: skip

    @app.before_request
    def _start_once():
        if not app.testing:
            start_background_tasks(current_app._get_current_object())
