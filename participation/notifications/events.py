"""Socket.IO namespace ``/me``: a signed-in person's own live news (the bell's count).

No client event: the server only pushes. Wire protocol in docs/realtime.md.
"""

from flask_login import current_user
from flask_socketio import join_room

from participation.extensions import socketio
from participation.notifications.operations import NAMESPACE, room_for, unread_count


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    """A signed-in page connects (the session cookie); it joins its person's room and gets
    ``unread`` with the current count. Visitors are refused."""
    if not current_user.is_authenticated:
        raise ConnectionRefusedError({"error": "sign_in", "message": "Sign in first."})
    join_room(room_for(current_user.id))
    socketio.emit("unread", {"count": unread_count(current_user)}, to=_sid(), namespace=NAMESPACE)


def _sid():
    from flask import request

    return request.sid
