"""Socket.IO handlers of the ``/opinions`` namespace (protocol: docs/realtime.md).

Pages of a conversation follow its map live: they join the conversation's room and receive
``map`` whenever a recompute stored a new map (at most once per ``OPINIONS_RECOMPUTE_SECONDS``).
Voting goes over HTTP (forms work without JavaScript); sockets only carry the news.
"""

from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms

from participation.core.forms import valid_id
from participation.extensions import db, socketio
from participation.opinions import operations as ops
from participation.opinions.models import Conversation

NAMESPACE = "/opinions"


def room(conversation_id):
    return f"conversation:{conversation_id}"


def _error(code, message):
    return {"ok": False, "error": code, "message": str(message)}


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    """Anyone may connect; what they may follow is checked when they join."""


@socketio.on("join", namespace=NAMESPACE)
def on_join(payload=None):
    """Sent by a conversation's page to follow its map; answers with the current version.

    The room then receives ``map`` after each recompute. Someone who may not see the
    conversation (a draft process, a members-only town hall) gets ``not_found``.
    """
    conversation_id = payload.get("conversation") if isinstance(payload, dict) else None
    conversation = db.session.get(Conversation, conversation_id) if valid_id(
        conversation_id) else None  # fmt: skip
    if conversation is None or not ops.is_visible(conversation, current_user):
        db.session.remove()
        return _error("not_found", _("That conversation does not exist."))
    result = ops.result_of(conversation)
    answer = {"ok": True, "conversation": conversation.id,
              "version": result.change_count if result else None}  # fmt: skip
    db.session.remove()
    join_room(room(conversation_id))
    return answer


@socketio.on("leave", namespace=NAMESPACE)
def on_leave(payload=None):
    """Stop following a conversation."""
    conversation_id = payload.get("conversation") if isinstance(payload, dict) else None
    if not valid_id(conversation_id) or room(conversation_id) not in rooms():
        return _error("not_joined", _("Join the conversation first."))
    leave_room(room(conversation_id))
    return {"ok": True}
