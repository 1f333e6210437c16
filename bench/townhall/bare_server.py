"""The comparison server: Flask-SocketIO broadcasting to a room, no database, no checks.

Speaks just enough of docs/realtime.md for the load generator (connect, ``join``, ``post``,
``event``), so `townhall_run.py --only bare` measures what the library and this machine
give without Ruamkid: the floor under the app's own figures.

    gunicorn -c python:participation.gunicorn_live bench.townhall.bare_server:app
"""

import itertools
import time

from flask import Flask
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins="*")
NS = "/townhall"
_seq = itertools.count(1)
_last = {"seq": 0}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@socketio.on("join", namespace=NS)
def on_join(payload):
    join_room(str(payload.get("townhall")))
    return {"ok": True, "snapshot": {"last_seq": _last["seq"]}}


@socketio.on("post", namespace=NS)
def on_post(payload):
    seq = _last["seq"] = next(_seq)
    data = {"id": seq, "seq": seq, "body": payload.get("body", ""),
            "author": {"id": 1, "name": "ผู้ทดสอบ"}, "parent_id": None,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S+00:00")}  # fmt: skip
    emit("event", {"seq": seq, "type": "message", "data": data},
         to=str(payload.get("townhall")), namespace=NS)  # fmt: skip
    return {"ok": True, "message": data}
